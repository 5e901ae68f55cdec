"""The hotline's part of the OpenAPI under generated requests (the core suite runs the whole API too):
no request, valid or not, as the centre, a unit, a leader or nobody, gets a 5xx."""

from __future__ import annotations

import pytest
import schemathesis

from zhengwu.accounts.models import ApiToken
from zhengwu.core import clock
from zhengwu.core.tests.test_edge_schemathesis import TODAY, _operation
from zhengwu.core.tests.test_edge_schemathesis import wsgi_app as wsgi_app  # noqa: F401 — the fixture

from .factories import dispatched

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    from .factories import build_world

    w = build_world()
    with clock.frozen(TODAY):
        order = dispatched(w)
    w.known = {"no": order.no}
    return w


def _bearer(staff) -> dict:
    raw = f"zw_schema_{staff.employee_no}"
    ApiToken.issue(user=staff.user, name="测试", raw=raw)
    return {"Authorization": f"Bearer {raw}"}


def test_no_request_to_the_hotline_api_gets_a_5xx(wsgi_app, world):  # noqa: F811
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    identities = {
        "taker": _bearer(world.taker),
        "officer": _bearer(world.officer),
        "leader": _bearer(world.leader),
        "anonymous": {},
    }
    failures: list[str] = []
    with clock.frozen(TODAY):
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.path.startswith("/api/hotline"):
                _operation(operation, world, identities, failures)
    assert failures == [], "\n".join(failures)
