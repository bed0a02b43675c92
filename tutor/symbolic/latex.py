"""The LaTeX side of the reader: `-\\sum_i p_i \\log q_i` into the same formula tree.

A small recursive-descent parser over the LaTeX learners actually type for
this subject: `\\sum_i` and `\\sum_{x \\in \\mathcal{X}}` (every entry),
`\\sum_{c=1}^{C}` (bounds honoured: 1..C and 0..C-1 are every entry, any
other range is a partial sum, see `read_latex_formula`), `\\sum_{j \\neq y}`,
`a_1 + \\cdots + a_K`, `\\max_i z_i`, `p(x)` and `p[j]` for entries, `|x|`,
`\\pi` and `e`, `\\frac`, `\\log`, `\\log_2`, `\\ln`, `\\exp`, `e^{…}`, `\\sqrt`,
`\\cdot`, `\\times`, `\\left( … \\right)`, `\\mathrm{softmax}(z)`, greek
letters naming declared symbols, juxtaposition as multiplication, and
subscripts as indices. Inside `\\sum_i`, `p_i` is the vector `p` taken
elementwise, so `\\sum_i p_i \\log q_i` reads exactly as `sum(p*log(q))`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from tutor.i18n import _
from tutor.symbolic.domain import SymbolKind
from tutor.symbolic.latex_sums import ELLIPSES, Reading, SumsMixin
from tutor.symbolic.reader import (
    MAX_DEPTH,
    MAX_NODES,
    ReadError,
    check_literal,
    check_power,
    suggest,
    unknown_name,
)
from tutor.symbolic.tree import (
    ALIASES,
    FUNCTIONS,
    Bin,
    Call,
    Const,
    Index,
    Neg,
    Node,
    Sym,
)

_TOKEN = re.compile(
    r"(?P<cmd>\\[A-Za-z]+|\\.)|(?P<num>\d+(?:\.\d+)?|\.\d+)|(?P<letter>[A-Za-z])"
    r"|(?P<space>\s+)|(?P<op>[{}()\[\]_^+\-*/,=|'!<>&.:;])"
)
_SPACING = {"\\,", "\\;", "\\!", "\\:", "\\ ", "\\quad", "\\qquad", "\\displaystyle", "\\limits"}
_SPACING |= {"\\nolimits", "\\big", "\\Big", "\\bigg", "\\Bigg"}
_FUNCTION_COMMANDS = {"\\log": "log", "\\ln": "log", "\\exp": "exp", "\\max": "max"}
_NAME_COMMANDS = {"\\mathrm", "\\operatorname", "\\text", "\\textrm", "\\mathit", "\\mathbf"}
_TIMES = {"\\cdot", "\\times", "*"}
_GROUPING = {"\\boxed", "\\displaystyle"}
_FRACTIONS = {"\\frac", "\\dfrac", "\\tfrac", "\\cfrac"}
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "phi": "φ", "psi": "ψ", "omega": "ω", "ell": "ℓ",
}  # fmt: skip
_GREEK_ALIASES = {
    "epsilon": ("eps",),
    "varepsilon": ("eps", "epsilon"),
    "tau": ("T",),
    "ell": ("l",),
}


@dataclass
class _Token:
    kind: str
    text: str
    col: int


def _tokenize(text: str) -> list[_Token]:
    tokens = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            col = pos + 1
            raise ReadError(
                _("the character `{char}` at column {col} is not understood").format(
                    char=text[pos], col=col
                ),
                col,
            )
        kind = match.lastgroup or ""
        value = match.group()
        if kind != "space" and value not in _SPACING:
            tokens.append(_Token(kind, value, pos + 1))
        pos = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


def read_latex(text: str, table, base: int = 0) -> Node:
    """The tree of `text`, entries named by numbers counted from `base`."""
    return _read(text, table, base)[0]


def _read(text: str, table, base: int) -> tuple[Node, Reading]:
    parser = _Parser(_tokenize(text), table, base)
    node = parser.expr()
    token = parser.peek()
    if token.kind != "end":
        if token.text == "=":
            what = _("unexpected `=` at column {col}: write only the right-hand side")
        else:
            what = _("unexpected `{text}` at column {col}")
        raise ReadError(what.format(text=token.text, col=token.col), token.col)
    return node, parser.reading


def read_latex_formula(text: str, table) -> tuple[Node, int | None, Node | None, tuple[str, ...]]:
    """(tree, base, alternative, notes): sum bounds honoured, never silently widened.

    Entries are counted from 0 unless the formula says otherwise: bounds
    `1..C` (or a partial sum ending at `C`) count from 1, `0..C-1` (or any
    range from 0, or an entry `z_0`) from 0, and the whole formula is read
    that way (so `z_1` under `\\sum_{c=1}^{C}` is the first entry). A formula
    that says both is refused. A partial sum that says neither
    (`\\sum_{c=1}^{C-1}`) is read both ways: `alternative` is the reading
    from 0, and the grader accepts only an answer right in both.
    """
    tree, reading = _read(text, table, 0)
    if len(reading.pins) > 1:
        raise ReadError(
            _(
                "this formula counts entries from 0 ({from0}) and from 1 ({from1}): "
                "write every index the same way"
            ).format(from0=reading.pins[0], from1=reading.pins[1]),
            0,
        )
    base = next(iter(reading.pins), None)
    notes: tuple[str, ...] = ()
    alternative = None
    if base == 1 and (reading.partial or reading.numbered):
        tree, reading = _read(text, table, 1)
    elif base is None and reading.partial:
        alternative = tree  # counted from 0
        tree, reading = _read(text, table, 1)
        notes = (
            _(
                "{bounds}: these bounds could count entries from 0 or from 1, "
                "so both readings were checked"
            ).format(bounds=_("; ").join(reading.bounded)),
        )
    if base is not None and reading.bounded:
        notes = (
            _("{bounds}, entries counted from {base}").format(
                bounds=_("; ").join(reading.bounded), base=base
            ),
        )
    return tree, base, alternative, notes


class _Parser(SumsMixin):
    def __init__(self, tokens: list[_Token], table, base: int = 0) -> None:
        self.tokens = tokens
        self.pos = 0
        self.table = table
        self.base = base  # entries named by numbers are counted from this
        self.bound: list[str] = []  # indices bound by enclosing \sum
        self.used: list[set[str]] = []  # which bound indices each open \sum's body used
        self.depth = 0
        self.nodes = 0
        self.series = False  # reading the last term of `a_1 + \cdots + a_K`
        self.reading = Reading({}, False, False, [])

    # -- token helpers --
    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.pos += 1
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ReadError(
                _("the formula is too long (more than {most} parts)").format(most=MAX_NODES),
                token.col,
            )
        return token

    def expect(self, text: str) -> _Token:
        token = self.peek()
        if token.text != text:
            found = _("the end") if token.kind == "end" else f"`{token.text}`"
            raise ReadError(
                _("expected `{text}` at column {col}, found {found}").format(
                    text=text, col=token.col, found=found
                ),
                token.col,
            )
        return self.take()

    def enter(self, col: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ReadError(
                _("the formula is nested more than {most} deep").format(most=MAX_DEPTH), col
            )

    def expr(self) -> Node:
        self.enter(self.peek().col)
        node = self.signed_product()
        last: Node | None = node  # the last term, while every term so far was added
        while self.peek().text in ("+", "-"):
            op = self.take()
            if self.peek().text in ELLIPSES or self.dots_ahead():
                node = self.series_sum(node, last, op)
                last = None
                continue
            term = self.product()
            node = Bin(op.text, node, term, op.col)
            last = term if op.text == "+" else None
        self.depth -= 1
        return node

    def signed_product(self) -> Node:
        token = self.peek()
        if token.text == "-":
            self.take()
            return Neg(self.product(), token.col)
        if token.text == "+":
            self.take()
        return self.product()

    def starts_factor(self, token: _Token) -> bool:
        if token.kind in ("num", "letter"):
            return True
        if token.text in ("(", "{", "[", "\\left", "\\{"):
            return True
        return token.kind == "cmd" and token.text not in _NOT_FACTORS

    def product(self) -> Node:
        node = self.factor()
        while True:
            token = self.peek()
            if token.text in _TIMES:
                self.take()
                node = Bin("*", node, self.factor(), token.col)
            elif token.text == "/":
                self.take()
                node = Bin("/", node, self.factor(), token.col)
            elif self.starts_factor(token) and token.text not in _TIMES:
                node = Bin("*", node, self.factor(), token.col)
            else:
                return node

    def factor(self) -> Node:
        token = self.peek()
        if token.text == "-":
            self.take()
            return Neg(self.factor(), token.col)
        if token.text == "\\sum":
            return self.sum()
        if token.text in _FUNCTION_COMMANDS:
            return self.function(_FUNCTION_COMMANDS[self.take().text], token.col)
        return self.postfix(self.atom())

    # -- sums --
    def group_tokens(self) -> list[_Token]:
        """The tokens of a `{…}` group, or of a single token."""
        if self.peek().text != "{":
            return [self.take()]
        self.take()
        tokens, depth = [], 1
        while True:
            token = self.take()
            if token.kind == "end":
                raise ReadError(
                    _("a `{brace}` is not closed (column {col})").format(brace="{", col=token.col),
                    token.col,
                )
            depth += token.text == "{"
            depth -= token.text == "}"
            if depth == 0:
                return tokens
            tokens.append(token)

    def function(self, name: str, col: int) -> Node:
        if name == "max" and self.peek().text == "_":  # \max_i z_i: the largest entry
            self.take()
            index = self.index_of_sum(col)
            self.bound.append(index)
            self.used.append(set())
            body = self.factor()
            used = self.used.pop()
            self.bound.pop()
            if used != {index}:
                raise ReadError(
                    _("the max over `{index}` at column {col} does not use it").format(
                        index=index, col=col
                    ),
                    col,
                )
            return self.postfix(Call("max", (body,), col))
        if self.peek().text == "_":  # \log_2
            self.take()
            base = "".join(t.text for t in self.group_tokens())
            if name != "log" or base not in ("2", "e"):
                raise ReadError(
                    _("only {log2} and {loge} are understood (column {col})").format(
                        log2="\\log_2", loge="\\log_e", col=col
                    ),
                    col,
                )
            name = "log2" if base == "2" else "log"
        args = self.arguments() if self.peek().text in ("(", "\\left") else [self.factor()]
        low, high = FUNCTIONS[name]
        if not low <= len(args) <= high:
            raise ReadError(
                _("`{name}` at column {col} takes {count} argument(s)").format(
                    name=name, col=col, count=low
                ),
                col,
            )
        return self.postfix(Call(name, tuple(args), col))

    def arguments(self) -> list[Node]:
        left = self.take()
        if left.text == "\\left":
            self.expect("(")
        args = [self.expr()]
        while self.peek().text == ",":
            self.take()
            args.append(self.expr())
        if left.text == "\\left":
            self.expect("\\right")
        self.expect(")")
        return args

    def atom(self) -> Node:
        token = self.peek()
        if token.kind == "num":
            self.take()
            return check_literal(Fraction(token.text), token.col)
        if token.kind == "letter":
            return self.letters()
        if token.text in ("(", "\\left", "{", "[", "\\{"):
            return self.bracketed()
        if token.text in ("|", "\\lvert", "\\vert"):
            self.take()
            node = self.expr()
            closer = self.take()
            if closer.text not in ("|", "\\rvert", "\\vert"):
                raise ReadError(
                    _("a `|` at column {col} is not closed").format(col=token.col), token.col
                )
            return Call("abs", (node,), token.col)
        if token.text in _FRACTIONS:
            self.take()
            numerator = self.braced()
            return Bin("/", numerator, self.braced(), token.col)
        if token.text in _GROUPING:
            self.take()
            return self.braced()
        if token.text == "\\sqrt":
            self.take()
            return Call("sqrt", (self.braced(),), token.col)
        if token.text in _NAME_COMMANDS:
            self.take()
            word = "".join(t.text for t in self.group_tokens())
            return self.named(word.replace("\\_", "_"), token.col)
        if token.kind == "cmd" and token.text[1:] in _GREEK:
            self.take()
            return self.greek(token.text[1:], token.col)
        if token.kind == "end":
            raise ReadError(
                _("the formula ends too early (column {col})").format(col=token.col), token.col
            )
        raise ReadError(
            _("`{text}` at column {col} is not understood").format(text=token.text, col=token.col),
            token.col,
        )

    def braced(self) -> Node:
        token = self.peek()
        if token.text != "{":
            if token.kind == "num" and len(token.text) > 1 and "." not in token.text:
                # \frac12 is \frac{1}{2}: an argument without braces is one character
                self.tokens[self.pos] = _Token("num", token.text[1:], token.col + 1)
                return check_literal(Fraction(token.text[0]), token.col)
            return self.postfix(self.atom())
        self.take()
        node = self.expr()
        self.expect("}")
        return node

    def bracketed(self) -> Node:
        left = self.take()
        if left.text == "\\left":
            opener = self.take()
            closer = {"(": ")", "[": "]", "\\{": "\\}", "|": "|", "\\lvert": "\\rvert"}.get(
                opener.text
            )
            if closer is None:
                raise ReadError(
                    _("`{text}` at column {col} is not understood").format(
                        text="\\left" + opener.text, col=left.col
                    ),
                    0,
                )
            node = self.expr()
            self.expect("\\right")
            self.expect(closer)
            return Call("abs", (node,), left.col) if closer in ("|", "\\rvert") else node
        closer = {"(": ")", "{": "}", "[": "]", "\\{": "\\}"}[left.text]
        node = self.expr()
        self.expect(closer)
        return node

    def letters(self) -> Node:
        """A run of letters: the longest declared name or function name, else one letter."""
        start = self.peek()
        run = [start]
        while self.peek(len(run)).kind == "letter" and self.peek(len(run)).col == run[-1].col + 1:
            run.append(self.peek(len(run)))
        word = "".join(t.text for t in run)
        for end in range(len(word), 0, -1):
            candidate = word[:end]
            if candidate in self.table.specs or (
                end > 1 and (candidate in FUNCTIONS or candidate in ALIASES or candidate == "pi")
            ):
                for _step in range(end):
                    self.take()
                return self.named(candidate, start.col)
        self.take()
        return self.named(start.text, start.col)

    def named(self, word: str, col: int) -> Node:
        name = ALIASES.get(word, word)
        if name in FUNCTIONS and name not in self.table.specs:
            return self.function(name, col)
        joined = self.joined_name(word)
        if joined is not None:
            return Sym(joined, col)
        if name in self.table.specs:
            return Sym(name, col)
        if name in ("e", "pi"):
            return Const(name, col)  # Euler's number, π: not declared as symbols here
        if name in self.bound:
            raise ReadError(
                _("the index `{name}` at column {col} stands alone").format(name=name, col=col), col
            )
        raise unknown_name(word, col, self.table)

    def joined_name(self, word: str) -> str | None:
        """A declared name with an underscore, `l_{pos}` or `y_{\\text{true}}`: consumed."""
        if self.peek().text != "_":
            return None
        sub = self.peek(1)
        if sub.text == "{":
            group = self.lookahead_group()
        elif sub.text in _NAME_COMMANDS:
            group = [t for t in self.lookahead_group(3) if t.text not in "{}"]
        else:
            group = [sub]
        joined = f"{word}_{''.join(t.text for t in group if t.kind in ('letter', 'num'))}"
        if joined not in self.table.specs:
            return None
        self.take()
        if sub.text in _NAME_COMMANDS:
            self.take()
        self.group_tokens()
        return joined

    def lookahead_group(self, ahead: int = 2) -> list[_Token]:
        """The tokens of the `{…}` group starting `ahead - 1` tokens on, not consumed."""
        tokens, depth = [], 1
        while self.peek(ahead).kind != "end":
            token = self.peek(ahead)
            depth += token.text == "{"
            depth -= token.text == "}"
            if depth == 0:
                break
            tokens.append(token)
            ahead += 1
        return tokens

    def greek(self, letter: str, col: int) -> Node:
        for candidate in (letter, _GREEK[letter], *_GREEK_ALIASES.get(letter, ())):
            joined = self.joined_name(candidate)
            if joined is not None:
                return Sym(joined, col)
            if candidate in self.table.specs:
                return Sym(candidate, col)
        if letter == "sigma":
            return self.function("sigmoid", col)
        if letter == "pi":
            return Const("pi", col)
        names = self.table.names()
        raise ReadError(
            _("`{name}` at column {col} is not a declared symbol").format(
                name="\\" + letter, col=col
            )
            + (
                suggest(letter, names)
                or _(" (the symbols here are: {declared})").format(declared=", ".join(names))
            ),
            col,
        )

    def postfix(self, node: Node) -> Node:
        while True:
            token = self.peek()
            if token.text == "_":
                self.take()
                node = self.subscript(node, token.col)
            elif token.text == "^":
                self.take()
                exponent = self.braced() if self.peek().text == "{" else self.atom()
                node = check_power(node, exponent, token.col)
            elif token.text in ("(", "[") and self.is_vector(node) and self.entry_ahead():
                node = self.argument_entry(node)
            else:
                return node

    def is_vector(self, node: Node) -> bool:
        return isinstance(node, Sym) and self.table.specs[node.name].kind.is_vector

    def entry_ahead(self) -> bool:
        """`p(x)`, `p(x_i)`, `p[j]`, `p[0]`: an entry named in brackets after a vector."""
        opener, first = self.peek(), self.peek(1)
        closer = ")" if opener.text == "(" else "]"
        if first.kind == "num" and opener.text == "[":
            return self.peek(2).text == closer
        if first.kind != "letter":
            return False
        if self.peek(2).text == closer:
            return self.is_index(first.text)
        return (
            self.peek(2).text == "_"
            and first.text not in self.table.specs
            and self.peek(3).kind == "letter"
            and self.is_index(self.peek(3).text)
            and self.peek(4).text == closer
        )

    def is_index(self, name: str) -> bool:
        spec = self.table.specs.get(name)
        return name in self.bound or (spec is not None and spec.kind is SymbolKind.INDEX)

    def argument_entry(self, node: Node) -> Node:
        opener = self.take()
        first = self.take()
        if self.peek().text == "_":  # p(x_i): the outcome x_i is entry i
            self.take()
            first = self.take()
        self.take()  # the closing bracket
        return self.subscript_token(node, first, opener.col)

    def subscript(self, node: Node, col: int) -> Node:
        tokens = self.group_tokens()
        if self.series and self.size_subscript(tokens):
            # the last term of `a_1 + \cdots + a_K`: its index may be a size
            return Index(node, self.bound_node(tokens, col), col)
        if len(tokens) != 1:
            text = "".join(t.text for t in tokens)
            raise ReadError(_subscript_not_understood(text, col), col)
        return self.subscript_token(node, tokens[0], col)

    def size_subscript(self, tokens: list[_Token]) -> bool:
        if len(tokens) > 1:
            return True
        spec = self.table.specs.get(tokens[0].text)
        return spec is not None and spec.kind is SymbolKind.SIZE

    def subscript_token(self, node: Node, sub: _Token, col: int) -> Node:
        if sub.kind == "num":
            return Index(node, self.numbered_entry(sub), col)
        if sub.kind != "letter":
            raise ReadError(_subscript_not_understood(sub.text, col), col)
        if sub.text in self.bound:
            # inside \sum_i, p_i is p taken elementwise
            level = len(self.bound) - 1 - self.bound[::-1].index(sub.text)
            for used in self.used[level:]:
                used.add(sub.text)
            return node
        spec = self.table.specs.get(sub.text)
        if spec is not None and spec.kind is SymbolKind.INDEX:
            return Index(node, Sym(sub.text, sub.col), col)
        raise ReadError(
            _(
                "the index `{index}` at column {col} is neither bound by a {sum} "
                "nor a declared class index"
            ).format(index=sub.text, col=sub.col, sum="\\sum"),
            sub.col,
        )


def _subscript_not_understood(text: str, col: int) -> str:
    return _("the subscript `{text}` at column {col} is not understood").format(text=text, col=col)


_NOT_FACTORS = {"\\right", "\\}", "\\|", "\\to", "\\rvert", "\\vert", *ELLIPSES}
