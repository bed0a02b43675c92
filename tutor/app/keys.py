"""Every key of the app, as data: the `?` screen and the footers read from here."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.i18n import N_


@dataclass(frozen=True)
class KeyHelp:
    keys: str
    does: str


KEY_HELP: dict[str, list[KeyHelp]] = {
    N_("Everywhere"): [
        KeyHelp("?", N_("this list of keys")),
        KeyHelp("ctrl+p", N_("command palette: jump to a lesson, switch theme")),
        KeyHelp("tab / shift+tab", N_("move between parts of the screen")),
        KeyHelp("q", N_("quit (your progress is already saved)")),
    ],
    N_("Home"): [
        KeyHelp("up / down", N_("choose a lesson")),
        KeyHelp("enter", N_("open it")),
        KeyHelp("c", N_("continue where you left off")),
        KeyHelp("o", N_("other lesson packs on this machine")),
    ],
    N_("Lesson"): [
        KeyHelp("n / right", N_("next step")),
        KeyHelp("p / left", N_("previous step")),
        KeyHelp("j / k", N_("scroll down / up")),
        KeyHelp("r", N_("run the example in focus, see its real output")),
        KeyHelp("d", N_("reveal the next step of the derivation in focus")),
        KeyHelp("shift+left / right", N_("scroll a wide derivation sideways")),
        KeyHelp("h", N_("next hint for the exercise in focus")),
        KeyHelp("s", N_("show the solution (asks first)")),
        KeyHelp("o", N_("overview: each exercise, solved or not, your last answer")),
        KeyHelp("c", N_("copy as Python: the example, or your numbers of the exercise")),
        KeyHelp("v", N_("the whole verdict, when a long one shows only its start")),
        KeyHelp("escape", N_("leave an answer field; again: back to the lessons")),
    ],
    N_("Answering"): [
        KeyHelp("1-9 / up / down", N_("pick a choice (space toggles when several are right)")),
        KeyHelp("enter", N_("submit a choice, number, formula or prediction")),
        KeyHelp("ctrl+r", N_("submit code")),
        KeyHelp("ctrl+o", N_("edit code in your $EDITOR")),
        KeyHelp("f7", N_("select all the code")),
    ],
}
