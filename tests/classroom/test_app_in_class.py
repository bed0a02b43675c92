"""The app in a class: the service grades and records; the app opens no store, reads no pack."""

from __future__ import annotations

import os
import pwd

from textual.widgets import Input

from tests.app.helpers import exercise, open_step, text_of, type_and_submit
from tests.classroom.conftest import PACK_DIR
from tutor.app.class_progress import open_class
from tutor.app.grading_link import GradingLink
from tutor.app.tutor_app import TutorApp
from tutor.app.widgets.hint_list import HintList
from tutor.app.widgets.own_work import DRAFT_DELAY
from tutor.pack.served import HINT_ON_REQUEST, SOLUTION_ON_REQUEST
from tutor.progress.store import ProgressStore

ME = pwd.getpwuid(os.getuid()).pw_name


def _forbid(what: str):
    def refuse(*args, **kwargs):
        raise AssertionError(f"the app in a class {what}")

    return refuse


async def test_the_app_in_a_class_neither_opens_the_store_nor_reads_the_pack(
    class_service, monkeypatch, tmp_path
) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    monkeypatch.setenv("CE_TUTOR_DB", str(not_a_folder / "progress.sqlite3"))
    monkeypatch.setattr(ProgressStore, "__init__", _forbid("opened a progress store"))
    monkeypatch.setattr("tutor.pack.loader.load_pack", _forbid("loaded a pack"))
    monkeypatch.setattr("tutor.pack.cache.read", _forbid("read the pack cache"))
    before = len(class_service.rows("half-surprise"))

    joined = open_class(class_service.socket, str(PACK_DIR))
    assert joined.learner == ME
    solution_here = joined.pack.lessons[0].exercise("half-surprise")
    assert solution_here.solution == SOLUTION_ON_REQUEST and not solution_here.reference
    assert solution_here.hints == [HINT_ON_REQUEST]  # how many, not what it says
    link = GradingLink(joined.pack, ME, client=joined.client, socket_path=class_service.socket)
    app = TutorApp(joined.pack, learner=ME, store=joined.progress, grading=link)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        assert (await type_and_submit(pilot, view, "0.6931")).startswith("✓ Correct.")
        assert view.show_next_hint() and view.show_solution()
        await pilot.pause()
        shown = text_of(view.query_one(HintList))
        assert "Hint 1/1" in shown and "It is -log(0.5)." in shown  # sent once counted
        assert "log 2 = 0.6931 nats." in shown
    joined.client.close()

    rows = class_service.rows("half-surprise")[before:]
    assert [(a.learner, a.status) for a in rows] == [
        (ME, "correct"),
        (ME, "hint"),
        (ME, "solution"),
    ]
    number = next(i for i, s in enumerate(joined.pack.lessons[0].steps) if s.title == "Number")
    assert class_service.store.last_position(ME, "app-test-pack").step == number
    assert not (not_a_folder / "progress.sqlite3").exists()


async def test_a_restart_in_a_class_resumes_from_the_services_records(class_service) -> None:
    client_view = open_class(class_service.socket, str(PACK_DIR))
    try:
        where = (client_view.pack.root, "every-block", "pick")
        client_view.client.solution(*where)
        again = open_class(class_service.socket, str(PACK_DIR))
        pick = again.pack.lessons[0].exercise("pick")
        assert pick.solution == "Class indices."  # shown before: sent again to show it again
        history = [a.status for a in again.progress.attempts(pack_id=again.pack.id)]
        assert "solution" in history
        again.client.close()
    finally:
        client_view.client.close()


async def test_the_packs_screen_in_a_class_opens_what_the_service_serves(
    class_service, monkeypatch
) -> None:
    from tutor.app.screens.home import HomeScreen
    from tutor.app.screens.packs import PacksScreen

    joined = open_class(class_service.socket, str(PACK_DIR))
    monkeypatch.setattr("tutor.pack.loader.load_pack", _forbid("loaded a pack"))
    monkeypatch.setattr("tutor.pack.cache.read", _forbid("read the pack cache"))
    link = GradingLink(joined.pack, ME, client=joined.client, socket_path=class_service.socket)
    app = TutorApp(joined.pack, learner=ME, store=joined.progress, grading=link)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_packs()
        await pilot.pause()
        assert isinstance(app.screen, PacksScreen)
        assert [source.root for source in app.screen.sources] == [PACK_DIR]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and app.pack is not joined.pack
        assert app.pack.root == PACK_DIR and not app.pack.lessons[0].exercise("ce-formula").answer
    joined.client.close()


async def test_a_draft_in_a_class_is_kept_by_the_service_and_found_again_after_a_reconnect(
    class_service,
) -> None:
    """A dropped connection loses no typed text: the service keeps it, under the kernel's name."""
    joined = open_class(class_service.socket, str(PACK_DIR))
    link = GradingLink(joined.pack, ME, client=joined.client, socket_path=class_service.socket)
    app = TutorApp(joined.pack, learner=ME, store=joined.progress, grading=link)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        view.focus_answer()
        view.query_one(Input).value = ""  # the field may show an earlier test's last answer
        await pilot.pause()
        await pilot.press(*"0.69")
        await pilot.pause(DRAFT_DELAY + 0.3)
        # kept by the service before the connection drops (no quit, no unmount needed)
        kept = class_service.store.drafts(ME, joined.pack.id)
        assert kept == {("every-block", "half-surprise"): "0.69"}
    joined.client.close()

    again = open_class(class_service.socket, str(PACK_DIR))  # a new ssh session
    link = GradingLink(again.pack, ME, client=again.client, socket_path=class_service.socket)
    app = TutorApp(again.pack, learner=ME, store=again.progress, grading=link)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        assert view.query_one(Input).value == "0.69"
        assert (await type_and_submit(pilot, view, "0.6931")).startswith("✓ Correct.")
        await pilot.pause(DRAFT_DELAY + 0.3)
    again.client.close()
    # submitted: the draft is gone from the service too
    assert ("every-block", "half-surprise") not in class_service.store.drafts(ME, again.pack.id)


def test_drafts_are_the_senders_own_and_bounded(class_service, identities, monkeypatch) -> None:
    """A shared account's learners: each token's drafts are its own; a huge draft is refused."""
    from tutor.grading.classroom import MAX_DRAFT
    from tutor.grading.peer import TOKEN_ENV, Identities
    from tutor.grading.protocol import GradingFailed

    alice, bob = "a" * 32, "b" * 32
    identities.identities = Identities(frozenset({os.getuid()}), {alice: "alice", bob: "bob"})
    monkeypatch.setenv(TOKEN_ENV, alice)
    as_alice = open_class(class_service.socket, str(PACK_DIR))
    as_alice.client.save_draft(as_alice.pack.root, "every-block", "half-surprise", "alice's")
    monkeypatch.setenv(TOKEN_ENV, bob)
    as_bob = open_class(class_service.socket, str(PACK_DIR))
    try:
        assert as_bob.learner == "bob"
        assert as_bob.progress.drafts("bob", as_bob.pack.id) == {}  # nothing of alice's
        as_bob.client.save_draft(as_bob.pack.root, "every-block", "half-surprise", "bob's")
        assert class_service.store.drafts("alice", as_bob.pack.id) == {
            ("every-block", "half-surprise"): "alice's"
        }
        try:
            as_bob.client.save_draft(
                as_bob.pack.root, "every-block", "half-surprise", "x" * (MAX_DRAFT + 1)
            )
        except GradingFailed as error:
            assert "at most" in str(error)
        else:
            raise AssertionError("a draft over MAX_DRAFT was kept")
        assert class_service.store.drafts("bob", as_bob.pack.id) == {
            ("every-block", "half-surprise"): "bob's"
        }
    finally:
        as_alice.client.close()
        as_bob.client.close()
