"""The command palette's commands: open a lesson, switch theme, show keys.

In a lesson also its overview and its steps; everywhere the learner's
mistakes, and a search of every lesson's text (`find words` finds the steps
that say them).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider, SearchIcon

from tutor.i18n import _
from tutor.pack.model import Prose, Step

FIND_AT_LEAST = 3  # characters of a query before lesson text is searched
MAX_FOUND = 20
FOUND_SCORE = 0.5  # below a command whose name matches well


def step_text(step: Step) -> str:
    """What a learner reads in a step: its title and prose (exercise prompts too)."""
    parts = [step.title]
    for block in step.blocks:
        if isinstance(block, Prose):
            parts.append(block.text)
        elif hasattr(block, "prompt"):
            parts.append(str(block.prompt))
    return "\n".join(parts)


class TutorPalette(CommandPalette):
    """The command palette with a plain pointer for its search icon.

    Textual's magnifier is a wide emoji: its width is ambiguous in some
    terminals and it is not ASCII at all.
    """

    def __init__(self, icon: str, placeholder: str):
        super().__init__(id="--command-palette", placeholder=placeholder)
        self._icon = icon

    def on_mount(self) -> None:
        self.query_one(SearchIcon).icon = self._icon


class TutorCommands(Provider):
    """Lessons of the pack and the app's everyday actions."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        commands: list[tuple[str, str, Callable[[], object]]] = [
            (
                _("Open lesson: {title}").format(title=lesson.title),
                lesson.summary,
                partial(app.open_lesson, lesson.id),
            )
            for lesson in app.pack.lessons
        ]
        commands += [
            (
                _("Theme: dark"),
                _("Light text on a dark background"),
                partial(app.use_theme, "dark"),
            ),
            (
                _("Theme: light"),
                _("Dark text on a light background"),
                partial(app.use_theme, "light"),
            ),
            (
                _("Review my mistakes"),
                _("The named mistakes you made, each one leading to its exercise"),
                app.action_mistakes,
            ),
            (_("Keys"), _("Every key of the app"), app.action_keys),
            (_("Lessons"), _("Back to the list of lessons"), app.action_home),
            (_("Other packs"), _("Lesson packs found on this machine"), app.action_packs),
            (_("Quit"), _("Your progress is already saved"), app.action_quit),
        ]
        screen = self.screen  # the screen the palette was opened on (not the palette)
        lesson = getattr(screen, "lesson", None)
        if lesson is not None and hasattr(screen, "action_overview"):
            commands.append(
                (
                    _("Overview of this lesson"),
                    _("Each exercise: solved, tries, hints, your last answer"),
                    screen.action_overview,
                )
            )
            commands += [
                (
                    _("Go to step {n}: {title}").format(n=index + 1, title=step.title),
                    lesson.title,
                    partial(app.open_lesson, lesson.id, index),
                )
                for index, step in enumerate(lesson.steps)
            ]
        return commands

    def _found(self, query: str) -> list[tuple[str, str, Callable[[], object]]]:
        """Steps of any lesson whose text says `query` (3 characters or more), with a snippet."""
        words = query.strip().casefold()
        if len(words) < FIND_AT_LEAST:
            return []
        app = self.app
        found = []
        for lesson in app.pack.lessons:
            for index, step in enumerate(lesson.steps):
                text = step_text(step)
                at = text.casefold().find(words)
                if at >= 0:
                    snippet = " ".join(text[max(at - 30, 0) : at + len(words) + 40].split())
                    found.append(
                        (
                            _("Find: {lesson}, step {n}: {title}").format(
                                lesson=lesson.title, n=index + 1, title=step.title
                            ),
                            app.plain(f"…{snippet}…"),
                            partial(app.open_lesson, lesson.id, index),
                        )
                    )
        return found[:MAX_FOUND]

    async def discover(self) -> Hits:
        for name, help_text, command in self._commands():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, help=help_text)
        for name, help_text, command in self._found(query):
            yield Hit(FOUND_SCORE, name, command, help=help_text)
