from __future__ import annotations

from .models import AuditEvent


def audit_record(*, actor, action: str, obj=None, object_type: str = "", object_id: str = "",
                 summary: str = "", request=None) -> AuditEvent:
    """Append one row to the audit trail; call inside the transaction of the change it records."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    ip = None
    if request is not None:
        ip = request.META.get("REMOTE_ADDR")
    return AuditEvent.objects.create(
        actor=actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None,
        action=action, object_type=object_type, object_id=object_id, summary=summary[:500], ip=ip,
    )
