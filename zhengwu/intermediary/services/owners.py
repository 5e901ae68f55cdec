"""项目业主 registration: whoever buys a service registers once — a person with their 身份证号, an enterprise
with its 统一社会信用代码, a government unit (机关事业单位) by a staff member of that department — and the
registering user becomes its first 经办人. An enterprise or unit already registered is not joined by
knowing its code (public): its existing 经办人 add colleagues (``owner_member_add``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.validators import validate_id_number, validate_uscc

from ..models import Owner, OwnerKind
from . import common

__all__ = ["owner_member_add", "owner_register"]


def owner_register(*, user, kind: str, name: str, contact_name: str, contact_phone: str, uscc: str = "",
                   id_number: str = "", department=None) -> Owner:
    """Register a 项目业主 with ``user`` as its first 经办人; refusals (Chinese) write nothing."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录")
    if kind not in OwnerKind.values:
        raise DomainError("intermediary_owner_kind", "请选择业主类型：自然人、企业或机关事业单位")
    name = common.required_text(name, "intermediary_owner_name", "请填写业主名称（姓名）")[:100]
    contact_name = common.required_text(contact_name, "intermediary_owner_contact", "请填写联系人")[:32]
    contact_phone = common.required_text(contact_phone, "intermediary_owner_phone", "请填写联系电话")[:20]
    values = {"kind": kind, "name": name, "contact_name": contact_name, "contact_phone": contact_phone}
    if kind == OwnerKind.PERSON:
        values["id_number"] = validate_id_number(id_number)
        existing = Owner.objects.filter(id_number=values["id_number"]).first()
    else:
        values["uscc"] = validate_uscc(uscc)
        existing = Owner.objects.filter(uscc=values["uscc"]).first()
        if kind == OwnerKind.GOVERNMENT:
            staff = getattr(user, "staff", None)
            if department is None:
                raise DomainError("intermediary_owner_department", "机关事业单位须选择所属部门")
            if staff is None or not staff.is_active or staff.department_id != department.pk:
                raise PermissionDenied("机关事业单位的项目业主须由该部门的在岗工作人员登记")
            values["department"] = department
    if existing is not None:
        if existing.members.filter(pk=user.pk).exists():
            raise DomainError("intermediary_owner_exists", f"您已是项目业主“{existing.name}”的经办人")
        raise DomainError("intermediary_owner_exists",
                          f"“{existing.name}”已登记为项目业主，请由其现有经办人将您添加为经办人")
    try:
        with transaction.atomic():
            owner = Owner.objects.create(**values)
            owner.members.add(user)
            common.event_record(action="owner_register", actor=user, note=f"{owner.get_kind_display()}：{owner.name}",
                                data={"owner": owner.pk})
    except IntegrityError:  # the same code registered at the same moment by someone else
        raise DomainError("intermediary_owner_exists", "该业主已登记，请由其现有经办人将您添加为经办人") from None
    return owner


def owner_member_add(*, owner: Owner, user, member) -> Owner:
    """An existing 经办人 adds a colleague's account (not for a natural person: one person, one account)."""
    if not owner.members.filter(pk=getattr(user, "pk", None)).exists():
        raise PermissionDenied("只有该项目业主的经办人可以添加经办人")
    if owner.kind == OwnerKind.PERSON:
        raise DomainError("intermediary_owner_person", "自然人业主不能添加其他经办人")
    with transaction.atomic():
        owner.members.add(member)
        common.event_record(action="owner_register", actor=user, note=f"添加经办人 {member.get_username()}",
                            data={"owner": owner.pk, "member": member.pk})
    return owner
