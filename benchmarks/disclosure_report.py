"""How long the annual report takes for a busy body: tables from the data, the PDF and the .docx.

Builds one county government with 20 departments and N information requests a year (every result
type, both applicant kinds, spread over the year, 5 % carried into the next) with bulk inserts,
then times ``report_data`` for one department, for the county (which adds up the 20 departments),
and the PDF and .docx of the county report. Prints the figures; asserts nothing.

Run: .venv/bin/python benchmarks/disclosure_report.py [N]     (default N=20000)
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from _setup import setup


def build(n: int):
    from django.utils import timezone

    from zhengwu.disclosure import reference as ref
    from zhengwu.disclosure.models import Body, InfoRequest
    from zhengwu.org.models import Region

    county = Region.objects.create(code="130621000000", name="示范县", level="county")
    gov = Body.objects.create(code="SFX", name="示范县人民政府", kind="government", region=county)
    depts = [Body.objects.create(code=f"D{i:02d}", name=f"示范县第{i}局", kind="department", region=county, parent=gov)
             for i in range(20)]
    rnd = random.Random(7)
    codes = [r.code for r in ref.RESULT_TYPES]
    subkinds = [c for c, _ in ref.LEGAL_SUBKINDS]
    rows = []
    for i in range(n):
        received = dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randrange(365))
        person = rnd.random() < 0.7
        open_ = rnd.random() < 0.05
        closed = None if open_ else min(received + dt.timedelta(days=rnd.randrange(40)), dt.date(2027, 2, 1))
        rows.append(InfoRequest(
            request_no=f"B-{i:07d}", body=depts[i % 20], channel="in_person",
            status="processing" if closed is None else "replied", applicant_kind="person" if person else "legal",
            legal_subkind="" if person else rnd.choice(subkinds), applicant_name="申请人", phone="13812345678",
            description="某项政府信息", filed_at=timezone.now(), received_on=received, clock_start=received,
            due_date=received, result="" if closed is None else rnd.choice(codes), closed_on=closed))
    InfoRequest.objects.bulk_create(rows, batch_size=2000)
    return gov, depts[0]


def timed(label: str, fn, repeat: int = 3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<40} {best * 1000:9.1f} ms")
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    vendor = setup()
    from zhengwu.disclosure.documents import report_pdf
    from zhengwu.disclosure.docx_report import report_docx
    from zhengwu.disclosure.tables import report_data

    t0 = time.perf_counter()
    gov, dept = build(n)
    print(f"database: {vendor}; {n} requests in 20 departments built in {time.perf_counter() - t0:.1f} s")
    timed("report_data, one department", lambda: report_data(dept, 2026))
    data = timed("report_data, county (20 departments)", lambda: report_data(gov, 2026))
    print(f"{'  cross-check errors':<40} {len(data.errors):9d}")
    timed("county report PDF (WeasyPrint)", lambda: report_pdf(data), repeat=1)
    timed("county report .docx (python-docx)", lambda: report_docx(data), repeat=1)


if __name__ == "__main__":
    main()
