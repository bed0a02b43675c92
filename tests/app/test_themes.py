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
