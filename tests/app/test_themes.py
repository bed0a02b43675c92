"""The two themes stay distinct after Rich's downgrade to 256 and to 16 colours."""

from __future__ import annotations

import pytest
from rich.color import Color, ColorSystem

from tutor.app.themes import THEMES

ROLES = (
    "foreground",
    "background",
    "primary",
    "secondary",
    "accent",
    "success",
    "warning",
    "error",
)


@pytest.mark.parametrize("name", sorted(THEMES))
@pytest.mark.parametrize("system", [ColorSystem.EIGHT_BIT, ColorSystem.STANDARD])
def test_every_role_keeps_its_own_colour(name: str, system: ColorSystem) -> None:
    theme = THEMES[name]
    downgraded = {role: Color.parse(getattr(theme, role)).downgrade(system) for role in ROLES}
    numbers = [color.number for color in downgraded.values()]
    assert len(set(numbers)) == len(ROLES), dict(zip(ROLES, numbers, strict=True))


def test_dark_and_light_differ_where_the_eye_lands() -> None:
    dark, light = THEMES["dark"], THEMES["light"]
    assert dark.dark and not light.dark
    for role in ("foreground", "background"):
        for system in (ColorSystem.EIGHT_BIT, ColorSystem.STANDARD):
            a = Color.parse(getattr(dark, role)).downgrade(system).number
            b = Color.parse(getattr(light, role)).downgrade(system).number
            assert a != b


def _contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours."""

    def luminance(colour: str) -> float:
        channels = Color.parse(colour).get_truecolor()
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in (x / 255 for x in channels)
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_placeholder_and_scrollbar_read_at_4_5_to_1(make_app) -> None:
    from textual.widgets import Input

    from tests.app.helpers import exercise, open_step

    for name in sorted(THEMES):
        theme = THEMES[name]
        for variable in ("scrollbar", "placeholder"):
            assert _contrast(theme.variables[variable], theme.background) >= 4.5, (name, variable)
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            app.use_theme(name)
            screen = await open_step(pilot, app, "Number")
            view = await exercise(pilot, screen, "half-surprise")
            style = view.query_one(Input).get_component_rich_style("input--placeholder")
            assert style.color is not None
            shown = "#{:02x}{:02x}{:02x}".format(*style.color.get_truecolor())
            assert _contrast(shown, theme.background) >= 4.5, (name, shown)


@pytest.mark.parametrize(("saved", "other"), [("light", "dark"), ("dark", "light")])
async def test_the_saved_theme_is_in_the_first_parse_and_a_change_still_redraws(
    make_app, monkeypatch, saved: str, other: str
) -> None:
    """The start parses the CSS with the learner's theme (no second parse for it, a cost
    of the first frame); choosing another theme later still styles everything again."""
    from textual.color import Color as TextualColor
    from textual.css.stylesheet import Stylesheet

    from tutor.app.local_state import save_theme

    save_theme(saved)
    reparsed: list[int] = []
    reparse = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: (reparsed.append(1), reparse(self)))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert app.theme == THEMES[saved].name and reparsed == []
        assert app.screen.styles.background == TextualColor.parse(THEMES[saved].background)
        app.use_theme(other)
        await pilot.pause(0.2)
        assert reparsed
        assert app.screen.styles.background == TextualColor.parse(THEMES[other].background)
