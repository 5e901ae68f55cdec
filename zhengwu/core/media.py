"""Public uploaded files, served by the app itself (no web-server rule to get wrong).

Most uploads hold personal data (case materials, evidence, request attachments) and are only
ever served through views that check who is asking. A few are public by nature: the catalog's
blank forms and samples (空白表格、示例样表) and anything an app stores under ``public/``
(e.g. the photos on the posted 岗位卡). Only those prefixes are served here; everything else under
``MEDIA_ROOT`` answers 404, in development as in production.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

PUBLIC_PREFIXES = ("catalog/", "public/")
INLINE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf"}


@require_GET
def public_media(request, path: str):
    if not path.startswith(PUBLIC_PREFIXES) or "\\" in path or any(p in ("", ".", "..") for p in path.split("/")):
        raise Http404("文件不存在")
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        raise Http404("文件不存在")
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    # Anything that a browser would run (HTML, SVG …) is downloaded, never rendered on our origin.
    response = FileResponse(full.open("rb"), content_type=content_type,
                            as_attachment=content_type not in INLINE_TYPES, filename=full.name)
    response["Cache-Control"] = "public, max-age=3600"
    return response
