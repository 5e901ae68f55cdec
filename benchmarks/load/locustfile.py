"""The load scenario for ``zhengwu serve``: citizens, window officers, hall display boards and the load
balancer's liveness probe, in one mix; or one page alone (``LOAD_PAGE=<page>``).

Run through ``benchmarks/load/run_load.py`` (which builds the data and the server), or by hand:
    LOAD_FIXTURES=/tmp/load-fixtures.json locust -f benchmarks/load/locustfile.py --headless \
        -u 50 -r 10 -t 60s -H http://127.0.0.1:8700

Environment:
- ``LOAD_FIXTURES``: the JSON written by ``benchmarks/load/scale.py`` (case numbers with their
  credentials, search terms, 实施编码, halls, 政务公开 bodies and publications, staff sessions).
- ``LOAD_PAGE``: one of ``PAGES`` — every user asks for that page only (the clean ratio against ``livez``).
- ``LOAD_WAIT``: think time per user in seconds (default 0: a closed loop, each user sends its next request
  when the last is answered, which measures the server's capacity).

Each simulated user has its own client address in X-Forwarded-For (``zhengwu serve`` trusts it from
127.0.0.1, as behind a load balancer), so the progress query's per-client guessing limit sees many
citizens, not one. Staff use sessions made beforehand by ``scale.py`` (signing in is PBKDF2 on purpose and
would be the only thing measured). This module is imported by Locust only (gevent), never by Django.
"""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, constant, task

with open(os.environ["LOAD_FIXTURES"], encoding="utf-8") as _fh:
    FX = json.load(_fh)

WAIT = float(os.environ.get("LOAD_WAIT", "0"))
STAFF_USERNAME = os.environ.get("LOAD_STAFF", "ck_officer")


def _client_address() -> str:
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


# -- the pages: each sends one request under its own name ------------------------------------------------


def livez(user) -> None:
    """The bare view: a fixed JSON through the whole middleware stack, no database (the ceiling)."""
    with user.client.get("/livez", name="livez", catch_response=True) as r:
        if r.status_code != 200 or b'"ok"' not in (r.content or b""):
            r.failure(f"livez: {r.status_code}")


def catalog_search(user) -> None:
    """事项查询: a term typed in Chinese or pinyin initials; now and then page 2 or a department filter."""
    params = {"q": random.choice(FX["search_terms"])}
    if random.random() < 0.15:
        params = {"page": str(random.randint(1, 50))}  # browsing the whole list
    elif random.random() < 0.15:
        params["page"] = "2"
    with user.client.get("/items/", params=params, name="catalog_search", catch_response=True) as r:
        if r.status_code != 200:
            r.failure(f"catalog_search: {r.status_code}")


def guide(user) -> None:
    """办事指南 of one item."""
    code = random.choice(FX["impl_codes"])
    with user.client.get(f"/items/{code}/", name="guide", catch_response=True) as r:
        if r.status_code != 200:
            r.failure(f"guide: {r.status_code}")


def _csrf(user) -> str:
    """The CSRF cookie (Django accepts the unmasked secret as the form token); fetched once per user."""
    if not getattr(user, "csrf", ""):
        user.client.get("/progress/", name="progress_form", headers=user.base_headers)
        user.csrf = next((c.value for c in user.client.cookiejar if c.name == "csrftoken"), "")
    return user.csrf


def progress(user) -> None:
    """进度查询 (the page): case number plus phone or 身份证号, a real pair from the scaled data."""
    case_no, credential = random.choice(FX["progress"])
    token = _csrf(user)
    with user.client.post("/progress/", data={"csrfmiddlewaretoken": token, "case_no": case_no,
                                              "credential": credential},
                          headers={**user.base_headers, "Referer": user.host + "/progress/"},
                          name="progress", catch_response=True) as r:
        if r.status_code != 200 or b'data-testid="progress-result"' not in (r.content or b""):
            r.failure(f"progress: {r.status_code} (no result)")


def progress_api(user) -> None:
    """进度查询 through the API (POST /api/cases/progress), as a mobile app asks."""
    case_no, credential = random.choice(FX["progress"])
    with user.client.post("/api/cases/progress", json={"case_no": case_no, "credential": credential},
                          headers=user.base_headers, name="progress_api", catch_response=True) as r:
        if r.status_code != 200:
            r.failure(f"progress_api: {r.status_code}")


def hall_board(user) -> None:
    """The hall display board's JSON (what a board loads first and after a reconnect)."""
    code = random.choice(FX["halls"])
    with user.client.get(f"/hall/{code}/board/state/", name="hall_board", catch_response=True) as r:
        if r.status_code != 200 or b'"snapshot"' not in (r.content or b""):
            r.failure(f"hall_board: {r.status_code}")


def gk_index(user) -> None:
    """政务公开 portal."""
    with user.client.get("/gk/", name="gk_index", catch_response=True) as r:
        if r.status_code != 200:
            r.failure(f"gk_index: {r.status_code}")


def gk_body(user) -> None:
    """One 公开主体's home and its 主动公开 catalog."""
    code = random.choice(FX["disclosure_bodies"])
    path = f"/gk/{code}/" if random.random() < 0.5 else f"/gk/{code}/catalog/"
    with user.client.get(path, name="gk_body", catch_response=True) as r:
        if r.status_code != 200:
            r.failure(f"gk_body: {r.status_code}")


def gk_publication(user) -> None:
    """One published 政务公开 item."""
    code, pk = random.choice(FX["publications"])
    with user.client.get(f"/gk/{code}/p/{pk}/", name="gk_publication", catch_response=True) as r:
        if r.status_code != 200:
            r.failure(f"gk_publication: {r.status_code}")


WORKBENCH_VIEWS = [{}, {}, {"scope": "all"}, {"status": "in_review"}, {"due": "overdue"}, {"scope": "all", "page": "3"}]


def workbench(user) -> None:
    """The window officer's 办件工作台: the list of the department's cases, with its counters."""
    params = random.choice(WORKBENCH_VIEWS)
    with user.client.get("/workbench/", params=params, headers=user.staff_headers(), allow_redirects=False,
                         name="workbench", catch_response=True) as r:
        if r.status_code != 200:
            r.failure(f"workbench: {r.status_code} (signed out?)")


PAGES = {f.__name__: f for f in (livez, catalog_search, guide, progress, progress_api, hall_board, gk_index,
                                 gk_body, gk_publication, workbench)}
STAFF_PAGES = {"workbench"}


class _Base(FastHttpUser):
    abstract = True
    wait_time = constant(WAIT)

    def on_start(self):
        self.base_headers = {"X-Forwarded-For": _client_address()}
        self.csrf = ""
        self.session_key = ""

    def staff_headers(self) -> dict:
        if not self.session_key:
            self.session_key = random.choice(FX["sessions"][STAFF_USERNAME])
        return {**self.base_headers, "Cookie": f"sessionid={self.session_key}"}


# -- the mix -----------------------------------------------------------------------------------------------
# Of every 100 simulated users (weights): 80 citizens, 12 window officers, 5 hall boards polling their JSON,
# 3 liveness probes. Within a citizen's visits: search and guides most, then the progress query, then 政务公开.

ONLY = os.environ.get("LOAD_PAGE", "")
if ONLY and ONLY not in PAGES:
    raise SystemExit(f"LOAD_PAGE must be one of {', '.join(PAGES)}")


class Citizen(_Base):
    weight = 80
    abstract = bool(ONLY)

    @task(30)
    def t_search(self):
        catalog_search(self)

    @task(25)
    def t_guide(self):
        guide(self)

    @task(15)
    def t_progress(self):
        progress(self)

    @task(5)
    def t_progress_api(self):
        progress_api(self)

    @task(5)
    def t_gk_index(self):
        gk_index(self)

    @task(10)
    def t_gk_body(self):
        gk_body(self)

    @task(10)
    def t_gk_publication(self):
        gk_publication(self)


class Officer(_Base):
    weight = 12
    abstract = bool(ONLY)

    @task
    def t_workbench(self):
        workbench(self)


class HallBoard(_Base):
    weight = 5
    abstract = bool(ONLY)

    @task
    def t_board(self):
        hall_board(self)


class Probe(_Base):
    weight = 3
    abstract = bool(ONLY)

    @task
    def t_livez(self):
        livez(self)


class SinglePage(_Base):
    """Every user asks for ``LOAD_PAGE`` only."""

    abstract = not ONLY

    @task
    def t_page(self):
        PAGES[ONLY](self)
