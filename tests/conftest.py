"""Shared fixtures: a private data directory for every test."""

from __future__ import annotations

import os

import pytest

# Tests match English text: whatever language the machine (or CI) runs in,
# the tutor speaks English here, in this process and in every child it starts.
# A test of another language sets its own (tutor.i18n.set_language, or env).
os.environ["LANGUAGE"] = "en"


@pytest.fixture(scope="session")
def sandbox():
    """One fork server per test process: it pays torch's import once."""
    from tutor.grading.sandbox import Limits, Sandbox

    box = Sandbox(limits=Limits(cpu_seconds=1, wall_seconds=3.0))
    box.start()
    yield box
    box.close()


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """Progress written by a test goes to its own folder, never the user's."""
    home = tmp_path / "ce-tutor-home"
    monkeypatch.setenv("CE_TUTOR_HOME", str(home))
    # nor this machine's class config (/etc/ce-tutor/class.toml): a test opts in to class mode
    monkeypatch.setenv("CE_TUTOR_CLASS_CONFIG", str(tmp_path / "no-class-config.toml"))
    return home


# In CI every service is installed and started (`.ci/services.sh`), so a test
# that would skip for want of one (PostgreSQL, sshd, tmux) must fail instead:
# a green run must not hide a missing service.
REQUIRE_SERVICES = "CE_TUTOR_REQUIRE_SERVICES"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get(REQUIRE_SERVICES) and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"{REQUIRE_SERVICES} is set, but this test skipped: {reason}"
