"""The LaTeX side of the reader: `-\\sum_i p_i \\log q_i` into the same formula tree.

A small recursive-descent parser over the LaTeX learners actually type for
this subject: `\\sum_i` (limits are read and ignored: a sum runs over every
entry), `\\frac`, `\\log`, `\\log_2`, `\\ln`, `\\exp`, `e^{…}`, `\\sqrt`,
`\\cdot`, `\\times`, `\\left( … \\right)`, `\\mathrm{softmax}(z)`, greek
letters naming declared symbols, juxtaposition as multiplication, and
subscripts as indices. Inside `\\sum_i`, `p_i` is the vector `p` taken
elementwise, so `\\sum_i p_i \\log q_i` reads exactly as `sum(p*log(q))`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from tutor.symbolic.domain import SymbolKind
from tutor.symbolic.reader import (
    MAX_DEPTH,
    MAX_NODES,
    ReadError,
    check_literal,
    check_power,
    suggest,
    unknown_name,
)
from tutor.symbolic.tree import ALIASES, FUNCTIONS, Bin, Call, Index, Neg, Node, Sym

_TOKEN = re.compile(
    r"(?P<cmd>\\[A-Za-z]+|\\.)|(?P<num>\d+(?:\.\d+)?|\.\d+)|(?P<letter>[A-Za-z])"
    r"|(?P<space>\s+)|(?P<op>[{}()\[\]_^+\-*/,=|'!<>&.:;])"
)
_SPACING = {"\\,", "\\;", "\\!", "\\:", "\\ ", "\\quad", "\\qquad", "\\displaystyle", "\\limits"}
_FUNCTION_COMMANDS = {"\\log": "log", "\\ln": "log", "\\exp": "exp", "\\max": "max"}
_NAME_COMMANDS = {"\\mathrm", "\\operatorname", "\\text", "\\textrm", "\\mathit", "\\mathbf"}
_TIMES = {"\\cdot", "\\times", "*"}
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
            raise ReadError(f"the character `{text[pos]}` at column {col} is not understood", col)
        kind = match.lastgroup or ""
        value = match.group()
        if kind != "space" and value not in _SPACING:
            tokens.append(_Token(kind, value, pos + 1))
        pos = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


def read_latex(text: str, table) -> Node:
    parser = _Parser(_tokenize(text), table)
    node = parser.expr()
    token = parser.peek()
    if token.kind != "end":
        what = "`=`: write only the right-hand side" if token.text == "=" else f"`{token.text}`"
        raise ReadError(f"unexpected {what} at column {token.col}", token.col)
    return node


class _Parser:
    def __init__(self, tokens: list[_Token], table) -> None:
        self.tokens = tokens
        self.pos = 0
        self.table = table
        self.bound: list[str] = []  # indices bound by enclosing \sum
        self.used: list[set[str]] = []  # which bound indices each open \sum's body used
        self.depth = 0
        self.nodes = 0

    # -- token helpers --
    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.pos += 1
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ReadError(f"the formula is too long (more than {MAX_NODES} parts)", token.col)
        return token

    def expect(self, text: str) -> _Token:
        token = self.peek()
        if token.text != text:
            found = "the end" if token.kind == "end" else f"`{token.text}`"
            raise ReadError(f"expected `{text}` at column {token.col}, found {found}", token.col)
        return self.take()

    def enter(self, col: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ReadError(f"the formula is nested more than {MAX_DEPTH} deep", col)

    # -- grammar --
    def expr(self) -> Node:
        self.enter(self.peek().col)
        node = self.signed_product()
        while self.peek().text in ("+", "-"):
            op = self.take()
            node = Bin(op.text, node, self.product(), op.col)
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
        return token.kind == "cmd" and token.text not in ("\\right", "\\}", "\\|", "\\to")

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

    def sum(self) -> Node:
        start = self.take()
        index = None
        if self.peek().text == "_":
            self.take()
            index = self.index_of_sum(start.col)
        if self.peek().text == "^":
            self.take()
            self.group_tokens()  # the upper limit: a sum runs over every entry
        if index is None:
            raise ReadError(f"write the index of the sum at column {start.col}: \\sum_i", start.col)
        self.bound.append(index)
        self.used.append(set())
        self.enter(start.col)
        body = self.product()
        self.depth -= 1
        used = self.used.pop()
        self.bound.pop()
        if index not in used:
            raise ReadError(
                f"the sum over `{index}` at column {start.col} does not use `{index}`", start.col
            )
        if used - {index}:
            raise ReadError(
                f"sums over two indices at once (column {start.col}) are not supported: "
                "write the inner sum on its own",
                start.col,
            )
        return Call("sum", (body,), start.col)

    def index_of_sum(self, col: int) -> str:
        tokens = self.group_tokens()
        letters = [t for t in tokens if t.kind == "letter"]
        if not letters or tokens[0].kind != "letter":
            raise ReadError(f"write the index of the sum at column {col}: \\sum_i", col)
        return tokens[0].text

    def group_tokens(self) -> list[_Token]:
        """The tokens of a `{…}` group, or of a single token."""
        if self.peek().text != "{":
            return [self.take()]
        self.take()
        tokens, depth = [], 1
        while True:
            token = self.take()
            if token.kind == "end":
                raise ReadError(f"a `{{` is not closed (column {token.col})", token.col)
            depth += token.text == "{"
            depth -= token.text == "}"
            if depth == 0:
                return tokens
            tokens.append(token)

    def function(self, name: str, col: int) -> Node:
        if self.peek().text == "_":  # \log_2
            self.take()
            base = "".join(t.text for t in self.group_tokens())
            if name != "log" or base not in ("2", "e"):
                raise ReadError(f"only \\log_2 and \\log_e are understood (column {col})", col)
            name = "log2" if base == "2" else "log"
        args = self.arguments() if self.peek().text in ("(", "\\left") else [self.factor()]
        low, high = FUNCTIONS[name]
        if not low <= len(args) <= high:
            raise ReadError(f"`{name}` at column {col} takes {low} argument(s)", col)
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
        if token.text == "\\frac" or token.text == "\\dfrac" or token.text == "\\tfrac":
            self.take()
            numerator = self.braced()
            return Bin("/", numerator, self.braced(), token.col)
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
            raise ReadError(f"the formula ends too early (column {token.col})", token.col)
        raise ReadError(f"`{token.text}` at column {token.col} is not understood", token.col)

    def braced(self) -> Node:
        if self.peek().text != "{":
            return self.postfix(self.atom())
        self.take()
        node = self.expr()
        self.expect("}")
        return node

    def bracketed(self) -> Node:
        left = self.take()
        if left.text == "\\left":
            opener = self.take()
            closer = {"(": ")", "[": "]", "\\{": "\\}", "|": "|"}.get(opener.text)
            if closer is None:
                raise ReadError(f"`\\left{opener.text}` at column {left.col} is not understood", 0)
            node = self.expr()
            self.expect("\\right")
            self.expect(closer)
            return Call("abs", (node,), left.col) if closer == "|" else node
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
                end > 1 and (candidate in FUNCTIONS or candidate in ALIASES)
            ):
                for _ in range(end):
                    self.take()
                return self.named(candidate, start.col)
        self.take()
        return self.named(start.text, start.col)

    def named(self, word: str, col: int) -> Node:
        name = ALIASES.get(word, word)
        if name in FUNCTIONS and name not in self.table.specs:
            return self.function(name, col)
        if self.peek().text == "_":  # a declared name with an underscore: l_{pos}
            sub = self.peek(1)
            group = [sub] if sub.text != "{" else self.lookahead_group()
            joined = f"{word}_{''.join(t.text for t in group)}"
            if joined in self.table.specs:
                self.take()
                self.group_tokens()
                return Sym(joined, col)
        if name in self.table.specs:
            return Sym(name, col)
        if name == "e":
            return Sym("\x00e", col)  # Euler's number; only meaningful under ^
        if name in self.bound:
            raise ReadError(f"the index `{name}` at column {col} stands alone", col)
        raise unknown_name(word, col, self.table)

    def lookahead_group(self) -> list[_Token]:
        tokens, ahead = [], 2
        while self.peek(ahead).text not in ("}",) and self.peek(ahead).kind != "end":
            tokens.append(self.peek(ahead))
            ahead += 1
        return tokens

    def greek(self, letter: str, col: int) -> Node:
        for candidate in (letter, _GREEK[letter], *_GREEK_ALIASES.get(letter, ())):
            if self.peek().text == "_":  # \ell_{pos} naming a declared l_pos
                sub = self.peek(1)
                group = [sub] if sub.text != "{" else self.lookahead_group()
                joined = f"{candidate}_{''.join(t.text for t in group)}"
                if joined in self.table.specs:
                    self.take()
                    self.group_tokens()
                    return Sym(joined, col)
            if candidate in self.table.specs:
                return Sym(candidate, col)
        if letter == "sigma":
            return self.function("sigmoid", col)
        names = self.table.names()
        raise ReadError(
            f"`\\{letter}` at column {col} is not a declared symbol"
            + (suggest(letter, names) or f" (the symbols here are: {', '.join(names)})"),
            col,
        )

    def postfix(self, node: Node) -> Node:
        while self.peek().text in ("_", "^"):
            token = self.take()
            if token.text == "_":
                node = self.subscript(node, token.col)
            else:
                exponent = self.braced() if self.peek().text == "{" else self.atom()
                if isinstance(node, Sym) and node.name == "\x00e":
                    node = Call("exp", (exponent,), node.col)
                else:
                    node = check_power(node, exponent, token.col)
        if isinstance(node, Sym) and node.name == "\x00e":
            raise ReadError(
                f"`e` at column {node.col} is not a declared symbol (write e^{{x}} for exp)",
                node.col,
            )
        return node

    def subscript(self, node: Node, col: int) -> Node:
        tokens = self.group_tokens()
        if len(tokens) != 1:
            text = "".join(t.text for t in tokens)
            raise ReadError(f"the subscript `{text}` at column {col} is not understood", col)
        sub = tokens[0]
        if sub.kind == "num":
            return Index(node, check_literal(Fraction(sub.text), sub.col), col)
        if sub.kind != "letter":
            raise ReadError(f"the subscript `{sub.text}` at column {col} is not understood", col)
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
            f"the index `{sub.text}` at column {sub.col} is neither bound by a \\sum "
            "nor a declared class index",
            sub.col,
        )
