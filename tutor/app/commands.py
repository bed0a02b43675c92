"""The command palette's commands: open a lesson, switch theme, show keys."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider, SearchIcon

from tutor.i18n import _


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
            (_("Keys"), _("Every key of the app"), app.action_keys),
            (_("Lessons"), _("Back to the list of lessons"), app.action_home),
            (_("Other packs"), _("Lesson packs found on this machine"), app.action_packs),
            (_("Quit"), _("Your progress is already saved"), app.action_quit),
        ]
        return commands

    async def discover(self) -> Hits:
        for name, help_text, command in self._commands():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, help=help_text)
