"""社会监督: the public page that gathers commitments, appraisal results, 备案码 checks and reports; and the
new workbenches on each person's /me/ page."""

from __future__ import annotations

import pytest

from zhengwu.org.models import Role
from zhengwu.org.tests import factories as org

pytestmark = pytest.mark.django_db


def test_the_oversight_page_links_every_public_part(client):
    page = client.get("/oversight/").content.decode()
    for href in ["/commitments/", "/appraisal/public/", "/declarations/check", "/declarations/report",
                 "/ratings/public/", "/hotline/public/", "/hotline/progress/", "/gk/"]:
        assert f'href="{href}"' in page, href
    assert 'href="/oversight/"' in client.get("/").content.decode()  # in the main navigation


@pytest.mark.parametrize("roles, shown, hidden", [
    ((Role.SUPERVISOR,), ["违诺投诉", "涉企活动监督", "重点科室评议"], ["涉企活动申报", "评议整改"]),
    ((Role.DEPT_HEAD,), ["公开承诺", "涉企活动申报", "评议整改"], ["违诺投诉", "涉企活动审批"]),
    (("business_env",), ["涉企活动审批"], ["涉企活动申报", "违诺投诉"]),
])
def test_me_lists_the_oversight_workbenches_by_role(client, roles, shown, hidden):
    from zhengwu.org.models import Role as R

    R.objects.get_or_create(code="business_env", defaults={"name": "优化营商环境办"})
    county = org.county()
    dept = org.department(county)
    staff = org.staff("X001", *roles, department=dept, region=county)
    client.force_login(staff.user)
    page = client.get("/me/").content.decode()
    for label in shown:
        assert f">{label}<" in page, label
    for label in hidden:
        assert f">{label}<" not in page, label
