"""The keys that work here, on one line at the foot of the screen.

Textual's `Footer` recomposes one widget per key on every focus change.
Measured with a learner in a pty (Tab into an answer, Esc out of it), that
was ≈ 0.1 s of CPU and several KB to the terminal per change, about 40 %
of a learner's CPU while answering: in a class of 50 on two cores, the
largest single cost. This is one widget whose text changes only when the
keys do. Keys are read, not clicked: the app is keyboard first.
"""

from __future__ import annotations

from collections import OrderedDict

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tutor.i18n import _


class KeyBar(Static):
    """`key description` for each key the focused widget and its screen offer."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}

    def __init__(self) -> None:
        super().__init__("", classes="key-bar")
        self._shown: list[tuple[str, str, bool]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        keys = self.keys(screen)
        if keys != self._shown:
            self._shown = keys
            # one line whatever it says (height 1, width 1fr): no layout of the screen
            self.update(self._text(keys), layout=False)

    def keys(self, screen: Screen) -> list[tuple[str, str, bool]]:
        """(key as shown, description, enabled) per action, first binding of each, in order."""
        by_action: OrderedDict[str, tuple[Binding, bool]] = OrderedDict()
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if binding.show and binding.action not in by_action:
                by_action[binding.action] = (binding, enabled)
        # a screen may name what a key acts on ("Hint #2"): LessonScreen.describe_binding
        describe = getattr(screen, "describe_binding", lambda _action, text: text)
        return [
            (
                self.app.get_key_display(binding),
                describe(binding.action, _(binding.description)),
                enabled,
            )
            for binding, enabled in by_action.values()
        ]

    def on_resize(self) -> None:
        self.update(self._text(self._shown), layout=False)

    def _fitting(self, keys: list[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
        """The keys that fit the bar's width whole: the app's own (`^p`, then `?`) go first.

        A key cut in half (`^p` with no word) reads as nothing; the palette and
        the list of keys are one `?` away on every screen.
        """
        width = self.size.width
        keys = list(keys)

        def length(shown: list[tuple[str, str, bool]]) -> int:
            return sum(cell_len(f" {k}  {d}") for k, d, _e in shown) + 2 * (len(shown) - 1)

        app_keys = [self.app.get_key_display(b) for b in self.app.BINDINGS if b.show]
        for first in reversed(app_keys):
            if width and length(keys) > width and len(keys) > 1:
                keys = [entry for entry in keys if entry[0] != first] or keys
        return keys

    def _text(self, keys: list[tuple[str, str, bool]]) -> Text:
        keys = self._fitting(keys)
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        disabled_style = self.get_component_rich_style("key-bar--disabled")
        # Rich's ellipsis is "…", which a terminal that is not UTF-8 cannot show
        overflow = "crop" if getattr(self.app, "ascii", False) else "ellipsis"
        text = Text(no_wrap=True, overflow=overflow, end="")
        for index, (key, description, enabled) in enumerate(keys):
            if index:
                text.append("  ")
            text.append(f" {key} ", key_style if enabled else disabled_style)
            text.append(f" {description}", description_style if enabled else disabled_style)
        return text
