"""Emit one OCDS release for a project's stage (called inside the stage's transaction).

The release is the project as it stands (``builder.build``) with a release ``id`` that is unique and
stable within the ocid (``<ocid>-<NNNN>-<first tag>``, NNNN the release's sequence number), the stage's
``date`` and ``tag``. It is stored once and never changed: saving an existing ``Release`` row is refused.
"""

from __future__ import annotations

import datetime as dt

from django.db.models.signals import pre_save
from django.dispatch import receiver

from zhengwu.core import clock
from zhengwu.core.errors import DomainError

from ..models import Project, Release
from .builder import build, iso, ocid_for

__all__ = ["ocid_for", "release_emit"]


def release_emit(*, project: Project, tags: list[str], at: dt.datetime | None = None) -> Release:
    """Store the release of ``project`` as it stands now, tagged ``tags`` (OCDS releaseTag codes)."""
    at = at or clock.now()
    ocid = ocid_for(project)
    seq = Release.objects.filter(ocid=ocid).count() + 1
    release_id = f"{ocid}-{seq:04d}-{tags[0]}"
    body = build(project, at=at)
    data = {"ocid": ocid, "id": release_id, "date": iso(at), "tag": list(tags)}
    data.update((k, v) for k, v in body.items() if k != "ocid")
    return Release.objects.create(project=project, ocid=ocid, release_id=release_id, date=at, tags=list(tags),
                                  data=data)


@receiver(pre_save, sender=Release, dispatch_uid="trading_release_immutable")
def _release_immutable(sender, instance: Release, raw=False, **kwargs):
    if instance.pk is not None and not raw:
        raise DomainError("ocds_release_immutable", "OCDS发布记录一经发布不得修改，如有变化请发布新的release")
