from __future__ import annotations

from urllib.parse import urlencode

import pytest

from zhengwu.hotline.tests.factories import build_world
from zhengwu.open311.services import client_issue

KEY = "zw_o311_test_key_0123456789"
COUNTY = "130621000000"
BASE = "/open311/v2/"
FORM = "application/x-www-form-urlencoded; charset=utf-8"  # what client systems send


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api_client(world):
    client, _ = client_issue(name="随手拍", jurisdiction=world.county, raw=KEY, publish_consent=True)
    return client


@pytest.fixture
def post(client, api_client):
    """POST requests.json with a valid body, overridden (None removes a field)."""

    def send(fmt: str = "json", **over):
        data = {
            "api_key": KEY,
            "jurisdiction_id": COUNTY,
            "service_code": "CJ-01",
            "lat": "38.123456",
            "long": "115.654321",
            "address_string": "城关镇东大街12号",
            "description": "东大街路灯坏了三天",
            "first_name": "大明",
            "last_name": "张",
            "phone": "13912345678",
            "email": "zdm@example.com",
            "device_id": "dev-1",
            "account_id": "acc-9",
            "media_url": "https://example.com/p/1.jpg",
        }
        for key, value in over.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return client.post(f"{BASE}requests.{fmt}", urlencode(data, doseq=True), content_type=FORM)

    return send
