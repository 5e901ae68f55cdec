"""Offline validation of OCDS 1.1 packages against the 1.1.5 schema shipped in
``zhengwu/trading/schema/ocds-1.1.5`` (route A of shared/standards/ocds/README.md).

- JSON Schema (draft 4): ``Draft4Validator`` with a ``referencing`` registry holding the local release
  and versioned-release schemas under their ``id`` URLs; its ``retrieve`` refuses, so nothing is ever
  fetched. ``FormatChecker`` checks ``date-time`` and ``uri`` (rfc3339-validator, rfc3986-validator).
  Closed codelists are ``enum`` in the schema and so are checked here.
- Open codelists (partyRole, documentType, awardCriteria, submissionMethod, milestoneType,
  relatedProcess, relatedProcessScheme, extendedProcurementCategory) are checked against the CSVs:
  an unknown or deprecated code is a *warning* (OCDS allows other values there).
- Rules outside JSON Schema are errors: the ocid starts with the prefix; release ids unique within an
  ocid (this replaces the schema's quadratic ``uniqueItems`` on ``releases``/``records``); one record
  per ocid; award and contract ids unique within a release; every ``contracts[].awardID`` names an award;
  every organization reference has a ``parties`` entry with the right role.
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

ROOT = Path(__file__).resolve().parent.parent / "schema" / "ocds-1.1.5"
SCHEMA_DIR = ROOT / "schema"
CODELIST_DIR = SCHEMA_DIR / "codelists"


def _load(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def _refuse(uri: str):
    raise NoSuchResource(ref=uri)  # never go to the network


@functools.cache
def _registry() -> Registry:
    return Registry(retrieve=_refuse).with_resources(
        (schema["id"], Resource.from_contents(schema))
        for schema in (_load("release-schema.json"), _load("versioned-release-validation-schema.json"))
    )


# ``uniqueItems`` on a package's ``releases``/``records`` compares every pair of (deep) items: quadratic,
# minutes for a year's export. It is dropped from those two arrays only; the rules below are stricter
# (two equal releases share an id, two equal records an ocid, and either is an error).
_PAIRWISE = {"release-package": ("releases",), "record-package": ("records",)}


@functools.cache
def validator(kind: str) -> Draft4Validator:
    """``kind``: ``release-package``, ``record-package`` or ``release``."""
    schema = _load(f"{kind}-schema.json")
    for name in _PAIRWISE.get(kind, ()):
        schema["properties"][name].pop("uniqueItems", None)
    return Draft4Validator(schema, registry=_registry(), format_checker=FormatChecker())


@functools.cache
def codelist(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(codes, deprecated codes) of ``codelists/<name>.csv``."""
    with (CODELIST_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = frozenset(r["Code"] for r in rows)
    deprecated = frozenset(r["Code"] for r in rows if (r.get("Deprecated") or "").strip())
    return codes, deprecated


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _where(path) -> str:
    return "/".join(str(p) for p in path) or "(根)"


def _schema_errors(kind: str, data: dict) -> list[str]:
    errors = sorted(validator(kind).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{_where(e.absolute_path)}: {e.message}" for e in errors]


def _code(report: Report, list_name: str, value, where: str) -> None:
    if value is None:
        return
    codes, deprecated = codelist(list_name)
    if value not in codes:
        report.warnings.append(f"{where}: “{value}”不在开放代码表 {list_name} 中")
    elif value in deprecated:
        report.warnings.append(f"{where}: “{value}”在代码表 {list_name} 中已弃用")


def _codelists(report: Report, release: dict, where: str) -> None:
    for i, party in enumerate(release.get("parties") or []):
        for role in party.get("roles") or []:
            _code(report, "partyRole", role, f"{where}/parties/{i}/roles")
    tender = release.get("tender") or {}
    _code(report, "awardCriteria", tender.get("awardCriteria"), f"{where}/tender/awardCriteria")
    for m in tender.get("submissionMethod") or []:
        _code(report, "submissionMethod", m, f"{where}/tender/submissionMethod")
    for c in tender.get("additionalProcurementCategories") or []:
        _code(report, "extendedProcurementCategory", c, f"{where}/tender/additionalProcurementCategories")

    def documents(docs, at):
        for i, d in enumerate(docs or []):
            _code(report, "documentType", d.get("documentType"), f"{at}/documents/{i}/documentType")

    def milestones(items, at):
        for i, m in enumerate(items or []):
            _code(report, "milestoneType", m.get("type"), f"{at}/milestones/{i}/type")
            documents(m.get("documents"), f"{at}/milestones/{i}")

    documents((release.get("planning") or {}).get("documents"), f"{where}/planning")
    milestones((release.get("planning") or {}).get("milestones"), f"{where}/planning")
    documents(tender.get("documents"), f"{where}/tender")
    milestones(tender.get("milestones"), f"{where}/tender")
    for i, a in enumerate(release.get("awards") or []):
        documents(a.get("documents"), f"{where}/awards/{i}")
    for i, c in enumerate(release.get("contracts") or []):
        documents(c.get("documents"), f"{where}/contracts/{i}")
        milestones(c.get("milestones"), f"{where}/contracts/{i}")
        impl = c.get("implementation") or {}
        documents(impl.get("documents"), f"{where}/contracts/{i}/implementation")
        milestones(impl.get("milestones"), f"{where}/contracts/{i}/implementation")
    for i, rp in enumerate(release.get("relatedProcesses") or []):
        for rel in rp.get("relationship") or []:
            _code(report, "relatedProcess", rel, f"{where}/relatedProcesses/{i}/relationship")
        _code(report, "relatedProcessScheme", rp.get("scheme"), f"{where}/relatedProcesses/{i}/scheme")


def _rules(report: Report, release: dict, where: str, prefix: str) -> None:
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid.startswith(f"{prefix}-"):
        report.errors.append(f"{where}/ocid: “{ocid}”未以登记的前缀 {prefix}- 开头")
    parties = {}
    for p in release.get("parties") or []:
        if p.get("id") in parties:
            report.errors.append(f"{where}/parties: 参与方 id “{p.get('id')}”重复")
        parties[p.get("id")] = set(p.get("roles") or [])

    def ref(org, role, at):
        if not isinstance(org, dict):
            return
        roles = parties.get(org.get("id"))
        if roles is None:
            report.errors.append(f"{at}: 引用的参与方 “{org.get('id')}”不在 parties 中")
        elif role not in roles:
            report.errors.append(f"{at}: 参与方 “{org.get('id')}”缺少角色 {role}")

    ref(release.get("buyer"), "buyer", f"{where}/buyer")
    tender = release.get("tender") or {}
    ref(tender.get("procuringEntity"), "procuringEntity", f"{where}/tender/procuringEntity")
    for i, t in enumerate(tender.get("tenderers") or []):
        ref(t, "tenderer", f"{where}/tender/tenderers/{i}")
    award_ids = set()
    for i, a in enumerate(release.get("awards") or []):
        if a.get("id") in award_ids:
            report.errors.append(f"{where}/awards/{i}/id: 授标 id “{a.get('id')}”重复")
        award_ids.add(a.get("id"))
        for j, s in enumerate(a.get("suppliers") or []):
            ref(s, "supplier", f"{where}/awards/{i}/suppliers/{j}")
    contract_ids = set()
    for i, c in enumerate(release.get("contracts") or []):
        if c.get("id") in contract_ids:
            report.errors.append(f"{where}/contracts/{i}/id: 合同 id “{c.get('id')}”重复")
        contract_ids.add(c.get("id"))
        if c.get("awardID") not in award_ids:
            report.errors.append(f"{where}/contracts/{i}/awardID: “{c.get('awardID')}”不对应任何授标")
        for j, tr in enumerate((c.get("implementation") or {}).get("transactions") or []):
            ref(tr.get("payer"), "payer", f"{where}/contracts/{i}/implementation/transactions/{j}/payer")
            ref(tr.get("payee"), "payee", f"{where}/contracts/{i}/implementation/transactions/{j}/payee")


def _releases_checks(report: Report, releases: list, where: str, prefix: str) -> None:
    seen: dict[tuple, int] = {}
    for i, release in enumerate(releases):
        if not isinstance(release, dict):
            continue
        key = (release.get("ocid"), release.get("id"))
        if key in seen:
            report.errors.append(f"{where}/{i}/id: release id “{key[1]}”在 {key[0]} 内重复")
        seen[key] = i
        _rules(report, release, f"{where}/{i}", prefix)
        _codelists(report, release, f"{where}/{i}")


def release_package_check(package: dict, *, prefix: str | None = None) -> Report:
    prefix = prefix or settings.OCDS_OCID_PREFIX
    report = Report(errors=_schema_errors("release-package", package))
    _releases_checks(report, package.get("releases") or [], "releases", prefix)
    return report


def record_package_check(package: dict, *, prefix: str | None = None) -> Report:
    prefix = prefix or settings.OCDS_OCID_PREFIX
    report = Report(errors=_schema_errors("record-package", package))
    ocids: set = set()
    for i, rec in enumerate(package.get("records") or []):
        if not isinstance(rec, dict):
            continue
        if rec.get("ocid") in ocids:
            report.errors.append(f"records/{i}/ocid: 记录 “{rec.get('ocid')}”重复")
        ocids.add(rec.get("ocid"))
        embedded = [r for r in rec.get("releases") or [] if isinstance(r, dict) and "initiationType" in r]
        _releases_checks(report, embedded, f"records/{i}/releases", prefix)
        compiled = rec.get("compiledRelease")
        if isinstance(compiled, dict):
            _rules(report, compiled, f"records/{i}/compiledRelease", prefix)
            _codelists(report, compiled, f"records/{i}/compiledRelease")
            if compiled.get("ocid") != rec.get("ocid"):
                report.errors.append(f"records/{i}/compiledRelease/ocid: 与记录的 ocid 不一致")
    return report


def release_check(release: dict, *, prefix: str | None = None) -> Report:
    """One release on its own (schema + rules + open codelists)."""
    prefix = prefix or settings.OCDS_OCID_PREFIX
    report = Report(errors=_schema_errors("release", release))
    _rules(report, release, "release", prefix)
    _codelists(report, release, "release")
    return report
