"""PDFs from self-contained HTML, one WeasyPrint set-up per process, for every domain.

A FontConfiguration made per render (WeasyPrint's default when none is given) loads fontconfig and
a pango font map with the large CJK faces ("Noto Sans CJK SC", Debian ``fonts-noto-cjk``) every
time, and they are only let go when Python's cycle collector gets round to them: a worker rendering
PDFs grew from about 175 MB to 0.6–1.2 GB resident, sawing up and down
(benchmarks/bench_pdf_memory.py). Here one font configuration, one URL fetcher that fetches nothing
but ``data:`` URLs, and each named print stylesheet parsed once are reused by every render. Renders
share them under a lock (pango font maps are not safe to share between threads); a render is
CPU-bound under the GIL anyway.

Pages may carry their own ``<style>`` (parsed per render, with the shared fonts) or leave it out and
name a stylesheet template, parsed once: ``render_pdf(html, stylesheet="cases/docs/print.css")``.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

DEFAULT_BASE_URL = "http://localhost/"

_LOCK = threading.Lock()
# (font configuration, URL fetcher, {stylesheet template name: parsed CSS}); None until the first render.
_tools: tuple[Any, Any, dict[str, Any]] | None = None


def _setup() -> tuple[Any, Any, dict[str, Any]]:
    global _tools
    if _tools is None:
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        _tools = (FontConfiguration(), URLFetcher(allowed_protocols=("data",)), {})
    return _tools


def _stylesheet(name: str) -> Any:
    from weasyprint import CSS

    fonts, fetcher, sheets = _setup()
    if name not in sheets:
        sheets[name] = CSS(string=render_to_string(name), font_config=fonts, url_fetcher=fetcher)
    return sheets[name]


def render_pdf(html: str, *, base_url: str | None = None, stylesheet: str | None = None) -> bytes:
    """``html`` as PDF bytes.

    ``base_url`` resolves relative links (default: the ``ZHENGWU_SITE_URL`` setting, else
    ``http://localhost/``); nothing is ever fetched. ``stylesheet`` names a CSS template parsed once
    per process and applied to the page (for pages rendered without their inline ``<style>``).
    """
    from weasyprint import HTML

    base = base_url or getattr(settings, "ZHENGWU_SITE_URL", "") or DEFAULT_BASE_URL
    with _LOCK:
        fonts, fetcher, _ = _setup()
        sheets = [_stylesheet(stylesheet)] if stylesheet else []
        return HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf(
            stylesheets=sheets, font_config=fonts
        )
