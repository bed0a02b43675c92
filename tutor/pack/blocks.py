"""Build the model's blocks (exercises, derivations, plots) from YAML bodies.

Every builder takes the parsed mapping, the file line where the YAML text
starts, and returns the block plus `(line, message)` problems. Keys and their
meaning are documented in `lessons/README.md`; the tables here are the one
place that lists them.
"""

from __future__ import annotations

import re
from pathlib import Path

from tutor.i18n import _
from tutor.pack.errors import did_you_mean
from tutor.pack.fields import BOOLEAN_HINT, Fields, as_number, joined
from tutor.pack.model import (
    EXERCISE_TYPES,
    Choice,
    ChoiceExercise,
    CodeExercise,
    Derivation,
    DerivationStep,
    Exercise,
    FormulaExercise,
    Location,
    Misconception,
    NumberExercise,
    Plot,
    PredictExercise,
    Tolerance,
)
from tutor.pack.yaml_lines import LineDict
from tutor.symbolic.domain import SIZED_KINDS, SymbolKind, SymbolSpec

COMMON_KEYS = {
    "id", "type", "prompt", "hints", "points", "attempts", "solution", "misconceptions", "why",
}  # fmt: skip

TYPE_KEYS: dict[str, set[str]] = {
    "choice": {"choices", "multiple", "shuffle"},
    "number": {"params", "reference", "formula", "tolerance", "distinct_from", "accept"},
    "formula": {"symbols", "answer", "check", "require", "forbid"},
    "code": {
        "entry",
        "starter",
        "args",
        "cases",
        "edge_cases",
        "reference",
        "compare",
        "tolerance",
        "forbid",
        "raises",
    },
    "predict": {"code", "params", "accept"},
}

REQUIRED_KEYS: dict[str, set[str]] = {
    "choice": {"choices"},
    "number": {"reference"},
    "formula": {"answer", "symbols"},
    "code": {"entry", "reference"},
    "predict": {"code"},
}

# What identifies a known wrong answer, per exercise type.
MISCONCEPTION_KEY: dict[str, tuple[str, ...]] = {
    "number": ("reference", "answer"),
    "formula": ("answer",),
    "code": ("code",),
    "predict": ("answer",),
}

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MATH_SPAN = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.DOTALL)

Problems = list[tuple[int, str]]


def build_exercise(data: LineDict, path: Path, base_line: int) -> tuple[Exercise | None, Problems]:
    """An exercise from its YAML mapping, or None when its type is unusable."""
    exercise_id = data.get("id")
    what = (
        _("exercise `{id}`").format(id=exercise_id)
        if isinstance(exercise_id, str)
        else _("exercise")
    )
    fields = Fields(data, base_line, what)
    kind = data.get("type")
    if kind is None:
        fields.problem(
            None, _("{what} is missing the required key `{key}`").format(what=what, key="type")
        )
        return None, fields.problems
    if kind not in EXERCISE_TYPES:
        fields.problem(
            "type",
            joined(
                _("unknown exercise type `{kind}`").format(kind=kind)
                + did_you_mean(str(kind), EXERCISE_TYPES),
                _("known types: {types}").format(types=", ".join(EXERCISE_TYPES)),
            ),
        )
        return None, fields.problems
    fields.check_keys(COMMON_KEYS | TYPE_KEYS[kind], {"id", "prompt"} | REQUIRED_KEYS[kind])
    if isinstance(exercise_id, str) and not ID_PATTERN.match(exercise_id):
        fields.problem(
            "id",
            _("exercise id `{id}` must be lowercase letters, digits, - or _").format(
                id=exercise_id
            ),
        )
    common = dict(
        id=str(exercise_id or ""),
        prompt=fields.text("prompt", "") or "",
        location=Location(path, fields.line()),
        hints=fields.text_list("hints"),
        points=fields.number("points", 1.0, positive=True),
        attempts=fields.integer("attempts", 3, minimum=1),
        solution=fields.text("solution"),
        misconceptions=_misconceptions(fields, kind, path),
        why=fields.text("why"),
    )
    builder = {
        "choice": _choice,
        "number": _number,
        "formula": _formula,
        "code": _code,
        "predict": _predict,
    }[kind]
    exercise = builder(fields, common)
    _check_placeholders(fields, exercise)
    return exercise, fields.problems


def _misconceptions(fields: Fields, kind: str, path: Path) -> list[Misconception]:
    items = fields.sequence("misconceptions")
    if items is None:
        return []
    if kind == "choice":
        fields.problem(
            "misconceptions",
            _(
                "a choice exercise names its mistakes per choice (`feedback`, `tag`), "
                "not in `misconceptions`"
            ),
        )
        return []
    identifying = MISCONCEPTION_KEY[kind]
    result = []
    for index, item in enumerate(items):
        if not isinstance(item, LineDict):
            fields.problems.append(
                (
                    fields.base_line + items.line_of(index) - 1,
                    _("a misconception must be a mapping"),
                )
            )
            continue
        sub = fields.sub(item, _("misconception of {what}").format(what=fields.what))
        sub.check_keys(set(identifying) | {"tag", "feedback"}, {"tag", "feedback"})
        given = [key for key in identifying if key in item]
        if len(given) != 1:
            sub.problem(
                None,
                _("a misconception here needs exactly one of: {keys}").format(
                    keys=", ".join(identifying)
                ),
            )
        tag = sub.text("tag", "") or ""
        if tag and not ID_PATTERN.match(tag):
            sub.problem(
                "tag", _("tag `{tag}` must be lowercase letters, digits, - or _").format(tag=tag)
            )
        result.append(
            Misconception(
                tag=tag,
                feedback=sub.text("feedback", "") or "",
                location=Location(path, sub.line()),
                answer=sub.text("answer"),
                reference=sub.text("reference"),
                code=sub.text("code"),
            )
        )
    return result


def _choice(fields: Fields, common: dict) -> ChoiceExercise:
    multiple = fields.boolean("multiple", False)
    shuffle = fields.boolean("shuffle", True)
    items = fields.sequence("choices")
    choices: list[Choice] = []
    for index, item in enumerate(items or []):
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            choices.append(Choice(text=str(item)))
        elif isinstance(item, LineDict):
            sub = fields.sub(item, _("a choice"))
            sub.check_keys({"text", "correct", "feedback", "tag"}, {"text"})
            choices.append(
                Choice(
                    text=sub.text("text", "") or "",
                    correct=sub.boolean("correct", False),
                    feedback=sub.text("feedback", "") or "",
                    tag=sub.text("tag"),
                )
            )
        else:
            fields.problems.append(
                (
                    fields.base_line + items.line_of(index) - 1,
                    joined(_("a choice is text or a mapping"), _(BOOLEAN_HINT))
                    if isinstance(item, bool)
                    else _("a choice is text or a mapping"),
                )
            )
    if items is not None:
        right = sum(choice.correct for choice in choices)
        if len(choices) < 2:
            fields.problem("choices", _("a choice exercise needs at least two choices"))
        if right == 0:
            fields.problem("choices", _("no choice is marked `correct: true`"))
        elif right > 1 and not multiple:
            fields.problem(
                "choices",
                _("{count} choices are correct: set `multiple: true`").format(count=right),
            )
    return ChoiceExercise(**common, choices=choices, multiple=multiple, shuffle=shuffle)


def _tolerance(fields: Fields, default: Tolerance) -> Tolerance:
    data = fields.mapping("tolerance")
    if data is None:
        return default
    sub = fields.sub(data, _("tolerance"))
    sub.check_keys({"rel", "abs", "sig"})
    if not data:
        sub.problem(None, _("`tolerance` needs at least one of rel, abs, sig"))
        return default
    sig = data.get("sig")
    if sig is not None and (isinstance(sig, bool) or not isinstance(sig, int) or sig < 1):
        sub.problem("sig", _("`sig` must be a whole number of significant figures >= 1"))
        sig = None
    return Tolerance(
        rel=sub.number("rel", None, positive=True),
        abs=sub.number("abs", None, positive=True),
        sig=sig,
    )


def _generators(fields: Fields, key: str) -> dict[str, str]:
    data = fields.mapping(key)
    if data is None:
        return {}
    from tutor.numeric.params import check_generator  # reads the text only; no torch

    result: dict[str, str] = {}
    where = fields.sub(data, key)
    for name, value in data.items():
        if not name.isidentifier():
            where.problem(name, _("`{name}` is not a valid parameter name").format(name=name))
        if isinstance(value, (dict, list, bool)) or value is None:
            where.problem(name, _("parameter `{name}` must be a generator text").format(name=name))
            continue
        problem = check_generator(str(value), names=list(result))
        if problem:
            where.problem(
                name,
                _("`{name}: {value}`: {problem}").format(name=name, value=value, problem=problem),
            )
        result[name] = str(value)
    return result


def _number(fields: Fields, common: dict) -> NumberExercise:
    distinct_from = fields.text_list("distinct_from")
    tags = {m.tag for m in common["misconceptions"]}
    for tag in distinct_from:
        if tag not in tags:
            fields.problem(
                "distinct_from",
                _("`distinct_from` names `{tag}`, which is no misconception's tag here").format(
                    tag=tag
                )
                + did_you_mean(tag, tags),
            )
    return NumberExercise(
        **common,
        reference=fields.text("reference", "") or "",
        params=_generators(fields, "params"),
        formula=fields.text("formula"),
        tolerance=_tolerance(fields, Tolerance(rel=1e-3)),
        distinct_from=[tag for tag in distinct_from if tag in tags],
        accept=fields.text_list("accept"),
    )


def _formula(fields: Fields, common: dict) -> FormulaExercise:
    from tutor.symbolic.forms import forbid_problem, requirement_problem

    require = fields.text_list("require")
    forbid = fields.text_list("forbid")
    for key, entries, problem_of in (
        ("require", require, requirement_problem),
        ("forbid", forbid, forbid_problem),
    ):
        for entry in entries:
            problem = problem_of(entry)
            if problem:
                fields.problem(key, problem)
    return FormulaExercise(
        **common,
        answer=fields.text("answer", "") or "",
        symbols=build_symbols(fields, "symbols"),
        check=fields.text("check"),
        require=[r for r in require if not requirement_problem(r)],
        forbid=[f for f in forbid if not forbid_problem(f)],
    )


def build_symbols(fields: Fields, key: str) -> dict[str, SymbolSpec]:
    """`name: {kind, size, range, description}` (or `name: kind`) into SymbolSpecs."""
    data = fields.mapping(key)
    if data is None:
        return {}
    kinds = [kind.value for kind in SymbolKind]
    symbols: dict[str, SymbolSpec] = {}
    for name, spec in data.items():
        where = fields.sub(data, key)
        if not name.isidentifier():
            where.problem(name, _("`{name}` is not a valid symbol name").format(name=name))
            continue
        if isinstance(spec, str):
            spec_fields = None
            kind_text, size, low, high, description = spec, None, None, None, ""
        elif isinstance(spec, LineDict):
            spec_fields = fields.sub(spec, _("symbol `{name}`").format(name=name))
            spec_fields.check_keys({"kind", "size", "range", "description"}, {"kind"})
            kind_text = str(spec.get("kind", ""))
            size = spec.get("size")
            description = spec_fields.text("description", "") or ""
            low = high = None
            bounds = spec.get("range")
            if bounds is not None:
                numbers = [as_number(b) for b in bounds] if isinstance(bounds, list) else []
                if len(numbers) != 2 or None in numbers or numbers[0] >= numbers[1]:
                    spec_fields.problem("range", _("`range` must be `[low, high]` with low < high"))
                else:
                    low, high = numbers
        else:
            where.problem(
                name, _("symbol `{name}` must be a kind or a mapping with `kind`").format(name=name)
            )
            continue
        if kind_text not in kinds:
            where.problem(
                name,
                joined(
                    _("unknown symbol kind `{kind}`").format(kind=kind_text)
                    + did_you_mean(kind_text, kinds),
                    _("known kinds: {kinds}").format(kinds=", ".join(kinds)),
                ),
            )
            continue
        kind = SymbolKind(kind_text)
        if kind in SIZED_KINDS:
            if size is None:
                where.problem(
                    name,
                    _("symbol `{name}` of kind {kind} needs a `size`").format(
                        name=name, kind=kind.value
                    ),
                )
            elif isinstance(size, bool) or not (
                (isinstance(size, int) and size >= 1)
                or (isinstance(size, str) and size.isidentifier())
            ):
                (spec_fields or where).problem(
                    "size" if spec_fields else name,
                    _("`size` must be a number >= 1 or a size name like K"),
                )
                size = None
        symbols[name] = SymbolSpec(name, kind, size, low, high, description)
    return symbols


def _code(fields: Fields, common: dict) -> CodeExercise:
    edge_cases: list[dict[str, str]] = []
    items = fields.sequence("edge_cases")
    for index, item in enumerate(items or []):
        if not isinstance(item, LineDict) or not all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in item.values()
        ):
            fields.problems.append(
                (
                    fields.base_line + items.line_of(index) - 1,
                    _(
                        "an edge case is a mapping of argument name to generator text"
                        ' (inside `{…}`, quote texts with commas: `logits: "randn(3, 6)"`)'
                    ),
                )
            )
            continue
        edge_cases.append({name: str(value) for name, value in item.items()})
    entry = fields.text("entry", "") or ""
    if entry and not entry.isidentifier():
        fields.problem(
            "entry", _("`entry` must be a function name, not `{entry}`").format(entry=entry)
        )
    args = _generators(fields, "args")
    for case in edge_cases:
        if args and set(case) != set(args):
            fields.problem(
                "edge_cases", _("each edge case must give exactly the arguments in `args`")
            )
            break
    return CodeExercise(
        **common,
        entry=entry,
        reference=fields.text("reference", "") or "",
        starter=fields.text("starter", "") or "",
        args=args,
        cases=fields.integer("cases", 1, minimum=1),
        edge_cases=edge_cases,
        compare=fields.text("compare", "result") or "result",
        tolerance=_tolerance(fields, Tolerance(rel=1e-5, abs=1e-6)),
        forbid=fields.text_list("forbid"),
        raises=_exception_name(fields),
    )


def _exception_name(fields: Fields) -> str | None:
    """`raises: ValueError`: a Python exception class name, as Python prints it."""
    name = fields.text("raises")
    if name is not None and not name.isidentifier():
        fields.problem(
            "raises",
            _("`raises` is an exception's name, like ValueError, not `{name}`").format(name=name),
        )
        return None
    return name


def _predict(fields: Fields, common: dict) -> PredictExercise:
    return PredictExercise(
        **common,
        code=fields.text("code", "") or "",
        params=_generators(fields, "params"),
        accept=fields.text_list("accept"),
    )


def _check_placeholders(fields: Fields, exercise: Exercise) -> None:
    """`{name}` in a prompt must name a parameter (math spans are left alone)."""
    names = set(getattr(exercise, "params", {}) or {}) | set(getattr(exercise, "args", {}) or {})
    prose = MATH_SPAN.sub("", exercise.prompt)
    for name in PLACEHOLDER.findall(prose):
        if name not in names:
            fields.problem(
                "prompt",
                _("the prompt shows `{{{name}}}` but there is no parameter `{name}`").format(
                    name=name
                )
                + did_you_mean(name, names),
            )


def build_derivation(data: LineDict, path: Path, base_line: int) -> tuple[Derivation, Problems]:
    fields = Fields(data, base_line, _("derivation"))
    fields.check_keys({"use", "title", "steps", "symbols"})
    derivation = Derivation(
        location=Location(path, fields.line()),
        use=fields.text("use"),
        title=fields.text("title", "") or "",
        symbols=build_symbols(fields, "symbols"),
    )
    items = fields.sequence("steps")
    if (derivation.use is None) == (items is None):
        fields.problem(None, _("a derivation has either `use: NAME` or its own `steps`, not both"))
    for index, item in enumerate(items or []):
        if not isinstance(item, LineDict):
            fields.problems.append(
                (
                    fields.base_line + items.line_of(index) - 1,
                    _("a step is a mapping: expr, reason"),
                )
            )
            continue
        sub = fields.sub(item, _("derivation step"))
        sub.check_keys({"expr", "reason"}, {"expr"} if index == 0 else {"expr", "reason"})
        derivation.steps.append(
            DerivationStep(
                expr=sub.text("expr", "") or "",
                reason=sub.text("reason", "") or "",
                location=Location(path, sub.line()),
            )
        )
    if items is not None and len(items) < 2:
        fields.problem("steps", _("a derivation needs at least two steps"))
    return derivation, fields.problems


def build_plot(data: LineDict, path: Path, base_line: int) -> tuple[Plot, Problems]:
    fields = Fields(data, base_line, _("plot"))
    fields.check_keys({"x", "y", "range", "title", "labels"}, {"y", "range"})
    y = data.get("y")
    curves = [str(item) for item in y] if isinstance(y, list) else ([str(y)] if y else [])
    if "y" in data and not curves:
        fields.problem("y", _("`y` must be an expression or a list of expressions"))
    bounds = data.get("range")
    numbers = [as_number(b) for b in bounds] if isinstance(bounds, list) else []
    span = (0.0, 1.0)
    if "range" in data:
        if len(numbers) != 2 or None in numbers or numbers[0] >= numbers[1]:
            fields.problem("range", _("`range` must be `[low, high]` with low < high"))
        else:
            span = (numbers[0], numbers[1])
    labels = fields.text_list("labels")
    if labels and len(labels) != len(curves):
        fields.problem(
            "labels",
            _("{labels} labels for {curves} curves").format(labels=len(labels), curves=len(curves)),
        )
    x = fields.text("x", "x") or "x"
    if not x.isidentifier():
        fields.problem("x", _("`x` must be a variable name, not `{x}`").format(x=x))
    return (
        Plot(
            location=Location(path, fields.line()),
            x=x,
            y=curves,
            range=span,
            title=fields.text("title", "") or "",
            labels=labels,
        ),
        fields.problems,
    )
