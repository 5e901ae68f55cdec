"""Real, minimal files for tests that upload something.

Uploads are opened by real parsers (``zhengwu.core.uploads``): a ``%PDF`` header followed by
anything is refused, so tests upload files that open. Each maker returns bytes; ``upload`` wraps
them as a Django upload. ``pdf_bytes(size=…)`` pads a valid PDF to an exact size (a long metadata
string) for size-limit tests.
"""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def pdf_bytes(*, pages: int = 1, size: int | None = None) -> bytes:
    """A valid PDF of ``pages`` blank A4 pages; with ``size``, padded to exactly that many bytes."""
    from pypdf import PdfWriter

    def write(padding: int) -> bytes:
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(595, 842)
        if padding:
            writer.add_metadata({"/Subject": "0" * padding})
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    data = write(0)
    if size is None:
        return data
    # The padding is a metadata string: the file stays well-formed (offsets and xref all correct).
    base = len(write(1)) - 1
    if size < base + 1:
        raise ValueError(f"a PDF needs at least {base + 1} bytes")
    padding = size - base
    for _ in range(3):  # the startxref offset may gain a digit: correct and write again
        data = write(padding)
        if len(data) == size:
            return data
        padding -= len(data) - size
    raise ValueError(f"cannot pad a PDF to exactly {size} bytes")


def image_bytes(fmt: str = "PNG", *, width: int = 32, height: int = 24) -> bytes:
    """A small solid image, ``fmt`` "PNG" or "JPEG"."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "#3f6aa8").save(out, fmt)
    return out.getvalue()


def docx_bytes(text: str = "申请书") -> bytes:
    """A minimal Word document: the parts and relationships a reader needs, one paragraph."""
    ns = "http://schemas.openxmlformats.org/"
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, xml.encode())
    return out.getvalue()


def file_bytes(name: str) -> bytes:
    """A valid file of the type ``name``'s extension says (pdf, png, jpg/jpeg, docx)."""
    ext = name.rsplit(".", 1)[-1].lower()
    if ext == "pdf":
        return pdf_bytes()
    if ext in ("jpg", "jpeg"):
        return image_bytes("JPEG")
    if ext == "png":
        return image_bytes("PNG")
    if ext == "docx":
        return docx_bytes()
    raise ValueError(f"no test file maker for .{ext}")


def upload(name: str = "材料.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    """``name`` as an upload: ``data`` as given, else a valid file of the type its extension says."""
    ext = name.rsplit(".", 1)[-1].lower()
    body = file_bytes(name) if data is None else data
    return SimpleUploadedFile(name, body, content_type=_CONTENT_TYPES.get(ext, "application/octet-stream"))


# -- browser tests (Playwright with Debian's chromium; conftest.py's ``browser`` and ``live_server``) ---------


def browser_log_in(pg, username: str, next_url: str, *, password: str = "pass-123456") -> None:
    """Sign in on the platform's login page and wait for ``next_url``."""
    pg.goto(f"/login/?next={next_url}")
    pg.locator("input[name=username]").fill(username)
    pg.locator("input[name=password]").fill(password)
    pg.get_by_role("button", name="登录").click()
    pg.wait_for_url(f"**{next_url}")


def browser_login(browser, live_server, username: str, next_url: str, *, width: int = 1360, height: int = 900):
    """A new browser context (one person), signed in as ``username``, at ``next_url``."""
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": width, "height": height})
    pg = context.new_page()
    pg.set_default_timeout(20000)
    browser_log_in(pg, username, next_url)
    return pg


def shared_locmem_cache(settings, monkeypatch, location: str):
    """Stand a LocMemCache in for Redis — a cache every app process shares (``zhengwu.core.cache.is_shared``) —
    in a one-process test (pytest's ``settings`` and ``monkeypatch``); emptied and returned."""
    from django.core.cache import cache

    from zhengwu.core import cache as shared

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": location}}
    monkeypatch.setattr(shared, "SHARED_BACKENDS", {"LocMemCache"})
    cache.clear()
    return cache
