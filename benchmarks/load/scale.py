"""Scale the demo county up for the load test (PostgreSQL only), and write the fixtures Locust reads.

Run (after ``zhengwu demo --no-serve`` on the same DATABASE_URL):
    DATABASE_URL=postgres://…/pc_load .venv/bin/python -m benchmarks.load.scale --cases 50000 --items 3000 \
        --out /tmp/load-fixtures.json

Set-based copies, not the services: each new catalog item is a copy of a demo item (its current version,
steps, materials and fees) under a new 实施编码 and a numbered name; each new case is a copy of a demo case
(with its events) under a new case number ``<prefix>-L0000001``. The copies keep their source's applicant
phone and 身份证号, so the progress query of a copied case is answered like the original's. Running it
again with the same figures does nothing; other figures replace the earlier copies.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

# Marks the rows this script made (case numbers end in -L0000001…; 实施编码 end in L00001…).
CASE_MARK = "-L"
ITEM_MARK = "L"
STAFF_USERS = ("ck_officer", "sxdb", "bmfzr")


def _setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    import django

    django.setup()


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def _copy_sql(model, *, source_alias: str, overrides: dict[str, str], from_sql: str) -> str:
    """INSERT INTO <model> (every column but id) SELECT <source_alias>.<col> or its override FROM …"""
    cols = _columns(model)
    exprs = [overrides.get(c, f"{source_alias}.{c}") for c in cols]
    return f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) SELECT {', '.join(exprs)} {from_sql}"


def scale_items(cursor, target: int) -> int:
    """Bring the number of copied items to ``target``; the number of copies made (0 when already there)."""
    from zhengwu.catalog.models import Fee, Item, ItemVersion, Material, ProcessStep

    item_t, ver_t = Item._meta.db_table, ItemVersion._meta.db_table
    mine = f"impl_code ~ '{ITEM_MARK}[0-9]{{5}}$'"
    cursor.execute(f"SELECT count(*) FROM {item_t} WHERE {mine}")
    have = cursor.fetchone()[0]
    if have == target:
        return 0
    if have:
        cursor.execute(f"CREATE TEMP TABLE lt_old ON COMMIT DROP AS SELECT id, current_id FROM {item_t} WHERE {mine}")
        cursor.execute(f"UPDATE {item_t} SET current_id = NULL WHERE id IN (SELECT id FROM lt_old)")
        for child in (ProcessStep, Material, Fee):
            cursor.execute(f"DELETE FROM {child._meta.db_table} WHERE version_id IN "
                           f"(SELECT id FROM {ver_t} WHERE item_id IN (SELECT id FROM lt_old))")
        cursor.execute(f"DELETE FROM {ver_t} WHERE item_id IN (SELECT id FROM lt_old)")
        cursor.execute(f"DELETE FROM {item_t} WHERE id IN (SELECT id FROM lt_old)")
    if not target:
        return 0
    # k-th copy of the (k mod n)-th published demo item.
    cursor.execute(
        f"""CREATE TEMP TABLE lt_items ON COMMIT DROP AS
        WITH src AS (SELECT array_agg(id ORDER BY id) AS ids FROM {item_t}
                     WHERE current_id IS NOT NULL AND status = 'active' AND NOT {mine})
        SELECT k, src.ids[1 + (k %% array_length(src.ids, 1))] AS src_id FROM src, generate_series(1, %s) AS k""",
        [target],
    )
    new_code = f"s.impl_code || '{ITEM_MARK}' || lpad(m.k::text, 5, '0')"
    new_name = "s.name || '（' || m.k::text || '）'"
    cursor.execute(_copy_sql(Item, source_alias="s", overrides={"impl_code": new_code, "name": new_name,
                                                                 "current_id": "NULL"},
                             from_sql=f"FROM lt_items m JOIN {item_t} s ON s.id = m.src_id"))
    cursor.execute(
        f"""CREATE TEMP TABLE lt_item_map ON COMMIT DROP AS
        SELECT n.id AS item_id, s.current_id AS src_version_id, n.name AS name
        FROM lt_items m JOIN {item_t} s ON s.id = m.src_id JOIN {item_t} n ON n.impl_code = {new_code}"""
    )
    cursor.execute(_copy_sql(ItemVersion, source_alias="v", overrides={"item_id": "x.item_id", "name": "x.name"},
                             from_sql=f"FROM lt_item_map x JOIN {ver_t} v ON v.id = x.src_version_id"))
    cursor.execute(f"UPDATE {item_t} i SET current_id = v.id FROM {ver_t} v WHERE v.item_id = i.id "
                   "AND i.id IN (SELECT item_id FROM lt_item_map)")
    for child in (ProcessStep, Material, Fee):
        cursor.execute(_copy_sql(child, source_alias="c", overrides={"version_id": "i.current_id"},
                                 from_sql=f"FROM lt_item_map x JOIN {item_t} i ON i.id = x.item_id "
                                          f"JOIN {child._meta.db_table} c ON c.version_id = x.src_version_id"))
    return target


def scale_cases(cursor, target: int) -> int:
    """Bring the number of copied cases to ``target``; the number of copies made (0 when already there)."""
    from zhengwu.cases.models import Case, CaseEvent

    case_t, event_t = Case._meta.db_table, CaseEvent._meta.db_table
    mine = f"case_no ~ '{CASE_MARK}[0-9]{{7}}$'"
    cursor.execute(f"SELECT count(*) FROM {case_t} WHERE {mine}")
    have = cursor.fetchone()[0]
    if have == target:
        return 0
    if have:
        cursor.execute(f"DELETE FROM {event_t} WHERE case_id IN (SELECT id FROM {case_t} WHERE {mine})")
        cursor.execute(f"DELETE FROM {case_t} WHERE {mine}")
    if not target:
        return 0
    # Only plain cases (not 联办 children): a copy has no rows elsewhere (clocks, fees, materials).
    cursor.execute(
        f"""CREATE TEMP TABLE lt_cases ON COMMIT DROP AS
        WITH src AS (SELECT array_agg(id ORDER BY id) AS ids FROM {case_t}
                     WHERE joint_id IS NULL AND NOT {mine})
        SELECT k, src.ids[1 + (k %% array_length(src.ids, 1))] AS src_id FROM src, generate_series(1, %s) AS k""",
        [target],
    )
    cursor.execute("ALTER TABLE lt_cases ADD COLUMN case_no varchar(40)")
    cursor.execute(f"UPDATE lt_cases m SET case_no = regexp_replace(s.case_no, '-[0-9]+$', '') || '{CASE_MARK}' "
                   f"|| lpad(m.k::text, 7, '0') FROM {case_t} s WHERE s.id = m.src_id")
    cursor.execute(_copy_sql(Case, source_alias="s", overrides={"case_no": "m.case_no", "applicant_user_id": "NULL"},
                             from_sql=f"FROM lt_cases m JOIN {case_t} s ON s.id = m.src_id"))
    cursor.execute(_copy_sql(CaseEvent, source_alias="e", overrides={"case_id": "n.id"},
                             from_sql=f"FROM lt_cases m JOIN {case_t} n ON n.case_no = m.case_no "
                                      f"JOIN {event_t} e ON e.case_id = m.src_id ORDER BY n.id, e.id"))
    return target


def staff_sessions(per_user: int) -> dict[str, list[str]]:
    """Signed-in sessions made here (as ``login()`` would), so the load does not spend its CPU on PBKDF2."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    out: dict[str, list[str]] = {}
    for user in get_user_model().objects.filter(username__in=STAFF_USERS):
        keys = []
        for _ in range(per_user):
            s = SessionStore()
            s[SESSION_KEY] = str(user.pk)
            s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            s[HASH_SESSION_KEY] = user.get_session_auth_hash()
            s.set_expiry(12 * 3600)
            s.create()
            keys.append(s.session_key)
        out[user.username] = keys
    return out


def fixtures(*, samples: int, sessions_per_user: int, seed: int = 16) -> dict:
    """What the simulated users ask for: real case numbers with their credentials, search terms from the
    catalog, 实施编码, hall codes, 政务公开 bodies and publications, and staff sessions."""
    from zhengwu.cases.models import Case
    from zhengwu.catalog.models import Item
    from zhengwu.disclosure.models import Body, Publication
    from zhengwu.hall.models import WindowGroup
    from zhengwu.org.models import Hall

    rng = random.Random(seed)
    cases = list(Case.objects.filter(joint__isnull=True).order_by("?")
                 .values_list("case_no", "contact_phone", "id_number")[:samples])
    progress = [(no, idn if (idn and rng.random() < 0.3) else phone) for no, phone, idn in cases]
    items = list(Item.objects.filter(current__isnull=False, status="active")
                 .values_list("impl_code", "name", "name_initials"))
    rng.shuffle(items)
    copied = re.compile(rf"{ITEM_MARK}[0-9]{{5}}$")
    originals = [row for row in items if not copied.search(row[0])]
    terms: list[str] = []
    for _code, name, initials in originals[:200]:
        start = rng.randrange(0, max(1, len(name) - 3))
        terms.append(name[start:start + rng.choice((2, 2, 3, 4))])
        if initials:
            terms.append(initials[: rng.choice((2, 3, 4))])
    halls = list(Hall.objects.filter(is_active=True, kind__in=[Hall.Kind.CENTER, Hall.Kind.TOWN_CENTER],
                                     pk__in=WindowGroup.objects.values("hall_id")).values_list("code", flat=True))
    bodies = list(Body.objects.values_list("code", flat=True))
    pubs = list(Publication.objects.filter(status="published").values_list("body__code", "pk"))
    return {
        "progress": progress,
        "search_terms": sorted(set(t for t in terms if t.strip())),
        "impl_codes": [c for c, _n, _i in items[:2000]],
        "halls": halls,
        "disclosure_bodies": bodies,
        "publications": pubs,
        "sessions": staff_sessions(sessions_per_user),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=50_000, help="copied cases (default 50000)")
    ap.add_argument("--items", type=int, default=3_000, help="copied catalog items (default 3000)")
    ap.add_argument("--samples", type=int, default=2_000, help="case numbers with credentials for the load")
    ap.add_argument("--sessions", type=int, default=20, help="signed-in sessions per demo officer")
    ap.add_argument("--out", required=True, help="the fixtures file (JSON) for the locustfile")
    args = ap.parse_args(argv)
    _setup()
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        print("需要 PostgreSQL（DATABASE_URL=postgres://…）", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        made_items = scale_items(cursor, args.items)
        made_cases = scale_cases(cursor, args.cases)
    if made_items or made_cases:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    data = fixtures(samples=args.samples, sessions_per_user=args.sessions)
    Path(args.out).write_text(json.dumps(data, ensure_ascii=False))
    from zhengwu.cases.models import Case
    from zhengwu.catalog.models import Item

    print(f"scaled in {time.perf_counter() - t0:.1f}s: {Case.objects.count()} cases, "
          f"{Item.objects.filter(current__isnull=False).count()} catalog items; fixtures {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
