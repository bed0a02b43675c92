"""Answering a choice exercise: number keys or arrows, Enter to answer."""

from __future__ import annotations

import re

from textual import events

from tutor.app.widgets.answered import Answered
from tutor.app.widgets.marked_option_list import MarkedOptionList
from tutor.pack.model import ChoiceExercise


class ChoiceAnswer(MarkedOptionList):
    """The choices, numbered; `1`-`9` jump to one, Enter answers with it.

    For exercises with several right choices, space toggles a pick (`[x]`)
    and Enter answers with every pick.
    """

    HANG = re.compile(r"\d+\. (?:\[[ x]\] )?")

    def __init__(
        self,
        exercise: ChoiceExercise,
        choices: list[str],
        pointer: str,
        picks: list[int] | None = None,
        **kwargs,
    ):
        """`picks`: the shown positions picked last time, highlighted (and ticked) again."""
        self.multiple = exercise.multiple
        self.picked: set[int] = set(picks or []) if exercise.multiple else set()
        self._first_pick = (picks or [None])[0]
        self._texts = choices
        super().__init__(self._entries_for(), pointer=pointer, classes="choice-answer", **kwargs)

    def on_mount(self) -> None:
        if self._first_pick is not None and self._first_pick < len(self._texts):
            self.highlighted = self._first_pick

    def _entries_for(self) -> list[tuple[str, str]]:
        entries = []
        for index, text in enumerate(self._texts):
            box = ("[x] " if index in self.picked else "[ ] ") if self.multiple else ""
            entries.append((str(index), self.app.plain(f"{index + 1}. {box}{text}")))
        return entries

    async def _on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            number = int(event.character)
            if 1 <= number <= len(self._texts):
                event.stop()
                self.highlighted = number - 1
                return
        if self.multiple and event.key == "space" and self.highlighted is not None:
            event.stop()
            self.picked ^= {self.highlighted}
            self.set_entry_text(self.highlighted, self._entries_for()[self.highlighted][1])

    def on_option_list_option_selected(self, event: MarkedOptionList.OptionSelected) -> None:
        event.stop()
        if self.multiple:
            picks = sorted(self.picked) or [event.option_index]
            self.post_message(Answered(",".join(str(i + 1) for i in picks)))
        else:
            self.post_message(Answered(str(event.option_index + 1)))
