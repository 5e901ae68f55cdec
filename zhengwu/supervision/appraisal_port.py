"""What supervision needs from 重点科室评议 (``zhengwu.appraisal``), behind one small interface.

- ``bottom_sections_by_department(start=, end=)`` → {department id: n}: the sections of each department
  listed among the bottom ones of an appraisal campaign whose results were published in [start, end].
  The assessment gives every open window of that department the ``appraisal_bottom`` rule's points per
  section, in the month the results are published (policy data: the rule's points, or switch it off).
"""

from __future__ import annotations

import datetime as dt


def bottom_sections_by_department(*, start: dt.date, end: dt.date) -> dict[int, int]:
    from zhengwu.appraisal.selectors import bottom_counts_by_department

    return bottom_counts_by_department(start=start, end=end)
