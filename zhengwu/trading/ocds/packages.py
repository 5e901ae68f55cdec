"""Release packages, record packages and the compiled release (OCDS 1.1 merge, our own code).

Merge rules (OCDS 1.1 "merging"): releases in date order (ties by release id); ``id``, ``date`` and
``tag`` are omitted (``omitWhenMerged``); the newest value of each field wins; objects merge field by
field; arrays of objects with ``id`` merge item by item on ``id``; other arrays are replaced whole; a
``null`` removes the field. One rule is the platform's own (docs/ocds.md): when ``tender.id`` changes
(a re-tender opened a new round under the same ocid) the new round's ``tender`` replaces the old one
instead of merging into it, so the compiled tender never mixes two rounds' tenderers or periods.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable

from django.conf import settings

from zhengwu.core import clock

VERSION = "1.1"
OMIT_WHEN_MERGED = ("id", "date", "tag")


def _setting(name: str, default: str) -> str:
    return getattr(settings, name, default)


def publisher() -> dict:
    return {"name": _setting("OCDS_PUBLISHER_NAME", "公共资源交易平台")}


def base_url() -> str:
    return _setting("OCDS_BASE_URL", settings.ZHENGWU_SITE_URL).rstrip("/")


def _package_meta(uri: str, published: dt.datetime | None) -> dict:
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": (published or clock.now()).isoformat(),
        "publisher": publisher(),
        "license": _setting("OCDS_LICENSE", "https://creativecommons.org/licenses/by/4.0/"),
        "publicationPolicy": _setting("OCDS_PUBLICATION_POLICY", f"{base_url()}/trading/"),
    }


def release_package(releases: Iterable[dict], *, uri: str, published: dt.datetime | None = None) -> dict:
    package = _package_meta(uri, published)
    package["releases"] = list(releases)
    return package


def _sort_key(release: dict):
    return (dt.datetime.fromisoformat(release["date"]), release["id"])


def _merge_value(old, new):
    if isinstance(new, dict):
        base = old if isinstance(old, dict) else {}
        return _merge_object(base, new)
    if isinstance(new, list) and new and all(isinstance(i, dict) and "id" in i for i in new):
        base = old if isinstance(old, list) else []
        merged = {str(i.get("id")): i for i in base if isinstance(i, dict)}
        order = [str(i.get("id")) for i in base if isinstance(i, dict)]
        for item in new:
            key = str(item["id"])
            if key in merged:
                merged[key] = _merge_object(merged[key], item)
            else:
                merged[key] = _merge_object({}, item)
                order.append(key)
        return [merged[k] for k in order]
    return copy.deepcopy(new)


def _merge_object(old: dict, new: dict) -> dict:
    out = dict(old)
    for key, value in new.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge_value(out.get(key), value)
    return out


def compile_releases(releases: Iterable[dict]) -> dict:
    """The compiled release (tag ``compiled``) of one ocid's releases."""
    ordered = sorted(releases, key=_sort_key)
    if not ordered:
        raise ValueError("no releases to compile")
    compiled: dict = {}
    for release in ordered:
        body = {k: v for k, v in release.items() if k not in OMIT_WHEN_MERGED}
        new_tender = body.get("tender")
        if isinstance(new_tender, dict) and compiled.get("tender", {}).get("id") not in (None, new_tender.get("id")):
            compiled.pop("tender")  # a new round replaces the earlier one (see the module docstring)
        compiled = _merge_object(compiled, body)
    latest = ordered[-1]
    out = {"ocid": latest["ocid"], "id": f"{latest['ocid']}-{latest['date']}", "date": latest["date"],
           "tag": ["compiled"]}
    out.update((k, v) for k, v in compiled.items() if k != "ocid")
    return out


def record(releases: Iterable[dict], *, package_url: str, embed: bool = False) -> dict:
    ordered = sorted(releases, key=_sort_key)
    if embed:
        linked = ordered
    else:
        linked = [{"url": f"{package_url}#{r['id']}", "date": r["date"], "tag": r["tag"]} for r in ordered]
    return {"ocid": ordered[0]["ocid"], "releases": linked, "compiledRelease": compile_releases(ordered)}


def record_package(records: Iterable[dict], *, uri: str, packages: list[str] | None = None,
                   published: dt.datetime | None = None) -> dict:
    package = _package_meta(uri, published)
    if packages:
        package["packages"] = packages
    package["records"] = list(records)
    return package
