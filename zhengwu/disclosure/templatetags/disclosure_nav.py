"""Whether the signed-in person has a duty in some 公开主体 (to show the workbench link)."""

from django import template

from zhengwu.disclosure.models import BodyMember

register = template.Library()


@register.simple_tag(takes_context=True)
def is_disclosure_member(context) -> bool:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    return BodyMember.objects.filter(staff__user=user, staff__is_active=True, body__is_active=True).exists()


@register.filter
def mask_address(value) -> str:
    """河北省示范县城关镇东关村12号 → 河北省示范县****: the area, not the house."""
    value = (value or "").strip()
    return value[:6] + "****" if len(value) > 6 else ("****" if value else "")


@register.filter
def mask_email(value) -> str:
    """zhangsan@example.cn → z***@example.cn."""
    local, at, domain = (value or "").partition("@")
    return f"{local[:1]}***@{domain}" if at else ("****" if value else "")


@register.simple_tag(takes_context=True)
def sees_village_work(context) -> bool:
    """A village's staff (any duty) or a 效能监察员/领导: the 村务公开 link."""
    from zhengwu.org.models import Role

    user = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    if BodyMember.objects.filter(staff__user=user, staff__is_active=True, body__is_active=True,
                                 body__kind__in=["village", "town"]).exists():
        return True
    from zhengwu.org.models import Staff

    return Staff.objects.filter(user=user, is_active=True, roles__code__in=[Role.SUPERVISOR, Role.LEADER]).exists()
