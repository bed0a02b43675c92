"""The layers point one way; heavy engines stay off the app's start path."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_core_layers_do_not_import_textual() -> None:
    loaded = _modules_after(
        "import tutor.pack.loader, tutor.grading, tutor.grading.choice, tutor.progress.store, tutor.cli"
    )
    assert "textual" not in loaded


def test_starting_the_app_imports_neither_torch_nor_sympy() -> None:
    loaded = _modules_after("import tutor.cli, tutor.app.tutor_app, tutor.pack.loader")
    assert "textual" in loaded
    assert "torch" not in loaded and "sympy" not in loaded
