"""In a class the app's pack carries no `why`: the service sends it inside a correct verdict."""

from __future__ import annotations

import pytest

from tests.classroom.conftest import ClassService
from tests.grading.test_why import CHOICE_WHY, FORMULA_WHY, LESSON, NUMBER_WHY
from tests.pack.helpers import write_pack
from tutor.grading.client import GradingClient
from tutor.grading.service import READY, serve_shared
from tutor.pack.served import pack_from_service


class WhyService(ClassService):
    """The class's service over a one-lesson pack whose exercises have a why."""

    def __init__(self, base, pack_dir) -> None:
        super().__init__(base)
        self.pack_dir = pack_dir

    def _run(self) -> None:
        def say(text: str) -> None:
            self.lines.append(text)
            if text.startswith(READY):
                self.ready.set()

        serve_shared(self.socket, [self.pack_dir], 0o600, say, self.stop, self.classroom)


@pytest.fixture(scope="module")
def why_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("why-class")
    (base / "class").mkdir()
    pack_dir = write_pack(base / "pack", {"01-why.md": LESSON})
    service = WhyService(base, pack_dir)
    service.thread.start()
    assert service.ready.wait(180), service.lines
    client = GradingClient(socket_path=service.socket)
    yield service, client
    client.close()
    service.stop.set()
    service.thread.join(60)
    service.store.close()


def test_the_class_pack_carries_no_why(why_class) -> None:
    service, client = why_class
    served = client.class_pack(service.pack_dir)
    text = str(served)
    for why in (FORMULA_WHY, CHOICE_WHY, NUMBER_WHY):
        assert why not in text
    pack = pack_from_service(served)
    assert all(exercise.why is None for exercise in pack.lessons[0].exercises)


def test_the_service_sends_the_why_with_a_correct_verdict_only(why_class) -> None:
    service, client = why_class
    where = (service.pack_dir, "why")
    wrong = client.answer(*where, "ce-formula", "-sum(q*log(p))")["verdict"]
    assert wrong["status"] == "incorrect" and FORMULA_WHY not in wrong["feedback"]
    right = client.answer(*where, "ce-formula", "-sum(p*log(q))")["verdict"]
    assert right["status"] == "correct" and right["feedback"] == FORMULA_WHY
    assert CHOICE_WHY not in client.answer(*where, "pick", "2")["verdict"]["feedback"]
    assert client.answer(*where, "pick", "1")["verdict"]["feedback"].endswith(CHOICE_WHY)
    # recorded as any answer is: the row holds the answer and status, not the why
    rows = [a for a in service.store.attempts() if a.exercise_id == "ce-formula"]
    assert [a.status for a in rows] == ["incorrect", "correct"]
