"""Proactive publication: 提供 → 分管领导审核 → 保密审查 → 组长签发 → 公开; 20 working days; 制发/废止."""

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import Publication, PublicationEvent, PubStatus

from .factories import build_world

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return build_world()


def draft(w, made_on=None, **over):
    made_on = made_on or D(2026, 9, 18)
    fields = dict(title="示范县市场监督管理局关于规范食品摊贩管理的通知", category="regulation",
                  doc_kind="normative", doc_no="示市监规〔2026〕1号", content="各有关单位：……", made_on=made_on)
    fields.update(over)
    with clock.frozen(made_on):
        return s.publication_create(body=w.scj, officer=w.officer, **fields)


def state(pub):
    p = Publication.objects.get(pk=pub.pk)
    return p.status, p.row_version, p.secrecy_passed, p.signed_by_id, PublicationEvent.objects.filter(
        publication=p).count()


def test_the_whole_chain_and_a_late_publication_is_flagged(w):
    pub = draft(w)
    # 20 working days from 09-18: 09-20 (调休), 21…24, 28…30, 10-08…10 (10-10 调休), 12…16, 19…22.
    assert (pub.index_no, pub.status, pub.publish_due) == ("SFXSCJ/2026-00001", PubStatus.DRAFT, D(2026, 10, 22))
    with clock.frozen(D(2026, 10, 19)):
        s.publication_submit(publication=pub, officer=w.officer)
        s.publication_review(publication=pub, reviewer=w.reviewer, approve=True, note="内容准确")
        before = state(pub)
        with pytest.raises(DomainError) as exc:
            s.publication_sign(publication=pub, signer=w.signer)
        assert (exc.value.code, exc.value.message) == ("secrecy_required", "未经保密审查或保密审查未通过，不能签发")
        assert state(pub) == before
        s.publication_secrecy_review(publication=pub, reviewer=w.secrecy, passed=True, note="不涉密")
        s.publication_sign(publication=pub, signer=w.signer)
    with clock.frozen(D(2026, 10, 23)):
        s.publication_publish(publication=pub, officer=w.officer)
    pub.refresh_from_db()
    assert (pub.status, pub.published_on, pub.published_late, pub.validity) == (
        PubStatus.PUBLISHED, D(2026, 10, 23), True, "现行有效")
    assert list(PublicationEvent.objects.filter(publication=pub).values_list("label", "actor_name")) == [
        ("提供", "刘经办"), ("提交分管领导审核", "刘经办"), ("分管领导审核同意", "陈分管"), ("保密审查通过", "杨保密"),
        ("领导小组组长签发", "黄组长"), ("公开", "刘经办")]
    with clock.frozen(D(2026, 12, 1)):
        s.publication_repeal(publication=pub, officer=w.officer, repealed_on=D(2026, 11, 30),
                             note="示市监规〔2026〕9号废止")
    assert (pub.repealed_on, pub.validity) == (D(2026, 11, 30), "已废止")


def test_failed_secrecy_review_sends_the_draft_back(w):
    pub = draft(w)
    with clock.frozen(D(2026, 9, 21)):
        s.publication_submit(publication=pub, officer=w.officer)
        s.publication_secrecy_review(publication=pub, reviewer=w.secrecy, passed=False, note="附件含个人信息")
    assert (pub.status, pub.secrecy_passed) == (PubStatus.DRAFT, False)
    with clock.frozen(D(2026, 9, 22)):
        s.publication_update(publication=pub, officer=w.officer, content="各有关单位：（已删除个人信息）")
    assert (pub.status, pub.secrecy_passed, pub.content) == (PubStatus.DRAFT, None, "各有关单位：（已删除个人信息）")


def test_refusals_change_nothing(w):
    pub = draft(w)
    before = state(pub)
    with clock.frozen(D(2026, 9, 21)):
        with pytest.raises(DomainError) as exc:
            s.publication_submit(publication=pub, officer=w.outsider)
        assert exc.value.message == "您不是示范县市场监督管理局的政务公开工作人员，不能提交审核"
        with pytest.raises(DomainError) as exc:
            s.publication_review(publication=pub, reviewer=w.reviewer, approve=True)
        assert exc.value.message == "当前状态为“草稿”，不能审核"
        s.publication_submit(publication=pub, officer=w.officer)
        before = state(pub)
        with pytest.raises(DomainError) as exc:
            s.publication_review(publication=pub, reviewer=w.officer, approve=True)
        assert exc.value.message == "“审核公开信息”应由示范县市场监督管理局的分管领导办理"
        with pytest.raises(DomainError) as exc:
            s.publication_review(publication=pub, reviewer=w.reviewer, approve=False)
        assert exc.value.code == "reason_required"
        with pytest.raises(DomainError) as exc:
            s.publication_repeal(publication=pub, officer=w.officer, repealed_on=D(2026, 9, 21), note="x")
        assert exc.value.code == "bad_state"
    assert state(pub) == before


def test_villages_publish_village_affairs_only(w):
    with clock.frozen(D(2026, 7, 1)):
        pub = s.publication_create(body=w.village, officer=w.village_officer, title="东关村2026年第二季度财务收支公开",
                                   category="village_finance", content="收入：……", made_on=D(2026, 7, 1))
        assert pub.index_no == "DGC/2026-00001"
        with pytest.raises(DomainError) as exc:
            s.publication_create(body=w.village, officer=w.village_officer, title="通知", category="regulation",
                                 content="……", made_on=D(2026, 7, 1))
        assert exc.value.message == ("东关村村民委员会可用的公开类别为：村务公开·财务收支、村务公开·集体三资、"
                                     "村务公开·社会救助、村务公开·工程项目、村务公开·补贴发放、村务公开·土地、党务公开")
    assert Publication.objects.filter(body=w.village).count() == 1


def test_views_are_counted(w):
    pub = draft(w, doc_kind="general", doc_no="")
    for _ in range(3):
        s.publication_count_view(publication=pub)
    pub.refresh_from_db()
    assert pub.view_count == 3
