"""Keys typed ahead act in order, on the step they were typed for (issue 17).

Textual acts on a key bound with priority (Tab, shift+Tab, Esc, ^p) the
moment it arrives, but queues every other key at the focused widget, to be
handled a few turns of the event loop later; and a lesson's step is mounted
a few frames after it changes. Over SSH keys come in bursts, so in `n Tab`
the Tab moved the focus on the step being left before the `n` was seen, and
in `n Esc` the lesson could be removed while the next step's exercises were
still composing.

So on a screen that asks for it (`Ordered`: the lesson screen) the gate holds

- a key bound with priority, until the keys queued before it are handled;
- every key while the screen is not ready for keys (a step being mounted);
- every key that comes after a held one, so that none overtakes another;

and hands them on in the order typed. A wait lasts at most SETTLE_AT_MOST.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol, runtime_checkable

from textual import events
from textual.app import App
from textual.message_pump import MessagePump

SETTLE_AT_MOST = 1.5  # seconds a held key waits at most (a step mounts in well under 1 s)
HOPS = 12  # a key goes up from the focused widget to the app: a few widgets deep, a few messages


@runtime_checkable
class Ordered(Protocol):
    """A screen whose keys go through the gate."""

    def keys_wait(self, key: str) -> bool:
        """Whether `key` must wait for `settle_keys` before it is handled."""

    async def settle_keys(self, key: str) -> None:
        """Return once the keys queued before `key` are handled and the screen is ready."""


class KeyGate:
    """The app's side: `take` a key that must wait; it is handed to `handle` later, in order."""

    def __init__(self, app: App, handle: Callable[[events.Key], Awaitable[None]]) -> None:
        self.app = app
        self.handle = handle
        self.held: deque[events.Key] = deque()
        self._draining: asyncio.Task | None = None

    def take(self, event: events.Key) -> bool:
        """True when the gate keeps `event` (it is handled later, after the keys before it)."""
        if self._draining is None and not self._must_wait(event):
            return False
        self.held.append(event)
        if self._draining is None:
            self._draining = asyncio.create_task(self._drain())
        return True

    def _must_wait(self, event: events.Key) -> bool:
        screen = self.app.screen
        return isinstance(screen, Ordered) and screen.keys_wait(event.key)

    async def _drain(self) -> None:
        try:
            while self.held:
                key = self.held[0]
                screen = self.app.screen
                if self._must_wait(key) and isinstance(screen, Ordered):
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(screen.settle_keys(key.key), SETTLE_AT_MOST)
                self.held.popleft()
                try:
                    await self.handle(key)
                except Exception as error:  # as if the app's own loop had run it
                    self.app._handle_exception(error)
                    return
        finally:
            self._draining = None


async def queues_handled(nodes: Iterable[MessagePump], hops: int = HOPS) -> None:
    """Every message queued at `nodes` handled, and what handling them posts on, `hops` deep.

    A key bubbles from the focused widget up to the app one queue at a time,
    and a widget answering it (a choice picked) posts a message of its own:
    each round waits until everything queued when it starts is handled.
    """
    nodes = list(nodes)
    loop = asyncio.get_running_loop()
    for _hop in range(hops):
        waiting = []
        for node in nodes:
            if _idle(node):
                continue
            done = loop.create_future()
            if node.call_later(_resolve, done):
                waiting.append(done)
        if not waiting:
            return
        await asyncio.gather(*waiting)


def busy(nodes: Iterable[MessagePump]) -> bool:
    """Some of `nodes` have messages (keys) still to handle."""
    return not all(_idle(node) for node in nodes)


def _resolve(done: asyncio.Future) -> None:
    if not done.done():  # a wait that timed out cancelled it
        done.set_result(None)


def _idle(node: MessagePump) -> bool:
    queue = getattr(node, "_message_queue", None)  # Textual's own (its version is pinned)
    return queue is not None and queue.empty()
