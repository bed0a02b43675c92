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
from tutor.cli import _open_pack, _shared_account_learner
from tutor.class_config import load_class_config
from tutor.app.tutor_app import TutorApp
from tutor.app.screens.home import HomeScreen
load_class_config()  # none on a learner's own machine
_shared_account_learner()
_open_pack({str(PACK)!r})
print(json.dumps(sorted(sys.modules)))
"""


def _modules_at_start(home: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", START],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "CE_TUTOR_HOME": str(home),
            "CE_TUTOR_CLASS_CONFIG": str(home / "no-class.toml"),  # a learner's own machine
            "PATH": "/usr/bin:/bin",
        },
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_a_learners_usual_start_imports_no_yaml_editor_sympy_or_torch(tmp_path) -> None:
    first = _modules_at_start(tmp_path)  # a new learner: the pack is parsed, then cached
    assert "yaml" in first
    usual = _modules_at_start(tmp_path)
    heavy = {"yaml", "packaging", "tutor.pack.loader", "textual.widgets._text_area"}
    heavy |= {"sympy", "torch", "numpy"}
    # a class's peer checks (hmac, pwd, the protocol) and a TOML reader with no class config
    heavy |= {"tutor.grading.peer", "tomllib"}
    assert not heavy & usual, sorted(heavy & usual)
