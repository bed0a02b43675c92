"""The lesson screen: one step at a time, its prose, examples, derivations, plots, exercises."""

from __future__ import annotations

import asyncio

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import Reactive, reactive
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import Input, Static, TextArea

from tutor.app.key_gate import busy, queues_handled
from tutor.app.prose import plain_text
from tutor.app.restyle import RestyledAloneOnFocus
from tutor.app.screens.stray_keys import StrayKeys, answer_field_focused
from tutor.app.widgets.code_example_view import CodeExampleView
from tutor.app.widgets.derivation_view import DerivationView
from tutor.app.widgets.exercise_view import ExerciseView
from tutor.app.widgets.key_bar import KeyBar
from tutor.app.widgets.leaving import leaving
from tutor.app.widgets.prose_view import ProseView
from tutor.app.widgets.step_indicator import StepIndicator
from tutor.app.widgets.title_bar import TitleBar
from tutor.i18n import N_, _
from tutor.pack.model import Block, CodeExample, Derivation, Exercise, Lesson, Plot, Prose

HOLD_PAINT_AT_MOST = 1.0  # seconds a new step may hold the screen's paint while it mounts


class StepBody(RestyledAloneOnFocus, VerticalScroll):
    """The step's widgets; Esc focuses it, Tab leaves it: restyled alone (see restyle.py).

    It looks the same focused or not, so a focus move does not repaint it (Widget's
    handlers repaint the whole step, under the widgets whose look did change).
    """

    def _on_focus(self, event: events.Focus) -> None:
        event.prevent_default()  # Widget's: the same, and a repaint
        self.has_focus = True
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))


class LessonScreen(Screen):
    """Steps through a lesson; the position is saved on every move."""

    BINDINGS = [
        Binding("n,right", "next_step", N_("Next")),
        Binding("p,left", "previous_step", N_("Prev")),
        Binding("h", "hint", N_("Hint")),
        Binding("s", "solution", N_("Solution")),
        Binding("r", "run", N_("Run"), show=False),
        Binding("d", "reveal", N_("Derive"), show=False),
        Binding("j", "scroll(1)", N_("Scroll"), show=False),
        Binding("k", "scroll(-1)", N_("Scroll"), show=False),
        # at once, like Tab (see TutorApp.BINDINGS): "esc n" in one burst leaves the field,
        # then goes to the next step, instead of typing "n" into the answer
        Binding("escape", "back", N_("Back"), priority=True),
        Binding("q", "app.quit", N_("Quit"), show=False),
        Binding("o", "overview", N_("Overview"), show=False),
        Binding("c", "copy", N_("Copy"), show=False),
        Binding("v", "whole_verdict", N_("Whole verdict"), show=False),
    ]

    step = reactive(0, init=False)
    # the widget focused and the one it left repaint themselves; Textual's Screen also
    # repaints the whole screen on every focus move (a full frame per Tab and per Esc)
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(self, lesson: Lesson, step: int = 0, focus: str | None = None):
        """`focus`: an exercise whose answer takes the focus once it is shown."""
        super().__init__()
        self._focus_when_shown = focus
        self.lesson = lesson
        self.set_reactive(LessonScreen.step, min(max(step, 0), len(lesson.steps) - 1))
        # the exercise the learner is in: focused last on this step (h, s and typing go there)
        self.current: str | None = None
        self.stray = StrayKeys(self, self._run_held, self._type_into_current)
        self._mounting: asyncio.Task | None = None  # holds the paint until a step is mounted

    def compose(self) -> ComposeResult:
        yield TitleBar(self.lesson.title)
        yield StepIndicator(id="step-indicator")
        yield StepBody(id="step-body")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_step()
        self.app.session.save_position(self.lesson, self.step)

    def watch_step(self) -> None:
        self._show_step()
        self.app.session.save_position(self.lesson, self.step)

    def read_again(self, lesson: Lesson) -> None:
        """The lesson as its file now says (`--watch`): the same step, or its last, scrolled as before."""
        self.lesson = lesson
        self.query_one(TitleBar).show(lesson.title)
        self.set_reactive(LessonScreen.step, min(self.step, len(lesson.steps) - 1))
        body = self.query_one("#step-body", VerticalScroll)
        scrolled = body.scroll_y
        self._show_step()
        self.call_after_refresh(body.scroll_to, y=scrolled, animate=False)
        self.app.session.save_position(self.lesson, self.step)

    def _show_step(self) -> None:
        self.current = None
        indicator = self.query_one(StepIndicator)
        titles = [plain_text(s.title, self.app.math.inline) for s in self.lesson.steps]
        whole = indicator.show(self.step, titles)
        body = self.query_one("#step-body", VerticalScroll)
        body.remove_children()
        step = self.lesson.steps[self.step]
        widgets: list[Widget] = []
        if not whole:  # the header cut it: the body starts with it whole (else it is said once)
            title = self.app.plain(titles[self.step])
            widgets.append(Static(title, classes="step-title", markup=False))
        if self.step == 0 and _intro(self.lesson.intro):
            widgets.append(ProseView(_intro(self.lesson.intro)))
        numbers = {id(e): n for n, e in enumerate(self.lesson.exercises, start=1)}
        for block in step.blocks:
            widgets.append(self._widget_for(block, numbers))
        if self.step < len(self.lesson.steps) - 1:
            widgets.append(Static(_("n: next step"), classes="step-end", markup=False))
        else:
            widgets.append(Static(self._lesson_end(), classes="step-end", markup=False))
        self._draw_when_whole(body.mount_all(widgets))
        body.scroll_home(animate=False)
        body.focus()
        self.refresh_bindings()

    def _draw_when_whole(self, mounted: AwaitMount) -> None:
        """No frame is drawn until the step's widgets are mounted (issue 17 #11).

        Textual draws a widget that is not mounted yet as blank lines, so a
        step showed its example with its prose and math still empty on a
        first visit. Mounting takes a few frames' time; holding the paint
        that long shows the step whole the first time it is seen.
        """
        if self._mounting is not None:
            self._mounting.cancel()  # the step before was left unmounted: its hold ends now
        batch = self.app.batch_update()
        batch.__enter__()

        async def whole() -> None:
            async def all_mounted() -> None:
                await mounted

            # at most so long: a widget removed before it was mounted never is
            await asyncio.wait_for(all_mounted(), HOLD_PAINT_AT_MOST)

        def release(task: asyncio.Task) -> None:  # also when cancelled before it started
            if not task.cancelled():
                task.exception()  # a timeout is no error: the step is painted as it is
            batch.__exit__(None, None, None)
            if self.is_attached:  # what was held is laid out now, not at the next event
                self.refresh(layout=True)
                self.refresh_bindings()  # the footer names the exercise h and s act on

        self._mounting = asyncio.get_running_loop().create_task(whole())
        self._mounting.add_done_callback(release)

    def _widget_for(self, block: Block, numbers: dict[int, int]) -> Widget:
        if isinstance(block, Prose):
            return ProseView(block.text)
        if isinstance(block, CodeExample):
            return CodeExampleView(block)
        if isinstance(block, Exercise):
            return ExerciseView(self.lesson, block, numbers[id(block)])
        if isinstance(block, Derivation):
            return DerivationView(self.lesson, block)
        if isinstance(block, Plot):
            from tutor.app.widgets.plot_view import PlotView  # plotext is slow to import

            return PlotView(block)
        return Static(
            _("(a {kind} block this app cannot show)").format(kind=type(block).__name__),
            markup=False,
        )

    # which block a key is about: the one holding focus, else the first in the step

    def _target(self, kind: type[Widget]) -> Widget | None:
        if kind is ExerciseView:
            return self.current_exercise()
        found = _enclosing(self.focused, kind)
        if found is not None:
            return found
        # none in focus: the first one the learner can see, not the step's first
        every = list(self.query(kind))
        view = self.query_one("#step-body", VerticalScroll).region
        visible = [widget for widget in every if widget.region.overlaps(view)]
        return (visible or every or [None])[0]

    def current_exercise(self) -> ExerciseView | None:
        """The exercise in focus, else the one focused last on this step, else the first unsolved.

        Only an exercise the learner can see: right after a step change the step
        left is being removed and the new one's exercises are not shown yet.
        """
        focused = _enclosing(self.focused, ExerciseView)
        if isinstance(focused, ExerciseView) and _shown(focused):
            return focused
        views = [view for view in self.query(ExerciseView) if _shown(view)]
        for view in views:
            if view.exercise.id == self.current:
                return view
        unsolved = [view for view in views if not view.solved]
        return (unsolved or views or [None])[0]

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._remember(event.widget)

    def _remember(self, widget: Widget | None) -> None:
        """Make the exercise holding `widget` (if any) the current one: title marked, footer names it."""
        view = _enclosing(widget, ExerciseView)
        if not isinstance(view, ExerciseView) or view.exercise.id == self.current:
            return
        self.current = view.exercise.id
        for other in self.query(ExerciseView):
            other.set_current(other is view)
        self.refresh_bindings()

    def describe_binding(self, action: str, description: str) -> str:
        """The footer's text for a key: hint and solution name the exercise they act on."""
        if action in ("hint", "solution"):
            view = self.current_exercise()
            if view is not None:
                return f"{description} #{view.number}"
        return description

    def focus_past_current(self, direction: int) -> bool:
        """Tab after Esc left an exercise: on to the widget after it (before it, shift+tab)."""
        view = self.current_exercise() if self.current is not None else None
        if view is None or self.focused is not self.query_one("#step-body"):
            return False
        chain = self.focus_chain
        inside = [i for i, widget in enumerate(chain) if view in widget.ancestors_with_self]
        if not inside:
            return False
        index = inside[-1] + 1 if direction > 0 else inside[0] - 1
        self.set_focus(chain[index % len(chain)])
        return True

    # keys typed ahead (tutor/app/key_gate.py): after a step change, they act on the new step

    def keys_wait(self, key: str) -> bool:
        """A key waits while a step is mounted, and one bound with priority waits for the keys
        still on their way before it (Textual acts on it at once, on those a few turns later)."""
        if self._mounting is not None and not self._mounting.done():
            return True
        active = self.active_bindings.get(key)
        if active is None or not active.binding.priority:
            return False
        return busy(self.walk_children(with_self=True))

    async def settle_keys(self, key: str) -> None:
        """The keys before `key` handled; a command letter they left held acts before a key
        with priority (as StrayKeys says); then the step it changed to is mounted."""
        await queues_handled([self.app, *self.walk_children(with_self=True)])
        active = self.active_bindings.get(key)
        if active is not None and active.binding.priority and not leaving(self):
            self.stray.release()
        mounting = self._mounting
        if mounting is not None and not mounting.done():
            await asyncio.wait([mounting])

    # letters typed while no answer field has the focus (see stray_keys.py)

    def on_key(self, event: events.Key) -> None:
        if answer_field_focused(self.focused):
            if event.is_printable and self.focused is not None:
                # sent on before typing moved the focus to the answer (an answer field
                # keeps what it is typed): the rest of the burst goes after its start
                event.stop()
                event.prevent_default()
                self.focused.post_message(events.Key(event.key, event.character))
            return
        if self.stray.key(event, is_command=event.key in self.active_bindings):
            event.stop()
            event.prevent_default()

    def _run_held(self, character: str, times: int) -> None:
        """A held letter's command; `nnn` moves three steps at once (one redraw, not three)."""
        if leaving(self):
            return  # its time ran out as the lesson was left
        if character in "np":
            last = len(self.lesson.steps) - 1
            if character == "n" and self.step == last:
                self._after_lesson()
                return
            self.step = min(max(self.step + (times if character == "n" else -times), 0), last)
            return
        if character == "h":
            for _time in range(times):
                self.action_hint()
        elif character == "s":
            self.action_solution()
        elif character == "q":
            self.app.exit()

    def _type_into_current(self, keys: list[events.Key]) -> None:
        """Keys typed outside any answer: to the current exercise's answer, which takes the focus."""
        if leaving(self):
            return
        view = self.current_exercise()
        field = view.answer_field() if view is not None else None
        typed = "".join(key.character or "" for key in keys)
        if view is None or field is None:
            self.notify(
                _("{typed} went nowhere: no answer has the focus (Tab moves to one).").format(
                    typed=repr(typed)
                ),
                markup=False,
            )
            return
        if not answer_field_focused(field):  # the choices take their numbers only
            keys = [key for key in keys if (key.character or "").isdigit()]
            if not keys:
                self.notify(
                    _("Pick a choice of exercise {n} with its number.").format(n=view.number),
                    markup=False,
                )
                return
        self.set_focus(field)
        for key in keys:
            field.post_message(key)
        self.notify(_("Typing goes to exercise {n}.").format(n=view.number), markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_mounted:
            return True
        if action == "next_step":  # on the last step: the next lesson, or the course's end
            return True
        if action == "previous_step":
            return self.step > 0 or None
        if action in ("hint", "solution"):
            return bool(self.lesson.steps[self.step].exercises) or None
        if action == "run":
            return any(isinstance(b, CodeExample) for b in self.lesson.steps[self.step].blocks)
        if action == "reveal":
            return any(isinstance(b, Derivation) for b in self.lesson.steps[self.step].blocks)
        return True

    # actions

    def action_next_step(self) -> None:
        if self.step < len(self.lesson.steps) - 1:
            self.step += 1
        else:
            self._after_lesson()

    def _next_lesson(self) -> Lesson | None:
        lessons = self.app.pack.lessons
        index = next(i for i, lesson in enumerate(lessons) if lesson.id == self.lesson.id)
        return lessons[index + 1] if index + 1 < len(lessons) else None

    def _after_lesson(self) -> None:
        """`n` on the last step: the next lesson from its start, or the course's end screen."""
        following = self._next_lesson()
        if following is None:
            self.app.action_course_end()
        else:
            self.app.open_lesson(following.id, 0)

    def answer_shown(self, view: ExerciseView) -> None:
        """An exercise's answer is on screen: the one asked for (overview, mistakes) takes focus."""
        if view.exercise.id == self._focus_when_shown:
            self._focus_when_shown = None
            view.focus_answer()
            self._remember(view)
            self.call_after_refresh(view.scroll_visible, animate=False, top=True)

    def action_copy(self) -> None:
        """Copy as Python, through the terminal (OSC 52: over SSH and in tmux too): the example
        in focus, else the current exercise's own numbers, else the example in view."""
        from tutor.app.widgets.exercise_view import params_as_python

        text = what = None
        example = _enclosing(self.focused, CodeExampleView)
        view = self.current_exercise()
        if isinstance(example, CodeExampleView):
            text, what = example.example.code, _("the example's code")
        elif view is not None and view.params:
            text = params_as_python(view.params)
            what = _("your numbers of exercise {n}").format(n=view.number)
        elif isinstance(visible := self._target(CodeExampleView), CodeExampleView):
            text, what = visible.example.code, _("the example's code")
        if text is None:
            self.notify(_("Nothing to copy on this step."), markup=False)
            return
        self.app.copy_to_clipboard(text)
        self.notify(
            _("Copied {what} as Python: paste it anywhere.").format(what=what), markup=False
        )

    def action_whole_verdict(self) -> None:
        """v: every line of the current exercise's verdict (a long one shows its start)."""
        from tutor.app.widgets.verdict_view import VerdictView

        view = self.current_exercise()
        if view is None or not view.query_one(VerdictView).show_all():
            self.notify(_("The whole verdict is already shown."), markup=False)

    def action_overview(self) -> None:
        from tutor.app.screens.review import overview_screen

        self.stray.release()
        self.app.push_screen(overview_screen(self.app, self.lesson))

    def on_exercise_view_recorded(self) -> None:
        if self.step == len(self.lesson.steps) - 1:
            ends = self.query(".step-end")
            if ends:
                ends.last(Static).update(self._lesson_end())

    def _lesson_end(self) -> str:
        """The last step's foot: how the lesson went, and where `n` goes."""
        from tutor.app.screens.course_end import lesson_line

        summary = self.app.session.lesson_summary(self.lesson)
        following = self._next_lesson()
        where = (
            _("n: next lesson, {title}").format(title=following.title)
            if following is not None
            else _("n: the end of the course")
        )
        dot = f" {self.app.glyphs.bullet} "
        done = _("End of the lesson: {summary}.").format(summary=lesson_line(summary, dot.strip()))
        back = _("esc: lessons")  # not inside the f-string: the extractor would miss it
        return self.app.plain(f"{done}\n{where}{dot}{back}")

    def action_previous_step(self) -> None:
        if self.step > 0:
            self.step -= 1

    def action_scroll(self, lines: int) -> None:
        # immediate: a deferred scroll starts from where the last one started, and ten
        # `j` typed in one burst would move one line
        body = self.query_one("#step-body", VerticalScroll)
        body.scroll_relative(y=lines, animate=False, immediate=True)

    def action_hint(self) -> None:
        view = self._target(ExerciseView)
        if isinstance(view, ExerciseView):
            if not view.show_next_hint():
                self.notify(_("No more hints for this exercise."), markup=False)
            view.scroll_visible(animate=False)

    def action_solution(self) -> None:
        """Show the solution once the learner says yes: it is recorded, and counts, as shown."""
        view = self._target(ExerciseView)
        if not isinstance(view, ExerciseView):
            return
        if not view.exercise.solution:
            self.notify(_("This exercise has no written solution."), markup=False)
            return
        if view.solution_shown:
            view.scroll_visible(animate=False)
            return
        from tutor.app.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes and not leaving(view):
                view.show_solution()
                view.scroll_visible(animate=False)

        question = _(
            "Show the solution of exercise {n}? Your gradebook records it as shown."
        ).format(n=view.number)
        self.app.push_screen(ConfirmScreen(self.app.plain(question)), answered)

    def action_run(self) -> None:
        view = self._target(CodeExampleView)
        if isinstance(view, CodeExampleView):
            view.action_run()

    def action_reveal(self) -> None:
        view = self._target(DerivationView)
        if isinstance(view, DerivationView):
            view.action_reveal()

    def action_back(self) -> None:
        """Leave an answer field first; from the lesson itself, back to the lessons."""
        self.stray.release()
        self._remember(self.focused)  # Esc leaves the focus on its exercise: Tab goes on from it
        if isinstance(self.focused, (Input, TextArea)) or (
            self.focused is not None and self.focused.id != "step-body"
        ):
            # set_focus, not .focus(): that one waits for the next turn of the event loop,
            # and a key right behind the Esc would still go to the answer
            self.set_focus(self.query_one("#step-body", VerticalScroll))
            return
        self.app.pop_screen()


def _enclosing(widget: Widget | None, kind: type[Widget]) -> Widget | None:
    """`widget` or its nearest ancestor of `kind`."""
    node = widget
    while node is not None:
        if isinstance(node, kind):
            return node
        node = node.parent  # type: ignore[assignment]
    return None


def _shown(view: ExerciseView) -> bool:
    """On screen: mounted, and not being removed with a step the learner left."""
    return view.is_mounted and not leaving(view)


def _intro(intro: str) -> str:
    """The lesson's intro without its `# title` line (the header shows the title)."""
    lines = [line for line in intro.strip().splitlines() if not line.startswith("# ")]
    return "\n".join(lines).strip()
