"""The monthly credit recalculation of the intermediary marketplace (``credit_month_compute``) over N agencies
(default 20,000) with 10 owner ratings each (200,000 ratings), beside the same arithmetic as one plain Python
loop over the rows already in memory (the named peer).

Seeds the intermediary test world (``zhengwu/intermediary/tests/factories.py``: a county, its departments,
three services, owners) and then, as bulk rows: N admitted agencies, 10 completed purchases per agency each
with its rating spread over the 12 months that count (``policy.rating_months``), this month's department
score and market score for every agency, and bad behaviour for some: a late delivery for 1 in 20, a decline
after selection for 1 in 100, a veto (false materials) for 1 in 500. Then it times:

1. compute: ``credit_month_compute(month=2026-11, region=county)`` — the aggregate queries, the explanation
   lines, the upsert of N ``CreditRecord`` rows, the agencies' score/grade/status update and the Event rows,
   in one transaction: agencies/s;
2. again: the same month recomputed (the records exist: an upsert that updates), as after an appeal;
3. the peer: the sources' rows read into plain tuples (timed apart: "load"), then one Python loop doing the
   same means, weights, deductions, veto and grade bands with ``Decimal`` (no database, no explanation):
   agencies/s. Its grades must equal the service's for every agency (checked).

Run:  .venv/bin/python benchmarks/bench_intermediary.py [N]                 (SQLite, a throw-away file)
      createdb -h 127.0.0.1 -U postgres zhengwu_bench_intermediary
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengwu_bench_intermediary \\
          .venv/bin/python benchmarks/bench_intermediary.py
      (an empty database: it builds its own world)
No target is set by the issue; the figures are printed beside the peer.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from _setup import setup

BJ = ZoneInfo("Asia/Shanghai")
MONTH = dt.date(2026, 11, 1)
RATINGS_PER_AGENCY = 10
BATCH = 2000
CENT = Decimal("0.01")


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _month_add(month: dt.date, n: int) -> dt.date:
    k = month.year * 12 + month.month - 1 + n
    return dt.date(k // 12, k % 12 + 1, 1)


def seed(n: int):
    from django.db import transaction
    from django.test.utils import override_settings

    from zhengwu.core import clock
    from zhengwu.intermediary.models import (
        Agency,
        AgencyStatus,
        CreditEvent,
        CreditRule,
        DepartmentScore,
        MarketScore,
        Mode,
        Purchase,
        PurchaseStatus,
        Rating,
    )
    from zhengwu.intermediary.tests import factories as itf

    if Agency.objects.exists():
        sys.exit("bench_intermediary needs an empty database (it builds its own world); point DATABASE_URL at a "
                 "new one")
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            clock.frozen(dt.datetime(2026, 3, 2, 9, 0, tzinfo=BJ)):
        w = itf.build_world()
    Agency.objects.all().delete()  # the world's eight are replaced by the N below
    services = [w.eia, w.drawings, w.survey]
    depts = [w.env, w.housing, w.nature]
    owners = [w.enterprise, w.person, w.government]
    rules = {r.code: r for r in CreditRule.objects.all()}
    first = _month_add(MONTH, -11)
    day0 = dt.datetime(first.year, first.month, 1, 10, tzinfo=BJ)
    span_days = (dt.datetime(MONTH.year, MONTH.month, 28, tzinfo=BJ) - day0).days
    with transaction.atomic():
        agencies = Agency.objects.bulk_create([
            Agency(name=f"示范中介机构{i:05d}", uscc=itf.uscc(10_000 + i), legal_rep="法人", contact_name="授权人",
                   contact_phone="13912340000", region=w.county, status=AgencyStatus.ACTIVE)
            for i in range(n)], batch_size=BATCH)
        if agencies[0].pk is None:
            agencies = list(Agency.objects.order_by("id"))
        ids = [a.pk for a in agencies]
        k = 0
        for start in range(0, n, BATCH // RATINGS_PER_AGENCY):
            part = ids[start:start + BATCH // RATINGS_PER_AGENCY]
            purchases, marks = [], []
            for aid in part:
                for _ in range(RATINGS_PER_AGENCY):
                    k += 1
                    at = day0 + dt.timedelta(days=(k * 37) % span_days, hours=k % 7)
                    purchases.append(Purchase(
                        code=f"ZJCG-BENCH-{k:07d}", title="基准测试采购", owner=owners[k % 3], service=services[k % 3],
                        region=w.county, content="基准测试", service_days=10, mode=Mode.RANDOM, min_participants=1,
                        signup_deadline=at - dt.timedelta(days=30), select_at=at - dt.timedelta(days=29),
                        contact_name="业主", contact_phone="13900000000", status=PurchaseStatus.COMPLETED,
                        created_at=at - dt.timedelta(days=35)))
                    marks.append((aid, at, k))
            purchases = Purchase.objects.bulk_create(purchases, batch_size=BATCH)
            if purchases[0].pk is None:
                codes = [p.code for p in purchases]
                purchases = list(Purchase.objects.filter(code__in=codes).order_by("id"))
            Rating.objects.bulk_create([
                Rating(purchase=p, agency_id=aid, quality=2 + k % 4, timeliness=3 + k % 3, price=4 + k % 2,
                       attitude=2 + (k * 7) % 4, at=at)
                for p, (aid, at, k) in zip(purchases, marks, strict=True)], batch_size=BATCH)
        DepartmentScore.objects.bulk_create([
            DepartmentScore(agency_id=aid, department=depts[i % 3], month=MONTH, score=Decimal(70 + i % 30))
            for i, aid in enumerate(ids)], batch_size=BATCH)
        MarketScore.objects.bulk_create([
            MarketScore(agency_id=aid, month=MONTH, score=Decimal(75 + (i * 7) % 25)) for i, aid in enumerate(ids)],
            batch_size=BATCH)
        events = []
        for i, aid in enumerate(ids):
            if i % 20 == 0:
                events.append(CreditEvent(agency_id=aid, rule=rules["late_delivery"], on=dt.date(2026, 5, 11)))
            if i % 100 == 0:
                events.append(CreditEvent(agency_id=aid, rule=rules["decline_after_selection"],
                                          on=dt.date(2026, 9, 3)))
            if i % 500 == 0:
                events.append(CreditEvent(agency_id=aid, rule=rules["false_materials"], on=dt.date(2026, 10, 20)))
        CreditEvent.objects.bulk_create(events, batch_size=BATCH)
    return w


def _q(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def peer_load(region):
    """The rows the month needs, as plain tuples (what a hand-written job would read)."""
    from zhengwu.intermediary.models import Agency, CreditEvent, DepartmentScore, MarketScore, Rating
    from zhengwu.intermediary.services.common import policy_for

    policy = policy_for(region)
    first = _month_add(MONTH, 1 - policy.rating_months)
    start = dt.datetime(first.year, first.month, 1, tzinfo=BJ)
    after = _month_add(MONTH, 1)
    end = dt.datetime(after.year, after.month, 1, tzinfo=BJ)
    ids = list(Agency.objects.filter(region=region, status__in=["active", "suspended"]).values_list("id", flat=True))
    ratings = list(Rating.objects.filter(at__gte=start, at__lt=end).values_list(
        "agency_id", "quality", "timeliness", "price", "attitude").iterator(chunk_size=10_000))
    dept = list(DepartmentScore.objects.filter(month=MONTH).values_list("agency_id", "score"))
    market = list(MarketScore.objects.filter(month=MONTH).values_list("agency_id", "score"))
    events = list(CreditEvent.objects.filter(state="valid", on__lt=after).values_list(
        "agency_id", "on", "rule__points", "rule__veto", "rule__months"))
    return policy, ids, ratings, dept, market, events


def peer_compute(policy, ids, ratings, dept, market, events) -> dict[int, tuple[Decimal, str]]:
    """The same arithmetic as ``credit_month_compute`` in one loop: {agency id: (score, grade)}."""
    w_owner, w_dept, w_market = policy.weight_owner, policy.weight_department, policy.weight_market
    bands = sorted(((g, Decimal(str(v))) for g, v in policy.grade_bands.items()), key=lambda x: -x[1])
    lowest = chr(ord(bands[-1][0]) + 1)
    month_index = MONTH.year * 12 + MONTH.month
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for aid, q, t, p, a in ratings:
        s = sums[aid]
        s[0] += 1
        s[1] += q + t + p + a
    depts: dict[int, list[Decimal]] = defaultdict(list)
    for aid, score in dept:
        depts[aid].append(score)
    markets = dict(market)
    deduct: dict[int, Decimal] = defaultdict(Decimal)
    vetoed: set[int] = set()
    for aid, on, points, veto, months in events:
        if on.year * 12 + on.month + months > month_index:
            if veto:
                vetoed.add(aid)
            else:
                deduct[aid] += points
    out = {}
    for aid in ids:
        num, den = Decimal(0), 0
        if aid in sums:
            n, total = sums[aid]
            num += w_owner * _q(Decimal(total) * 5 / n)
            den += w_owner
        if aid in depts:
            rows = depts[aid]
            num += w_dept * _q(sum(rows, Decimal(0)) / len(rows))
            den += w_dept
        if aid in markets:
            num += w_market * _q(markets[aid])
            den += w_market
        weighted = _q(num / den) if den else Decimal(100)
        score = _q(max(Decimal(0), weighted - _q(deduct.get(aid, Decimal(0)))))
        grade = next((g for g, line in bands if score >= line), lowest)
        out[aid] = (score, lowest if aid in vetoed else grade)
    return out


def main(n: int = 20_000) -> None:
    vendor = setup()
    from zhengwu.core import clock
    from zhengwu.intermediary.models import CreditRecord
    from zhengwu.intermediary.services.credit import credit_month_compute

    t0 = time.perf_counter()
    w = seed(n)
    t_seed = time.perf_counter() - t0

    with clock.frozen(dt.datetime(2026, 12, 1, 2, 0, tzinfo=BJ)):
        t0 = time.perf_counter()
        done = credit_month_compute(month=MONTH, region=w.county)
        t_compute = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = credit_month_compute(month=MONTH, region=w.county)
        t_again = time.perf_counter() - t0
    assert done == n and again <= n, (done, again)

    # the peer starts from the agencies the first run left admitted (the vetoed ones were delisted by it)
    t0 = time.perf_counter()
    rows = peer_load(w.county)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    peer = peer_compute(*rows)
    t_peer = time.perf_counter() - t0
    service = {aid: (score, grade) for aid, score, grade in CreditRecord.objects.filter(month=MONTH).values_list(
        "agency_id", "score", "grade")}
    mismatched = [aid for aid, v in peer.items() if service.get(aid) != v]
    assert not mismatched, [(aid, peer[aid], service.get(aid)) for aid in mismatched[:5]]
    grades: dict[str, int] = defaultdict(int)
    for _score, grade in service.values():
        grades[grade] += 1

    m = len(rows[2])
    print(f"database: {vendor}; {n} agencies, {m} ratings in the 12 months, {len(rows[5])} credit events; "
          f"load {load()}")
    print("grades: " + ", ".join(f"{g} {grades[g]}" for g in sorted(grades)))
    print(f"seed (bulk rows)                          : {t_seed:8.1f} s")
    print(f"credit_month_compute (first run)          : {t_compute:8.2f} s  {n / t_compute:10,.0f} agencies/s")
    print(f"credit_month_compute (recompute, upsert)  : {t_again:8.2f} s  {again / t_again:10,.0f} agencies/s")
    print(f"peer: read the rows into tuples           : {t_load:8.2f} s")
    print(f"peer: one Python loop over them (Decimal) : {t_peer:8.2f} s  {len(peer) / t_peer:10,.0f} agencies/s"
          f"  (same score and grade for all {len(peer)})")
    print(f"compute / (peer load + loop)              : {t_compute / (t_load + t_peer):8.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
