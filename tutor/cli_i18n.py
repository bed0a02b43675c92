"""The command line in the reader's language: click's help and its own words.

A command's help is fixed when `tutor.cli` is imported, before `--lang` is
read, and click words "Usage:", "Options" or "Error: …" through the standard
library's default gettext domain. So help texts are translated when they are
shown, and click's own words through the tutor's catalog.

The help texts are not marked with `_()` where they are written (docstrings
and `help=` arguments); `help_texts()` lists them, the catalog update adds
them (`scripts/update_translations.py`) and a test checks each has an entry.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

from tutor.i18n import N_, _

# click's own words that a learner or instructor meets (msgids exactly as click writes them)
CLICK_WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing command."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("Aborted!"),
)


def speak_in_click() -> None:
    """Route click's own texts through the tutor's catalog (English stays English)."""
    for module in (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.types,
    ):
        module._ = _  # type: ignore[attr-defined]


def _commands(command: click.Command) -> Iterator[click.Command]:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _commands(sub)


def help_texts(command: click.Command) -> list[str]:
    """Every help text of `command` and its subcommands, as the catalog keys them."""
    texts = []
    for each in _commands(command):
        texts += [inspect.cleandoc(text) for text in (each.help, each.short_help) if text]
        texts += [p.help for p in each.params if isinstance(p, click.Option) and p.help]
    return texts


def translate_help(command: click.Command) -> None:
    """Put `command`'s help (and its subcommands') in the reader's language, in place."""
    for each in _commands(command):
        each.help = _(inspect.cleandoc(each.help)) if each.help else each.help
        if each.short_help:
            each.short_help = _(inspect.cleandoc(each.short_help))
        for param in each.params:
            if isinstance(param, click.Option) and param.help:
                param.help = _(param.help)


class TranslatedCommand(click.Command):
    """A command whose `--help` is in the reader's language."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        translate_help(self)
        super().format_help(ctx, formatter)


class TranslatedGroup(click.Group):
    """A group whose `--help`, and its commands', are in the reader's language."""

    command_class = TranslatedCommand

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        translate_help(self)
        super().format_help(ctx, formatter)
