"""招标人代表 on the committee (招标投标法第三十七条): the 招标人 gives a representative's seat to one of its own
people, who scores and signs on the expert's page like the drawn experts; the report closes only when every
member who sits signs (实施条例第五十三条); nobody acting for a bidder or supervising the project sits
(第四十六条)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.trading.models import Bid, Candidate, CommitteeMember
from zhengwu.trading.services import common, experts
from zhengwu.trading.services.common import ARTICLES
from zhengwu.trading.tests import factories as F
from zhengwu.trading.transitions import EXPERT

from .test_experts import TODAY, make_round
from .test_experts import w as w  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def committee_with_reps(w):
    """5 experts (市政工程) and 2 招标人代表 seats."""
    t = make_round(w, status="evaluating", bids=list(zip(w.bidders, ["4100000", "4200000", "4300000"],
                                                         strict=False)))
    c = experts.committee_draw(tender=t, user=w.admin.user, specialty="市政工程", size=7, buyer_reps=2)
    return t, c


def test_a_buyer_representative_scores_and_signs_like_the_experts(client, w):
    with clock.frozen(TODAY):
        t, c = committee_with_reps(w)
        rep_seat, other_seat = c.members.filter(expert__isnull=True).order_by("pk")
        rep = w.buyer.members.get()
        # before a seat is given, the buyer's person is no member and has no page
        assert not common.actor_is(rep, EXPERT, t)
        client.force_login(rep)
        assert client.get("/trading/expert/").status_code == 403
        experts.committee_rep_assign(tender=t, user=w.agent_user, member=rep_seat, rep_user=rep)
        assert common.actor_is(rep, EXPERT, t)
        assert not common.actor_is(AnonymousUser(), EXPERT, t)  # the seat without an account is nobody's
        page = client.get("/trading/expert/").content.decode("utf-8")
        assert "招标人代表" in page and t.project.code in page
        assert client.get(f"/trading/expert/{t.pk}/").status_code == 200
        bids = list(t.bids.order_by("pk"))
        members = list(c.members.filter(expert__isnull=False).select_related("expert__user").order_by("pk"))
        for m in members:
            for b, score in zip(bids, (80, 70, 60), strict=True):
                experts.score_submit(tender=t, user=m.expert.user, bid=b, score=score)
            experts.report_sign(tender=t, user=m.expert.user)
        # every expert signed, the representative not yet: the report is not closed
        c.refresh_from_db()
        assert c.report_signed_at is None and not Candidate.objects.filter(tender=t).exists()
        with pytest.raises(DomainError) as exc:
            experts.report_sign(tender=t, user=rep)
        assert exc.value.code == "trading_unscored"
        for b, score in zip(bids, (100, 70, 60), strict=True):
            experts.score_submit(tender=t, user=rep, bid=b, score=score)
        experts.report_sign(tender=t, user=rep)
    c.refresh_from_db()
    assert c.report_signed_at is not None
    assert CommitteeMember.objects.get(pk=rep_seat.pk).signed_at is not None
    assert CommitteeMember.objects.get(pk=other_seat.pk).signed_at is None  # no account: not on the platform
    # the representative's score counts: (5 × 80 + 100) / 6
    assert [(x.rank, x.bid_id, x.score) for x in Candidate.objects.filter(tender=t).order_by("rank")] == [
        (1, bids[0].pk, Decimal("83.33")), (2, bids[1].pk, Decimal("70.00")), (3, bids[2].pk, Decimal("60.00"))]
    assert Bid.objects.get(pk=bids[0].pk).status == "valid"


def test_who_may_be_given_a_seat(w):
    with clock.frozen(TODAY):
        t, c = committee_with_reps(w)
        seat = c.members.filter(expert__isnull=True).order_by("pk").first()
        expert_seat = c.members.filter(expert__isnull=False).first()
        rep = w.buyer.members.get()
        # someone who also acts for a bidder: 回避
        both = F.user("both", "两边")
        w.buyer.members.add(both)
        w.bidders[4].members.add(both)
        with pytest.raises(DomainError) as exc:
            experts.committee_rep_assign(tender=t, user=w.agent_user, member=seat, rep_user=both)
        assert exc.value.code == "trading_rep_conflict" and ARTICLES["RECUSAL"] in exc.value.message
        for member, person, code in ((seat, w.stranger, "trading_rep_not_buyer"),
                                     (expert_seat, rep, "trading_rep_seat")):
            with pytest.raises(DomainError) as exc:
                experts.committee_rep_assign(tender=t, user=w.agent_user, member=member, rep_user=person)
            assert exc.value.code == code
        with pytest.raises(PermissionDenied):
            experts.committee_rep_assign(tender=t, user=w.bidder_users[0], member=seat, rep_user=rep)
        assert not c.members.filter(user__isnull=False).exists()
        assert not t.events.filter(action="assign_rep").exists()
        experts.committee_rep_assign(tender=t, user=w.agent_user, member=seat, rep_user=rep)
        other = c.members.filter(expert__isnull=True, user__isnull=True).get()
        with pytest.raises(DomainError) as exc:  # one person, one seat
            experts.committee_rep_assign(tender=t, user=w.agent_user, member=other, rep_user=rep)
        assert exc.value.code == "trading_rep_twice"
    event = t.events.get(action="assign_rep")
    assert rep.real_name not in event.note  # the seat only: names stay secret until the result
