"""Agencies (中介机构): entry (入驻) open to agencies from anywhere, review by the marketplace administrator,
changes re-reviewed, suspension and delisting, and the daily expiry sweep of qualification certificates.

The entry: an agency's member registers it (统一社会信用代码 and the authorised contact's 身份证号 checked by
their check digits), adds certificates (with expiry), practising staff and what it offers at which price,
signs the 承诺书 (uploads it) and submits; the review runs on a supervised clock (``intermediary_review``,
``policy.review_workdays`` 工作日) held by the marketplace's hall. An admitted agency's changes of its
registration wait in ``AgencyChange`` until reviewed on the same kind of clock (``part`` = the change).

An offering is suspended by itself when every certificate the agency holds of the service's
qualifications (具备其一) has expired (``qualifications_expire``, daily) and restored when one is renewed.

Each write is keyword-only and one transaction: the agency row is locked, every check (uploads included)
comes before the first write, so a refusal changes nothing; an ``Event`` row records the step.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.uploads import check_upload
from zhengwu.core.validators import validate_id_number, validate_lengths, validate_phone, validate_uscc
from zhengwu.org.models import Role, Staff
from zhengwu.supervision import clocks as sv

from .. import clocks as kinds
from ..models import (
    Agency,
    AgencyChange,
    AgencyKind,
    AgencyStatus,
    Certificate,
    Event,
    Offering,
    OfferingStatus,
    Practitioner,
    Service,
    ServiceStatus,
)
from . import common
from .common import required_text

__all__ = ["ADMITTED", "UPLOAD_TYPES", "agency_change_review", "agency_change_submit", "agency_delist",
           "agency_register", "agency_restore", "agency_review", "agency_submit", "agency_suspend",
           "agency_update", "certificate_add", "market_admin", "offering_set", "offering_withdraw",
           "practitioner_add", "qualifications_expire", "staff_admin"]

# Licence, 承诺书 and certificate scans.
UPLOAD_TYPES = ("pdf", "jpg", "jpeg", "png")
# An admitted agency (it has been reviewed): it may change its registration, be scored, appeal.
ADMITTED = (AgencyStatus.ACTIVE, AgencyStatus.SUSPENDED)
# What an admitted agency may change (re-reviewed); the 统一社会信用代码 is the agency itself and never changes.
CHANGE_FIELDS = ("name", "legal_rep", "address", "contact_name", "contact_id_number", "contact_phone",
                 "home_region", "intro")
# The status_reason prefixes of an offering suspended by the sweep (and only those are restored by it).
EXPIRED = "资质证书已过期"
MISSING = "无所需资质证书"



# -- who may act -----------------------------------------------------------------------------------------------


def _user_of(actor):
    """A ``Staff`` row or a user: the user (services are called with either)."""
    return getattr(actor, "user", actor) if isinstance(actor, Staff) else actor


def staff_admin(actor, region, label: str) -> Staff:
    """The actor's staff row if it is the 中介超市管理员 of ``region``; else refused."""
    user = _user_of(actor)
    staff = common.is_admin(user, region) if user is not None else None
    if staff is None:
        raise PermissionDenied(f"只有本超市的中介超市管理员可以{label}")
    return staff


def _member_check(user, agency: Agency, label: str) -> None:
    if not common.member_of_agency(user, agency):
        raise PermissionDenied(f"您不是“{agency.name}”的经办人，不能{label}")


def market_admin(region) -> Staff | None:
    """The 中介超市管理员 who answers for ``region``'s review and appeal clocks (the first by 工号 whose region
    covers it); None when the region has none."""
    rows = (Staff.objects.filter(is_active=True, roles__code=Role.INTERMEDIARY_ADMIN)
            .select_related("region", "hall").order_by("employee_no"))
    for s in rows:
        prefix = s.region.code.rstrip("0") or s.region.code
        if region.code.startswith(prefix):
            return s
    return None


def review_clock_start(agency: Agency, *, part: int = 0, part_name: str = "", workdays: int,
                       kind=kinds.REVIEW) -> dt.date:
    """Start the marketplace's clock on ``agency`` (no department: the hall of the region's administrator,
    or the region alone); the due day."""
    due = common.workday_due(clock.today(), workdays, region=agency.region)
    admin = market_admin(agency.region)
    sv.clock_start(kind=kind.code, subject=common.agency_subject(agency), region=agency.region, due_date=due,
                   part=part, part_name=part_name, hall=admin.hall if admin is not None else None,
                   department=None, officer=admin)
    return due


# -- input checks ----------------------------------------------------------------------------------------------


def _upload_check(upload, label: str) -> None:
    if upload is None:
        return
    try:
        check_upload(upload, allowed_types=UPLOAD_TYPES)
    except DomainError as exc:
        raise DomainError(exc.code, f"{label}：{exc.message}") from None


def _clean_registration(values: dict) -> dict:
    """Strip, require and check what an agency's registration says (the keys present in ``values``)."""
    out = {k: (v or "").strip() if isinstance(v, str) or v is None else v for k, v in values.items()}
    required = {"name": "请填写机构名称", "legal_rep": "请填写法定代表人（负责人）姓名",
                "contact_name": "请填写业务授权人姓名", "contact_id_number": "请填写业务授权人身份证号",
                "contact_phone": "请填写联系电话"}
    for key, message in required.items():
        if key in out:
            required_text(out[key], f"intermediary_agency_{key}", message)
    if "uscc" in out:
        out["uscc"] = validate_uscc(out["uscc"])
    if "contact_id_number" in out:
        out["contact_id_number"] = validate_id_number(out["contact_id_number"], today=clock.today())
    if "contact_phone" in out:
        out["contact_phone"] = validate_phone(out["contact_phone"])
    if "kind" in out and out["kind"] not in AgencyKind.values:
        raise DomainError("intermediary_agency_kind", "主体类型应为法人、非法人组织或个体工商户")
    validate_lengths(out, Agency, [k for k in out if k != "kind"])
    return out


def _money(value, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("intermediary_price", f"{label}应为金额（元）") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise DomainError("intermediary_price", f"{label}应为不小于0的金额（元）")
    return amount.quantize(Decimal("0.01"))


def _date(value, label: str) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise DomainError("intermediary_date", f"{label}应为日期（如 2027-03-31）") from None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise DomainError("intermediary_date", f"请填写{label}")
    return value


# -- entry -----------------------------------------------------------------------------------------------------


def agency_register(*, region, user, name, uscc, kind, legal_rep, contact_name, contact_id_number, contact_phone,
                    home_region="", address="", intro="", licence=None, pledge=None) -> Agency:
    """填报入驻信息: a new agency (填报中) with ``user`` as its member. Open to agencies from anywhere
    (``home_region``); one agency per 统一社会信用代码. Uploading the 承诺书 signs it."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录")
    values = _clean_registration({"name": name, "uscc": uscc, "kind": kind, "legal_rep": legal_rep,
                                   "contact_name": contact_name, "contact_id_number": contact_id_number,
                                   "contact_phone": contact_phone, "home_region": home_region,
                                   "address": address, "intro": intro})
    _upload_check(licence, "营业执照")
    _upload_check(pledge, "承诺书")
    with transaction.atomic():
        other = Agency.objects.filter(uscc=values["uscc"]).first()
        if other is not None:
            raise DomainError("intermediary_agency_exists", f"统一社会信用代码{values['uscc']}已登记入驻（{other.name}）")
        mine = user.intermediary_agencies.exclude(status=AgencyStatus.DELISTED).first()
        if mine is not None:
            raise DomainError("intermediary_agency_member", f"您的账号已是“{mine.name}”的经办人")
        now = clock.now()
        try:
            with transaction.atomic():
                agency = Agency.objects.create(region=region, status=AgencyStatus.DRAFT,
                                               pledge_signed_at=now if pledge is not None else None, **values)
        except IntegrityError:
            raise DomainError("intermediary_agency_exists",
                              f"统一社会信用代码{values['uscc']}已登记入驻") from None
        if licence is not None:
            agency.licence = licence
        if pledge is not None:
            agency.pledge = pledge
        if licence is not None or pledge is not None:
            agency.save(update_fields=["licence", "pledge"])
        agency.members.add(user)
        common.event_record(agency=agency, action="agency_register", actor=user,
                            note=f"{agency.name}（{agency.uscc}）填报入驻信息",
                            data={"uscc": agency.uscc, "home_region": agency.home_region})
    return agency


def agency_update(*, agency, user, data: dict | None = None, licence=None, pledge=None) -> Agency:
    """修改入驻信息 before admission (填报中 or 退回修改): the registration fields of ``data`` (not the 统一社会
    信用代码), a new licence or 承诺书 (which signs it)."""
    data = dict(data or {})
    unknown = set(data) - set(CHANGE_FIELDS) - {"kind"}
    if unknown:
        raise DomainError("intermediary_agency_field", "不能修改的项目：" + "、".join(sorted(unknown)))
    values = _clean_registration(data)
    _upload_check(licence, "营业执照")
    _upload_check(pledge, "承诺书")
    if not values and licence is None and pledge is None:
        raise DomainError("intermediary_agency_nothing", "没有需要修改的内容")
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        _member_check(user, agency, "修改入驻信息")
        if agency.status not in (AgencyStatus.DRAFT, AgencyStatus.RETURNED):
            raise DomainError("intermediary_agency_status",
                              f"机构当前状态为“{agency.get_status_display()}”，已入驻机构请提交信息变更，待审核后生效")
        fields = list(values)
        for key, value in values.items():
            setattr(agency, key, value)
        if licence is not None:
            agency.licence = licence
            fields.append("licence")
        if pledge is not None:
            agency.pledge, agency.pledge_signed_at = pledge, clock.now()
            fields += ["pledge", "pledge_signed_at"]
        agency.save(update_fields=fields)
        common.event_record(agency=agency, action="agency_update", actor=user,
                            note="修改：" + "、".join(Agency._meta.get_field(f).verbose_name for f in fields
                                                     if f != "pledge_signed_at"),
                            data={"fields": fields})
    return agency


def certificate_add(*, agency, user, qualification, number, valid_until, level="", issuer="",
                    file=None) -> Certificate:
    """登记资质证书 (or renew one: the same qualification and number again takes the new expiry). A renewal
    restores at once the agency's offerings the expiry had suspended."""
    number = required_text(number, "intermediary_certificate_number", "请填写证书编号")
    valid_until = _date(valid_until, "证书有效期")
    level, issuer = (level or "").strip(), (issuer or "").strip()
    validate_lengths({"number": number, "level": level, "issuer": issuer}, Certificate, ["number", "level", "issuer"])
    if qualification is None:
        raise DomainError("intermediary_certificate_qualification", "请选择资质类别")
    if valid_until < clock.today():
        raise DomainError("intermediary_certificate_expired",
                          f"该证书有效期至{valid_until:%Y年%m月%d日}，已过期，请登记有效期内的证书")
    _upload_check(file, "资质证书扫描件")
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        _member_check(user, agency, "登记资质证书")
        if agency.status == AgencyStatus.DELISTED:
            raise DomainError("intermediary_agency_status", "该机构已清退，不能登记资质证书")
        cert = Certificate.objects.select_for_update().filter(agency=agency, qualification=qualification,
                                                              number=number).first()
        renewed = cert is not None
        if cert is None:
            cert = Certificate(agency=agency, qualification=qualification, number=number)
        cert.valid_until, cert.level, cert.issuer = valid_until, level, issuer
        if file is not None:
            cert.file = file
        cert.save()
        restored = _offerings_restore(today=clock.today(), agency_id=agency.pk)
        common.event_record(agency=agency, action="certificate_add", actor=user,
                            note=f"{'更新' if renewed else '登记'}{qualification.name}证书{number}，"
                                 f"有效期至{valid_until:%Y年%m月%d日}"
                                 + (f"；恢复承接{restored}项服务" if restored else ""),
                            data={"certificate": cert.pk, "valid_until": valid_until.isoformat(),
                                  "restored": restored})
    return cert


def practitioner_add(*, agency, user, name, id_number, title, certificate_no="") -> Practitioner:
    """登记执业（职业）人员 with a checked 身份证号."""
    name = required_text(name, "intermediary_practitioner_name", "请填写执业人员姓名")
    title = required_text(title, "intermediary_practitioner_title", "请填写执业资格或职称")
    id_number = validate_id_number(id_number, today=clock.today())
    certificate_no = (certificate_no or "").strip()
    validate_lengths({"name": name, "title": title, "certificate_no": certificate_no}, Practitioner,
                     ["name", "title", "certificate_no"])
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        _member_check(user, agency, "登记执业人员")
        if agency.status == AgencyStatus.DELISTED:
            raise DomainError("intermediary_agency_status", "该机构已清退，不能登记执业人员")
        if Practitioner.objects.filter(agency=agency, id_number=id_number).exists():
            raise DomainError("intermediary_practitioner_exists", f"执业人员{name}已登记")
        row = Practitioner.objects.create(agency=agency, name=name, id_number=id_number, title=title,
                                          certificate_no=certificate_no)
        common.event_record(agency=agency, action="practitioner_add", actor=user, note=f"登记执业人员{name}（{title}）",
                            data={"practitioner": row.pk})
    return row


def _valid_certificate(agency_id: int, service: Service, on: dt.date) -> bool | None:
    """None when the service requires no qualification; else whether the agency holds a valid one."""
    wanted = list(service.qualifications.values_list("pk", flat=True))
    if not wanted:
        return None
    return Certificate.objects.filter(agency_id=agency_id, qualification_id__in=wanted, valid_until__gte=on).exists()


def offering_set(*, agency, user, service, price_min=None, price_max=None, price_note="") -> Offering:
    """登记（修改）服务承接范围: the agency offers ``service`` at its published price range. It must hold a
    valid certificate of one of the service's qualifications."""
    low, high = _money(price_min, "收费下限"), _money(price_max, "收费上限")
    if low is not None and high is not None and low > high:
        raise DomainError("intermediary_price", "收费下限不能高于收费上限")
    price_note = (price_note or "").strip()
    validate_lengths({"price_note": price_note}, Offering, ["price_note"])
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        _member_check(user, agency, "登记服务承接范围")
        if agency.status == AgencyStatus.DELISTED:
            raise DomainError("intermediary_agency_status", "该机构已清退，不能登记服务承接范围")
        if service.status != ServiceStatus.ACTIVE:
            raise common.refuse("intermediary_service_unlisted", "LIST", f"“{service.name}”不在中介服务事项清单内")
        if _valid_certificate(agency.pk, service, clock.today()) is False:
            names = "、".join(service.qualifications.values_list("name", flat=True))
            raise DomainError("intermediary_offering_qualification",
                              f"承接“{service.name}”须具备以下资质之一且证书在有效期内：{names}，请先登记资质证书")
        offering = Offering.objects.select_for_update().filter(agency=agency, service=service).first()
        created = offering is None
        if created:
            offering = Offering(agency=agency, service=service)
        offering.price_min, offering.price_max, offering.price_note = low, high, price_note
        offering.status, offering.status_reason = OfferingStatus.ACTIVE, ""
        offering.save()
        price = f"{low or '—'}～{high or '—'}元" if low is not None or high is not None else "未公示价格"
        common.event_record(agency=agency, action="offering_set", actor=user,
                            note=f"{'承接' if created else '修改'}“{service.name}”，收费{price}",
                            data={"service": service.code, "price_min": str(low) if low is not None else None,
                                  "price_max": str(high) if high is not None else None})
    return offering


def offering_withdraw(*, agency, user, service) -> Offering:
    """退出承接 ``service`` (open sign-ups and contracts are not affected)."""
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        _member_check(user, agency, "退出服务承接")
        offering = Offering.objects.select_for_update().filter(agency=agency, service=service).first()
        if offering is None or offering.status == OfferingStatus.WITHDRAWN:
            raise DomainError("intermediary_offering_missing", f"该机构未承接“{service.name}”")
        offering.status, offering.status_reason = OfferingStatus.WITHDRAWN, ""
        offering.save(update_fields=["status", "status_reason"])
        common.event_record(agency=agency, action="offering_withdraw", actor=user, note=f"退出承接“{service.name}”",
                            data={"service": service.code})
    return offering


def agency_submit(*, agency, user) -> Agency:
    """提交入驻申请: the 承诺书 signed, at least one certificate, one practitioner and one offering; starts
    the review clock (``policy.review_workdays`` 工作日)."""
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        _member_check(user, agency, "提交入驻申请")
        if agency.status not in (AgencyStatus.DRAFT, AgencyStatus.RETURNED):
            raise DomainError("intermediary_agency_status",
                              f"机构当前状态为“{agency.get_status_display()}”，不能提交入驻申请")
        missing = []
        if agency.pledge_signed_at is None:
            missing.append("签字盖章的承诺书")
        if not agency.certificates.exists():
            missing.append("资质证书")
        if not agency.practitioners.exists():
            missing.append("执业人员")
        if not agency.offerings.exclude(status=OfferingStatus.WITHDRAWN).exists():
            missing.append("服务承接范围")
        if missing:
            raise DomainError("intermediary_agency_incomplete", "入驻材料不全，请补充：" + "、".join(missing))
        policy = common.policy_for(agency.region)
        agency.status, agency.submitted_at, agency.review_note = AgencyStatus.PENDING, clock.now(), ""
        agency.save(update_fields=["status", "submitted_at", "review_note"])
        due = review_clock_start(agency, workdays=policy.review_workdays, part_name="入驻审核")
        common.event_record(agency=agency, action="agency_submit", actor=user,
                            note=f"提交入驻申请，审核期限{due:%Y年%m月%d日}", data={"due": due.isoformat()})
    return agency


def agency_review(*, agency, staff, approve: bool, note="") -> Agency:
    """入驻审核: approve (已入驻) or return with the reason (退回修改); ends the review clock."""
    note = (note or "").strip()
    if not approve:
        note = required_text(note, "intermediary_review_note", "退回的，请填写退回理由")
    validate_lengths({"review_note": note}, Agency, ["review_note"])
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        admin = staff_admin(staff, agency.region, "审核入驻申请")
        if agency.status != AgencyStatus.PENDING:
            raise DomainError("intermediary_agency_status",
                              f"机构当前状态为“{agency.get_status_display()}”，不是待审核的入驻申请")
        agency.status = AgencyStatus.ACTIVE if approve else AgencyStatus.RETURNED
        agency.reviewed_at, agency.reviewed_by, agency.review_note = clock.now(), admin, note
        agency.status_reason = ""
        agency.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note", "status_reason"])
        sv.clock_finish(subject=common.agency_subject(agency), kind=kinds.REVIEW.code, part=0,
                        reason="入驻审核通过" if approve else "入驻申请已退回")
        common.event_record(agency=agency, action="agency_approve" if approve else "agency_return",
                            actor=admin.user, note=note or ("准予入驻" if approve else ""))
    return agency


def agency_change_submit(*, agency, user, data: dict) -> AgencyChange:
    """信息变更 of an admitted agency: kept until reviewed (the registration stays as it was meanwhile)."""
    data = dict(data or {})
    unknown = set(data) - set(CHANGE_FIELDS)
    if unknown:
        raise DomainError("intermediary_change_field",
                          "不能变更的项目：" + "、".join(sorted(unknown)) + "（统一社会信用代码不能变更）")
    values = _clean_registration(data)
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        _member_check(user, agency, "提交信息变更")
        if agency.status not in ADMITTED:
            raise DomainError("intermediary_agency_status",
                              f"机构当前状态为“{agency.get_status_display()}”，入驻审核通过后方可申请信息变更")
        changed = {k: v for k, v in values.items() if getattr(agency, k) != v}
        if not changed:
            raise DomainError("intermediary_change_nothing", "变更内容与现登记信息相同")
        if agency.changes.filter(state=AgencyChange.State.PENDING).exists():
            raise DomainError("intermediary_change_pending", "已有一项信息变更待审核，请待审核后再提交")
        change = AgencyChange.objects.create(agency=agency, data=changed, submitted_at=clock.now(),
                                             submitted_by=user)
        policy = common.policy_for(agency.region)
        due = review_clock_start(agency, part=change.pk, part_name="信息变更审核", workdays=policy.review_workdays)
        labels = "、".join(str(Agency._meta.get_field(k).verbose_name) for k in changed)
        common.event_record(agency=agency, action="agency_change", actor=user,
                            note=f"申请变更{labels}，审核期限{due:%Y年%m月%d日}", data={"change": change.pk})
    return change


def agency_change_review(*, change, staff, approve: bool, note="") -> AgencyChange:
    """信息变更审核: approved changes are applied to the registration; ends the clock."""
    note = (note or "").strip()
    if not approve:
        note = required_text(note, "intermediary_review_note", "不予通过的，请填写理由")
    validate_lengths({"note": note}, AgencyChange, ["note"])
    with transaction.atomic():
        agency = common.agency_lock(change.agency_id)
        admin = staff_admin(staff, agency.region, "审核信息变更")
        change = AgencyChange.objects.select_for_update().get(pk=change.pk)
        if change.state != AgencyChange.State.PENDING:
            raise DomainError("intermediary_change_status", f"该变更已{change.get_state_display()}，不能再审核")
        change.state = AgencyChange.State.APPROVED if approve else AgencyChange.State.REJECTED
        change.reviewed_at, change.reviewed_by, change.note = clock.now(), admin, note
        change.save(update_fields=["state", "reviewed_at", "reviewed_by", "note"])
        if approve:
            values = {k: v for k, v in change.data.items() if k in CHANGE_FIELDS}
            for key, value in values.items():
                setattr(agency, key, value)
            agency.save(update_fields=list(values))
        sv.clock_finish(subject=common.agency_subject(agency), kind=kinds.REVIEW.code, part=change.pk,
                        reason="信息变更审核通过" if approve else "信息变更不予通过")
        common.event_record(agency=agency, action="agency_change_approve" if approve else "agency_change_reject",
                            actor=admin.user, note=note, data={"change": change.pk})
    return change


# -- suspension and delisting ------------------------------------------------------------------------------------


def _status_set(*, agency, staff, sources, target, action: str, label: str, reason: str) -> Agency:
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        admin = staff_admin(staff, agency.region, label)
        if agency.status not in sources:
            raise DomainError("intermediary_agency_status",
                              f"机构当前状态为“{agency.get_status_display()}”，不能{label}")
        agency.status, agency.status_reason = target, (reason if target != AgencyStatus.ACTIVE else "")[:300]
        agency.save(update_fields=["status", "status_reason"])
        common.event_record(agency=agency, action=action, actor=admin.user, note=reason)
    return agency


def agency_suspend(*, agency, staff, reason) -> Agency:
    """暂停选取 (the agency may not sign up meanwhile)."""
    reason = required_text(reason, "intermediary_reason", "请填写暂停选取的理由")
    return _status_set(agency=agency, staff=staff, sources=(AgencyStatus.ACTIVE,), target=AgencyStatus.SUSPENDED,
                       action="agency_suspend", label="暂停选取", reason=reason)


def agency_restore(*, agency, staff, reason="") -> Agency:
    """恢复选取 of a suspended or delisted agency (after a repair, an appeal or the end of the sanction)."""
    return _status_set(agency=agency, staff=staff, sources=(AgencyStatus.SUSPENDED, AgencyStatus.DELISTED),
                       target=AgencyStatus.ACTIVE, action="agency_restore", label="恢复选取",
                       reason=(reason or "").strip())


def agency_delist(*, agency, staff, reason) -> Agency:
    """清退 an admitted agency."""
    reason = required_text(reason, "intermediary_reason", "请填写清退的理由")
    return _status_set(agency=agency, staff=staff, sources=ADMITTED, target=AgencyStatus.DELISTED,
                       action="agency_delist", label="清退", reason=reason)


# -- the expiry sweep --------------------------------------------------------------------------------------------


def _needs_qualification():
    return Exists(Service.qualifications.through.objects.filter(service_id=OuterRef("service_id")))


def _holds_valid(today: dt.date):
    return Exists(Certificate.objects.filter(agency_id=OuterRef("agency_id"), valid_until__gte=today,
                                             qualification__services=OuterRef("service_id")))


def _events_bulk(rows: list[Offering], action: str, notes: dict[int, str]) -> None:
    now, label = clock.now(), common.LABELS[action]
    Event.objects.bulk_create([Event(agency_id=o.agency_id, action=action, label=label, at=now,
                                     note=notes[o.pk][:500], data={"service": o.service.code})
                               for o in rows], batch_size=1000)


def _offerings_restore(*, today: dt.date, agency_id: int | None = None) -> int:
    """Offerings suspended by the sweep whose agency holds a valid certificate again → 可承接."""
    qs = (Offering.objects.filter(status=OfferingStatus.SUSPENDED)
          .filter(Q(status_reason__startswith=EXPIRED) | Q(status_reason__startswith=MISSING))
          .filter(_holds_valid(today) | ~_needs_qualification()))
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    rows = list(qs.select_for_update(of=("self",)).select_related("service"))
    if not rows:
        return 0
    Offering.objects.filter(pk__in=[o.pk for o in rows]).update(status=OfferingStatus.ACTIVE, status_reason="")
    _events_bulk(rows, "offering_restore", {o.pk: f"“{o.service.name}”资质证书已更新，恢复承接" for o in rows})
    return len(rows)


def qualifications_expire(*, today: dt.date | None = None) -> dict:
    """The daily sweep: an offering whose agency holds no certificate of the service's qualifications valid
    ``today`` (each expired: 有效期至 before today) is suspended, naming the certificate that lapsed last;
    one suspended that way whose agency has renewed is restored. {"suspended": n, "restored": n}."""
    today = today or clock.today()
    with transaction.atomic():
        restored = _offerings_restore(today=today)
        rows = list(Offering.objects.filter(status=OfferingStatus.ACTIVE).filter(_needs_qualification())
                    .exclude(_holds_valid(today)).select_for_update(of=("self",)).select_related("service"))
        if rows:
            wanted = Service.qualifications.through.objects.filter(service_id__in={o.service_id for o in rows})
            quals: dict[int, set[int]] = {}
            for sid, qid in wanted.values_list("service_id", "qualification_id"):
                quals.setdefault(sid, set()).add(qid)
            last: dict[tuple[int, int], Certificate] = {}
            certs = (Certificate.objects.filter(agency_id__in={o.agency_id for o in rows})
                     .select_related("qualification").order_by("valid_until", "id"))
            for c in certs:
                last[(c.agency_id, c.qualification_id)] = c
            notes = {}
            for o in rows:
                held = [last[(o.agency_id, q)] for q in quals.get(o.service_id, ()) if (o.agency_id, q) in last]
                if held:
                    c = max(held, key=lambda c: (c.valid_until, c.pk))
                    notes[o.pk] = f"{EXPIRED}（{c.qualification.name} {c.number} 有效期至{c.valid_until:%Y年%m月%d日}）"
                else:
                    notes[o.pk] = f"{MISSING}（{o.service.name}）"
                o.status, o.status_reason = OfferingStatus.SUSPENDED, notes[o.pk][:200]
            Offering.objects.bulk_update(rows, ["status", "status_reason"], batch_size=1000)
            _events_bulk(rows, "offering_suspend", notes)
    return {"suspended": len(rows), "restored": restored}
