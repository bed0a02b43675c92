"""The fault-injection corpus of `benchmarks/validate_faults.py` stays well formed (issue 15)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "benchmarks" / "validate_faults.py"


def _corpus():
    spec = importlib.util.spec_from_file_location("validate_faults", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


def test_at_least_25_distinct_faults_each_injectable_once() -> None:
    corpus = _corpus()
    names = [fault.name for fault in corpus.FAULTS]
    assert len(names) >= 25 and len(set(names)) == len(names)
    for fault in corpus.FAULTS:
        assert corpus.CLEAN.count(fault.old) == 1, fault.name
        text = corpus.CLEAN.replace(fault.old, fault.new)
        assert corpus._line(text, fault.at, fault.occurrence) is not None, fault.name


def test_a_few_faults_are_caught_at_their_line(tmp_path: Path, monkeypatch) -> None:
    """The cheap ones (no sandbox); the benchmark runs them all."""
    corpus = _corpus()
    root = tmp_path / "pack"
    root.mkdir()
    (root / "pack.toml").write_text('id = "faults"\ntitle = "Faults"\n', encoding="utf-8")
    for name in ("fence-misspelt", "latex-unknown-macro", "yaml-anchor", "misspelt-key"):
        fault = next(f for f in corpus.FAULTS if f.name == name)
        text = corpus.CLEAN.replace(fault.old, fault.new)
        (root / "01.md").write_text(text, encoding="utf-8")
        from tutor.pack.loader import load_pack
        from tutor.pack.text_checks import text_problems

        pack, errors = load_pack(root)
        lines = {e.line for e in errors} | {line for _, line, _ in text_problems(pack)}
        assert corpus._line(text, fault.at, fault.occurrence) in lines, name
