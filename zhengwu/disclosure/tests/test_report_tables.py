"""The fixture year reproduces hand-computed tables 二, 三 and 四; the cross-check; finalising; the county."""

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.disclosure import reference as ref
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import AnnualReport
from zhengwu.disclosure.tables import cross_check, report_data

from .factories import build_world
from .fixture_year import build_year

pytestmark = pytest.mark.django_db
D = dt.date
COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def row(p=0, c=0, r=0, w=0, lsv=0, o=0) -> dict:
    return dict(zip(COLS, [p, c, r, w, lsv, o, p + c + r + w + lsv + o], strict=True))


# Counted by hand from fixture_year.py (P C R W L O).
TABLE3_2026 = {
    "本年新收": row(9, 4, 2, 2, 4, 3),
    "上年结转": row(1, 1),
    "予以公开": row(2, 0, 0, 0, 1),
    "部分公开": row(1, 1),
    "国家秘密": row(1),
    "其他法律法规禁止": row(0, 1),
    "三安全一稳定": row(0, 0, 1),
    "第三方合法权益": row(0, 1),
    "三类内部事务": row(0, 0, 0, 1),
    "四类过程性信息": row(0, 0, 0, 0, 1),
    "行政执法案卷": row(0, 0, 0, 0, 0, 1),
    "行政查询事项": row(1),
    "本机关不掌握": row(1),
    "没有现成信息需另行制作": row(0, 1),
    "补正后仍不明确": row(0, 0, 1),
    "信访举报投诉": row(1),
    "重复申请": row(1),
    "公开出版物": row(0, 0, 0, 1),
    "无正当理由大量反复申请": row(0, 0, 0, 0, 0, 1),
    "要求确认或重新出具": row(0, 0, 0, 0, 1),
    "逾期不补正": row(1),
    "逾期不缴费": row(0, 1),
    "其他": row(0, 0, 0, 0, 0, 1),
    "总计": row(9, 5, 2, 2, 3, 3),
    "结转下年度": row(1, 0, 0, 0, 1),
}

TABLE4_2026 = {
    "行政复议": {"维持": 1, "纠正": 1, "其他": 1, "尚未审结": 1, "总计": 4},
    "未经复议直接起诉": {"维持": 1, "纠正": 0, "其他": 0, "尚未审结": 0, "总计": 1},
    "复议后起诉": {"维持": 0, "纠正": 0, "其他": 0, "尚未审结": 1, "总计": 1},
}

TABLE2_2026 = {
    "规章": {"本年制发": 0, "本年废止": 0, "现行有效": 0},
    "行政规范性文件": {"本年制发": 1, "本年废止": 1, "现行有效": 2},
    "行政许可": {"本年处理决定数量": 0},
    "行政处罚": {"本年处理决定数量": 2},
    "行政强制": {"本年处理决定数量": 1},
    "行政事业性收费": {"本年收费金额": 0.0},
}


@pytest.fixture
def year():
    w = build_world()
    return w, build_year(w)


def test_fixture_year_reproduces_tables_two_three_and_four(year):
    w, _ = year
    data = report_data(w.scj, 2026)
    assert list(data.tables["table3"]) == ref.TABLE3_ROWS
    assert data.tables["table3"] == TABLE3_2026
    assert data.tables["table4"] == TABLE4_2026
    assert data.tables["table2"] == TABLE2_2026
    assert data.tables["summary"] == {"主动公开信息数": 4, "浏览次数": 0, "信息处理费（元）": 100.0}
    assert data.errors == []


def test_carried_over_from_2025_and_into_2027(year):
    w, _ = year
    t2025 = report_data(w.scj, 2025).tables
    assert (t2025["table3"]["本年新收"], t2025["table3"]["予以公开"], t2025["table3"]["结转下年度"]) == (
        row(2, 1), row(1), row(1, 1))
    assert t2025["table4"]["行政复议"]["尚未审结"] == 1
    assert t2025["table4"]["未经复议直接起诉"]["维持"] == 1
    t2027 = report_data(w.scj, 2027).tables["table3"]
    # c1 and c2 come over; d was confirmed (received) only on 2027-01-04.
    assert (t2027["上年结转"], t2027["本年新收"], t2027["予以公开"], t2027["结转下年度"]) == (
        row(1, 0, 0, 0, 1), row(1), row(1), row(1, 0, 0, 0, 1))
    assert report_data(w.scj, 2027).tables["table4"]["行政复议"] == {
        "维持": 0, "纠正": 0, "其他": 1, "尚未审结": 0, "总计": 1}


def test_finalise_freezes_the_tables_and_the_next_year_agrees(year):
    w, _ = year
    with clock.frozen(D(2027, 1, 20)):
        r2025 = s.report_get_or_create(body=w.scj, year=2025, officer=w.officer)
        s.report_finalise(report=r2025, officer=w.head)
        r2026 = s.report_get_or_create(body=w.scj, year=2026, officer=w.officer)
        s.report_update_text(report=r2026, officer=w.officer, overview="本年度……", problems="信息更新不及时……",
                             other="无")
        s.report_finalise(report=r2026, officer=w.head)
    assert (r2026.status, r2026.tables["table3"]) == (AnnualReport.Status.FINAL, TABLE3_2026)
    assert report_data(w.scj, 2026).warnings == []
    # A request recorded late does not change a finalised report.
    with clock.frozen(D(2027, 1, 21)):
        s.request_file(body=w.scj, applicant=build_world_person(), description="迟到的登记",
                       channel="post_signed", officer=w.officer, signed_for_on=D(2027, 1, 21))
    assert report_data(w.scj, 2026).tables["table3"] == TABLE3_2026
    with clock.frozen(D(2027, 1, 22)), pytest.raises(DomainError) as exc:
        s.report_update_text(report=r2026, officer=w.officer, overview="改", problems="", other="")
    assert exc.value.message == "2026年度报告已定稿，不能再修改"


def build_world_person():
    from .factories import person_n

    return person_n(99)


def test_cross_check_refuses_to_finalise_and_names_the_cell(year):
    w, _ = year
    with clock.frozen(D(2027, 1, 20)):
        report = s.report_get_or_create(body=w.scj, year=2026, officer=w.officer)
        s.report_adjust(report=report, officer=w.officer, cell="三|本年新收|商业企业", value=5,
                        reason="补录系统上线前收到的纸质申请")
        before = AnnualReport.objects.filter(pk=report.pk).values().get()
        with pytest.raises(DomainError) as exc:
            s.report_finalise(report=report, officer=w.head)
    assert exc.value.code == "cross_check_failed"
    assert exc.value.message == (
        "数据核对未通过（一 + 二 应等于 三 + 四）：表三“商业企业”列不平衡：一、本年新收 5 + 二、上年结转 1 = 6，"
        "而三、办理结果总计 5 + 四、结转下年度 0 = 5，相差 1；该列人工调整过的单元格：本年新收；"
        "表三“总计”列不平衡：一、本年新收 25 + 二、上年结转 2 = 27，而三、办理结果总计 24 + 四、结转下年度 2 = 26，相差 1")
    assert [e["column"] for e in exc.value.details] == ["商业企业", "总计"]
    assert AnnualReport.objects.filter(pk=report.pk).values().get() == before
    with clock.frozen(D(2027, 1, 20)):
        s.report_adjust(report=report, officer=w.officer, cell="三|逾期不缴费|商业企业", value=2,
                        reason="纸质申请逾期未缴费")
        s.report_finalise(report=report, officer=w.head)
    assert report.tables["table3"]["总计"]["商业企业"] == 6


def test_cross_check_on_a_hand_made_table():
    t = {"table3": {r: {c: 0 for c in ref.TABLE3_COLUMNS} for r in ref.TABLE3_ROWS}}
    t["table3"]["本年新收"]["自然人"] = 1
    assert [e["column"] for e in cross_check(t)] == ["自然人"]


def test_report_refusals(year):
    w, _ = year
    with clock.frozen(D(2026, 12, 31)):
        report = s.report_get_or_create(body=w.scj, year=2026, officer=w.officer)
        with pytest.raises(DomainError) as exc:
            s.report_finalise(report=report, officer=w.head)
        assert exc.value.message == "2026年度尚未结束，不能定稿"
        with pytest.raises(DomainError) as exc:
            s.report_finalise(report=report, officer=w.officer)
        assert exc.value.code == "wrong_duty"
        with pytest.raises(DomainError) as exc:
            s.report_adjust(report=report, officer=w.officer, cell="三|总计|自然人", value=1, reason="x")
        assert exc.value.message == "“三|总计|自然人”不是可调整的单元格（总计由系统计算）"
        with pytest.raises(DomainError) as exc:
            s.report_get_or_create(body=w.village, year=2026, officer=w.village_officer)
        assert exc.value.code == "no_report"
    assert AnnualReport.objects.get(pk=report.pk).status == AnnualReport.Status.DRAFT


def test_county_report_adds_up_its_departments_once_they_are_final(year):
    w, _ = year
    with clock.frozen(D(2027, 1, 4)):
        s.request_file(body=w.zrj, applicant=build_world_person(), description="自然资源局的申请",
                       channel="post_signed", officer=w.outsider, signed_for_on=D(2026, 12, 30),
                       late_entry_note="元旦前签收，假期后录入")
    with clock.frozen(D(2027, 2, 1)):
        county = s.report_get_or_create(body=w.gov, year=2026, officer=w.gov_officer)
        with pytest.raises(DomainError) as exc:
            s.report_finalise(report=county, officer=w.gov_officer)
        assert exc.value.message == "以下单位的2026年度报告尚未定稿：城关镇人民政府、示范县市场监督管理局、示范县自然资源局"
        for b, who in ((w.scj, w.head), (w.zrj, w.outsider), (w.town, w.gov_officer)):
            s.report_finalise(report=s.report_get_or_create(body=b, year=2026, officer=who), officer=who)
        s.report_finalise(report=county, officer=w.gov_officer)
    t3 = county.tables["table3"]
    assert t3["本年新收"] == row(10, 4, 2, 2, 4, 3)
    assert t3["结转下年度"] == row(2, 0, 0, 0, 1)
    assert county.tables["table4"] == TABLE4_2026
    assert report_data(w.gov, 2026).parts == [(w.town, "已定稿"), (w.scj, "已定稿"), (w.zrj, "已定稿")]
