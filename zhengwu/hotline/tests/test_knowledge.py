"""The knowledge page: a 热线管理员 writes, edits, retires and restores articles through services with
audit rows (pinyin keys refreshed); 话务员 read only; nobody else gets in."""

from __future__ import annotations

import pytest
from django.test import Client

from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.hotline.models import Article
from zhengwu.hotline.services.knowledge import article_edit, article_retire, article_save

from .factories import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def client_for(staff) -> Client:
    c = Client()
    c.force_login(staff.user)
    return c


def _audits() -> list[tuple[str, str, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("action", "object_type", "summary"))


def test_the_hotline_admin_writes_an_article_with_its_pinyin_keys_and_an_audit_row(w):
    c = client_for(w.admin)
    r = c.post(
        "/hotline/knowledge/new/",
        {
            "title": "路灯报修",
            "body": "请说明路灯杆号。",
            "keywords": "路灯 报修",
            "category": w.roads.pk,
            "department": w.dept.pk,
        },
    )
    assert r.status_code == 302 and r["Location"] == "/hotline/knowledge/"
    art = Article.objects.get()
    assert (art.title, art.body, art.keywords, art.category_id, art.department_id, art.active) == (
        "路灯报修",
        "请说明路灯杆号。",
        "路灯 报修",
        w.roads.pk,
        w.dept.pk,
        True,
    )
    assert (art.title_pinyin, art.title_initials) == ("ludengbaoxiu", "ldbx")
    assert _audits() == [("create", "hotline.article", "新增知识库文章“路灯报修”")]
    assert AuditEvent.objects.get().actor_id == w.admin.user_id

    r = c.post(
        f"/hotline/knowledge/{art.pk}/", {"title": "井盖丢失", "body": "请说明位置。", "category": w.roads.pk}
    )
    assert r.status_code == 302
    art.refresh_from_db()
    assert (art.title, art.title_pinyin, art.title_initials, art.department_id, art.keywords) == (
        "井盖丢失",
        "jinggaidiushi",
        "jgds",
        None,
        "",
    )
    assert _audits()[-1] == ("update", "hotline.article", "修改知识库文章“井盖丢失”")
    # the call-takers' search finds it by the new initials
    page = client_for(w.taker).get("/hotline/knowledge/?q=jgds").content.decode()
    assert "井盖丢失" in page


def test_retire_and_restore_take_an_article_out_of_the_search_and_back(w):
    art = article_save(title="停水报修", body="县自来水公司抢修。", category=w.water_cat)
    c = client_for(w.admin)
    assert c.post(f"/hotline/knowledge/{art.pk}/retire/").status_code == 302
    art.refresh_from_db()
    assert art.active is False
    assert "停水报修" not in client_for(w.taker).get("/hotline/knowledge/?q=tsbx").content.decode()
    admin_page = c.get("/hotline/knowledge/?q=停水").content.decode()
    assert "停水报修" in admin_page and "已停用" in admin_page
    # a second retire is refused and changes nothing
    before = _audits()
    with pytest.raises(DomainError) as exc:
        article_retire(staff=w.admin, article=art)
    assert exc.value.message == "该文章已停用"
    assert _audits() == before
    assert c.post(f"/hotline/knowledge/{art.pk}/restore/").status_code == 302
    art.refresh_from_db()
    assert art.active is True
    assert [a[2] for a in _audits()[-2:]] == ["停用知识库文章“停水报修”", "恢复知识库文章“停水报修”"]
    assert "停水报修" in client_for(w.taker).get("/hotline/knowledge/?q=tsbx").content.decode()


def test_call_takers_read_only(w):
    art = article_save(title="停水报修", body="县自来水公司抢修。", category=w.water_cat)
    before = _audits()
    c = client_for(w.taker)
    page = c.get("/hotline/knowledge/")
    assert page.status_code == 200 and "停水报修" in page.content.decode()
    assert "新增文章" not in page.content.decode()
    assert c.get("/hotline/knowledge/new/").status_code == 403
    assert c.post("/hotline/knowledge/new/", {"title": "新", "body": "新"}).status_code == 403
    assert c.post(f"/hotline/knowledge/{art.pk}/", {"title": "改", "body": "改"}).status_code == 403
    assert c.post(f"/hotline/knowledge/{art.pk}/retire/").status_code == 403
    with pytest.raises(PermissionDenied):
        article_edit(staff=w.taker, article=art, title="改", body="改")
    art.refresh_from_db()
    assert (Article.objects.count(), art.title, art.active) == (1, "停水报修", True)
    assert _audits() == before


@pytest.mark.parametrize("who", ["officer", "head", "town_admin", "leader"])
def test_units_and_others_do_not_get_the_knowledge_page(w, who):
    assert client_for(getattr(w, who)).get("/hotline/knowledge/").status_code == 403


def test_a_refused_edit_says_why_and_writes_nothing(w):
    art = article_save(title="停水报修", body="县自来水公司抢修。", category=w.water_cat)
    before = _audits()
    c = client_for(w.admin)
    r = c.post(f"/hotline/knowledge/{art.pk}/", {"title": "", "body": "x"})
    assert r.status_code == 400 and "知识库文章须有标题和内容" in r.content.decode()
    r = c.post("/hotline/knowledge/new/", {"title": "新文章", "body": "x", "category": w.old.pk})
    assert r.status_code == 400 and "请选择有效的派单目录" in r.content.decode()
    r = c.post("/hotline/knowledge/new/", {"title": "新文章", "body": "x", "keywords": "词" * 201})
    assert r.status_code == 400 and "关键词不能超过200个字" in r.content.decode()
    assert c.get("/hotline/knowledge/999999/").status_code == 404
    assert c.post(f"/hotline/knowledge/{art.pk}/burn/").status_code == 404
    art.refresh_from_db()
    assert (Article.objects.count(), art.title, art.body) == (1, "停水报修", "县自来水公司抢修。")
    assert _audits() == before


def test_my_work_page_lists_the_knowledge_base_for_the_centre_only(w):
    assert "/hotline/knowledge/" in client_for(w.taker).get("/me/").content.decode()
    assert "/hotline/knowledge/" in client_for(w.admin).get("/me/").content.decode()
    assert "/hotline/knowledge/" not in client_for(w.officer).get("/me/").content.decode()
