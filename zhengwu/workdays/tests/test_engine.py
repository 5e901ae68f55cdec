"""The working-day engine against the 2026 official arrangement and the provisional rule for 2027."""

import datetime as dt

import chinese_calendar
import pytest

from zhengwu.core.errors import DomainError
from zhengwu.org.models import Region
from zhengwu.workdays import engine
from zhengwu.workdays.models import DayOverride, YearNotice

D = dt.date
HOLIDAYS_2026 = (
    [D(2026, 1, d) for d in (1, 2, 3)]
    + [D(2026, 2, d) for d in range(15, 24)]
    + [D(2026, 4, d) for d in (4, 5, 6)]
    + [D(2026, 5, d) for d in range(1, 6)]
    + [D(2026, 6, d) for d in (19, 20, 21)]
    + [D(2026, 9, d) for d in (25, 26, 27)]
    + [D(2026, 10, d) for d in range(1, 8)]
)
MAKEUP_WORKDAYS_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20),
                        D(2026, 10, 10)]

pytestmark = pytest.mark.django_db


def test_2026_holidays_are_not_working_days():
    cal = engine.calendar_for(None)
    assert [d for d in HOLIDAYS_2026 if cal.is_workday(d)] == []


def test_2026_makeup_weekend_days_are_working_days():
    cal = engine.calendar_for(None)
    assert all(cal.is_workday(d) for d in MAKEUP_WORKDAYS_2026)
    assert all(d.weekday() >= 5 for d in MAKEUP_WORKDAYS_2026)


def test_contract_national_day_twenty_working_days():
    assert engine.add_workdays(D(2026, 9, 28), 20) == D(2026, 10, 30)
    assert engine.count_workdays(D(2026, 9, 28), D(2026, 10, 30)) == 20
    assert engine.due_date(D(2026, 9, 28), 20) == engine.Deadline(D(2026, 10, 30), False)


def test_start_day_is_not_counted():
    # Accepted on Friday 2026-02-13: the next working day is the 调休 Saturday 02-14.
    assert engine.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    # Across the Spring Festival: 02-13 (1), 02-14 (2), holiday 02-15..23, 02-24 (3).
    assert engine.add_workdays(D(2026, 2, 12), 3) == D(2026, 2, 24)


def test_start_on_a_holiday_counts_from_the_first_working_day_after():
    assert engine.add_workdays(D(2026, 10, 3), 1) == D(2026, 10, 8)
    assert engine.add_workdays(D(2026, 10, 3), 3) == D(2026, 10, 10)


def test_zero_days_is_the_start_itself_and_negative_is_refused():
    assert engine.add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 3)
    with pytest.raises(DomainError) as exc:
        engine.add_workdays(D(2026, 10, 3), -1)
    assert exc.value.message == "工作日天数不能为负数"


def test_count_is_zero_for_reversed_or_equal_dates():
    assert engine.count_workdays(D(2026, 10, 30), D(2026, 9, 28)) == 0
    assert engine.count_workdays(D(2026, 10, 8), D(2026, 10, 8)) == 0


def test_matches_chinesecalendar_for_every_working_start_day_2025_2026():
    cal = engine.calendar_for(None)
    day = D(2025, 1, 1)
    checked = 0
    while day <= D(2026, 11, 30):
        if chinese_calendar.is_workday(day):
            for n in (1, 5, 20):
                assert cal.add(day, n) == chinese_calendar.find_workday(n, day), (day, n)
                checked += 1
        day += dt.timedelta(days=1)
    assert checked > 1200


def test_clock_stop_days_are_not_counted():
    # 2026-09-01 (Tue) + 10 working days with a 现场踏勘 from 09-03 to 09-09:
    # 09-02 (1); stopped 03..09; 09-10 (2), 11 (3), 14..18 (8), Sun 09-20 调休 (9), 09-21 (10).
    deadline = engine.due_date(D(2026, 9, 1), 10, stops=[(D(2026, 9, 3), D(2026, 9, 9))])
    assert deadline == engine.Deadline(D(2026, 9, 21), False)
    # Without the stop: 09-02 … 09-15.
    assert engine.add_workdays(D(2026, 9, 1), 10) == D(2026, 9, 15)


def test_overlapping_and_touching_stops_are_merged_and_stops_before_start_ignored():
    stops = [(D(2026, 8, 1), D(2026, 8, 20)), (D(2026, 9, 3), D(2026, 9, 5)), (D(2026, 9, 4), D(2026, 9, 9))]
    assert engine.due_date(D(2026, 9, 1), 10, stops=stops).due == D(2026, 9, 21)


def test_stop_over_national_day_extends_by_the_working_days_inside_it():
    # 20 working days from 2026-09-28 with an expert review 10-08..10-09 (2 working days) → 2 more.
    deadline = engine.due_date(D(2026, 9, 28), 20, stops=[(D(2026, 10, 8), D(2026, 10, 9))])
    assert deadline.due == D(2026, 11, 3)


def test_reversed_stop_is_refused():
    with pytest.raises(DomainError) as exc:
        engine.due_date(D(2026, 9, 1), 5, stops=[(D(2026, 9, 9), D(2026, 9, 3))])
    assert exc.value.code == "invalid_stop"


def test_explain_shows_each_day_and_why():
    rows = engine.explain(D(2026, 9, 30), 3)
    assert [(r.date, r.workday) for r in rows] == [
        (D(2026, 9, 30), False),
        *[(D(2026, 10, d), False) for d in range(1, 8)],
        (D(2026, 10, 8), True),
        (D(2026, 10, 9), True),
        (D(2026, 10, 10), True),
    ]
    assert rows[0].reason.startswith("起始日不计入")
    assert rows[1].reason == "法定节假日：国庆节"
    assert rows[-1].reason == "调休上班：国庆节，第3个工作日"


def test_explain_marks_stopped_days():
    rows = engine.explain(D(2026, 9, 1), 2, stops=[(D(2026, 9, 2), D(2026, 9, 2))])
    assert rows[1].reason.startswith("中止计时")
    assert rows[-1].date == D(2026, 9, 4)


# --- a year without official data ------------------------------------------------------

def test_2027_is_provisional_with_computed_statutory_holidays():
    cal = engine.calendar_for(None)
    assert cal.is_provisional_year(2027)
    assert not cal.is_provisional_year(2026)
    # 春节 2027: 除夕 02-05 … 初三 02-08; 清明 04-05; 劳动节 05-01/02; 端午 06-09; 中秋 09-15; 国庆 10-01..03.
    expected = {D(2027, 1, 1): "元旦", D(2027, 2, 5): "春节", D(2027, 2, 8): "春节", D(2027, 4, 5): "清明节",
                D(2027, 5, 1): "劳动节", D(2027, 6, 9): "端午节", D(2027, 9, 15): "中秋节",
                D(2027, 10, 1): "国庆节", D(2027, 10, 3): "国庆节"}
    for day, name in expected.items():
        st = cal.status(day)
        assert (st.workday, st.reason, st.provisional) == (False, f"法定节假日：{name}", True), day
    assert cal.is_workday(D(2027, 2, 9))
    assert not cal.is_workday(D(2027, 1, 2))  # Saturday, no 调休 known


def test_deadline_into_2027_is_marked_provisional():
    # 12-29, 30, 31 (3); 2027-01-01 元旦; 01-04..08 (8); 11..15 (13); 18..22 (18); 25 (19); 26 (20).
    assert engine.due_date(D(2026, 12, 28), 20) == engine.Deadline(D(2027, 1, 26), True)


def test_override_wins_and_a_year_notice_clears_provisional():
    DayOverride.objects.create(date=D(2027, 2, 9), kind="holiday", name="春节")
    DayOverride.objects.create(date=D(2027, 2, 20), kind="workday", name="春节")
    cal = engine.calendar_for(None)
    assert not cal.is_workday(D(2027, 2, 9))
    assert cal.status(D(2027, 2, 20)).reason == "调休上班：春节"
    assert engine.due_date(D(2027, 3, 1), 1).provisional is True
    YearNotice.objects.create(year=2027, document="国办发明电〔2026〕X号")
    assert engine.due_date(D(2027, 3, 1), 1) == engine.Deadline(D(2027, 3, 2), False)


def test_override_can_change_a_package_year():
    assert engine.is_workday(D(2026, 11, 2))
    DayOverride.objects.create(date=D(2026, 11, 2), kind="holiday", name="特别假日")
    assert not engine.is_workday(D(2026, 11, 2))
    assert engine.add_workdays(D(2026, 10, 30), 1) == D(2026, 11, 3)


def test_regional_festival_applies_to_the_region_and_below_only():
    county = Region.objects.create(code="130621000000", name="示范县", level="county")
    town = Region.objects.create(code="130621100000", name="城关镇", level="town", parent=county)
    other = Region.objects.create(code="130622000000", name="邻县", level="county")
    DayOverride.objects.create(date=D(2026, 11, 4), region=county, kind="holiday", name="县庆")
    assert not engine.is_workday(D(2026, 11, 4), region=county)
    assert not engine.is_workday(D(2026, 11, 4), region=town)
    assert engine.is_workday(D(2026, 11, 4), region=other)
    assert engine.is_workday(D(2026, 11, 4))
    assert engine.calendar_for(town).status(D(2026, 11, 4)).reason == "地方节日：县庆"
    # The town can put a day back to work against its county's festival.
    DayOverride.objects.create(date=D(2026, 11, 4), region=town, kind="workday", name="镇补班")
    assert engine.is_workday(D(2026, 11, 4), region=town)


def test_long_periods_and_year_bounds():
    # 261 weekdays in 2026, 19 of them holidays, plus 6 调休 weekend days.
    assert engine.count_workdays(D(2025, 12, 31), D(2026, 12, 31)) == 261 - 19 + 6
    far = engine.add_workdays(D(2026, 1, 5), 1000)
    assert engine.count_workdays(D(2026, 1, 5), far) == 1000
    with pytest.raises(DomainError) as exc:
        engine.add_workdays(D(2099, 12, 1), 400)
    assert exc.value.code == "year_out_of_range"


@pytest.mark.parametrize(
    ("start", "n", "stops", "due"),
    [
        # 30 natural days from 1 September end on 1 October (国庆): moved to the first working day after, 8 October.
        pytest.param(D(2026, 9, 1), 30, [], D(2026, 10, 8), id="ends-in-national-day"),
        # Ends on Saturday 7 November: moved to Monday 9 November.
        pytest.param(D(2026, 11, 2), 5, [], D(2026, 11, 9), id="ends-on-a-weekend"),
        # Ends on Saturday 10 October, a 调休 working day: stays.
        pytest.param(D(2026, 9, 30), 10, [], D(2026, 10, 10), id="ends-on-a-makeup-saturday"),
        # An ordinary Wednesday: no move.
        pytest.param(D(2026, 11, 2), 2, [], D(2026, 11, 4), id="plain"),
        # A 3-day stop (3–5 Nov) inside the period adds 3 days: 4 → 7 Nov (Sat) → moved to Monday 9 Nov.
        pytest.param(D(2026, 11, 2), 2, [(D(2026, 11, 3), D(2026, 11, 5))], D(2026, 11, 9), id="stopped"),
        # A stop wholly before the start does nothing.
        pytest.param(D(2026, 11, 2), 2, [(D(2026, 10, 20), D(2026, 10, 22))], D(2026, 11, 4), id="stop-before"),
    ],
)
def test_natural_day_periods_end_on_a_working_day(start, n, stops, due):
    """民法典第二百零一条 (the start day does not count) and 第二百零三条 (a last day on a rest day moves on)."""
    assert engine.due_date_calendar_days(start, n, stops=stops).due == due
