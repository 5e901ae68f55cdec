"""The admin pages of 政务公开 open (Chinese labels) for a superuser."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["body", "publication", "inforequest", "annualreport", "feeband", "feewaiverreason", "setting",
                                   "appeal"])
def test_admin_lists_open(client, model):
    admin = get_user_model().objects.create_superuser(username="root", password="pass-123456")
    client.force_login(admin)
    resp = client.get(f"/admin/disclosure/{model}/")
    assert resp.status_code == 200


def test_admin_body_form_opens(client):
    admin = get_user_model().objects.create_superuser(username="root", password="pass-123456")
    client.force_login(admin)
    resp = client.get("/admin/disclosure/body/add/")
    assert resp.status_code == 200
    assert "政府信息公开指南" in resp.content.decode()
