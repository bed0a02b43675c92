"""Every key of the app, as data: the `?` screen and the footers read from here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyHelp:
    keys: str
    does: str


KEY_HELP: dict[str, list[KeyHelp]] = {
    "Everywhere": [
        KeyHelp("?", "this list of keys"),
        KeyHelp("ctrl+p", "command palette: jump to a lesson, switch theme"),
        KeyHelp("tab / shift+tab", "move between parts of the screen"),
        KeyHelp("q", "quit (your progress is already saved)"),
    ],
    "Home": [
        KeyHelp("up / down", "choose a lesson"),
        KeyHelp("enter", "open it"),
        KeyHelp("c", "continue where you left off"),
        KeyHelp("o", "other lesson packs on this machine"),
    ],
    "Lesson": [
        KeyHelp("n / right", "next step"),
        KeyHelp("p / left", "previous step"),
        KeyHelp("j / k", "scroll down / up"),
        KeyHelp("r", "run the example in focus, see its real output"),
        KeyHelp("d", "reveal the next step of the derivation in focus"),
        KeyHelp("h", "next hint for the exercise in focus"),
        KeyHelp("s", "show the solution"),
        KeyHelp("escape", "leave an answer field; again: back to the lessons"),
    ],
    "Answering": [
        KeyHelp("1-9 / up / down", "pick a choice (space toggles when several are right)"),
        KeyHelp("enter", "submit a choice, number, formula or prediction"),
        KeyHelp("ctrl+r", "submit code"),
        KeyHelp("ctrl+o", "edit code in your $EDITOR"),
    ],
}
