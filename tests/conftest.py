"""Shared fixtures: a private data directory for every test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """Progress written by a test goes to its own folder, never the user's."""
    home = tmp_path / "ce-tutor-home"
    monkeypatch.setenv("CE_TUTOR_HOME", str(home))
    return home
