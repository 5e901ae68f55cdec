"""Shared test fixtures: a browser (Playwright driving Debian's chromium) and a few org rows."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by
# the live server happen in its own thread, so this only silences the thread check here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]


def _chromium_path() -> str:
    path = os.environ.get("ZHENGWU_CHROMIUM") or next(
        (p for p in CHROMIUM_CANDIDATES if os.path.exists(p)), shutil.which("chromium") or ""
    )
    if not path:
        raise RuntimeError("未找到 chromium：请运行 scripts/test.sh（会安装 Debian 的 chromium）")
    return path


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Tests create many accounts; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_process_state(request):
    """Each test starts from what a fresh app process would see.

    The engine's calendars and the case plans are cached in-process by primary key; a rolled
    back test can leave an entry for an id the next test reuses. Transactional (browser,
    concurrency) tests end with a flush that also removes the default roles a data
    migration created, so they are put back for whatever runs next.
    """
    import datetime as dt

    from django.conf import settings
    from django.core.cache import cache, caches

    from zhengwu.cases import plan
    from zhengwu.core import clock, localmemo
    from zhengwu.joint.services import apply as joint_apply

    notifier = settings.ZHENGWU_NOTIFIER  # the demo command switches it to the boxed console one

    db_cache = type(caches["default"]).__name__ == "DatabaseCache"  # without REDIS_URL: a table in the test DB
    if not db_cache:
        cache.clear()  # throttling counters and the like start at zero
    plan._plans.clear()
    joint_apply._plans.clear()  # bundle plans, kept per version id: a rolled-back test's ids come back
    # the per-process copies (calendars, the hotline's time limits and rules, the halls' queue policies, the
    # staff supervision's clocks name): a transactional test's flush sends no signal
    localmemo.reset_all()
    if request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("_django_db_helper")
        if db_cache:
            cache.clear()
        from zhengwu.org.models import Role

        if Role.objects.count() < len(Role.DEFAULTS):
            Role.objects.bulk_create([Role(code=c, name=n) for c, n in Role.DEFAULTS], ignore_conflicts=True)
    yield
    plan._plans.clear()
    joint_apply._plans.clear()
    localmemo.reset_all()
    clock.set_offset(dt.timedelta(0))  # the demo command's --at (or its next-working-morning default)
    settings.ZHENGWU_NOTIFIER = notifier


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=_chromium_path(),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()
