"""The contract harness: every JSON answer is checked against the shared Open311 schemas
(``zhengwu/open311/schemas``, draft-04 with the two relative ``$ref``s registered under their file
names, formats checked), every XML answer is parsed, and both forms must carry the same data."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import jsonschema_rs

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


def _load(name: str):
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@cache
def validator(name: str):
    registry = jsonschema_rs.Registry(
        [("service.json", _load("service.json")), ("request.json", _load("request.json"))]
    )
    return jsonschema_rs.Draft4Validator(_load(name), registry=registry, validate_formats=True)


def check_json(response, schema: str, status: int = 200):
    """The body, after asserting the status, the content type and that it validates against ``schema``."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == JSON_TYPE
    data = json.loads(response.content.decode("utf-8"))
    errors = [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator(schema).iter_errors(data)
    ]
    assert errors == [], errors
    return data


def check_xml(response, root: str, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == XML_TYPE
    assert response.content.startswith(DECLARATION)
    element = ET.fromstring(response.content)
    assert element.tag == root
    assert element.attrib == {} and "}" not in element.tag  # schemaless, no namespace
    return element


def xml_value(value) -> str:
    """How a JSON value is written in the XML form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def xml_items(element: ET.Element) -> list[dict]:
    """Flat items (requests, errors, updates) of an XML answer as {tag: text}."""
    return [{child.tag: child.text or "" for child in item} for item in element]


def same_items(json_items: list[dict], element: ET.Element) -> None:
    assert xml_items(element) == [{k: xml_value(v) for k, v in item.items()} for item in json_items]


def errors_of(response, status: int) -> list[dict]:
    return check_json(response, "errors.json", status)
