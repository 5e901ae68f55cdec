"""The draw is verifiable: committed before sign-up closes, revealed at selection, recomputable by anyone from
the published record alone (``Purchase.draw``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest

from zhengwu.core.errors import DomainError
from zhengwu.intermediary.models import Event, Funding, Mode, PurchaseStatus
from zhengwu.intermediary.services import draws

from .factories import build_world
from .test_purchases import DEADLINE, _media, published, reload, select, sign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def public_view(p) -> dict:
    """What the public page shows: only the published values, round-tripped through JSON."""
    return json.loads(json.dumps({"code": p.code, "seed_hash": p.seed_hash, "draw": p.draw}))


def test_seed_commitment_and_sealing():
    seed, commitment, sealed = draws.seed_new()
    assert len(seed) == 64 and int(seed, 16) >= 0
    assert commitment == hashlib.sha256(seed.encode()).hexdigest()
    assert seed.encode() not in sealed and len(sealed) > 12
    assert draws.seed_open(sealed) == seed
    assert draws.seed_open(memoryview(sealed)) == seed  # as PostgreSQL hands a bytea back
    tampered = bytearray(sealed)
    tampered[-1] ^= 1
    with pytest.raises(DomainError) as e:
        draws.seed_open(bytes(tampered))
    assert e.value.code == "intermediary_seed"
    assert draws.seed_new()[0] != seed


def test_draw_index_is_the_published_formula():
    codes = ["A", "B", "C"]
    h = int(hashlib.sha256(b"s|select|A,B,C").hexdigest(), 16)
    assert draws.draw_index("s", codes, "select") == h % 3
    with pytest.raises(ValueError):
        draws.draw_index("s", ["B", "A"], "select")


def test_random_winner_recomputed_from_the_published_record_alone(w):
    p = published(w, funding=Funding.STATE)
    # Before sign-up closes: the commitment is public, the seed is not.
    before = public_view(reload(p))
    assert len(before["seed_hash"]) == 64 and before["draw"] == {
        "seed_hash": before["seed_hash"], "committed_at": before["draw"]["committed_at"], "rule": "random"}
    assert reload(p).seed == ""
    publish_event = Event.objects.get(purchase=p, action="publish")
    assert publish_event.at < DEADLINE and publish_event.data["seed_hash"] == before["seed_hash"]
    for a in w.agencies[:5]:
        sign(p, a)
    p = select(p)
    after = public_view(reload(p))
    record = after["draw"]

    # Anyone: sha256(seed) is what was published before sign-up closed …
    seed = record["seed"]
    assert hashlib.sha256(seed.encode()).hexdigest() == before["seed_hash"] == record["seed_hash"]
    # … the candidates are the sign-ups' codes in ascending order, and the winner is the drawn index.
    codes = sorted(c["uscc"] for c in record["candidates"])
    assert codes == sorted(a.uscc for a in w.agencies[:5])
    index = int(hashlib.sha256(f"{seed}|select|{','.join(codes)}".encode()).hexdigest(), 16) % len(codes)
    assert codes[index] == record["result"] == reload(p).selected.agency.uscc
    assert draws.verify(record) == codes[index]
    assert record["recipe"] == draws.RECIPE


def test_average_record_recomputes_and_a_forged_seed_is_caught(w):
    p = published(w, funding=Funding.STATE, mode=Mode.BIDDING, bidding_rule="average")
    for a, q in zip(w.agencies[:4], ["21000", "23500", "24800", "29000"], strict=True):
        sign(p, a, quote=q)
    p = select(p)
    record = public_view(p)["draw"]
    # By hand from the record: the factor from the seed, the mean of the middle two, the closest quote.
    lo, hi = (Decimal(x) for x in record["factor_range"])
    k = int(hashlib.sha256(f"{record['seed']}|factor".encode()).hexdigest(), 16) % (int((hi - lo) / Decimal("0.001")) + 1)
    factor = lo + Decimal("0.001") * k
    mean = ((Decimal("23500") + Decimal("24800")) / 2).quantize(Decimal("0.01"))
    benchmark = (mean * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    prices = {c["uscc"]: Decimal(c["price"]) for c in record["candidates"]}
    winner = min(prices, key=lambda u: (abs(prices[u] - benchmark), prices[u]))
    assert (record["factor"], record["benchmark"], record["result"]) == (str(factor), str(benchmark), winner)
    assert draws.verify(record) == winner == p.selected.agency.uscc

    forged = {**record, "seed": "0" * 64}
    with pytest.raises(DomainError) as e:
        draws.verify(forged)
    assert e.value.code == "intermediary_draw_hash"


def test_credit_short_list_recomputes(w):
    p = published(w, funding=Funding.STATE, mode=Mode.MERIT, merit_rule="credit", long_list=4, short_list=2)
    for i, a in enumerate(w.agencies[:6]):
        a.credit_score = Decimal(90 - i)
        a.save()
        sign(p, a)
    p = select(p)
    assert p.status == PurchaseStatus.SHORTLISTED
    record = public_view(p)["draw"]
    assert draws.verify(record) == record["short_list"]
    assert len(record["short_list"]) == 2 and set(record["short_list"]) <= set(record["long_list"])


def test_a_failed_draw_reveals_its_seed_too(w):
    p = published(w, funding=Funding.STATE)
    sign(p, w.agencies[0])
    p = select(p, when=DEADLINE + dt.timedelta(days=1))
    assert p.status == PurchaseStatus.FAILED
    assert hashlib.sha256(p.draw["seed"].encode()).hexdigest() == p.seed_hash
    assert p.draw["failed"] == "有效报名1家，少于随机选取（摇号）要求的最少3家"
    assert draws.verify(p.draw) == ""
