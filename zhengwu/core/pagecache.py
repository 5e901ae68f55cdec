"""Whole public pages kept in the shared cache for anonymous visitors (what a portal puts behind a CDN).

The 事项查询 list and the 办事指南 are the busiest pages of the platform and the same for every visitor who is
not signed in; rendering one costs 10-25 ms of CPU, reading it back from Redis well under one. A page is
kept only when all of these hold:

- the shared cache is Redis (``REDIS_URL``) and ``PAGE_CACHE_SECONDS`` > 0 (the default 120 with Redis, 0
  without: the database cache would turn every hit into a query and every miss into a write);
- the request is a ``GET`` without the session cookie (nobody is signed in), without a messages cookie
  (nothing to show once) and without the read-your-writes cookie (the visitor has just written);
- the answer is a 200 that sets no cookie and did not ask for a CSRF token.

The key is the full path (query string included) and the 长辈版 switch (the only cookie an anonymous page
depends on). Each page is stored with the **generation** of its scope; a save or delete of any row of the
apps a scope reads (``SCOPES``) gives the scope a new generation once the transaction commits, so a
published version, a closed window or a new link to an intermediary service shows at once, in every app
process. The generation and the page are read in one round trip. What changes without a row being saved
through the ORM (a bulk ``update()``, a date passing) shows within ``PAGE_CACHE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import uuid
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from .cache import is_shared
from .context_processors import ELDER_COOKIE
from .replicas import RYW_COOKIE

# scope -> the models whose rows its pages show ("app" for all of an app's models, "app.Model" for one):
# a save or delete of any of them, or a change of a many-to-many field between two of them, renews the scope
SCOPES: dict[str, tuple[str, ...]] = {
    # 事项查询 and 办事指南: items, versions, steps, materials, fees, 联办事项; where each can be done (halls,
    # windows, departments, regions) and who signs each step (roles); the intermediary services a guide lists
    "catalog": ("catalog", "org.Region", "org.Hall", "org.Department", "org.Window", "org.Role",
                "intermediary.Service", "intermediary.ServiceLink", "intermediary.Qualification"),
}
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage


def _gen_key(scope: str) -> str:
    return f"zw:page:gen:{scope}"


def _page_key(scope: str, request) -> str:
    elder = "e" if request.COOKIES.get(ELDER_COOKIE) == "1" else "s"
    digest = hashlib.blake2b(request.get_full_path().encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return f"zw:page:{scope}:{elder}:{digest}"


def enabled() -> bool:
    seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
    return bool(seconds and seconds > 0 and is_shared())


def _cacheable_request(request) -> bool:
    cookies = request.COOKIES
    return (request.method == "GET" and settings.SESSION_COOKIE_NAME not in cookies
            and MESSAGES_COOKIE not in cookies and RYW_COOKIE not in cookies)


def public_page(scope: str):
    """Decorator for a public GET view whose page is the same for every anonymous visitor."""
    if scope not in SCOPES:
        raise ValueError(f"unknown page-cache scope {scope!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not enabled() or not _cacheable_request(request):
                return view(request, *args, **kwargs)
            gen_key, page_key = _gen_key(scope), _page_key(scope, request)
            found = cache.get_many([gen_key, page_key])
            gen, kept = found.get(gen_key), found.get(page_key)
            if gen is not None and isinstance(kept, tuple) and len(kept) == 3 and kept[0] == gen:
                response = HttpResponse(kept[2], content_type=kept[1])
                patch_vary_headers(response, ["Cookie"])
                return response
            if gen is None:  # first use, or the cache was emptied: start a generation (another process may win)
                cache.add(gen_key, uuid.uuid4().hex, None)
                gen = cache.get(gen_key)
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ["Cookie"])
            if (gen is not None and response.status_code == 200 and not response.cookies
                    and not getattr(response, "streaming", False)
                    and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")):
                # the generation read *before* rendering: a page rendered across a renewal is not served again
                cache.set(page_key, (gen, response["Content-Type"], response.content), settings.PAGE_CACHE_SECONDS)
            return response

        return wrapper

    return decorator


def renew(scope: str) -> None:
    """Give ``scope`` a new generation now and again when the current transaction commits: every page kept
    under an older one is rendered again on its next visit. The first renewal stops serving what was kept;
    the second drops a page another process rendered from the rows as they were before the commit."""
    _new_generation(scope)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _new_generation(scope))


def _new_generation(scope: str) -> None:
    cache.set(_gen_key(scope), uuid.uuid4().hex, None)


def _scopes_of(model) -> list[str]:
    meta = model._meta
    return [scope for scope, names in SCOPES.items() if meta.app_label in names or meta.label in names]


def _on_change(sender, **kwargs):
    if kwargs.get("raw") or not enabled():  # loaddata; no page is kept
        return
    for scope in _scopes_of(sender):
        renew(scope)


def _on_m2m_change(sender, instance, action, **kwargs):
    if action.startswith("post_") and enabled():  # sent by the through model: the scopes of either end
        for scope in _scopes_of(type(instance)):
            renew(scope)


def connect_signals() -> None:
    """Called from ``CoreConfig.ready``: renew a scope on any save or delete of a model it reads."""
    for model in apps.get_models():
        if _scopes_of(model):
            uid = f"pagecache:{model._meta.label}"
            post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}:save")
            post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}:delete")
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                if _scopes_of(field.related_model):
                    m2m_changed.connect(_on_m2m_change, sender=through, dispatch_uid=f"{uid}:{field.name}")
