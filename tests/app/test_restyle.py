"""A focus move restyles the widgets whose look it changes, not the step under them.

Textual restyles a widget's whole subtree when its focus or a class
changes; the step body (the whole step) and the exercise are restyled
alone instead (`tutor/app/restyle.py`). That is only right while no rule
styles what is under a widget by such a state, which the first test holds
the stylesheet to; the others check the look is the one `:focus-within`
gave, and that a Tab and an Esc no longer restyle the step.
"""

from __future__ import annotations

from textual.css.model import CombinatorType, Selector, SelectorType
from textual.css.stylesheet import Stylesheet
from textual.widget import Widget
from textual.widgets import Input

from tests.app.helpers import exercise, open_step, wait_until
from tutor.app.restyle import OWN_CLASSES, OWN_PSEUDO_CLASSES, RestyledAloneOnFocus
from tutor.app.widgets.exercise_view import ExerciseView


def _ancestors(selectors: list[Selector]) -> list[Selector]:
    """The selectors of a rule that match the styled widget's ancestors, not the widget.

    `.exercise.-solved .prompt` is three selectors; each says how it joins the one
    before it (SAME: the same widget), so the styled widget's own are the last run
    of SAME-joined ones.
    """
    start = len(selectors) - 1
    while start > 0 and selectors[start].combinator == CombinatorType.SAME:
        start -= 1
    return selectors[:start]


def _could_be(selector: Selector, widget: Widget) -> bool:
    """Whether `selector`, its pseudo-classes aside, may match `widget` (erring on yes)."""
    if selector.type == SelectorType.TYPE:
        return selector.name in widget._css_type_names
    if selector.type == SelectorType.CLASS:
        return widget.has_class(selector.name)
    if selector.type == SelectorType.ID:
        return widget.id == selector.name
    return True  # the universal selector, a nested one


async def test_no_rule_styles_what_is_under_a_widget_by_its_own_state(make_app) -> None:
    app = make_app()
    alone: list[Widget] = []  # the widgets whose focus restyles them alone
    async with app.run_test(size=(80, 24)) as pilot:
        # every kind of block on screen once, so every widget's default CSS is loaded
        for title in ("Math and an example", "A derivation and a plot", "Number", "Code"):
            screen = await open_step(pilot, app, title)
            await pilot.pause(0.3)
            alone += [w for w in screen.walk_children() if isinstance(w, RestyledAloneOnFocus)]
            await pilot.press("escape")
            await pilot.pause()
        kinds = {type(widget).__name__ for widget in alone}
        assert {"StepBody", "CodeExampleView", "DerivationView"} <= kinds
        rules = app.stylesheet.rules
        assert len(rules) > 50
        for rule in rules:
            for selector_set in rule.selector_set:
                where = str(selector_set)
                for ancestor in _ancestors(selector_set.selectors):
                    own_class = ancestor.type == SelectorType.CLASS and ancestor.name in OWN_CLASSES
                    assert not own_class, where
                    if ancestor.pseudo_classes & set(OWN_PSEUDO_CLASSES):
                        assert not any(_could_be(ancestor, w) for w in alone), where
        # the exercise keeps its own focus-within (a Textual :focus-within restyles it all)
        assert not any("focus-within" in rule.pseudo_classes for rule in rules)


async def test_the_border_of_the_exercise_in_focus_is_double_as_before(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        first = await exercise(pilot, screen, "half-surprise")
        second = await exercise(pilot, screen, "your-surprise")

        def borders() -> tuple[str, str]:
            return first.styles.border_top[0], second.styles.border_top[0]

        assert borders() == ("round", "round")
        await pilot.press("tab")
        await wait_until(pilot, lambda: isinstance(app.focused, Input))
        assert borders() == ("double", "round")
        second.focus_answer()  # the focus goes from one exercise to the other
        await pilot.pause()
        assert borders() == ("round", "double")
        await pilot.press("escape")
        await pilot.pause()
        assert borders() == ("round", "round")


async def test_tab_and_esc_restyle_a_few_widgets_not_the_step(make_app, monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        await exercise(pilot, screen, "your-surprise")
        await pilot.pause(0.3)
        step = len(list(screen.query_one("#step-body").walk_children()))
        restyled: list[int] = []
        update_nodes = Stylesheet.update_nodes

        def counting(self, nodes, animate=False):
            nodes = list(nodes)
            restyled.append(len(nodes))
            return update_nodes(self, nodes, animate)

        monkeypatch.setattr(Stylesheet, "update_nodes", counting)
        await pilot.press("tab")
        await wait_until(pilot, lambda: isinstance(app.focused, Input))
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert app.focused is screen.query_one("#step-body")
        assert isinstance(app.focused, RestyledAloneOnFocus)
        # each restyle is of one widget (the answer, the exercise, the step body) ...
        assert restyled and max(restyled) <= 2, restyled
        # ... where Textual restyled the step body's whole subtree on each of them
        assert step >= 15 and sum(restyled) < step / 2, (restyled, step)
        assert any(v.has_class("-current") for v in screen.query(ExerciseView))
