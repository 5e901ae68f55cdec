"""Property test of the whole OpenAPI (issue 11): no request, valid or not, ever gets a 5xx.

Schemathesis generates requests from ``/api/openapi.json`` — conforming ones and ones that break
the schema — and sends them in-process through Django's WSGI application, as a citizen, as staff
(a window officer and a county leader) and without a token. Path parameters are drawn at random
or, for about half the examples, set to rows that exist, so the endpoints get past their 404s.

Bounded: a few examples per operation, derandomized (the same requests on every run, on SQLite
and on PostgreSQL), no shrinking. Each request runs in a savepoint rolled back after it, so the
requests do not depend on each other and one PostgreSQL error cannot abort the transaction for the next.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from zhengwu.cases import services as case_services
from zhengwu.cases.tests.factories import applicant, build_world
from zhengwu.core import clock
from zhengwu.disclosure import services as gk_services
from zhengwu.disclosure.models import Body, BodyMember
from zhengwu.disclosure.tests import factories as gk_factories
from zhengwu.hall import services as hall_services
from zhengwu.hall.models import WindowGroup

from .test_edge_input import bearer

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 9, 28)  # a Monday: every request is made at 10:00 that day
EXAMPLES = 10  # per operation and mode: about 65 operations × 2 modes × 10 ≈ 1,300 requests


class ServerError(Exception):
    pass


@pytest.fixture
def wsgi_app():
    """Django's WSGI application inside the test's transaction: a request must not close the test's
    connection at its end (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world():
    w = build_world()
    with clock.frozen(TODAY):
        case = case_services.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen)
        group = WindowGroup.objects.create(hall=w.center, code="A", name="市场准入", sort=1)
        group.windows.set([w.window])
        ticket = hall_services.ticket_issue(hall=w.center, group=group)
        # a 依申请公开 request the officer handles, so the disclosure actions reach their services
        gk = gk_factories.body("SFXSCJ", "示范县市场监督管理局", Body.Kind.DEPARTMENT, w.county,
                               department=w.officer.department)
        gk_factories.member(gk, w.officer, *BodyMember.Duty.values)
        info = gk_services.request_file(body=gk, applicant=gk_factories.person(), description="2025年食品抽检结果",
                                        channel="online", user=w.citizen)
    w.known = {"code": w.center.code, "case_no": case.case_no, "window_id": w.window.pk, "token": ticket.token,
               "impl_code": "SFX-SCJG-001", "month": "2026-09", "no": info.request_no, "body_code": gk.code}
    return w


def test_no_request_to_the_api_gets_a_5xx(wsgi_app, world):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    identities = {"citizen": bearer(world.citizen), "officer": bearer(world.officer.user),
                  "leader": bearer(world.leader.user), "anonymous": {}}
    failures: list[str] = []
    with clock.frozen(TODAY):
        for result in schema.get_all_operations():
            _operation(result.ok(), world, identities, failures)
    assert failures == [], "\n".join(failures)


# Known 5xx, each to be removed by the fix that ends it (none left).
KNOWN_5XX: set[str] = set()


def _operation(operation, world, identities, failures) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    if label in KNOWN_5XX:
        return
    known = {p.name: world.known[p.name] for p in operation.path_parameters if p.name in world.known}
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        failure = _explore(operation, mode, known, identities)
        if failure:
            failures.append(f"{label} [{mode.value}] {failure}")
            return


def _explore(operation, mode, known, identities) -> str | None:
    cases = operation.as_strategy(generation_mode=mode)
    if known:  # half the examples with rows that exist in the path
        cases = st.one_of(cases, operation.as_strategy(generation_mode=mode, path_parameters=known))

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=cases, who=st.sampled_from(sorted(identities)))
    def run(case, who):
        sid = transaction.savepoint()
        try:
            response = case.call(headers=identities[who])
        finally:  # every request's writes are undone; a failed one's aborted PostgreSQL transaction too
            transaction.savepoint_rollback(sid)
            connection.needs_rollback = False
        if response.status_code >= 500:
            raise ServerError(f"as {who}: {response.status_code} {case.as_curl_command()}\n  {response.text[:300]}")

    try:
        run()
    except ServerError as exc:
        return str(exc)
    except Unsatisfiable:  # nothing invalid can be made of this operation's parameters (negative mode)
        pass
    return None
