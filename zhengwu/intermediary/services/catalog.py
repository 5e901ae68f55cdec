"""The service list (中介服务事项清单) and the approval items that require each service.

A service is listed with its legal basis, time limit, fee mode and implementing department; an approval
item may require only a listed service, and only with the basis of that requirement stated on the link
(优化营商环境条例第四十三条). Cancelling a service takes it off the list: its links stay as history but
no longer show on the 办事指南 (``services_for_item``) and no new link may be made to it.

Each write is keyword-only and one transaction: the service row is locked, every check comes before the
first write (a refusal changes nothing), and an ``Event`` row records the step.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.validators import validate_lengths
from zhengwu.org.models import Staff

from ..models import FeeMode, LinkStage, Qualification, Service, ServiceLink, ServiceStatus
from . import common
from .common import refuse, required_text

__all__ = ["service_cancel", "service_link", "service_unlink", "service_upsert", "services_for_item"]



def _admin_check(actor, region, label: str) -> None:
    """``actor`` None is the system (a data load, the demo); anyone else must be the region's 中介超市管理员."""
    if actor is None:
        return
    if common.is_admin(_user(actor), region) is None:
        raise PermissionDenied(f"只有本区划的中介超市管理员可以{label}")


def _user(actor):
    """A ``Staff`` row or a user: the user."""
    return actor.user if isinstance(actor, Staff) else actor


def _service_lock(service_id: int) -> Service:
    row = Service.objects.select_for_update().select_related("region", "department").filter(pk=service_id).first()
    if row is None:
        raise DomainError("not_found", "未找到该中介服务事项")
    return row


def service_upsert(*, region, code, name, basis, department, time_limit, qualifications=(), category="",
                   fee_mode=FeeMode.MARKET, fee_standard="", conditions="", process="", time_limit_note="",
                   actor=None) -> Service:
    """List (or update) the service ``code``: name, 设定依据, 实施部门, 服务时限 (working days), the
    qualifications of which an agency must hold one, the fee. A cancelled service given again is listed
    again. A service without a legal basis cannot be listed (优化营商环境条例第四十三条)."""
    code = required_text(code, "intermediary_service_code", "请填写中介服务事项编码")
    name = required_text(name, "intermediary_service_name", "请填写中介服务事项名称")
    basis = (basis or "").strip()
    if not basis:
        raise refuse("intermediary_service_basis", "LIST", "请填写该中介服务事项的设定依据")
    values = {"code": code, "name": name, "category": (category or "").strip(),
              "fee_standard": (fee_standard or "").strip(), "time_limit_note": (time_limit_note or "").strip(),
              "conditions": (conditions or "").strip(), "process": (process or "").strip(), "basis": basis}
    validate_lengths(values, Service, values.keys())
    if department is None:
        raise DomainError("intermediary_service_department", "请选择实施（行业主管）部门")
    if isinstance(time_limit, bool) or not isinstance(time_limit, int) or not 1 <= time_limit <= 32767:
        raise DomainError("intermediary_service_time_limit", "服务时限应为1以上的工作日数")
    if fee_mode not in FeeMode.values:
        raise DomainError("intermediary_service_fee_mode", "收费方式应为“政府定价/指导价”或“市场调节价”")
    if fee_mode == FeeMode.STANDARD and not values["fee_standard"]:
        raise DomainError("intermediary_service_fee_standard", "实行政府定价或指导价的，请填写收费标准")
    quals = list(qualifications or ())
    if any(not isinstance(q, Qualification) for q in quals):
        raise DomainError("intermediary_service_qualification", "资质要求应为已登记的资质类别")
    _admin_check(actor, region, "登记中介服务事项")
    with transaction.atomic():
        existing = Service.objects.filter(code=code).values_list("pk", flat=True).first()
        if existing is None:
            try:
                with transaction.atomic():
                    service = Service.objects.create(region=region, department=department, time_limit=time_limit,
                                                     fee_mode=fee_mode, **values)
            except IntegrityError:
                raise DomainError("intermediary_service_code", f"事项编码“{code}”已被使用") from None
            relisted = False
        else:
            service = _service_lock(existing)
            if service.region_id != region.pk:
                raise DomainError("intermediary_service_code", f"事项编码“{code}”已被{service.region}的清单使用")
            relisted = service.status == ServiceStatus.CANCELLED
            for field, value in values.items():
                setattr(service, field, value)
            service.department, service.time_limit, service.fee_mode = department, time_limit, fee_mode
            service.status = ServiceStatus.ACTIVE
            service.save(update_fields=[*values.keys(), "department", "time_limit", "fee_mode", "status"])
        service.qualifications.set(quals)
        note = ("重新列入清单：" if relisted else ("列入清单：" if existing is None else "修改清单事项：")) + service.name
        common.event_record(action="service_upsert", actor=_user(actor), note=note,
                            data={"service": service.code, "time_limit": time_limit, "fee_mode": fee_mode,
                                  "qualifications": [q.code for q in quals]})
    return service


def service_cancel(*, service, actor, reason="") -> Service:
    """Take the service off the list. Its item links stop being shown and used (no new purchase may be made
    for it: the purchase services check ``Service.status``); they are kept as history."""
    with transaction.atomic():
        service = _service_lock(service.pk)
        _admin_check(actor, service.region, "取消中介服务事项")
        if service.status == ServiceStatus.CANCELLED:
            raise DomainError("intermediary_service_status", f"“{service.name}”已取消，不在清单内")
        service.status = ServiceStatus.CANCELLED
        service.save(update_fields=["status"])
        links = service.links.count()
        common.event_record(action="service_cancel", actor=_user(actor),
                            note=f"取消“{service.name}”" + (f"：{reason.strip()}" if (reason or "").strip() else ""),
                            data={"service": service.code, "links": links})
    return service


def service_link(*, service, item, basis, stage, review_limit=None, actor=None) -> ServiceLink:
    """Record that ``item`` requires ``service`` (``basis``: the provision that makes it a requirement;
    ``stage``: a 受理条件 brought by the applicant, or commissioned during review as a 特别程序 with at most
    ``review_limit`` working days). Linking the same pair again updates the link."""
    if stage not in LinkStage.values:
        raise DomainError("intermediary_link_stage", "环节应为“受理条件”或“审查中委托”")
    if review_limit is not None:
        if isinstance(review_limit, bool) or not isinstance(review_limit, int) or not 1 <= review_limit <= 32767:
            raise DomainError("intermediary_link_review_limit", "特别程序时限应为1以上的工作日数")
        if stage != LinkStage.REVIEW:
            raise DomainError("intermediary_link_review_limit", "只有审查中委托的中介服务才有特别程序时限")
    with transaction.atomic():
        service = _service_lock(service.pk)
        _admin_check(actor, service.region, "关联审批事项")
        if service.status != ServiceStatus.ACTIVE:
            raise refuse("intermediary_link_unlisted", "LIST",
                         f"“{service.name}”已取消，不在中介服务事项清单内，审批事项不得将其列为办理条件")
        basis = (basis or "").strip()
        if not basis:
            raise refuse("intermediary_link_basis", "LIST",
                         f"请填写“{item.name}”要求“{service.name}”的法律、法规或者国务院决定依据")
        validate_lengths({"basis": basis}, ServiceLink, ["basis"])
        link, created = ServiceLink.objects.update_or_create(
            service=service, item=item, defaults={"basis": basis, "stage": stage, "review_limit": review_limit})
        common.event_record(action="service_link", actor=_user(actor),
                            note=f"“{item.name}”{'需要' if created else '修改所需'}“{service.name}”"
                                 f"（{link.get_stage_display()}）",
                            data={"service": service.code, "item": item.impl_code, "stage": stage,
                                  "review_limit": review_limit, "basis": basis})
    return link


def service_unlink(*, service, item, actor=None) -> None:
    """The item no longer requires the service."""
    with transaction.atomic():
        service = _service_lock(service.pk)
        _admin_check(actor, service.region, "取消关联审批事项")
        deleted, _ = ServiceLink.objects.filter(service=service, item=item).delete()
        if not deleted:
            raise DomainError("intermediary_link_missing", f"“{item.name}”未关联“{service.name}”")
        common.event_record(action="service_unlink", actor=_user(actor),
                            note=f"“{item.name}”不再需要“{service.name}”",
                            data={"service": service.code, "item": item.impl_code})


def services_for_item(item) -> list[ServiceLink]:
    """The listed services ``item`` requires (for its 办事指南): 受理条件 first, then those commissioned
    during review, each by service code; cancelled services are left out."""
    return list(ServiceLink.objects.filter(item=item, service__status=ServiceStatus.ACTIVE)
                .select_related("service__department", "item")
                .prefetch_related("service__qualifications")
                .order_by("stage", "service__code"))
