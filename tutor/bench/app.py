"""How the app feels over a slow link: first frame, bytes per keystroke, memory.

Everything runs in a pseudo-terminal at 80x24 with TERM=xterm-256color and
COLORTERM unset, as a learner over SSH sees it. The first frame is timed
side by side with a bare Textual app showing one line; the grading service
is a separate process, so the app's own memory is measured apart from it.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tutor.bench.stats import median, ratio
from tutor.bench.terminal import Pty, ce_tutor, children, environment, rss_mb

BENCH_PACK = Path(__file__).resolve().parent / "pack"
HOME_TEXT = b"exercises solved"  # on the home screen once its lessons are drawn
BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello from a bare app")

Bare().run()
"""
FORMULA = "-sum(p*log(q))"


@dataclass
class FirstFrames:
    """Starts of the app beside a bare Textual app's, all in the same pty setup.

    `tutor_s` are a learner's usual starts: their data folder exists and holds
    the parsed pack (`tutor/pack/cache.py`). `new_learner_s` are very first
    starts: an empty data folder, so the pack is read from its Markdown and
    the progress database is created.
    """

    tutor_s: list[float]
    new_learner_s: list[float]
    bare_s: list[float]

    @property
    def first_frame_s(self) -> float:
        return median(self.tutor_s)

    @property
    def ratio(self) -> float:
        return ratio(median(self.tutor_s), median(self.bare_s))

    @property
    def new_learner_ratio(self) -> float:
        return ratio(median(self.new_learner_s), median(self.bare_s))


def _home_screen_s(pack: Path, env: dict[str, str]) -> float:
    app = Pty(ce_tutor(pack), env)
    try:
        return app.wait_for(HOME_TEXT)
    finally:
        app.close()


def compile_like_an_install() -> None:
    """Write the tutor's bytecode, as pip does when it installs a wheel.

    A checkout run with PYTHONDONTWRITEBYTECODE=1 (set on these machines)
    would otherwise compile every module at every start, 20-40 ms that no
    installed copy pays, while the bare app's Textual has its bytecode.
    """
    import compileall

    import tutor

    compileall.compile_dir(Path(tutor.__file__).parent, quiet=1)


def first_frames(runs: int, pack: Path = BENCH_PACK) -> FirstFrames:
    """A new learner's start, the same learner's next start, a bare app: `runs` times each."""
    compile_like_an_install()
    tutor, new, bare = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            env = environment(home)
            new.append(_home_screen_s(pack, env))
            tutor.append(_home_screen_s(pack, env))
            plain = Pty([sys.executable, "-c", BARE_APP], env)
            try:
                bare.append(plain.wait_for(b"hello from a bare app"))
            finally:
                plain.close()
    return FirstFrames(tutor, new, bare)


@dataclass
class Typing:
    bytes_per_key: list[int]
    home_rss_mb: float  # the app on its home screen, background imports done
    lesson_rss_mb: float  # with the formula step open, before any code exercise
    service_rss_mb: float  # the grading service (torch), its own process

    @property
    def bytes_per_keystroke_p50(self) -> float:
        return median(self.bytes_per_key)

    @property
    def ui_rss_mb(self) -> float:
        return max(self.home_rss_mb, self.lesson_rss_mb)


def step_index(pack_dir: Path, title: str) -> tuple[str, str, int]:
    """(pack id, lesson id, step number) of the first step called `title`."""
    from tutor.pack.loader import load_pack

    pack, _ = load_pack(pack_dir)
    for lesson in pack.lessons:
        for index, step in enumerate(lesson.steps):
            if step.title == title:
                return pack.id, lesson.id, index
    raise LookupError(f"no step {title!r} in {pack_dir}")


def resume_at(home: str, learner: str, pack_dir: Path, title: str) -> None:
    """Leave the learner's bookmark on a step, so `c` on the home screen lands there."""
    from tutor.progress.store import open_store

    pack_id, lesson_id, step = step_index(pack_dir, title)
    with open_store(Path(home)) as store:
        store.save_position(learner, pack_id, lesson_id, step)


def typing_and_memory(pack: Path = BENCH_PACK) -> Typing:
    """Bytes per keystroke of a formula; RSS at home, in a lesson; the service's RSS."""
    with tempfile.TemporaryDirectory() as home:
        resume_at(home, "bench", pack, "Formula")
        app = Pty(ce_tutor(pack), environment(home))
        try:
            app.wait_for(HOME_TEXT)
            app.quiet(silence=3.0, limit=30)  # background imports done
            home_rss = app.rss_mb()
            app.send(b"c")  # continue: the formula step
            app.wait_for(b"Read as")
            app.quiet(silence=1.0)
            app.send(b"\t")  # into the answer field
            app.quiet(silence=1.0)
            lesson_rss = app.rss_mb()
            sizes = []
            for char in FORMULA:
                app.send(char.encode())
                sizes.append(app.quiet(silence=0.4))
            service = [rss_mb(pid) for pid in children(app.process.pid)]
            service_rss = max(service) if service else float("nan")
        finally:
            app.close()
    return Typing(sizes, home_rss, lesson_rss, service_rss)
