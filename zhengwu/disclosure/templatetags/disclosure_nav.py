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
