"""The progress query's answers kept in the shared cache (``zhengwu.cases.progress``).

The tests run the cache in one process (LocMemCache stands in for Redis); what matters is which questions are
answered from it without the database, that a wrong credential or a refused client never is, that every
change of the case shows on the next question, and that nothing personal is kept.
"""

import datetime as dt
import pickle

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhengwu.cases import progress as progress_cache
from zhengwu.cases import selectors
from zhengwu.cases import services as s
from zhengwu.cases.models import Case
from zhengwu.core import clock
from zhengwu.core.testing import shared_locmem_cache

from .factories import PERSON_ID, build_world
from .test_api_more import JSON, accepted

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


@pytest.fixture
def w():
    return build_world()


@pytest.fixture
def kept(settings, monkeypatch):
    settings.PROGRESS_CACHE_SECONDS = 120
    cache = shared_locmem_cache(settings, monkeypatch, "progress-tests")
    assert progress_cache.enabled()
    yield cache
    cache.clear()


def api(client, case_no, credential, **extra):
    with CaptureQueriesContext(connection) as q:
        r = client.post("/api/cases/progress", {"case_no": case_no, "credential": credential}, content_type=JSON,
                        **extra)
    return r, len(q.captured_queries)


def page(client, case_no, credential, **extra):
    with CaptureQueriesContext(connection) as q:
        r = client.post("/progress/", {"case_no": case_no, "credential": credential}, **extra)
    return r, len(q.captured_queries)


def _result_block(response) -> str:
    html = response.content.decode()
    start = html.index('<section class="panel" data-testid="progress-result">')
    return html[start:html.index("</section>", start)]


def test_the_same_question_again_is_answered_without_the_database(client, w, kept):
    case = accepted(w)
    first, n_first = api(client, case.case_no, PHONE)
    again, n_again = api(client, case.case_no.lower(), PERSON_ID.lower())  # the other credential, as typed
    assert first.status_code == again.status_code == 200
    assert n_first >= 2 and n_again == 0
    assert again.json() == first.json()
    p1, n_p1 = page(client, case.case_no, PHONE)
    p2, n_p2 = page(client, case.case_no, PHONE)
    assert p1.status_code == p2.status_code == 200
    assert n_p1 >= 2 and n_p2 <= 1  # the page may still touch the session; never the case
    assert _result_block(p2) == _result_block(p1)
    assert "张*" in _result_block(p2) and "受理" in _result_block(p2)
    assert 'name="csrfmiddlewaretoken"' in p2.content.decode()  # the form is rendered per request


def test_nothing_personal_is_kept(client, w, kept):
    case = accepted(w)
    assert api(client, case.case_no, PHONE)[0].status_code == 200
    assert page(client, case.case_no, PHONE)[0].status_code == 200
    raw = b"".join(pickle.dumps(v) for v in kept._cache.values())
    assert raw  # something is kept
    for secret in (PHONE, PERSON_ID, "张三"):
        assert secret.encode() not in raw and pickle.dumps(secret) not in raw


def test_a_wrong_credential_on_a_kept_answer_is_counted_and_refused(client, w, kept):
    case = accepted(w)
    assert api(client, case.case_no, PHONE)[0].status_code == 200  # kept now
    for i in range(10):
        r, n = api(client, case.case_no, f"1390000{i:04d}")
        assert r.status_code == 404 and n >= 1  # the counted way, to the database
        assert "张" not in r.content.decode()
    # the right pair is kept, but this client is refused before the cache is read
    r, _ = api(client, case.case_no, PHONE)
    assert (r.status_code, r.json()["code"]) == (429, "too_many_attempts")
    assert page(client, case.case_no, PHONE)[0].status_code == 429
    # another client is not
    r, n = api(client, case.case_no, PHONE, REMOTE_ADDR="10.9.8.7")
    assert (r.status_code, n) == (200, 0)


def test_a_right_answer_from_the_cache_leaves_the_count_as_it_was(client, w, kept):
    from zhengwu.core import throttle

    case = accepted(w)
    api(client, case.case_no, PHONE)
    api(client, case.case_no, "13900000000")
    assert throttle.count("progress", "127.0.0.1") == 1
    for _ in range(3):
        assert api(client, case.case_no, PHONE)[1] == 0
    assert throttle.count("progress", "127.0.0.1") == 1


def test_every_change_of_the_case_shows_on_the_next_question(client, w, kept, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # each action commits (the test's own transaction
        case = accepted(w)  # would otherwise hold every on-commit callback to its end)
    assert api(client, case.case_no, PHONE)[0].json()["status"] == "in_review"
    page(client, case.case_no, PHONE)
    assert api(client, case.case_no, PHONE)[1] == page(client, case.case_no, PHONE)[1] == 0  # both kept
    with django_capture_on_commit_callbacks(execute=True) as done, clock.frozen(dt.date(2026, 3, 11)):
        s.case_suspend(case=case, officer=w.chief, kind="site_survey", reason="经营场所需现场核查")
    assert sum(isinstance(f, progress_cache._Bump) for f in done) == 1  # one write to the cache per transaction
    r, n = api(client, case.case_no, PHONE)
    assert n >= 2 and r.json()["status"] == "suspended" and r.json()["clock_stopped"] is True
    assert r.json()["events"][-1]["label"] == "启动特别程序（现场踏勘）"
    p, n = page(client, case.case_no, PHONE)
    assert n >= 2 and "特别程序中" in _result_block(p)
    # a save through the ORM (the admin, a data fix) counts too
    assert api(client, case.case_no, PHONE)[1] == 0
    with django_capture_on_commit_callbacks(execute=True):
        Case.objects.filter(pk=case.pk).first().save()
    assert api(client, case.case_no, PHONE)[1] >= 2
    # and before the commit nothing is dropped: another process may still be reading the old rows
    assert api(client, case.case_no, PHONE)[1] == 0
    with django_capture_on_commit_callbacks(execute=False) as pending:
        Case.objects.filter(pk=case.pk).first().save()
        assert api(client, case.case_no, PHONE)[1] == 0
    for callback in pending:
        callback()
    assert api(client, case.case_no, PHONE)[1] >= 2


def test_a_change_rolled_back_keeps_the_answer(client, w, kept):
    case = accepted(w)
    api(client, case.case_no, PHONE)
    with pytest.raises(RuntimeError), transaction.atomic():
        progress_cache.changed(case.case_no)
        raise RuntimeError("rolled back")
    assert api(client, case.case_no, PHONE)[1] == 0


def test_an_answer_built_across_a_commit_is_not_served(client, w, kept, monkeypatch):
    """Another process commits a change after this one read the case and before it kept the answer."""
    case = accepted(w)
    real = selectors.case_progress_events

    def events_then_a_commit_elsewhere(c):
        out = real(c)
        progress_cache._bump([c.case_no])  # what the other process's on_commit does
        return out

    monkeypatch.setattr(selectors, "case_progress_events", events_then_a_commit_elsewhere)
    assert api(client, case.case_no, PHONE)[0].status_code == 200
    monkeypatch.setattr(selectors, "case_progress_events", real)
    assert api(client, case.case_no, PHONE)[1] >= 2  # not served: built under the older generation
    assert api(client, case.case_no, PHONE)[1] == 0


def test_off_without_a_shared_cache(settings):
    settings.PROGRESS_CACHE_SECONDS = 120
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "progress-off"}}
    assert not progress_cache.enabled()  # a per-process cache would miss other processes' changes
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "zhengwu_cache"}}
    assert not progress_cache.enabled()
