"""The selection rules as pure functions, on hand-computed examples (no database)."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from types import SimpleNamespace

from zhengwu.intermediary.models import Funding, Mode
from zhengwu.intermediary.services import selection as sel
from zhengwu.intermediary.services.draws import average_factor, draw_index

SEED = "5f" * 32


def cand(code: str, quote=None, *, credit=None, discount=None, base=None) -> dict:
    return sel.candidate(uscc=code, name=f"机构{code}", quote=quote, discount=discount, base_amount=base,
                         credit_score=credit)


FIVE = [cand("A1", "20000"), cand("B2", "24000"), cand("C3", "25000"), cand("D4", "27000"), cand("E5", "30000")]


def test_reasonable_average_hand_computed():
    """Five quotes 20 000, 24 000, 25 000, 27 000, 30 000 元, factor range [0.960, 0.960] (so the factor is 0.960
    whatever the seed):

    - drop one lowest (A1 20 000) and one highest (E5 30 000);
    - mean of 24 000, 25 000, 27 000 = 76 000 / 3 = 25 333.333… → 25 333.33 (to the cent, half up);
    - benchmark = 25 333.33 × 0.960 = 24 319.9968 → 24 320.00;
    - gaps |q − 24 320|: A1 4 320, B2 320, C3 680, D4 2 680, E5 5 680 → B2 (24 000) wins,
      ranking B2, C3, D4, A1, E5.
    """
    out = sel.pick_average(SEED, FIVE, Decimal("0.960"), Decimal("0.960"))
    assert out["dropped"] == ["A1", "E5"]
    assert (out["average"], out["factor"], out["benchmark"]) == ("25333.33", "0.960", "24320.00")
    assert out["gaps"] == {"A1": "4320.00", "B2": "320.00", "C3": "680.00", "D4": "2680.00", "E5": "5680.00"}
    assert (out["result"], out["ranking"]) == ("B2", ["B2", "C3", "D4", "A1", "E5"])


def test_reasonable_average_equal_gaps_go_to_the_lower_quote():
    """Quotes 20 000, 24 000, 24 640, 26 000, 30 000 with factor 0.960: drop 20 000 and 30 000; mean =
    (24 000 + 24 640 + 26 000) / 3 = 74 640 / 3 = 24 880.00; benchmark = 24 880 × 0.96 = 23 884.80;
    gaps: 24 000 → 115.20, 24 640 → 755.20, 26 000 → 2 115.20 → 24 000 (X2) wins.

    Equal gaps: 22 000, 23 680, 24 320, 26 000 with factor 1.000 (range [1, 1]): drop 22 000 and 26 000; mean =
    (23 680 + 24 320) / 2 = 24 000.00, benchmark 24 000.00; gaps 320 and 320 → the lower quote, 23 680 (Y2),
    without a draw."""
    out = sel.pick_average(SEED, [cand("X1", "20000"), cand("X2", "24000"), cand("X3", "24640"),
                                  cand("X4", "26000"), cand("X5", "30000")], "0.960", "0.960")
    assert (out["average"], out["benchmark"], out["result"]) == ("24880.00", "23884.80", "X2")
    sym = sel.pick_average(SEED, [cand("Y1", "22000"), cand("Y2", "23680"), cand("Y3", "24320"),
                                  cand("Y4", "26000")], "1.000", "1.000")
    assert (sym["average"], sym["benchmark"], sym["gaps"]["Y2"], sym["gaps"]["Y3"]) == (
        "24000.00", "24000.00", "320.00", "320.00")
    assert (sym["result"], sym["tie_drawn"]) == ("Y2", False)


def test_reasonable_average_with_two_quotes_drops_nothing():
    """Private money, two quotes 18 000 and 22 000, factor 0.950: mean 20 000.00, benchmark 19 000.00;
    gaps 1 000 and 3 000 → 18 000 wins."""
    out = sel.pick_average(SEED, [cand("P1", "18000"), cand("P2", "22000")], "0.950", "0.950")
    assert (out["dropped"], out["average"], out["benchmark"], out["result"]) == ([], "20000.00", "19000.00", "P1")


def test_identical_quotes_closest_to_the_benchmark_are_drawn():
    tied = [cand("T1", "24000"), cand("T2", "24000"), cand("T3", "24000")]
    out = sel.pick_average(SEED, tied, "0.950", "0.980")
    codes = ["T1", "T2", "T3"]
    assert out["result"] == codes[draw_index(SEED, codes, "tie")] and out["tie_drawn"] is True


def test_the_factor_is_the_seeds_and_inside_the_range():
    k = int(hashlib.sha256(f"{SEED}|factor".encode()).hexdigest(), 16) % 31
    assert average_factor(SEED, "0.950", "0.980") == Decimal("0.950") + Decimal("0.001") * k
    factors = {average_factor(f"{i:064x}", "0.950", "0.980") for i in range(300)}
    assert min(factors) >= Decimal("0.950") and max(factors) <= Decimal("0.980") and len(factors) > 20
    assert all(f == f.quantize(Decimal("0.001")) for f in factors)


def test_lowest_price_and_its_tie():
    out = sel.pick_lowest(SEED, [cand("L1", "15000"), cand("L2", "14000"), cand("L3", "16000")])
    assert (out["result"], out["ranking"], out["tie_drawn"]) == ("L2", ["L2", "L1", "L3"], False)
    tie = sel.pick_lowest(SEED, [cand("M1", "14000"), cand("M2", "14000"), cand("M3", "16000")])
    winner = ["M1", "M2"][draw_index(SEED, ["M1", "M2"], "tie")]
    assert tie["result"] == winner and tie["ranking"][0] == winner and tie["ranking"][2] == "M3"


def test_discount_price_is_the_base_less_the_rate():
    """20 000 元 base, 12.5 % → 20 000 × 87.5 / 100 = 17 500.00; 7.33 % → 18 534.00."""
    assert cand("D1", discount="12.5", base="20000")["price"] == "17500.00"
    assert cand("D2", discount="7.33", base="20000")["price"] == "18534.00"


def test_credit_ranking_long_list_and_short_list_draw():
    cands = [cand("C1", credit="80"), cand("C2", credit="95"), cand("C3", credit="95"), cand("C4"),
             cand("C5", credit="60")]
    out = sel.shortlist_credit(SEED, cands, long_list=3, short_list=2)
    assert out["ranking"] == ["C2", "C3", "C1", "C5", "C4"]  # ties by code, the unscored last
    assert out["long_list"] == ["C2", "C3", "C1"]
    remaining = ["C1", "C2", "C3"]
    first = remaining.pop(draw_index(SEED, remaining, "short-1"))
    second = remaining.pop(draw_index(SEED, remaining, "short-2"))
    assert out["short_list"] == out["result"] == [first, second]
    small = sel.shortlist_credit(SEED, cands[:1], long_list=3, short_list=2)
    assert small["short_list"] == ["C1"]


def test_random_is_one_draw_over_the_sorted_codes():
    out = sel.pick_random(SEED, [cand("R3"), cand("R1"), cand("R2")])
    assert out["result"] == ["R1", "R2", "R3"][draw_index(SEED, ["R1", "R2", "R3"], "select")]


def test_minimum_participants_per_funding_and_mode():
    policy = SimpleNamespace(min_participants_state=3, min_participants_merit=2, min_participants_private=1)
    assert sel.min_participants_for(policy, funding=Funding.STATE, mode=Mode.RANDOM) == 3
    assert sel.min_participants_for(policy, funding=Funding.STATE, mode=Mode.BIDDING) == 3
    assert sel.min_participants_for(policy, funding=Funding.STATE, mode=Mode.MERIT) == 2
    assert sel.min_participants_for(policy, funding=Funding.PRIVATE, mode=Mode.MERIT) == 1
    assert not sel.minimum_met(2, min_participants=3, funding=Funding.STATE)
    assert sel.minimum_met(3, min_participants=3, funding=Funding.STATE)
    assert sel.minimum_met(1, min_participants=3, funding=Funding.PRIVATE)  # a sole bidder on private money
    assert not sel.minimum_met(0, min_participants=1, funding=Funding.PRIVATE)


def test_direct_choice_must_be_a_candidate():
    assert sel.run("direct", "", FIVE, chosen="C3")["result"] == "C3"
    try:
        sel.run("proposal", "", FIVE, chosen="Z9")
    except ValueError as exc:
        assert "did not sign up" in str(exc)
    else:
        raise AssertionError("a choice outside the sign-ups must be refused")
