"""OCDS 1.1 export of N trading projects (default 10,000): releases per second, and the package validated,
beside plain ``json.dumps`` of the same dicts (the named peer).

Seeds the trading test world (``zhengwu/trading/tests/factories.py``) and then, as bulk rows, N projects
with one published round each (two public documents); every second project's round was also opened with
three bids, evaluated (three candidates), awarded, contracted and paid once. Then it times:

1. emit: ``release_emit`` for every project (the builder's queries, the release dict, the INSERT), one
   transaction per 500 projects, as the stage services call it: releases/s;
2. export: the stored releases read back and wrapped in a release package, serialised with
   ``json.dumps`` — what ``zhengwu ocds_export`` does before writing: releases/s;
3. the peer: ``json.dumps`` of the same list of dicts alone (no database, no package): releases/s;
4. validation of the whole package offline (schema with formats, open codelists, the rules): seconds and
   releases/s; the package must have zero errors.

Run:  .venv/bin/python benchmarks/bench_ocds.py [N]                         (SQLite, a throw-away file)
      createdb -h 127.0.0.1 -U postgres zhengwu_bench_ocds
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengwu_bench_ocds .venv/bin/python benchmarks/bench_ocds.py
      (an empty database: it builds its own world)
No target is set by the issue; the figures are printed beside the peer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from _setup import setup

BJ = ZoneInfo("Asia/Shanghai")
CHUNK = 500


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def seed(n: int):
    from django.db import transaction
    from django.test.utils import override_settings

    from zhengwu.trading.models import (
        Award,
        Bid,
        BidSlot,
        BidStatus,
        Candidate,
        Contract,
        DocumentKind,
        Payment,
        Project,
        Tender,
        TenderDocument,
        TenderStatus,
    )
    from zhengwu.trading.tests import factories as tf

    if Project.objects.exists():
        sys.exit("bench_ocds needs an empty database (it builds its own world); point DATABASE_URL at a new one")
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        w = tf.build_world()
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=BJ)
    with transaction.atomic():
        projects = Project.objects.bulk_create([
            Project(code=f"SFX-JY-2026-{i:05d}", name=f"示范县第{i}号工程", region=w.county, hall=w.centre,
                    regime="engineering", category="works", buyer=w.buyer, agency=w.agency, supervisor=w.housing,
                    estimate=Decimal(1_000_000 + i * 100), created_by=w.agent_user, created_at=start)
            for i in range(1, n + 1)], batch_size=1000)
        if projects[0].pk is None:
            projects = list(Project.objects.order_by("id"))
        deadline = start + dt.timedelta(days=25)
        tenders = Tender.objects.bulk_create([
            Tender(project=p, round=1, method="open", title=f"{p.name}招标公告", documents_from=start,
                   documents_until=start + dt.timedelta(days=7), bid_deadline=deadline, published_at=start,
                   status=TenderStatus.CONTRACTED if i % 2 else TenderStatus.PUBLISHED,
                   opened_at=deadline if i % 2 else None, awarded_at=deadline + dt.timedelta(days=12) if i % 2 else None)
            for i, p in enumerate(projects)], batch_size=1000)
        if tenders[0].pk is None:
            tenders = list(Tender.objects.order_by("id"))
        TenderDocument.objects.bulk_create([
            TenderDocument(tender=t, kind=kind, title=title, published_at=start)
            for t in tenders for kind, title in ((DocumentKind.NOTICE, t.title), (DocumentKind.TENDER_DOCS, "招标文件"))],
            batch_size=2000)
        opened = [t for i, t in enumerate(tenders) if i % 2]
        slots = BidSlot.objects.bulk_create([BidSlot(tender=t, slot=k, tag=bytes(32), envelope=b"\x00" * 64)
                                             for t in opened for k in range(3)], batch_size=2000)
        if slots[0].pk is None:
            slots = list(BidSlot.objects.order_by("id"))
        bids = Bid.objects.bulk_create([
            Bid(tender=s.tender, slot=s, bidder=w.bidders[s.slot], status=BidStatus.DECRYPTED,
                submitted_at=deadline - dt.timedelta(days=1), decrypted_at=deadline,
                price=Decimal(900_000 + s.slot * 1000)) for s in slots], batch_size=2000)
        if bids[0].pk is None:
            bids = list(Bid.objects.order_by("id"))
        Candidate.objects.bulk_create([Candidate(tender_id=b.tender_id, bid=b, rank=k % 3 + 1, score=90 - k % 3)
                                       for k, b in enumerate(bids)], batch_size=2000)
        awards = Award.objects.bulk_create([
            Award(tender_id=b.tender_id, bid=b, supplier_id=b.bidder_id, amount=b.price,
                  decided_at=deadline + dt.timedelta(days=12), notice_no=f"ZB-{b.tender_id}")
            for k, b in enumerate(bids) if k % 3 == 0], batch_size=2000)
        if awards[0].pk is None:
            awards = list(Award.objects.order_by("id"))
        contracts = Contract.objects.bulk_create([
            Contract(tender_id=a.tender_id, award=a, contract_no=f"HT-{a.tender_id}", amount=a.amount,
                     signed_on=dt.date(2026, 4, 20)) for a in awards], batch_size=2000)
        if contracts[0].pk is None:
            contracts = list(Contract.objects.order_by("id"))
        Payment.objects.bulk_create([Payment(contract=c, paid_on=dt.date(2026, 5, 6), amount=c.amount / 2)
                                     for c in contracts], batch_size=2000)
    return list(Project.objects.select_related("buyer", "agency", "supervisor").order_by("id"))


def main(n: int = 10_000) -> None:
    vendor = setup()
    from django.db import transaction

    from zhengwu.trading.models import Release
    from zhengwu.trading.ocds import release_emit
    from zhengwu.trading.ocds.packages import release_package
    from zhengwu.trading.ocds.validate import release_package_check, validator

    t0 = time.perf_counter()
    projects = seed(n)
    t_seed = time.perf_counter() - t0

    at = dt.datetime(2026, 6, 1, 10, 0, tzinfo=BJ)
    t0 = time.perf_counter()
    for i in range(0, len(projects), CHUNK):
        with transaction.atomic():
            for p in projects[i:i + CHUNK]:
                release_emit(project=p, tags=["contract" if p.pk % 2 == 0 else "tender"], at=at)
    t_emit = time.perf_counter() - t0

    t0 = time.perf_counter()
    releases = list(Release.objects.order_by("date", "id").values_list("data", flat=True).iterator(chunk_size=2000))
    package = release_package(releases, uri="https://jy.example.gov.cn/api/trading/ocds/releases?year=2026")
    text = json.dumps(package, ensure_ascii=False)
    t_export = time.perf_counter() - t0

    t0 = time.perf_counter()
    peer = json.dumps(releases, ensure_ascii=False)
    t_peer = time.perf_counter() - t0

    validator("release-package")  # the validator is built once per process, as in a server
    t0 = time.perf_counter()
    report = release_package_check(package)
    t_valid = time.perf_counter() - t0
    assert report.errors == [], report.errors[:5]

    m = len(releases)
    print(f"database: {vendor}; {n} projects (half of them opened, awarded, contracted, paid); load {load()}")
    print(f"seed (bulk rows)                   : {t_seed:8.1f} s")
    print(f"emit  (builder + INSERT)           : {t_emit:8.2f} s  {m / t_emit:10,.0f} releases/s")
    print(f"export (read + package + dumps)    : {t_export:8.2f} s  {m / t_export:10,.0f} releases/s"
          f"  ({len(text.encode()) / 1e6:.1f} MB)")
    print(f"peer: json.dumps of the same dicts : {t_peer:8.2f} s  {m / t_peer:10,.0f} releases/s"
          f"  ({len(peer.encode()) / 1e6:.1f} MB)")
    print(f"validate the package (offline)     : {t_valid:8.2f} s  {m / t_valid:10,.0f} releases/s"
          f"  errors {len(report.errors)}, warnings {len(report.warnings)}")
    print(f"export / peer                      : {t_export / t_peer:8.1f}x the time of plain json.dumps")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
