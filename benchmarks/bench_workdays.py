"""add_workdays throughput beside chinesecalendar.find_workday doing the same additions.

Run: .venv/bin/python benchmarks/bench_workdays.py [N]
Target (issue 2): at least 20x the peer.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from _setup import setup


def main(n_ops: int = 20000) -> None:
    vendor = setup()
    import chinese_calendar

    from zhengwu.workdays import engine

    rng = random.Random(2026)
    starts = []
    day = dt.date(2024, 1, 1)
    while day <= dt.date(2026, 10, 31):
        if chinese_calendar.is_workday(day):
            starts.append(day)
        day += dt.timedelta(days=1)
    ops = [(rng.choice(starts), rng.randint(1, 45)) for _ in range(n_ops)]

    engine.add_workdays(dt.date(2026, 1, 5), 1)  # build the tables once, as a running server has
    t0 = time.perf_counter()
    ours = [engine.add_workdays(s, n) for s, n in ops]
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    peer = [chinese_calendar.find_workday(n, s) for s, n in ops]
    t_peer = time.perf_counter() - t0

    assert ours == peer, "results differ from chinesecalendar"
    cold = engine.Calendar([], set())
    t0 = time.perf_counter()
    cold.add(dt.date(2026, 1, 5), 1)
    t_build = time.perf_counter() - t0

    print(f"database: {vendor}; {n_ops} additions of 1-45 working days from working days 2024-2026")
    print(f"zhengwu add_workdays          : {n_ops / t_ours:12,.0f} ops/s")
    print(f"chinesecalendar.find_workday  : {n_ops / t_peer:12,.0f} ops/s")
    print(f"speed-up                      : {t_peer / t_ours:12.1f}x (target >= 20x); identical results")
    print(f"cold table build (one region) : {t_build * 1000:12.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
