"""Agencies: entry with checked identifiers and uploads, the review on its clock, changes re-reviewed,
suspension and delisting, and the daily expiry sweep of qualification certificates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.testing import upload
from zhengwu.intermediary.models import (
    Agency,
    AgencyChange,
    AgencyStatus,
    Certificate,
    Event,
    Offering,
    OfferingStatus,
    Practitioner,
)
from zhengwu.intermediary.services import agencies as svc
from zhengwu.intermediary.services.rules import agency_eligibility
from zhengwu.intermediary.tests.factories import DAY, build_world, id_number, uscc
from zhengwu.org.tests.factories import stored_files
from zhengwu.supervision.models import Clock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def w():
    with clock.frozen(DAY):
        yield build_world()


def newcomer(username="xinlai"):
    return get_user_model().objects.create_user(username=username, password="pass-123456", real_name="新来经办人")


def register(w, user, **over):
    values = dict(region=w.county, user=user, name="天津海河环境咨询有限公司", uscc=uscc(50), kind="legal",
                  legal_rep="周法人", contact_name="吴授权", contact_id_number=id_number(50),
                  contact_phone="13812345678", home_region="天津市", address="天津市河西区友谊路1号")
    values.update(over)
    return svc.agency_register(**values)


def bad_check_digit(code: str) -> str:
    """The same code with another (wrong) last character."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def review_clocks(agency, part=0):
    return Clock.objects.filter(kind_id="intermediary_review", subject_type="intermediary.agency",
                                subject_id=agency.pk, part=part)


def test_entry_from_another_province_reviewed_on_its_clock(w, media):
    user = newcomer()
    with clock.frozen(DAY):
        a = register(w, user, licence=upload("营业执照.pdf"), pledge=upload("承诺书.jpg"))
        assert (a.status, a.home_region, a.members.get()) == (AgencyStatus.DRAFT, "天津市", user)
        assert a.pledge_signed_at is not None and a.licence.name.endswith(".pdf")
        svc.certificate_add(agency=a, user=user, qualification=w.q_env, number="HP-TJ-001",
                            valid_until=DAY + dt.timedelta(days=400), level="甲级", file=upload("证书.png"))
        svc.practitioner_add(agency=a, user=user, name="郑工程师", id_number=id_number(51), title="注册环评工程师")
        svc.offering_set(agency=a, user=user, service=w.eia, price_min="8000", price_max="40000")
        assert agency_eligibility(a, w.eia).startswith("该中介机构当前状态为“填报中”")
        svc.agency_submit(agency=a, user=user)
    a.refresh_from_db()
    assert a.status == AgencyStatus.PENDING
    c = review_clocks(a).get()
    # 5 工作日 from Monday 2 March 2026: 3, 4, 5, 6, 9 March.
    assert (c.state, c.due_date, c.hall_id, c.officer_id, c.department_id) == ("running", dt.date(2026, 3, 9),
                                                                              w.hall.pk, w.admin.pk, None)
    with clock.frozen(DAY + dt.timedelta(days=2)):
        svc.agency_review(agency=a, staff=w.admin, approve=True)
    a.refresh_from_db()
    c.refresh_from_db()
    assert (a.status, a.reviewed_by, c.state, c.late) == (AgencyStatus.ACTIVE, w.admin, "finished", False)
    assert agency_eligibility(a, w.eia, on=DAY) == ""
    assert "未登记承接" in agency_eligibility(a, w.survey, on=DAY)
    assert list(Event.objects.filter(agency=a).values_list("action", flat=True)) == [
        "agency_register", "certificate_add", "practitioner_add", "offering_set", "agency_submit", "agency_approve"]
    assert len(stored_files(media)) == 3


@pytest.mark.parametrize("field, value, code, words", [
    ("uscc", bad_check_digit(uscc(50)), "invalid_uscc", "统一社会信用代码校验位错误"),
    ("uscc", "91130621MA0000I05X", "invalid_uscc", "统一社会信用代码应为18位"),
    ("contact_id_number", bad_check_digit(id_number(50)), "invalid_id_number", "身份证号校验位错误"),
    ("contact_phone", "12345", "invalid_phone", "联系电话"),
    ("name", " ", "intermediary_agency_name", "机构名称"),
])
def test_register_refuses_bad_identifiers_and_changes_nothing(w, media, field, value, code, words):
    user = newcomer()
    before = Agency.objects.count()
    with clock.frozen(DAY), pytest.raises(DomainError) as e:
        register(w, user, licence=upload("营业执照.pdf"), **{field: value})
    assert e.value.code == code and words in e.value.message
    assert Agency.objects.count() == before and not Event.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize("name, data, code, words", [
    ("营业执照.exe", b"MZ\x90\x00\x03", "file_type", "仅支持：pdf、jpg、jpeg、png"),
    ("营业执照.pdf", "这是一段文字，不是PDF".encode(), "file_content", "不是可以打开的PDF 文件"),
    ("营业执照.docx", None, "file_type", "类型不允许上传"),
])
def test_register_refuses_a_licence_of_the_wrong_type(w, media, name, data, code, words):
    user = newcomer()
    with clock.frozen(DAY), pytest.raises(DomainError) as e:
        register(w, user, licence=upload(name, data))
    assert e.value.code == code and e.value.message.startswith("营业执照：") and words in e.value.message
    assert not Agency.objects.filter(uscc=uscc(50)).exists() and stored_files(media) == []


def test_certificate_of_the_wrong_type_refused_and_nothing_changes(w, media):
    a, user = w.agencies[0], w.agencies[0].members.get()
    before = Certificate.objects.filter(agency=a).count()
    for bad in (upload("证书.pdf", b"plain text pretending to be a pdf"), upload("证书.exe", b"MZ\x00\x00")):
        with clock.frozen(DAY), pytest.raises(DomainError) as e:
            svc.certificate_add(agency=a, user=user, qualification=w.q_env, number="HP-NEW", file=bad,
                                valid_until=DAY + dt.timedelta(days=300))
        assert e.value.code in ("file_type", "file_content") and e.value.message.startswith("资质证书扫描件：")
    assert Certificate.objects.filter(agency=a).count() == before
    assert not Event.objects.filter(agency=a).exists() and stored_files(media) == []


def test_practitioner_and_certificate_checks(w):
    a, user = w.agencies[0], w.agencies[0].members.get()
    with clock.frozen(DAY):
        with pytest.raises(DomainError) as e:
            svc.practitioner_add(agency=a, user=user, name="钱工", id_number=bad_check_digit(id_number(60)), title="工程师")
        assert e.value.code == "invalid_id_number"
        with pytest.raises(DomainError) as e:
            svc.certificate_add(agency=a, user=user, qualification=w.q_env, number="X1",
                                valid_until=DAY - dt.timedelta(days=1))
        assert e.value.code == "intermediary_certificate_expired" and "已过期" in e.value.message
        with pytest.raises(PermissionDenied):
            svc.practitioner_add(agency=a, user=w.agencies[1].members.get(), name="钱工", id_number=id_number(60),
                                 title="工程师")
    assert Practitioner.objects.filter(agency=a).count() == 1 and Certificate.objects.filter(number="X1").count() == 0


def test_submit_needs_the_pledge_certificates_staff_and_offerings(w):
    user = newcomer()
    with clock.frozen(DAY):
        a = register(w, user)
        with pytest.raises(DomainError) as e:
            svc.agency_submit(agency=a, user=user)
    assert e.value.code == "intermediary_agency_incomplete"
    assert e.value.message == "入驻材料不全，请补充：签字盖章的承诺书、资质证书、执业人员、服务承接范围"
    a.refresh_from_db()
    assert a.status == AgencyStatus.DRAFT and not review_clocks(a).exists()


def test_offering_needs_a_valid_certificate_and_a_coherent_price(w):
    user = newcomer()
    with clock.frozen(DAY):
        a = register(w, user)
        with pytest.raises(DomainError) as e:
            svc.offering_set(agency=a, user=user, service=w.eia)
        assert e.value.code == "intermediary_offering_qualification" and "环境影响评价能力" in e.value.message
        svc.certificate_add(agency=a, user=user, qualification=w.q_env, number="HP-1", valid_until=DAY + dt.timedelta(1))
        with pytest.raises(DomainError) as e:
            svc.offering_set(agency=a, user=user, service=w.eia, price_min=9000, price_max=8000)
        assert e.value.code == "intermediary_price"
    assert not Offering.objects.filter(agency=a).exists()


def test_returned_with_a_reason_then_resubmitted(w):
    user = newcomer()
    with clock.frozen(DAY):
        a = register(w, user, pledge=upload("承诺书.pdf"))
        svc.certificate_add(agency=a, user=user, qualification=w.q_survey, number="CH-1",
                            valid_until=DAY + dt.timedelta(days=100))
        svc.practitioner_add(agency=a, user=user, name="测绘师", id_number=id_number(52), title="注册测绘师")
        svc.offering_set(agency=a, user=user, service=w.survey)
        svc.agency_submit(agency=a, user=user)
        for staff in (w.foreign_admin, w.env_supervisor):
            with pytest.raises(PermissionDenied):
                svc.agency_review(agency=a, staff=staff, approve=True)
        with pytest.raises(DomainError) as e:
            svc.agency_review(agency=a, staff=w.admin, approve=False, note=" ")
        assert e.value.code == "intermediary_review_note"
        a.refresh_from_db()
        assert a.status == AgencyStatus.PENDING and review_clocks(a).get().state == "running"
        svc.agency_review(agency=a, staff=w.admin.user, approve=False, note="承诺书未盖章")
        a.refresh_from_db()
        assert (a.status, a.review_note, review_clocks(a).get().state) == (AgencyStatus.RETURNED, "承诺书未盖章",
                                                                          "finished")
        svc.agency_update(agency=a, user=user, pledge=upload("承诺书（盖章）.pdf"), data={"address": "天津市南开区"})
        svc.agency_submit(agency=a, user=user)
        assert review_clocks(a).filter(state="running").count() == 1
        with pytest.raises(DomainError):  # a pending agency is not edited in place
            svc.agency_update(agency=a, user=user, data={"address": "别处"})
    a.refresh_from_db()
    assert (a.status, a.address) == (AgencyStatus.PENDING, "天津市南开区")


def test_change_of_an_admitted_agency_waits_for_review(w):
    a, user = w.agencies[0], w.agencies[0].members.get()
    with clock.frozen(DAY):
        with pytest.raises(DomainError) as e:
            svc.agency_change_submit(agency=a, user=user, data={"uscc": uscc(77)})
        assert e.value.code == "intermediary_change_field" and "统一社会信用代码不能变更" in e.value.message
        with pytest.raises(DomainError) as e:
            svc.agency_change_submit(agency=a, user=user, data={"contact_id_number": bad_check_digit(id_number(70))})
        assert e.value.code == "invalid_id_number"
        assert not AgencyChange.objects.exists()
        change = svc.agency_change_submit(agency=a, user=user, data={"name": "河北清源环境科技股份有限公司",
                                                                     "legal_rep": a.legal_rep})
        assert change.data == {"name": "河北清源环境科技股份有限公司"}
        a.refresh_from_db()
        assert a.name == "河北清源环境科技有限公司"  # unchanged until reviewed
        assert review_clocks(a, part=change.pk).get().state == "running"
        with pytest.raises(DomainError) as e:
            svc.agency_change_submit(agency=a, user=user, data={"address": "新地址"})
        assert e.value.code == "intermediary_change_pending"
        svc.agency_change_review(change=change, staff=w.admin, approve=True)
    a.refresh_from_db()
    change.refresh_from_db()
    assert (a.name, change.state) == ("河北清源环境科技股份有限公司", "approved")
    assert review_clocks(a, part=change.pk).get().state == "finished"
    with clock.frozen(DAY), pytest.raises(DomainError) as e:
        svc.agency_change_review(change=change, staff=w.admin, approve=False, note="重复")
    assert e.value.code == "intermediary_change_status"


def test_suspended_or_delisted_agency_is_refused_by_eligibility(w):
    a = w.agencies[1]
    assert agency_eligibility(a, w.eia, on=DAY) == ""
    with clock.frozen(DAY):
        with pytest.raises(DomainError) as e:
            svc.agency_suspend(agency=a, staff=w.admin, reason="")
        assert e.value.code == "intermediary_reason"
        with pytest.raises(PermissionDenied):
            svc.agency_suspend(agency=a, staff=w.env_supervisor, reason="投诉查实")
        a.refresh_from_db()
        assert a.status == AgencyStatus.ACTIVE
        svc.agency_suspend(agency=a, staff=w.admin, reason="投诉查实，暂停选取三个月")
        a.refresh_from_db()
        assert (a.status, a.status_reason) == (AgencyStatus.SUSPENDED, "投诉查实，暂停选取三个月")
        assert agency_eligibility(a, w.eia, on=DAY) == "该中介机构当前状态为“暂停选取”，不能报名"
        svc.agency_restore(agency=a, staff=w.admin, reason="整改完毕")
        a.refresh_from_db()
        assert agency_eligibility(a, w.eia, on=DAY) == ""
        svc.agency_delist(agency=a, staff=w.admin, reason="出具虚假报告")
        a.refresh_from_db()
        assert agency_eligibility(a, w.eia, on=DAY) == "该中介机构当前状态为“已清退”，不能报名"
        with pytest.raises(DomainError) as e:
            svc.agency_suspend(agency=a, staff=w.admin, reason="再暂停")
        assert e.value.code == "intermediary_agency_status"
    assert list(Event.objects.filter(agency=a).values_list("action", flat=True)) == [
        "agency_suspend", "agency_restore", "agency_delist"]


def test_an_expired_qualification_suspends_the_offering_and_renewal_restores_it(w):
    a, user = w.agencies[0], w.agencies[0].members.get()
    Certificate.objects.filter(agency=a, qualification=w.q_env).update(valid_until=dt.date(2026, 3, 12))
    later = dt.date(2026, 3, 13)
    assert svc.qualifications_expire(today=dt.date(2026, 3, 12)) == {"suspended": 0, "restored": 0}
    with clock.frozen(later):
        assert svc.qualifications_expire() == {"suspended": 1, "restored": 0}
        assert svc.qualifications_expire() == {"suspended": 0, "restored": 0}  # once only
    eia = Offering.objects.get(agency=a, service=w.eia)
    reason = "资质证书已过期（环境影响评价能力 ZZ-001-HP 有效期至2026年03月12日）"
    assert (eia.status, eia.status_reason) == (OfferingStatus.SUSPENDED, reason)
    # Only that service: the agency's other offerings and the other agencies' stay open.
    assert Offering.objects.filter(status=OfferingStatus.SUSPENDED).count() == 1
    assert agency_eligibility(a, w.eia, on=later) == f"该中介机构未登记承接“{w.eia.name}”或已暂停承接（{reason}）"
    assert agency_eligibility(a, w.survey, on=later) == ""
    assert Event.objects.get(agency=a, action="offering_suspend").note == reason
    with clock.frozen(later):
        svc.certificate_add(agency=a, user=user, qualification=w.q_env, number="ZZ-001-HP",
                            valid_until=dt.date(2029, 3, 12))
    eia.refresh_from_db()
    assert (eia.status, eia.status_reason) == (OfferingStatus.ACTIVE, "")
    assert agency_eligibility(a, w.eia, on=later) == ""
    assert Event.objects.filter(agency=a, action="offering_restore").count() == 1


def test_the_sweep_restores_a_renewed_offering_and_names_a_missing_certificate(w):
    a, b = w.agencies[2], w.agencies[3]
    Certificate.objects.filter(agency=a, qualification=w.q_draw).update(valid_until=dt.date(2026, 3, 1))
    Certificate.objects.filter(agency=b, qualification=w.q_survey).delete()
    assert svc.qualifications_expire(today=DAY) == {"suspended": 2, "restored": 0}
    assert Offering.objects.get(agency=b, service=w.survey).status_reason == "无所需资质证书（房产测绘）"
    Certificate.objects.filter(agency=a, qualification=w.q_draw).update(valid_until=dt.date(2027, 3, 1))
    assert svc.qualifications_expire(today=DAY) == {"suspended": 0, "restored": 1}
    assert Offering.objects.get(agency=a, service=w.drawings).status == OfferingStatus.ACTIVE
    # An offering suspended for another reason is not the sweep's to restore.
    Offering.objects.filter(agency=b, service=w.survey).update(status_reason="管理员暂停")
    assert svc.qualifications_expire(today=DAY)["restored"] == 0
