"""Fixtures for the app's tests: a small pack with every block, a real grading service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tutor.app.grading_link import GradingLink
from tutor.app.tutor_app import TutorApp
from tutor.pack.loader import load_pack
from tutor.pack.model import Pack

PACK_DIR = Path(__file__).parent / "pack"


class OfflineClient:
    """A grading client that is never there: for screens that grade nothing."""

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    def grade(self, *args, **kwargs):
        from tutor.grading.verdict import GraderNotAvailable

        raise GraderNotAvailable("offline in this test")

    def run_example(self, code: str):
        from tutor.grading.verdict import GraderNotAvailable

        raise GraderNotAvailable("offline in this test")


@pytest.fixture(scope="session")
def test_pack() -> Pack:
    pack, errors = load_pack(PACK_DIR)
    assert errors == []
    return pack


@pytest.fixture(scope="session")
def service():
    """One real grading service (torch in its own process) for the whole session."""
    from tutor.grading.client import GradingClient

    client = GradingClient()
    client.start()
    client.wait_ready()
    yield client
    client.close()


@pytest.fixture
def make_app(test_pack) -> Callable[..., TutorApp]:
    def make(client=None, learner: str = "ada", pack: Pack | None = None, **kwargs) -> TutorApp:
        pack = pack or test_pack
        link = GradingLink(pack, learner, client=client or OfflineClient())
        return TutorApp(pack, learner=learner, grading=link, **kwargs)

    return make
