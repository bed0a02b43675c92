"""Other lesson packs found on this machine (the built-in one, and installed ones)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tutor.app.widgets.key_bar import KeyBar
from tutor.app.widgets.marked_option_list import MarkedOptionList
from tutor.app.widgets.title_bar import TitleBar
from tutor.pack.discovery import PackSource, installed_packs


class PacksScreen(Screen):
    """Enter opens a pack; a pack with problems says so instead of opening."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("q", "app.quit", "Quit")]

    def __init__(self, sources: list[PackSource] | None = None):
        super().__init__()
        self.sources = sources if sources is not None else installed_packs()

    def compose(self) -> ComposeResult:
        yield TitleBar("lesson packs")
        yield Static("Lesson packs on this machine", id="home-title", markup=False)
        current = self.app.pack.root.resolve()
        entries = []
        for index, source in enumerate(self.sources):
            here = " (open now)" if source.root.resolve() == current else ""
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
        try:
            pack, errors = load_pack_cached(source.root, cache_dir())
        except PackNotFound as error:
            self.query_one("#pack-problem", Static).update(str(error))
            return
        if errors:
            self.query_one("#pack-problem", Static).update(
                f"{source.name} has {len(errors)} problem(s); run `ce-tutor validate "
                f"{source.root}`. First: {errors[0]}"
            )
            return
        self.app.switch_pack(pack)
