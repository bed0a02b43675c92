"""TutorApp: wires the pack, the learner's progress, grading and the screens.

Kept thin on purpose: screens own their behaviour; the app holds the shared
services and moves between screens.

    TutorApp(pack, learner="ada").run(mouse=False)
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual import events
from textual.actions import SkipAction
from textual.app import App
from textual.binding import Binding

from tutor.app import cjk
from tutor.app.commands import TutorCommands
from tutor.app.from_thread import tell_app
from tutor.app.glyphs import ASCII, UNICODE, Glyphs
from tutor.app.grading_link import GradingLink
from tutor.app.key_gate import KeyGate
from tutor.app.local_state import Drafts, save_theme, saved_theme
from tutor.app.math_text import MathText
from tutor.app.session import LearnerSession
from tutor.app.terminal import LOCALE_HINT, asciify, pack_needs_unicode, unicode_terminal
from tutor.app.themes import THEMES
from tutor.app.widgets.ascii_scrollbar import use_ascii_scrollbars
from tutor.i18n import N_, _, is_chinese, set_language
from tutor.pack.model import Pack
from tutor.progress.store import ProgressStore, open_store

if TYPE_CHECKING:
    from tutor.app.editor import EditorChoice
    from tutor.app.pack_watcher import Reread

START_DELAY = 0.5  # seconds after mounting before the grading service and warm imports start


class TutorApp(App):
    """The ce-tutor app on one pack, for one learner."""

    CSS_PATH = "tutor.tcss"
    TITLE = "ce-tutor"
    COMMANDS = {TutorCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "keys", N_("Keys"), key_display="?"),
        Binding("ctrl+p", "command_palette", N_("Commands"), key_display="^p", priority=True),
        # Keys that move the focus act the moment they arrive (priority). Textual sends each
        # key to the widget focused when the key arrives; over SSH keys come in bursts, so
        # "Tab 1.25" would otherwise type "1.25" where the focus was before the Tab.
        Binding("tab", "move_focus(1)", show=False, priority=True),
        Binding("shift+tab", "move_focus(-1)", show=False, priority=True),
    ]

    def __init__(
        self,
        pack: Pack,
        learner: str,
        store: ProgressStore | None = None,
        grading: GradingLink | None = None,
        ascii: bool | None = None,
        editor: EditorChoice | None = None,
        lesson: str | None = None,
        watch: bool = False,
    ):
        """`lesson`: open on that lesson (an author's preview); `watch`: read the pack again
        whenever one of its files is saved (tutor/app/pack_watcher.py)."""
        super().__init__()
        self._keys = KeyGate(self, super().on_event)  # keys typed ahead act in order
        self._first_lesson = lesson
        self._watching = watch
        cjk.install()  # Chinese lines break between characters, never before `，。`
        # ctrl+o's editor: the learner's $EDITOR, or in a class the admin's (or none)
        if editor is None:
            from tutor.app.editor import EditorChoice

            editor = EditorChoice.learners()
        self.editor = editor
        self.ascii = (not unicode_terminal()) if ascii is None else ascii
        if self.ascii and is_chinese():
            set_language("en")  # Chinese would be all `?` here; the hint says how to fix it
        self.glyphs: Glyphs = ASCII if self.ascii else UNICODE
        self.store = store or open_store()
        self.learner = learner
        self.grading = grading or GradingLink(pack, learner)
        self.math = MathText(self.grading.draw_math, ascii=self.ascii)
        self._set_pack(pack)
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = THEMES[_chosen_theme()].name
        # The stylesheet, made in App.__init__, still holds the default theme's variables;
        # given this theme's before its first parse, the refresh Textual queues for every
        # theme change (a second parse of all the CSS, every widget styled again) is not
        # needed at start (≈ 20 ms of the first frame): see refresh_css.
        self.stylesheet.set_variables(self.get_css_variables())
        self._theme_parsed: str | None = self.theme
        if self.ascii:
            self.add_class("-ascii")
            use_ascii_scrollbars(True)

    def refresh_css(self, animate: bool = True) -> None:
        if getattr(self, "_theme_parsed", None) == self.theme:
            self._theme_parsed = None  # the start's own theme: parsed with it already
            return
        self._theme_parsed = None
        super().refresh_css(animate)

    def _set_pack(self, pack: Pack) -> None:
        self.pack = pack
        self.grading.pack = pack
        # kept where the learner's progress is (their store, or the class's service), under
        # the course's gradebook id: a draft typed in one language is there in the other
        drafts = Drafts(self.store, self.learner, pack.gradebook_id)
        self.session = LearnerSession(self.store, pack, self.learner, drafts)

    def get_driver_class(self):
        """Textual's Linux driver, made to quit when the terminal goes away (see driver.py)."""
        from textual.drivers.linux_driver import LinuxDriver

        driver = super().get_driver_class()
        if driver is LinuxDriver:
            from tutor.app.driver import HangupAwareDriver

            return HangupAwareDriver
        return driver

    def on_mount(self) -> None:
        from tutor.app.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        if self._first_lesson is not None:
            self.open_lesson(self._first_lesson)
        if self._watching:
            from tutor.app.pack_watcher import EVERY, PackWatcher

            self._watcher = PackWatcher(self.pack.root)
            self._reads = 0  # reads started; only the latest one's pack is shown
            self.set_interval(EVERY, self._look_for_saves)
        if self.ascii and pack_needs_unicode(self.pack):
            self.notify(LOCALE_HINT, severity="warning", timeout=60, markup=False)
        # well after the first frame: background work must not delay the first paint
        self.set_timer(START_DELAY, self._start_grading)

    def _start_grading(self) -> None:
        self.run_worker(self.grading.start, thread=True, name="grading-start", group="grading")
        # a daemon thread: quitting in the first seconds must not wait for imports
        threading.Thread(target=_warm_imports, name="warm-imports", daemon=True).start()

    def on_unmount(self) -> None:
        from tutor.app.driver import HANGUP_RETURN_CODE

        if self.return_code == HANGUP_RETURN_CODE:
            # the terminal is gone: leave at once rather than wait for a private service
            # still importing torch; it ends by itself when its stdin (ours) closes with us
            threading.Thread(target=self.grading.close, name="grading-close", daemon=True).start()
        else:
            self.grading.close()
        if self.ascii:
            use_ascii_scrollbars(False)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self._keys.take(event):
            return  # handed on by the gate, after the keys before it (tutor/app/key_gate.py)
        await super().on_event(event)

    def action_move_focus(self, direction: int) -> None:
        """Tab and shift+tab; in the code editor they indent and dedent instead."""
        # a TextArea that indents; not imported here: TextArea costs the first frame ≈ 60 ms
        if getattr(self.focused, "tab_behavior", None) == "indent":
            raise SkipAction()  # the key goes on to the editor
        # a lesson's held command letter acts first, and Tab after Esc goes on past
        # the exercise the Esc left (tutor/app/screens/stray_keys.py, LessonScreen)
        stray = getattr(self.screen, "stray", None)
        if stray is not None:
            stray.release()
        moved_on = getattr(self.screen, "focus_past_current", None)
        if moved_on is not None and moved_on(direction):
            return
        if direction > 0:
            self.screen.focus_next()
        else:
            self.screen.focus_previous()

    def get_key_display(self, binding) -> str:
        """Textual shows Enter as ⏎; a terminal that is not UTF-8 gets `enter`."""
        shown = super().get_key_display(binding)
        if self.ascii and not shown.isascii():
            return "enter" if "⏎" in shown else asciify(shown)
        return shown

    # moving between screens

    def open_lesson(
        self, lesson_id: str, step: int | None = None, exercise_id: str | None = None
    ) -> None:
        """The lesson at `step` (else where the learner was), `exercise_id`'s answer in focus."""
        from tutor.app.screens.home import HomeScreen
        from tutor.app.screens.lesson import LessonScreen

        lesson = self.pack.lesson(lesson_id)
        if lesson is None or not lesson.steps:
            self.notify(
                _("No lesson {lesson!r} in this pack.").format(lesson=lesson_id),
                severity="error",
                markup=False,
            )
            return
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        where = self.session.position(lesson) if step is None else step
        self.push_screen(LessonScreen(lesson, where, focus=exercise_id))

    def switch_pack(self, pack: Pack) -> None:
        from tutor.app.screens.home import HomeScreen

        self._set_pack(pack)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(HomeScreen())

    # --watch: the pack read again after each save

    def _look_for_saves(self) -> None:
        files = self._watcher.saved()
        if files:
            self._reads += 1
            read, number = self._watcher.read, self._reads
            self.run_worker(
                lambda: tell_app(self, self._reread, read(files), number),
                thread=True,
                name="pack-reread",
                group="pack-reread",
            )

    def _reread(self, reread: Reread, number: int) -> None:
        if number != self._reads:
            return  # a later save is being read
        if reread.pack is None:
            self.notify(
                _("{problem} (still showing the version before)").format(
                    problem=reread.problems[0]
                ),
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        names = ", ".join(sorted(path.name for path in reread.files))
        self.reload_pack(reread.pack)
        self.notify(_("Read again: {files}").format(files=names), timeout=3, markup=False)

    def reload_pack(self, pack: Pack) -> None:
        """The same pack, read again: the learner stays on their lesson and step (or the last)."""
        from tutor.app.screens.home import HomeScreen
        from tutor.app.screens.lesson import LessonScreen

        self._set_pack(pack)
        on_lesson = next((s for s in self.screen_stack if isinstance(s, LessonScreen)), None)
        lesson = pack.lesson(on_lesson.lesson.id) if on_lesson is not None else None
        keep = on_lesson if lesson is not None and lesson.steps else None
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen | LessonScreen):
            self.pop_screen()  # an overview or a question about the version before
        if on_lesson is not None and keep is None:
            self.notify(
                _("The lesson {lesson!r} is no longer in the pack.").format(
                    lesson=on_lesson.lesson.id
                ),
                severity="warning",
                markup=False,
            )
            self.action_home()
        if isinstance(keep, LessonScreen) and lesson is not None:
            keep.read_again(lesson)
        if isinstance(self.screen, HomeScreen):
            self.screen.on_screen_resume()

    def plain(self, text: str) -> str:
        """Text as this terminal can show it: ASCII when it is not UTF-8."""
        return asciify(text) if self.ascii else text

    def use_theme(self, name: str) -> None:
        """The palette's choice, kept for the next start (tutor.app.local_state)."""
        self.theme = THEMES[name].name
        save_theme(name)

    def action_keys(self) -> None:
        from tutor.app.screens.keys import KeysScreen

        if not isinstance(self.screen, KeysScreen):
            self.push_screen(KeysScreen())

    def action_home(self) -> None:
        from tutor.app.screens.home import HomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()

    def action_course_end(self) -> None:
        """After the last step of the last lesson: what the learner did, lesson by lesson."""
        from tutor.app.screens.course_end import CourseEndScreen

        self.action_home()
        self.push_screen(CourseEndScreen())

    def action_mistakes(self) -> None:
        """The named mistakes made across the course, each one a way back to its exercise."""
        from tutor.app.screens.review import mistakes_screen

        self.push_screen(mistakes_screen(self))

    def action_packs(self) -> None:
        from tutor.app.screens.packs import PacksScreen

        self.push_screen(PacksScreen())

    def action_command_palette(self) -> None:
        from tutor.app.commands import TutorPalette

        stray = getattr(self.screen, "stray", None)
        if stray is not None:
            stray.release()  # a command letter held just before ^p acts first
        if self.use_command_palette and not TutorPalette.is_open(self):
            self.push_screen(
                TutorPalette(self.glyphs.pointer, self.plain(_("lesson, theme, keys…")))
            )

    def get_system_commands(self, screen):  # the palette offers our commands only
        return iter(())


def _chosen_theme() -> str:
    saved = saved_theme()
    return saved if saved in THEMES else "dark"


def _warm_imports() -> None:
    """Import what a lesson needs while the learner reads the home screen.

    Opening the first lesson then shows it at once instead of paying the
    imports of the lesson widgets and plotext on the Enter key. Not sympy:
    the grading service draws the math.
    """
    import tutor.app.screens.lesson  # noqa: F401
    import tutor.app.widgets.plot_view  # noqa: F401
    import tutor.symbolic.render  # noqa: F401
