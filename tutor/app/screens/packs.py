"""Other lesson packs found on this machine (the built-in one, and installed ones)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tutor.app.widgets.key_bar import KeyBar
from tutor.app.widgets.marked_option_list import MarkedOptionList
from tutor.app.widgets.title_bar import TitleBar
from tutor.i18n import N_, _
from tutor.pack.discovery import PackSource, installed_packs


class PacksScreen(Screen):
    """Enter opens a pack; a pack with problems says so instead of opening."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back")),
        Binding("q", "app.quit", N_("Quit")),
    ]

    def __init__(self, sources: list[PackSource] | None = None):
        super().__init__()
        self.sources = sources if sources is not None else self._found()

    def _found(self) -> list[PackSource]:
        """This machine's packs; in a class, the packs the class's service serves."""
        served = getattr(self.app.store, "served_packs", None)
        if served is None:
            return installed_packs()
        from tutor.grading.protocol import GradingFailed

        try:
            return [PackSource(root.name, root, _("the class's service")) for root in served()]
        except (GradingFailed, OSError):
            return []

    def compose(self) -> ComposeResult:
        yield TitleBar(_("lesson packs"))
        yield Static(_("Lesson packs on this machine"), id="home-title", markup=False)
        current = self.app.pack.root.resolve()
        entries = []
        for index, source in enumerate(self.sources):
            here = _(" (open now)") if source.root.resolve() == current else ""
            entries.append(
                (
                    str(index),
                    f"{source.name}{here}\n  {source.origin} {self.app.glyphs.bullet} {source.root}",
                )
            )
        yield MarkedOptionList(entries, pointer=self.app.glyphs.pointer, id="pack-list")
        yield Static("", id="pack-problem", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#pack-list").focus()

    def on_option_list_option_selected(self, event: MarkedOptionList.OptionSelected) -> None:
        from tutor.pack.cache import load_pack_cached
        from tutor.pack.errors import PackNotFound
        from tutor.progress.identity import cache_dir

        source = self.sources[event.option_index]
        problem = self.query_one("#pack-problem", Static)
        open_served = getattr(self.app.store, "open_pack", None)
        if open_served is not None:  # a class: the service sends it, answers removed
            from tutor.grading.protocol import GradingFailed

            try:
                self.app.switch_pack(open_served(source.root))
            except (GradingFailed, OSError, ValueError) as error:
                problem.update(
                    _("{pack} could not be opened: {error}").format(pack=source.name, error=error)
                )
            return
        try:
            pack, errors = load_pack_cached(source.root, cache_dir())
        except PackNotFound as error:
            self.query_one("#pack-problem", Static).update(str(error))
            return
        if errors:
            self.query_one("#pack-problem", Static).update(
                _(
                    "{pack} has {count} problem(s); run `ce-tutor validate {root}`. First: {first}"
                ).format(pack=source.name, count=len(errors), root=source.root, first=errors[0])
            )
            return
        self.app.switch_pack(pack)
