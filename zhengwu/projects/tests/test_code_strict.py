"""The 投资项目代码's time group is checked strictly: a code is never given in the future, and the YYMM form
(GB/T 40058-2021) starts in August 2021. (Its §4.7 check digit is not verified: the algorithm is not in the
shared domain notes.)"""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.projects.validators import validate_project_code


@pytest.mark.parametrize("code", ["2027-130621-47-01-000001",  # next year
                                  "2604-130621-47-01-000001",  # next month (YYMM)
                                  "2107-130621-47-01-000001"])  # YYMM before the standard applied
def test_a_code_from_the_future_or_before_the_standard_is_refused(code):
    with clock.frozen(dt.date(2026, 3, 10)), pytest.raises(DomainError) as e:
        validate_project_code(code)
    assert e.value.code == "invalid_project_code"


@pytest.mark.parametrize("code", ["2026-130621-47-01-000001", "2603-130621-47-01-000001", "2108-520103-04-01-123456"])
def test_codes_up_to_this_month_pass(code):
    with clock.frozen(dt.date(2026, 3, 10)):
        assert validate_project_code(code) == code
