"""The national 投资项目代码 (project code) of the 投资项目在线审批监管平台.

24 characters, five groups of digits joined by hyphens, 4-6-2-2-6: e.g. ``2026-130621-47-01-000001``.

- The first group is when the code was given: the year (``2017``, codes given under the 2015–2017 rules of
  the online platform) or, under GB/T 40058-2021 《全国固定资产投资项目代码编码规范》 (§4.2 时间代码), the
  year and month (``2306`` = June 2023).
- The second is the 6-digit 行政区划代码 of the assigning region (``000000`` for central projects).
- Then two 2-digit groups (the industry or central guiding department, and the project type, e.g.
  审批/核准/备案) and a 6-digit serial (under GB/T 40058 a random part and a check digit).

The standard's check-digit algorithm (§4.7 校验码) is not in the shared domain notes (../shared/domain/) and
its text was not available, so the last digit is not verified; the format is checked strictly instead: the
structure, the time group (a year or a valid YYMM, not after the current month), the province of the region
code, and non-zero type and serial. Codes seen in public documents
(``2017-330000-47-02-000001``, ``2306-520103-04-01-123456``) pass.
"""

from __future__ import annotations

import re

from zhengwu.core import clock
from zhengwu.core.errors import DomainError

PROJECT_CODE_RE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")
# 省级行政区划代码 (GB/T 2260): 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82.
PROVINCES = frozenset([11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                       50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82])


def _time_group_ok(group: str) -> bool:
    today = clock.today()
    year = int(group)
    if 2015 <= year <= 2099:  # a year
        return year <= today.year
    yy, month = int(group[:2]), int(group[2:])
    if not (1 <= month <= 12 and (yy, month) >= (21, 8)):  # GB/T 40058-2021: YYMM, in force from 2021-08
        return False
    return (2000 + yy, month) <= (today.year, today.month)  # never given in the future


def validate_project_code(value: str) -> str:
    """Return the code (spaces stripped, full-width hyphens made ASCII) or raise ``invalid_project_code``."""
    v = re.sub(r"\s+", "", value or "").replace("－", "-").replace("—", "-")
    m = PROJECT_CODE_RE.match(v)
    if m is None:
        raise DomainError("invalid_project_code",
                          "项目代码应为投资项目在线审批监管平台赋予的24位代码，格式如 2026-130621-47-01-000001")
    when, area, _a, kind, serial = m.groups()
    if not _time_group_ok(when):
        raise DomainError("invalid_project_code", f"项目代码的赋码时间“{when}”不正确（应为不晚于本月的年份或年月）")
    if area != "000000" and int(area[:2]) not in PROVINCES:
        raise DomainError("invalid_project_code", f"项目代码的地区代码“{area}”不是有效的行政区划代码")
    if kind == "00" or serial == "000000":
        raise DomainError("invalid_project_code", "项目代码的项目类型或序号不能全为0")
    return v
