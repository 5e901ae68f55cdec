"""Failures the platform answers before or after the view (crash, exhausted pool) keep the Open311 body."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.urls import path
from psycopg_pool import PoolTimeout

from zhengwu import urls
from zhengwu.demo.build import DemoInfo
from zhengwu.open311.demo import DEMO_KEY

from .contract import check_xml, errors_of

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("secret detail")


def _busy(request):
    try:
        raise PoolTimeout("couldn't get a connection after 5.00 sec")
    except PoolTimeout as exc:
        raise OperationalError(str(exc)) from exc


@pytest.fixture
def failing(client, settings):
    settings.ROOT_URLCONF = type(
        "U",
        (),
        {
            "urlpatterns": [
                path("open311/v2/boom.json", _boom),
                path("open311/v2/boom.xml", _boom),
                path("open311/v2/busy.json", _busy),
            ],
            "handler500": urls.handler500,
        },
    )
    client.raise_request_exception = False
    return client


def test_a_crash_is_an_open311_500(failing):
    response = failing.get("/open311/v2/boom.json")
    assert errors_of(response, 500) == [
        {"code": 500, "description": "系统繁忙，请稍后再试；如多次出现，请联系政务服务中心"}
    ]
    assert "secret detail" not in response.content.decode()
    check_xml(failing.get("/open311/v2/boom.xml"), "errors", 500)


def test_an_exhausted_pool_is_an_open311_503_with_retry_after(failing):
    response = failing.get("/open311/v2/busy.json")
    assert errors_of(response, 503) == [{"code": 503, "description": "当前访问人数较多，请稍后再试"}]
    assert response["Retry-After"] == "5"


def test_the_demo_prints_the_open311_key():
    urls = DemoInfo(logins=[]).urls
    assert urls[f"Open311 接口（api_key：{DEMO_KEY}）"] == "http://127.0.0.1:8000/open311/v2/discovery.json"
