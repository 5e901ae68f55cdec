"""Shared helpers of the pages: who is asking, and turning refusals into messages."""

from __future__ import annotations

import mimetypes
import os
import re
from functools import wraps
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from zhengwu.core.errors import NotFound
from zhengwu.org.selectors import staff_for_user

from .. import selectors


def forbidden(request, message: str):
    return render(request, "disclosure/message.html", {"message": message, "title": "无权访问"}, status=403)


def staff_required(view):
    """A member of staff with a duty in at least one body; ``request.staff`` is set."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = staff_for_user(request.user)
        if staff is None or not staff.is_active or not selectors.bodies_for_staff(staff).exists():
            return forbidden(request, "政务公开工作台仅限各公开主体的政务公开工作人员使用。")
        request.staff = staff
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def body_or_404(code: str):
    try:
        return selectors.body_get_public(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """RFC 6266: an ASCII ``filename`` for old clients, then the real (Chinese) name as RFC 5987 ``filename*``."""
    ext = os.path.splitext(filename)[1]
    plain = filename.isascii() and not any(c in filename for c in '"\\;\r\n')
    fallback = filename if plain else "download" + (ext if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", ext) else "")
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(content: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    resp = HttpResponse(content, content_type=content_type)
    resp["Content-Disposition"] = content_disposition(filename, inline=inline)
    return resp


def open_or_404(field_file):
    """The stored file opened for reading; a file gone from storage is a 404, not a crash."""
    try:
        return field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("附件文件已不存在，请联系该机关") from exc


def stream(fh, *, filename: str) -> FileResponse:
    """Stream an opened file as a download, with its content type and its (Chinese) name."""
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    resp = FileResponse(fh, content_type=content_type)
    resp["Content-Disposition"] = content_disposition(filename)
    return resp
