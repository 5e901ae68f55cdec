"""The two wire formats of GeoReport v2: XML (required by the spec) and JSON.

Every response is built once as plain data — a root name, an item name and a list of dicts — and
written either way. The JSON form is the "Spark convention" mapping of the XML: the root element
disappears and the items are a JSON array (the discovery document, which has no item list, is an
object). The XML is schemaless, without a namespace, and starts with a UTF-8 declaration; a list
inside an item (``attributes``, ``values``, ``endpoints``, ``formats``) becomes an element holding
one child per entry, named in the singular.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")

SINGULAR = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "media_urls": "media_url",
}
# Characters XML 1.0 cannot carry at all (a C0 control other than tab/newline/return, U+FFFE/U+FFFF).
# The input guard refuses NUL; another control character typed into a page would make the document unparseable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """A refusal in the Open311 error body: HTTP ``status`` and a Chinese description for the user.

    The body code is the HTTP status (the spec allows a more specific one; clients look at the status).
    """

    def __init__(self, status: int, description: str, *, headers: dict[str, str] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


def w3c(moment: dt.datetime | None) -> str | None:
    """An aware datetime as the W3C profile of ISO 8601 in Beijing time: ``2026-12-06T09:30:00+08:00``."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _NOT_XML.sub("", str(value))


def _fill(parent: ET.Element, fields: dict) -> None:
    for key, value in fields.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, list):
            item_name = SINGULAR.get(key, key)
            for entry in value:
                sub = ET.SubElement(child, item_name)
                if isinstance(entry, dict):
                    _fill(sub, entry)
                else:
                    sub.text = _text(entry)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def to_xml(root: str, item: str | None, data) -> str:
    """``data`` is a list of dicts (one ``item`` element each) or, with ``item=None``, one dict."""
    top = ET.Element(root)
    if item is None:
        _fill(top, data)
    else:
        for entry in data:
            _fill(ET.SubElement(top, item), entry)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="unicode")


def render(
    fmt: str, root: str, item: str | None, data, *, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    if fmt == "json":
        body, content_type = json.dumps(data, ensure_ascii=False), JSON_TYPE
    else:
        body, content_type = to_xml(root, item, data), XML_TYPE
    response = HttpResponse(body.encode("utf-8"), status=status, content_type=content_type)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(
    fmt: str, status: int, description: str, *, headers: dict[str, str] | None = None
) -> HttpResponse:
    """The spec's error body: ``[{"code": 400, "description": "…"}]`` / ``<errors><error>…``."""
    return render(
        fmt, "errors", "error", [{"code": status, "description": description}], status=status, headers=headers
    )


def format_of(path: str) -> str:
    """The format a path asks for (its suffix); XML, the required format, when it names none."""
    return "json" if path.rstrip("/").endswith(".json") else "xml"
