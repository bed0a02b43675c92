import pytest

from tutor.grading.sandbox import Limits, Sandbox


@pytest.fixture(scope="session")
def sandbox():
    """One fork server per test process: it pays torch's import once."""
    box = Sandbox(limits=Limits(cpu_seconds=1, wall_seconds=3.0))
    box.start()
    yield box
    box.close()
