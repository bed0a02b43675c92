"""Who the learner is and where their data lives."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

HOME_VARIABLE = "CE_TUTOR_HOME"
# set by the forced command of a learner's ssh key on a shared account (tutor.grading.peer);
# here, so the app's start can ask whether it is one without importing the peer checks
TOKEN_ENV = "CE_TUTOR_LEARNER_TOKEN"


def data_dir() -> Path:
    """`$CE_TUTOR_HOME` if set, else the platform's user data directory."""
    override = os.environ.get(HOME_VARIABLE)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ce-tutor", appauthor=False))


def cache_dir() -> Path:
    """`$CE_TUTOR_HOME/cache` if set, else the platform's user cache directory."""
    override = os.environ.get(HOME_VARIABLE)
    if override:
        return Path(override).expanduser() / "cache"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("ce-tutor", appauthor=False))


def default_learner() -> str:
    """The OS user: on a class server each learner has their own account."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (some containers)
        return os.environ.get("USER") or "learner"
