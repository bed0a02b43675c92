"""What the app imports before its first frame: the start a learner waits for.

Timing lives in `ce-tutor bench`; this guards the causes found there. Each
of these cost the first frame tens of milliseconds when it crept in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PACK = Path(__file__).parent / "pack"
START = f"""
import json, sys
from tutor.cli import _open_pack
from tutor.app.tutor_app import TutorApp
from tutor.app.screens.home import HomeScreen
_open_pack({str(PACK)!r})
print(json.dumps(sorted(sys.modules)))
"""


def _modules_at_start(home: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", START],
        capture_output=True,
        text=True,
        timeout=120,
        env={"CE_TUTOR_HOME": str(home), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_a_learners_usual_start_imports_no_yaml_editor_sympy_or_torch(tmp_path) -> None:
    first = _modules_at_start(tmp_path)  # a new learner: the pack is parsed, then cached
    assert "yaml" in first
    usual = _modules_at_start(tmp_path)
    heavy = {"yaml", "packaging", "tutor.pack.loader", "textual.widgets._text_area"}
    heavy |= {"sympy", "torch", "numpy"}
    assert not heavy & usual, sorted(heavy & usual)
