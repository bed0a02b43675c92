"""Packs installed as distributions are found through the `ce_tutor.packs` entry point."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.pack.helpers import CLEAN_LESSON, write_pack
from tutor.pack.discovery import ENTRY_POINT_GROUP, installed_packs
from tutor.pack.loader import load_pack


def _fake_distribution(site: Path, entry: str) -> None:
    """What `pip install course-pack` leaves in site-packages: the package and its dist-info."""
    write_pack(site / "course_pack", {"01-tiny.md": CLEAN_LESSON})
    (site / "course_pack" / "__init__.py").write_text(
        "from pathlib import Path\n\ndef pack_dir():\n    return Path(__file__).parent\n"
    )
    info = site / "course_pack-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: course-pack\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{entry}\n")


def test_an_installed_distribution_registering_a_pack_is_found(tmp_path, monkeypatch) -> None:
    site = tmp_path / "site"
    _fake_distribution(site, "course = course_pack:pack_dir")
    monkeypatch.syspath_prepend(str(site))
    found = {source.name: source for source in installed_packs()}
    assert "built-in" in found
    course = found["course"]
    assert course.root == site / "course_pack"
    assert course.origin == "entry point course-pack"
    pack, errors = load_pack(course.root)
    assert errors == [] and pack.id == "test-pack"
    sys.modules.pop("course_pack", None)


def test_a_module_entry_point_and_a_broken_one(tmp_path, monkeypatch) -> None:
    site = tmp_path / "site"
    _fake_distribution(site, "course = course_pack\nbroken = no_such_module_here")
    monkeypatch.syspath_prepend(str(site))
    names = [source.name for source in installed_packs()]
    assert "course" in names  # a module: its folder holds pack.toml
    assert "broken" not in names  # a broken third-party pack does not stop the tutor
    sys.modules.pop("course_pack", None)
