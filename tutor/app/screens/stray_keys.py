"""Letters typed in a lesson while no answer field has the focus.

A learner who believes the focus is in an answer types a formula into an
example or a derivation: every letter that is also a key (`s`, `p`, `q`…)
would then fire. So, when no answer field has the focus:

- a printable key that is no command (`-`, `(`, `0`, `l`) is typing: it goes
  to the answer of the exercise the learner is in (`LessonScreen.current`),
  which takes the focus, so the rest of the burst lands there too;
- a letter whose command cannot be taken back (next or previous step, a hint,
  the solution, quit) waits `BURST` seconds: a printable key arriving meanwhile
  makes it typing as well (`sum(` goes to the answer, nothing is revealed),
  and so do two different such letters (`sq`); the same letter again (`nn`)
  or any other key (Tab, Esc, an arrow) first runs it, so commands typed
  ahead still act in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import events
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, TextArea

BURST = 0.15  # seconds a held command waits for the key after it; keys of a burst come within ms
HELD = frozenset("nphsq")  # the letters whose commands wait (see the module's docstring)


def answer_field_focused(focused: Widget | None) -> bool:
    """Text goes to the focused widget itself (an answer line, the code editor)."""
    return isinstance(focused, (Input, TextArea))


@dataclass
class Held:
    """Command letters waiting to see whether typing follows them."""

    keys: list[events.Key]
    timer: Timer


class StrayKeys:
    """The lesson screen's side: holds command letters, releases them or turns them into typing.

    `run(character, times)` runs a held letter's command; `type_into(keys)` sends
    typed keys to the current exercise's answer.
    """

    def __init__(
        self,
        owner: Widget,
        run: Callable[[str, int], None],
        type_into: Callable[[list[events.Key]], None],
    ):
        self.owner = owner
        self.run = run
        self.type_into = type_into
        self.held: Held | None = None

    def key(self, event: events.Key, is_command: bool) -> bool:
        """Handle one key that reached the screen; True when it was taken (stop it)."""
        typed = event.is_printable and event.character is not None
        if self.held is not None:
            if typed and event.character in HELD:
                self.held.keys.append(_copy(event))  # `nn`: two steps on; `sq`: typing
                self.held.timer.reset()
                return True
            if typed:  # any other printable key: the held letters were typing
                held, self.held = self.held, None
                held.timer.stop()
                self.type_into([*held.keys, _copy(event)])
                return True
            self.release()
        if not typed:
            return False
        if event.character in HELD and is_command:
            self.held = Held([_copy(event)], self.owner.set_timer(BURST, self.release))
            return True
        if not is_command:
            self.type_into([_copy(event)])
            return True
        return False

    def release(self) -> None:
        """The held letters' time is up, or another key needs them done first.

        One letter, or the same letter repeated (`nn`), is a command; a mix
        (`sq`, `ph`) can only be the start of something typed.
        """
        held, self.held = self.held, None
        if held is None:
            return
        held.timer.stop()
        letters = [key.character or "" for key in held.keys]
        if len(set(letters)) > 1:
            self.type_into(held.keys)
            return
        self.run(letters[0], len(letters))


def _copy(event: events.Key) -> events.Key:
    return events.Key(event.key, event.character)
