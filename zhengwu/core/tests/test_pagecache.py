"""Whole public pages for anonymous visitors from the shared cache (``zhengwu.core.pagecache``).

The tests run the cache in one process (LocMemCache stands in for Redis); what matters is which requests
are served from it, and that a change of the catalog is shown at once.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengwu.catalog.models import Item
from zhengwu.catalog.services import item_draft_create, item_publish
from zhengwu.core import pagecache
from zhengwu.core.testing import shared_locmem_cache
from zhengwu.portal.tests.factories import WindowFactory, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 120
    cache = shared_locmem_cache(settings, monkeypatch, "pagecache-tests")
    assert pagecache.enabled()
    return cache


def _queries(client, url, **extra):
    with CaptureQueriesContext(connection) as q:
        response = client.get(url, **extra)
    return response, len(q.captured_queries)


def test_an_anonymous_search_is_served_again_without_the_database(client, page_cache):
    make_item("食品经营许可证核发")
    first, n_first = _queries(client, "/items/?q=食品")
    again, n_again = _queries(client, "/items/?q=食品")
    assert first.status_code == again.status_code == 200
    assert "食品经营许可证核发" in again.content.decode()
    assert again.content == first.content
    assert n_first > 0 and n_again == 0
    assert "Cookie" in again["Vary"]
    other, n_other = _queries(client, "/items/?q=食品&page=1")  # another full path: rendered on its own
    assert n_other > 0 and other.status_code == 200


def test_publishing_a_new_version_shows_at_once(client, page_cache):
    item = make_item("食品经营许可证核发")
    assert "食品经营许可证核发" in client.get("/items/?q=食品").content.decode()
    guide = f"/items/{item.impl_code}/"
    assert "食品经营许可证核发" in client.get(guide).content.decode()
    draft = item_draft_create(item=item)
    draft.name = "食品经营许可证核发（含仅销售预包装食品备案）"
    draft.save(update_fields=["name"])
    item_publish(version=draft)
    assert "仅销售预包装食品备案" in client.get("/items/?q=食品").content.decode()
    assert "仅销售预包装食品备案" in client.get(guide).content.decode()


def test_a_window_taking_the_item_renews_the_guide(client, page_cache):
    item = make_item("排水许可")
    guide = f"/items/{item.impl_code}/"
    window = WindowFactory(name="不动产与建设综合窗口")
    assert "不动产与建设综合窗口" not in client.get(guide).content.decode()
    window.items.add(Item.objects.get(pk=item.pk))  # a many-to-many change, no row of Window saved
    assert "不动产与建设综合窗口" in client.get(guide).content.decode()


def test_a_signed_in_visitor_and_a_pending_message_are_never_served_from_the_cache(client, page_cache,
                                                                                  django_user_model):
    make_item("食品经营许可证核发")
    client.get("/items/?q=食品")  # kept
    user = django_user_model.objects.create_user(username="13900000001", password="x", real_name="王小明")
    client.force_login(user)
    signed_in, n = _queries(client, "/items/?q=食品")
    assert n > 0 and "王小明" in signed_in.content.decode()
    client.logout()
    anonymous, n = _queries(client, "/items/?q=食品")
    assert n == 0 and "王小明" not in anonymous.content.decode()  # the signed-in page was not kept either
    client.cookies["messages"] = "x"
    _, n = _queries(client, "/items/?q=食品")
    assert n > 0


def test_the_elder_mode_page_is_kept_apart(client, page_cache):
    make_item("食品经营许可证核发")
    standard = client.get("/items/?q=食品").content.decode()
    client.cookies["zw_elder"] = "1"
    elder, n = _queries(client, "/items/?q=食品")
    assert n > 0 and 'class="elder"' in elder.content.decode() and 'class="elder"' not in standard
    elder_again, n = _queries(client, "/items/?q=食品")
    assert n == 0 and 'class="elder"' in elder_again.content.decode()


def test_a_missing_item_is_not_kept(client, page_cache):
    _, n1 = _queries(client, "/items/NO-SUCH-ITEM/")
    response, n2 = _queries(client, "/items/NO-SUCH-ITEM/")
    assert response.status_code == 404 and n1 > 0 and n2 > 0


def test_a_page_rendered_across_a_renewal_is_not_served_again(client, page_cache, monkeypatch):
    """The page is stored with the generation read before rendering: a renewal while it rendered (another
    process published) makes the next visit render again."""
    make_item("食品经营许可证核发")
    from zhengwu.portal import views

    real = views.item_search

    def search_then_another_process_publishes(**kwargs):
        result = real(**kwargs)
        pagecache.renew("catalog")
        return result

    monkeypatch.setattr(views, "item_search", search_then_another_process_publishes)
    client.get("/items/?q=食品")
    monkeypatch.setattr(views, "item_search", real)
    _, n = _queries(client, "/items/?q=食品")
    assert n > 0


def test_off_without_a_shared_cache(client, settings):
    settings.PAGE_CACHE_SECONDS = 120
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "pagecache-off"}}
    assert not pagecache.enabled()  # a per-process cache would keep a generation per process
    make_item("食品经营许可证核发")
    client.get("/items/?q=食品")
    _, n = _queries(client, "/items/?q=食品")
    assert n > 0
