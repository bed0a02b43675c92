"""A class's service records every answer, hint and solution under the kernel's name for the peer."""

from __future__ import annotations

import json
import os
import pwd

import pytest

from tests.classroom.conftest import PACK_DIR
from tutor.grading.client import GradingClient
from tutor.grading.peer import TOKEN_ENV, Identities
from tutor.grading.protocol import GradingFailed
from tutor.pack import cache
from tutor.pack.loader import load_pack
from tutor.pack.served import SOLUTION_ON_REQUEST, WITHHELD_FIELDS, pack_from_service

ME = pwd.getpwuid(os.getuid()).pw_name
WHERE = {"pack": str(PACK_DIR), "lesson": "every-block"}
ALICE_TOKEN = "a" * 32
BOB_TOKEN = "b" * 32


@pytest.fixture
def client(class_service):
    client = GradingClient(socket_path=class_service.socket)
    yield client
    client.close()


def _keys(data) -> set[str]:
    """Every key of every object in a JSON document."""
    if isinstance(data, dict):
        return set(data).union(*(_keys(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_keys(v) for v in data)) if data else set()
    return set()


def test_the_served_pack_carries_no_answer_solution_or_reference(client) -> None:
    full = json.dumps(cache.encode(load_pack(PACK_DIR)[0]))
    served = client.class_pack(PACK_DIR)
    text = json.dumps(served)
    # the pack on disk has them all (so the walk below could find them)...
    assert {"answer", "solution", "reference", "misconceptions", "correct"} <= _keys(
        json.loads(full)
    )
    for secret in ("Class indices.", "-sum(p*log(q))", "return x.sum()", "swapped-arguments",
                   "Look at the dtype."):  # fmt: skip
        assert secret in full
        assert secret not in text, secret
    # ...the served one has none of them anywhere
    assert not _keys(served) & WITHHELD_FIELDS
    pack = pack_from_service(served)
    lesson = pack.lessons[0]
    assert lesson.exercise("pick").solution == SOLUTION_ON_REQUEST
    assert lesson.exercise("your-surprise").solution is None  # it has none to request
    assert not any(c.correct for c in lesson.exercise("pick").choices)
    assert lesson.exercise("write-sum").starter.startswith("def total(x):")


@pytest.mark.parametrize("version", ["0.0.1", None])
def test_an_app_of_another_version_is_refused_with_what_to_do(client, version) -> None:
    """Every ce-tutor on the machine finds the class's socket: an older one must not misread it."""
    from tutor import __version__

    asked = {"op": "class_pack", "pack": str(PACK_DIR)}
    if version is not None:
        asked["version"] = version
    with pytest.raises(GradingFailed) as refused:
        client._ask(asked)
    assert refused.value.kind == "version"
    assert f"runs ce-tutor {__version__}" in str(refused.value)
    assert (version or "an older version") in str(refused.value)
    assert "restart the service" in str(refused.value)


def test_an_answer_claiming_another_learner_is_recorded_as_the_peer(client, class_service) -> None:
    where = {**WHERE, "exercise": "half-surprise"}
    reply = client._ask({"op": "answer", **where, "answer": "0.6931", "learner": "mallory"})
    assert reply["verdict"]["status"] == "correct"
    # the old op too: in a class a graded answer is a recorded one, under the peer's name
    client._ask({"op": "grade", **where, "answer": "0.5", "learner": "mallory"})
    rows = class_service.rows("half-surprise")
    assert [(a.learner, a.status) for a in rows][-2:] == [(ME, "correct"), (ME, "incorrect")]
    assert not [a for a in class_service.store.attempts() if a.learner == "mallory"]


def test_hints_and_solutions_are_counted_by_the_service(client, class_service) -> None:
    where = (PACK_DIR, "every-block", "pick")
    before = len(class_service.rows("pick"))  # the service is the session's: others' rows
    assert client.class_pack(PACK_DIR)  # the served pack says how many hints, not what
    replies = [client.hint(*where) for _ in range(3)]
    assert [r["hints_used"] for r in replies] == [1, 2, 2]
    assert replies[0]["hints"] == ["Look at the dtype."]  # each hint once counted, not before
    assert replies[2]["hints"] == ["Look at the dtype.", "And at the shape."]
    sent = client.solution(*where)
    assert sent["solution"] == "Class indices."
    rows = class_service.rows("pick")[before:]
    assert [(a.status, a.hints_used) for a in rows] == [("hint", 1), ("hint", 2), ("solution", 2)]
    assert rows[-1].solution_shown and rows[-1].learner == ME
    mine = client.my_progress(PACK_DIR)
    assert mine["learner"] == ME
    assert ["every-block", "pick", "Class indices."] in mine["solutions"]
    assert ["every-block", "pick", ["Look at the dtype.", "And at the shape."]] in mine["hints"]


def test_a_position_is_kept_for_the_peer_and_checked(client, class_service) -> None:
    client._ask({"op": "position", **WHERE, "step": 2, "learner": "mallory"})
    assert class_service.store.position(ME, "app-test-pack", "every-block") == 2
    assert class_service.store.position("mallory", "app-test-pack", "every-block") == 0
    with pytest.raises(GradingFailed, match="no step"):
        client.save_position(PACK_DIR, "every-block", 999)


def test_a_shared_account_needs_its_keys_token(client, class_service, identities, monkeypatch):
    identities.identities = Identities(
        frozenset({os.getuid()}), {ALICE_TOKEN: "alice", BOB_TOKEN: "bob"}
    )
    where = {**WHERE, "exercise": "half-surprise"}
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(GradingFailed) as refused:
        client._ask({"op": "answer", **where, "answer": "0.6931", "learner": "alice"})
    assert refused.value.kind == "refused"
    monkeypatch.setenv(TOKEN_ENV, "c" * 32)  # a token the service never issued
    with pytest.raises(GradingFailed):
        client._ask({"op": "answer", **where, "answer": "0.6931"})
    monkeypatch.setenv(TOKEN_ENV, ALICE_TOKEN)
    client._ask({"op": "answer", **where, "answer": "0.6931", "learner": "bob"})
    assert class_service.rows("half-surprise")[-1].learner == "alice"
    assert not [a for a in class_service.store.attempts() if a.learner == "bob"]
    assert client.my_progress(PACK_DIR)["learner"] == "alice"


def test_a_token_means_nothing_from_an_account_of_ones_own(
    client, class_service, identities, monkeypatch
):
    identities.identities = Identities(frozenset(), {ALICE_TOKEN: "alice"})
    monkeypatch.setenv(TOKEN_ENV, ALICE_TOKEN)
    client._ask({"op": "answer", **WHERE, "exercise": "half-surprise", "answer": "1"})
    assert class_service.rows("half-surprise")[-1].learner == ME


def test_a_service_without_records_refuses_the_class_ops() -> None:
    from tutor.grading.service import Service

    service = Service([PACK_DIR], shared=True)
    reply = service.handle({"op": "hint", **WHERE, "exercise": "pick"})
    assert not reply["ok"] and "keeps no class records" in reply["error"]
    service.sandbox.close()


def test_a_class_op_not_over_a_socket_is_refused(class_service) -> None:
    reply = class_service_handle(class_service, {"op": "my_progress", **WHERE})
    assert not reply["ok"] and reply["kind"] == "refused"


def class_service_handle(class_service, request):
    from tutor.grading.service import Service

    service = Service([PACK_DIR], shared=True, classroom=class_service.classroom)
    try:
        return service.handle(request)  # no peer: the kernel has said nothing
    finally:
        service.sandbox.close()


def test_a_choice_is_graded_by_the_service_which_alone_knows_the_right_one(client) -> None:
    where = (PACK_DIR, "every-block", "pick")
    wrong = client.answer(*where, "2")
    assert wrong["verdict"]["status"] == "incorrect"
    assert wrong["verdict"]["mistake"] == "indices-vs-probabilities"
    assert client.answer(*where, "1")["verdict"]["status"] == "correct"
    # recorded by the choice itself, not by the position it was shown at
    assert wrong["attempt"]["learner"] == ME
    assert wrong["attempt"]["answer"] == "[2] class probabilities"


def test_the_service_names_the_class_pack_and_an_app_naming_none_opens_it(
    class_service, monkeypatch
) -> None:
    """A learner may not read a root-only class config: the service tells which pack is the class's."""
    from tutor.app.class_progress import open_class
    from tutor.grading.service import Service

    told = Service([PACK_DIR], shared=True, class_pack=PACK_DIR).handle({"op": "ping"})
    assert told["service"]["class_pack"] == str(PACK_DIR)
    assert Service([PACK_DIR], shared=True).handle({"op": "ping"})["service"]["class_pack"] is None
    real_ping = GradingClient.ping
    monkeypatch.setattr(GradingClient, "ping", lambda self: {**real_ping(self), **told["service"]})
    joined = open_class(class_service.socket, None)
    try:
        assert joined.pack.id == load_pack(PACK_DIR)[0].id  # not the built-in course
    finally:
        joined.client.close()
