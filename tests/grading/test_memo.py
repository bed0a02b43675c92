"""The grading service's shared cache: least recently used goes first, safe across threads."""

from __future__ import annotations

import threading

from tutor.grading.memo import Memo


def test_the_least_recently_used_entry_goes_first() -> None:
    memo = Memo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # "a" is now the most recent
    memo.put("c", 3)
    assert memo.get("b") is None and memo.get("a") == 1 and memo.get("c") == 3
    assert len(memo) == 2


def test_get_or_make_makes_once_per_key_and_keeps_none_apart_from_missing() -> None:
    memo = Memo(4)
    made = []
    assert memo.get_or_make("k", lambda: made.append(1) or None) is None
    assert memo.get_or_make("k", lambda: made.append(2) or "other") is None  # None was kept
    assert made == [1]


def test_many_threads_filling_a_small_memo_never_break_it() -> None:
    memo = Memo(8)
    errors: list[BaseException] = []

    def churn(offset: int) -> None:
        try:
            for i in range(2000):
                key = (offset + i) % 50
                memo.put(key, key)
                value = memo.get(key)
                assert value is None or value == key
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=churn, args=(n * 7,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(memo) == 8
