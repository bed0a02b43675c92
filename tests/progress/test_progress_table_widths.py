"""`ce-tutor progress` lines up Chinese learner names: columns by display width."""

from __future__ import annotations

from tutor.cells import cell_width
from tutor.progress.gradebook import LessonSummary, progress_table


def test_columns_line_up_by_display_width_with_chinese_names() -> None:
    rows = [
        LessonSummary("ada", "entropy", 1, 2, 0.5, 3, 0),
        LessonSummary("王小明", "entropy", 2, 2, 1.0, 2, 1),
        LessonSummary("李四", "交叉熵", 0, 2, 0.0, 0, None),
    ]
    lines = progress_table(rows).splitlines()
    # every line's "score" column ends at the same display column
    ends = {cell_width(line[: line.index("%") + 1]) for line in lines[1:]}
    assert len(ends) == 1, lines
    assert cell_width("王小明") == 6 and cell_width("a\u0301") == 1
