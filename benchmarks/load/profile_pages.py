"""Where a load-test page spends its time: queries per request, milliseconds per request in-process (Django's
test client, the same middleware stack, no server, no network) and the top functions under cProfile.

Run against the load test's database (after ``run_load.py`` built it):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_load REDIS_URL=redis://127.0.0.1:6379/13 \
        .venv/bin/python -m benchmarks.load.profile_pages [--pages progress,catalog_search] [-n 200] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path


def _setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    var_dir = Path(tempfile.gettempdir()) / "zhengwu-load-pc_load"
    os.environ.setdefault("ZHENGWU_VAR_DIR", str(var_dir))
    if (var_dir / "secret_key").exists():  # the staff sessions were signed with run_load.py's secret
        os.environ.setdefault("SECRET_KEY", (var_dir / "secret_key").read_text().strip())
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def requests_for(fx: dict, rng: random.Random) -> dict:
    """Each page as a function of the test client, asking what the locustfile's users ask."""

    def catalog_search(c):
        return c.get("/items/", {"q": rng.choice(fx["search_terms"])})

    def guide(c):
        return c.get(f"/items/{rng.choice(fx['impl_codes'])}/")

    def progress(c):
        no, cred = rng.choice(fx["progress"])
        return c.post("/progress/", {"case_no": no, "credential": cred}, REMOTE_ADDR=f"10.0.0.{rng.randrange(250)}")

    def progress_api(c):
        no, cred = rng.choice(fx["progress"])
        return c.post("/api/cases/progress", json.dumps({"case_no": no, "credential": cred}),
                      content_type="application/json", REMOTE_ADDR=f"10.0.0.{rng.randrange(250)}")

    def hall_board(c):
        return c.get(f"/hall/{rng.choice(fx['halls'])}/board/state/")

    def gk_index(c):
        return c.get("/gk/")

    def gk_body(c):
        return c.get(f"/gk/{rng.choice(fx['disclosure_bodies'])}/")

    def gk_publication(c):
        code, pk = rng.choice(fx["publications"])
        return c.get(f"/gk/{code}/p/{pk}/")

    def workbench(c):
        return c.get("/workbench/")

    def livez(c):
        return c.get("/livez")

    return {f.__name__: f for f in (livez, catalog_search, guide, progress, progress_api, hall_board, gk_index,
                                    gk_body, gk_publication, workbench)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default="")
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--profile", action="store_true", help="print the top functions by cumulative time")
    ap.add_argument("--fixtures", default=str(Path(tempfile.gettempdir()) / "zhengwu-load-pc_load" / "fixtures.json"))
    args = ap.parse_args(argv)
    _setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    fx = json.loads(Path(args.fixtures).read_text())
    rng = random.Random(16)
    pages = requests_for(fx, rng)
    chosen = [p for p in args.pages.split(",") if p] or list(pages)
    client = Client(enforce_csrf_checks=False)
    staff = Client()
    staff.cookies["sessionid"] = fx["sessions"]["ck_officer"][0]
    for name in chosen:
        c = staff if name == "workbench" else client
        for _ in range(5):  # warm: templates, caches
            r = pages[name](c)
            assert r.status_code == 200, (name, r.status_code)
        with CaptureQueriesContext(connection) as ctx:
            pages[name](c)
        queries = len(ctx.captured_queries)
        reset_queries()
        prof = cProfile.Profile() if args.profile else None
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        for _ in range(args.n):
            pages[name](c)
        if prof:
            prof.disable()
        ms = (time.perf_counter() - t0) * 1000 / args.n
        print(f"{name:16s} {queries:3d} queries  {ms:6.1f} ms/request (in-process, n={args.n})")
        if prof:
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(35)
            print(out.getvalue())
        if os.environ.get("SHOW_QUERIES"):
            for q in ctx.captured_queries:
                print("   ", q["sql"][:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
