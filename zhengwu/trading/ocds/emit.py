"""Emit one OCDS release for a project's stage (called inside the stage's transaction)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from zhengwu.core import clock

from ..models import Project, Release


def ocid_for(project: Project) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-{project.pk}"


def release_emit(*, project: Project, tags: list[str], at: dt.datetime | None = None) -> Release:
    """Store the release of ``project`` as it stands now, tagged ``tags`` (OCDS releaseTag codes)."""
    at = at or clock.now()
    ocid = ocid_for(project)
    seq = Release.objects.filter(ocid=ocid).count() + 1
    release_id = f"{ocid}-{seq:04d}-{tags[0]}"
    data = {"ocid": ocid, "id": release_id, "date": at.isoformat(), "tag": tags, "initiationType": "tender",
            "language": "zh"}
    return Release.objects.create(project=project, ocid=ocid, release_id=release_id, date=at, tags=tags, data=data)
