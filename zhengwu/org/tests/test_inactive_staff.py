"""A deactivated staff record (调出、离岗) stops working at once, even with the user and its API token alive."""

import datetime as dt

import pytest

from zhengwu.accounts.models import ApiToken
from zhengwu.cases import services as s
from zhengwu.cases.tests.factories import applicant, build_world
from zhengwu.core import clock
from zhengwu.org.selectors import staff_for_user

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict:
    _, raw = ApiToken.issue(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


def test_a_deactivated_leader_reads_no_cases_through_the_api(client):
    w = build_world()
    with clock.frozen(dt.date(2026, 3, 10)):
        case = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)
    headers = _bearer(w.leader.user)
    assert [c["case_no"] for c in client.get("/api/cases", headers=headers).json()] == [case.case_no]

    w.leader.is_active = False
    w.leader.save(update_fields=["is_active"])
    assert staff_for_user(w.leader.user) is None
    assert client.get("/api/cases", headers=headers).json() == []  # only what they applied for themselves: none
    assert client.get(f"/api/cases/{case.case_no}", headers=headers).status_code in (403, 404)
    assert client.get(f"/api/cases/{case.case_no}", headers=_bearer(w.officer.user)).status_code == 200
