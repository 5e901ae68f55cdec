"""On a government intranet (政务外网) there is no internet: no page may load a script, style sheet, font or
image from another host. The API docs (Swagger UI and ReDoc) come from django-ninja's own static files."""

from __future__ import annotations

import re

import pytest

from zhengwu.org.tests import factories as org

pytestmark = pytest.mark.django_db

# src="…", href="…" of <link> (style sheets, icons, fonts), url(…) in inline styles, @import
ASSET = re.compile(r"""<(?:script|img|iframe|source|video|audio)\b[^>]*\bsrc\s*=\s*["']?(https?:)?//"""
                   r"""|<link\b[^>]*\bhref\s*=\s*["']?(https?:)?//"""
                   r"""|url\(\s*["']?(https?:)?//|@import\s+["']?(https?:)?//""", re.I)

PAGES = ["/", "/items/", "/progress/", "/gk/", "/ratings/public/", "/trading/", "/intermediary/", "/commitments/",
         "/login/", "/register/", "/api/docs", "/api/redoc"]


def test_no_page_loads_anything_from_another_host(client):
    hall = org.hall(org.county())
    seen = []
    for url in [*PAGES, f"/hall/{hall.code}/board/", f"/commitments/screen/{hall.code}/"]:
        r = client.get(url, follow=True)
        if r.status_code == 404:
            continue
        body = r.content.decode()
        assert not ASSET.search(body), (url, ASSET.search(body).group(0))
        seen.append(url)
    assert "/api/docs" in seen and "/" in seen and len(seen) >= 10, seen


def test_the_api_docs_use_the_platform_own_swagger_ui(client):
    body = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body and "cdn.jsdelivr" not in body
