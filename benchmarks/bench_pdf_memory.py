"""Resident memory of a worker rendering case PDFs, the way the app does it beside the old way.

Builds one accepted case with a paid fee, then renders N PDFs (default 1000), taking turns between
the 受理通知书 (acceptance.pdf) and the 收费票据 (receipt), in a fresh process per way so each
starts from the same footing, and prints VmRSS (from /proc/self/status) every 100 renders:

- ``reused``: the app's way (``zhengwu.cases.documents.html_to_pdf``): one WeasyPrint
  FontConfiguration and one parsed print stylesheet per process, reused by every render.
- ``per-render``: the old way: ``HTML(string=page).write_pdf()`` with the stylesheet inline, so
  WeasyPrint makes a new FontConfiguration (fontconfig + a pango font map with the CJK faces) and
  parses the stylesheet on every render.
- ``per-render+gc``: the old way with ``gc.collect()`` after each render: whether the old way's
  memory is garbage waiting for Python's cycle collector (bounded, but high and sawing) or a leak.

The three processes run one after another (``--parallel``: at the same time; resident sizes are
per process, only the seconds per render suffer).

Run:  .venv/bin/python benchmarks/bench_pdf_memory.py [N] [--modes reused,per-render] [--parallel]
Target (issue 11): the app's way stays flat over 1,000 renders (no growth beyond a few MB after
the first 100), where the old way reached 1.0–1.25 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

MODES = ("reused", "per-render", "per-render+gc")
EVERY = 100


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def build() -> tuple[str, str]:
    """One accepted case with its fee paid: (case number, receipt number)."""
    import datetime as dt

    from django.test.utils import override_settings

    from zhengwu.cases import fees
    from zhengwu.cases import services as s
    from zhengwu.cases.tests import factories
    from zhengwu.core import clock

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        w = factories.build_world()
    with clock.frozen(dt.date(2026, 3, 10)):
        case = s.case_submit(item=w.item, applicant=factories.applicant(), channel="window", officer=w.officer)
        s.case_accept(case=case, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk])
        receipt_no = fees.fee_pay(case=case, cashier=w.officer, method="cash")
    return case.case_no, receipt_no


def child(mode: str, n: int, case_no: str, receipt_no: str) -> None:
    import gc

    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    from zhengwu.cases import fees
    from zhengwu.cases.documents import render_document_html, render_document_pdf, site_url
    from zhengwu.cases.selectors import case_get

    case = case_get(case_no=case_no)
    receipt = fees.receipt_get(receipt_no=receipt_no)

    def old_way(html: str) -> bytes:
        fetcher = URLFetcher(allowed_protocols=("data",))
        return HTML(string=html, base_url=site_url(None), url_fetcher=fetcher).write_pdf()

    def render(i: int) -> bytes:
        if mode == "reused":
            if i % 2:
                return fees.render_receipt_pdf(receipt=receipt, base_url=None)
            return render_document_pdf(case=case, kind="acceptance", base_url=None)
        html = (fees.render_receipt_html(receipt=receipt, base_url=None) if i % 2
                else render_document_html(case=case, kind="acceptance", base_url=None))
        return old_way(html)

    print(f"{mode}\t0\t{rss_mb():.0f}\t-", flush=True)
    t0 = time.perf_counter()
    size = 0
    for i in range(1, n + 1):
        size = len(render(i))
        if mode == "per-render+gc":
            gc.collect()
        if i % EVERY == 0 or i == n:
            print(f"{mode}\t{i}\t{rss_mb():.0f}\t{(time.perf_counter() - t0) / i:.2f}", flush=True)
    assert size > 10_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--parallel", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--receipt", help=argparse.SUPPRESS)
    args = parser.parse_args()

    here = os.path.dirname(os.path.abspath(__file__))
    if args.child:  # the parent's database (ZHENGWU_VAR_DIR or DATABASE_URL inherited), already migrated
        sys.path.insert(0, os.path.dirname(here))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
        import django

        django.setup()
        child(args.child, args.n, args.case, args.receipt)
        return
    sys.path.insert(0, here)
    from _setup import setup

    vendor = setup()
    case_no, receipt_no = build()
    modes = [m for m in args.modes.split(",") if m]
    print(f"PDF renders per process: {args.n} (acceptance.pdf and receipt by turns), database {vendor}")
    print("mode\trenders\tVmRSS MB\ts/render", flush=True)
    cmd = [sys.executable, os.path.abspath(__file__), str(args.n), "--case", case_no, "--receipt", receipt_no]
    results: dict[str, list[tuple[int, int]]] = {}

    def collect(mode: str, out: str) -> None:
        for line in out.splitlines():
            parts = line.split("\t")
            if len(parts) == 4 and parts[0] == mode:
                results.setdefault(mode, []).append((int(parts[1]), int(parts[2])))

    if args.parallel:
        procs = {m: subprocess.Popen([*cmd, "--child", m], stdout=subprocess.PIPE, text=True) for m in modes}
        for m, p in procs.items():
            out, _ = p.communicate()
            print(out, end="", flush=True)
            collect(m, out)
    else:
        for m in modes:
            p = subprocess.Popen([*cmd, "--child", m], stdout=subprocess.PIPE, text=True)
            lines = []
            for line in p.stdout:
                print(line, end="", flush=True)
                lines.append(line)
            p.wait()
            collect(m, "".join(lines))
    print("\nsummary (VmRSS MB): start → after first 100 → max → end")
    for m in modes:
        points = results.get(m, [])
        if not points:
            print(f"  {m}: no figures (the child failed)")
            continue
        by_n = dict(points)
        first = by_n.get(EVERY, points[-1][1])
        print(f"  {m:14} {points[0][1]:5} → {first:5} → {max(r for _, r in points):5} → {points[-1][1]:5}"
              f"   (growth after the first {EVERY}: {points[-1][1] - first:+d})")


if __name__ == "__main__":
    main()
