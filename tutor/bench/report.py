"""The human side of `ce-tutor bench`: a progress bar while it runs, a table with goals after."""

from __future__ import annotations

import sys

from tutor.bench.run import FIGURES, Plan, format_value, goal_text, goals_met, run_bench

STAGE_TEXT = {
    "app": "first frame, side by side with a bare Textual app",
    "typing": "bytes per keystroke and the app's memory",
    "app_cpu": "the app's CPU per step, answer and idle minute",
    "formula": "formula grading (and math-verify)",
    "number": "number grading",
    "code": "code grading, warm and fresh",
    "fairness": "a classmate's code run beside a flood",
    "validate": "ce-tutor validate on the built-in pack",
    "class": "a class of learners, each in the app",
}


def run_with_progress(plan: Plan):
    """Run the bench with a Rich progress bar on stderr; returns (figures, notes)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    stages = plan.stages()
    columns = [TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("starting", total=len(stages))

        def stage(name: str) -> None:
            progress.update(task, completed=stages.index(name), description=STAGE_TEXT[name])

        def tick(detail: str) -> None:
            progress.update(task, description=f"{STAGE_TEXT['class']}: {detail}")

        figures, notes = run_bench(plan, stage, tick)
        progress.update(task, completed=len(stages))
    return figures, notes


def print_table(figures: dict[str, float], notes: list[str], plan: Plan) -> bool:
    """The figures beside their goals; returns whether every goal was met."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    ascii_only = (sys.stdout.encoding or "").lower().replace("-", "") != "utf8"
    yes, no = ("ok", "FAIL") if ascii_only else ("✓", "✗")
    table = Table(title="ce-tutor bench", show_lines=False, safe_box=ascii_only)
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("goal", justify="right")
    table.add_column("", justify="center")
    for key, label, unit in FIGURES:
        if key not in figures:
            continue
        goal, met = goal_text(key, figures, plan.learners)
        mark = "" if met is None else (f"[green]{yes}[/]" if met else f"[red]{no}[/]")
        value = format_value(figures[key], unit)
        table.add_row(label, f"{value} {unit}".strip(), goal, mark)
    console.print(table)
    for note in notes:
        console.print(f"  {note}", markup=False, highlight=False)
    return goals_met(figures, plan)
