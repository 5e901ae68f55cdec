"""The demo's commitments: every version state and every complaint state, made through the services, once."""

from __future__ import annotations

import pytest

from zhengwu.commitments.demo import build_commitments
from zhengwu.commitments.models import Breach, Commitment, CommitmentVersion
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as org
from zhengwu.supervision.models import Clock

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_state_and_is_made_once():
    county = org.county()
    hall = org.hall(county)  # the demo center's code
    for n in range(8):
        dept = org.department(county, code=f"D{n:03d}", name=f"示范县第{n}局")
        org.window(hall, str(n + 1), dept)
        org.staff(f"H{n:03d}", Role.DEPT_HEAD, department=dept, region=county)
        org.staff(f"C{n:03d}", Role.CHIEF_REP, department=dept, hall=hall)
    org.staff("S001", Role.SUPERVISOR, region=county)
    out = build_commitments()
    assert (out["created"], out["departments"], out["breaches"]) == (True, 7, 3)
    assert set(CommitmentVersion.objects.values_list("status", flat=True)) == {"draft", "submitted", "published",
                                                                              "superseded"}
    assert CommitmentVersion.objects.exclude(returned_reason="").filter(status="draft").count() == 1
    assert Commitment.objects.filter(scope="window", current__isnull=False).count() == 7
    assert sorted(Breach.objects.values_list("status", flat=True)) == ["dismissed", "pending", "upheld"]
    assert Clock.objects.filter(kind_id="commitment_breach", state="running").count() == 1
    before = CommitmentVersion.objects.count()
    assert build_commitments()["created"] is False and CommitmentVersion.objects.count() == before
