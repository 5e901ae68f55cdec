"""Sealed bids per second, end to end, beside the bare cryptography they are built on.

For N bids (default 60, spread over rounds of 30 bidders, each round with the policy's 40 slots) with a
bid file of SIZE KiB (default 256, random bytes so nothing compresses):

1. seal + submit: ``sealing.seal`` of ``bid_plaintext`` (PBKDF2-HMAC-SHA256, 200,000 iterations, then
   AES-256-GCM; what seal.js does in the browser) followed by ``bids.bid_submit`` (round lock, HMAC tags,
   server layer padded to its bucket, encrypted upload metadata, one UPDATE);
2. open + decrypt: ``bids.tender_open`` per round (HMAC per party, one Bid per slot), ``bids.bid_decrypt``
   per bid (server layer, PBKDF2 + AES-GCM, JSON and file metadata) and ``bids.opening_close`` (opening
   record, collusion flags, OCDS release).

Named peer, in the same run: the bare ``cryptography`` cost of the same envelopes — ``PBKDF2HMAC.derive``
+ ``AESGCM.encrypt`` of the same plaintexts (seal), and ``PBKDF2HMAC.derive`` + ``AESGCM.decrypt`` (open),
with no database. The difference is what the slots, tags, padding, metadata and rows cost. PBKDF2 is
meant to be slow (it is what keeps a guessed passphrase expensive), so both figures are dominated by it.

Run: .venv/bin/python benchmarks/bench_trading_bids.py [N] [--size KIB]
     (DATABASE_URL=postgres://… to run against PostgreSQL; otherwise a throw-away SQLite database)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

from _setup import setup

SH = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=60)
    parser.add_argument("--size", type=int, default=256, help="bid file size in KiB")
    args = parser.parse_args()
    vendor = setup()

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    from zhengwu.core import clock
    from zhengwu.trading import sealing
    from zhengwu.trading.services import bids, lifecycle
    from zhengwu.trading.tests import factories as f

    per_round = 30
    w = f.build_world()
    bidders, users = [], []
    for i in range(per_round):
        p = f.party(500 + i, f"示范县基准测试建筑有限公司{i:02d}", is_bidder=True)
        u = f.user(f"benchbidder{i}", f"基准投标人{i}")
        p.members.add(u)
        bidders.append(p)
        users.append(u)
    deadline = at(3, 25, 9, 30)
    rounds = []
    for r in range((args.n + per_round - 1) // per_round):
        tender = f.draft_tender(w, f.project(w, name=f"基准测试项目{r}"))
        with clock.frozen(at(3, 2, 9)):
            lifecycle.tender_publish(tender=tender, user=w.agent_user, documents_from=at(3, 2, 9),
                                     documents_until=at(3, 13, 17), bid_deadline=deadline)
        with clock.frozen(at(3, 5)):
            for p, u in zip(bidders, users, strict=True):
                lifecycle.tender_obtain(tender=tender, user=u, bidder=p)
        rounds.append(tender)
    jobs = [(rounds[k // per_round], k % per_round) for k in range(args.n)]
    file = os.urandom(args.size * 1024)
    plains = [sealing.bid_plaintext({"price": 4_000_000 + 1_000 * k * k, "duration_days": 300,
                                     "project_manager": f"经理{k}", "quality": "合格",
                                     "deposit_account": f"6222{k:012d}"}, [(f"投标文件{k}.pdf", file)])
              for k in range(args.n)]
    iterations = sealing.MIN_ITERATIONS

    t0 = time.perf_counter()
    with clock.frozen(at(3, 20)):
        for k, (tender, i) in enumerate(jobs):
            env = sealing.seal(plains[k], f"pass-{k}", iterations=iterations)
            bids.bid_submit(tender=tender, user=users[i], bidder=bidders[i], envelope=env, ip=f"10.0.{k}.1",
                            device=f"dev-{k}")
    t_seal = time.perf_counter() - t0

    t0 = time.perf_counter()
    for tender in rounds:
        with clock.frozen(deadline):
            bids.tender_open(tender=tender, user=w.agent_user)
    with clock.frozen(at(3, 25, 9, 40)):
        for k, (tender, i) in enumerate(jobs):
            bids.bid_decrypt(tender=tender, user=users[i], bidder=bidders[i], passphrase=f"pass-{k}")
    with clock.frozen(at(3, 25, 10, 40)):
        for tender in rounds:
            bids.opening_close(tender=tender, user=w.agent_user)
    t_open = time.perf_counter() - t0

    def key(pw: str, salt: bytes) -> bytes:
        return PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations).derive(pw.encode())

    sealed = []
    t0 = time.perf_counter()
    for k in range(args.n):
        salt, nonce = os.urandom(16), os.urandom(12)
        sealed.append((salt, nonce, AESGCM(key(f"pass-{k}", salt)).encrypt(nonce, plains[k], None)))
    t_peer_seal = time.perf_counter() - t0
    t0 = time.perf_counter()
    for k, (salt, nonce, ct) in enumerate(sealed):
        AESGCM(key(f"pass-{k}", salt)).decrypt(nonce, ct, None)
    t_peer_open = time.perf_counter() - t0

    n = args.n
    print(f"database: {vendor}; {n} bids of {args.size} KiB in {len(rounds)} rounds of 40 slots; "
          f"PBKDF2-HMAC-SHA256 {iterations:,} iterations; load average {os.getloadavg()[0]:.2f}")
    print(f"zhengwu seal + bid_submit               : {n / t_seal:8.2f} bids/s")
    print(f"cryptography PBKDF2 + AESGCM encrypt    : {n / t_peer_seal:8.2f} bids/s  (peer)")
    print(f"zhengwu tender_open + bid_decrypt + close: {n / t_open:8.2f} bids/s")
    print(f"cryptography PBKDF2 + AESGCM decrypt    : {n / t_peer_open:8.2f} bids/s  (peer)")
    print(f"overhead over the bare cryptography     : seal {t_seal / t_peer_seal:5.2f}x, open {t_open / t_peer_open:5.2f}x")


if __name__ == "__main__":
    main()
