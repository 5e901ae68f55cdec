"""The selection rules as pure functions (选取规则): given the seed and the candidates, who is selected.

Nothing here reads or writes the database; the purchase services (``purchases.purchase_select``) feed it
the valid sign-ups and store what it returns as the public draw record (``Purchase.draw``), and
``draws.verify`` recomputes the same from that record alone (``outcome``).

A candidate is a dict ``{"uscc", "name", "quote", "discount", "price", "credit_score"}`` (amounts as strings
with two decimals, or None); ``price`` is what 竞价 compares: the quote, or for a 下浮率 the base amount ×
(100 − rate) / 100 rounded to the cent. Candidates are always handled in ascending 统一社会信用代码 order.

Rules (TRADING-INTERMEDIARY.md §3.2–3.3):

- 随机选取 (``random``): one draw with salt "select".
- 竞价·最低价 (``lowest``): the lowest price; a tie is drawn among the tied (salt "tie").
- 竞价·合理均价 (``average``): with 3 or more quotes one highest and one lowest are left out of the average
  (with fewer, all count: there is nothing to leave out fairly); mean rounded to the cent × the seed's factor
  in [lo, hi] (rounded to the cent) = the benchmark; every valid quote (including the two left out of the
  mean) is compared with it; the smallest absolute difference wins, then the lower quote, then a draw ("tie").
- 择优·信用 (``credit``): rank by credit score copied at sign-up (highest first; an agency not yet scored
  ranks after the scored ones; ties by 统一社会信用代码), keep the first ``long_list``, then draw the short
  list one by one from the long list (salts "short-1", "short-2", …; each drawn agency leaves the list).
  The owner picks one of the short list.
- 择优·方案 (``proposal``) and 直接选取 (``direct``): the owner's choice among the valid sign-ups (no chance).

Minimum participants: below the purchase's minimum the purchase fails (流标), except a privately funded
purchase with at least one sign-up (a sole bidder on private money wins).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..models import Funding, Mode
from .draws import average_factor, draw_index

CENT = Decimal("0.01")
RULES = ("random", "lowest", "average", "credit", "proposal", "direct")


def min_participants_for(policy, *, funding: str, mode: str) -> int:
    """The policy's minimum number of sign-ups for a purchase (stored on it when it is created)."""
    if funding == Funding.PRIVATE:
        return policy.min_participants_private
    if mode == Mode.MERIT:
        return policy.min_participants_merit
    return policy.min_participants_state


def minimum_met(count: int, *, min_participants: int, funding: str) -> bool:
    return count >= min_participants or (funding == Funding.PRIVATE and count >= 1)


def rule_of(mode: str, bidding_rule: str = "", merit_rule: str = "") -> str:
    if mode == Mode.BIDDING:
        return bidding_rule
    if mode == Mode.MERIT:
        return merit_rule
    return mode


def uses_chance(mode: str, bidding_rule: str = "", merit_rule: str = "") -> bool:
    """Whether the selection draws (and so needs a committed seed)."""
    return rule_of(mode, bidding_rule, merit_rule) in ("random", "lowest", "average", "credit")


def money(value) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(CENT))


def effective_price(*, quote=None, discount=None, base_amount=None) -> Decimal | None:
    """The compared price: the quote, or the base amount less the 下浮率 (to the cent)."""
    if quote is not None:
        return Decimal(str(quote)).quantize(CENT)
    if discount is not None and base_amount is not None:
        base = Decimal(str(base_amount))
        return (base * (Decimal(100) - Decimal(str(discount))) / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
    return None


def candidate(*, uscc: str, name: str, quote=None, discount=None, base_amount=None, credit_score=None) -> dict:
    return {"uscc": uscc, "name": name, "quote": money(quote), "discount": money(discount),
            "price": money(effective_price(quote=quote, discount=discount, base_amount=base_amount)),
            "credit_score": money(credit_score)}


def _codes(candidates) -> list[str]:
    return sorted(c["uscc"] for c in candidates)


def _tie_break(seed: str, tied: list[dict]) -> tuple[str, bool]:
    if len(tied) == 1:
        return tied[0]["uscc"], False
    codes = _codes(tied)
    return codes[draw_index(seed, codes, "tie")], True


def pick_random(seed: str, candidates: list[dict]) -> dict:
    codes = _codes(candidates)
    return {"result": codes[draw_index(seed, codes, "select")], "salt": "select"}


def pick_lowest(seed: str, candidates: list[dict]) -> dict:
    ranking = sorted(candidates, key=lambda c: (Decimal(c["price"]), c["uscc"]))
    low = Decimal(ranking[0]["price"])
    winner, drawn = _tie_break(seed, [c for c in ranking if Decimal(c["price"]) == low])
    order = [winner] + [c["uscc"] for c in ranking if c["uscc"] != winner]
    return {"result": winner, "ranking": order, "tie_drawn": drawn}


def pick_average(seed: str, candidates: list[dict], lo, hi) -> dict:
    priced = sorted(candidates, key=lambda c: (Decimal(c["price"]), c["uscc"]))
    dropped: list[str] = []
    kept = priced
    if len(priced) >= 3:
        dropped = [priced[0]["uscc"], priced[-1]["uscc"]]
        kept = priced[1:-1]
    mean = (sum(Decimal(c["price"]) for c in kept) / len(kept)).quantize(CENT, ROUND_HALF_UP)
    factor = average_factor(seed, lo, hi)
    benchmark = (mean * factor).quantize(CENT, ROUND_HALF_UP)

    def gap(c):
        return abs(Decimal(c["price"]) - benchmark)

    ranking = sorted(candidates, key=lambda c: (gap(c), Decimal(c["price"]), c["uscc"]))
    best = ranking[0]
    tied = [c for c in ranking if gap(c) == gap(best) and c["price"] == best["price"]]
    winner, drawn = _tie_break(seed, tied)
    order = [winner] + [c["uscc"] for c in ranking if c["uscc"] != winner]
    return {"result": winner, "ranking": order, "dropped": dropped, "average": str(mean), "factor": str(factor),
            "factor_range": [str(Decimal(str(lo))), str(Decimal(str(hi)))], "benchmark": str(benchmark),
            "gaps": {c["uscc"]: str(gap(c)) for c in candidates}, "tie_drawn": drawn}


def shortlist_credit(seed: str, candidates: list[dict], long_list: int, short_list: int) -> dict:
    def key(c):
        score = c["credit_score"]
        return (0, -Decimal(score), c["uscc"]) if score is not None else (1, Decimal(0), c["uscc"])

    ranking = [c["uscc"] for c in sorted(candidates, key=key)]
    longs = ranking[:long_list]
    remaining = sorted(longs)
    shorts: list[str] = []
    for i in range(1, min(short_list, len(longs)) + 1):
        shorts.append(remaining.pop(draw_index(seed, remaining, f"short-{i}")))
    return {"result": shorts, "ranking": ranking, "long_list": longs, "short_list": shorts}


def run(rule: str, seed: str, candidates: list[dict], *, factor_range=None, long_list=None,
        short_list=None, chosen: str = "") -> dict:
    """The outcome of ``rule`` for ``candidates`` (non-empty): a dict with at least ``result``."""
    if not candidates:
        raise ValueError("no candidates")
    if rule == "random":
        return pick_random(seed, candidates)
    if rule == "lowest":
        return pick_lowest(seed, candidates)
    if rule == "average":
        lo, hi = factor_range
        return pick_average(seed, candidates, lo, hi)
    if rule == "credit":
        return shortlist_credit(seed, candidates, int(long_list), int(short_list))
    if rule in ("direct", "proposal"):
        if chosen not in {c["uscc"] for c in candidates}:
            raise ValueError("the chosen agency did not sign up")
        return {"result": chosen}
    raise ValueError(f"unknown rule {rule!r}")


def outcome(record: dict) -> dict:
    """``run`` again from a published draw record (what ``draws.verify`` uses)."""
    candidates = sorted(record["candidates"], key=lambda c: c["uscc"])
    chosen = record.get("result", "") if record.get("rule") in ("direct", "proposal") else ""
    return run(record["rule"], record.get("seed", ""), candidates, factor_range=record.get("factor_range"),
               long_list=record.get("long_list_size"), short_list=record.get("short_list_size"), chosen=chosen)
