"""Writes to the catalog. Every change goes through a draft version and ``item_publish``."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from zhengwu.core.errors import DomainError
from zhengwu.core.services import audit_record
from zhengwu.org.models import Department

from .models import MAX_EXTENSION_CAP, CaseType, Fee, Item, ItemVersion, Material, ProcessStep

# Fields of ItemVersion that make up an item's published content (everything but bookkeeping).
VERSION_FIELDS = [
    f.name
    for f in ItemVersion._meta.concrete_fields
    if f.name not in {"id", "item", "version", "state", "published_at", "change_note"}
]
STEP_FIELDS = ["seq", "name", "role", "days"]
MATERIAL_FIELDS = ["seq", "name", "necessity", "form", "source", "copies", "spec", "notes", "acceptance_standard"]
FEE_FIELDS = ["seq", "name", "amount", "unit", "standard", "basis", "waivable", "waiver_basis"]


def _ascii_chars(chunk: str) -> list[str]:
    return [c.lower() for c in chunk if c.isascii() and c.isalnum()]


def pinyin_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a Chinese name: 营业执照 → ('yingyezhizhao', 'yyzz').

    Latin letters and digits are kept as they are; punctuation is dropped.
    """
    syllables = lazy_pinyin(name, errors=_ascii_chars)
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=_ascii_chars)
    return "".join(syllables).lower(), "".join(initials).lower()


KEYWORD_SPLIT = re.compile(r"[、，,；;\s]+")


def keyword_list(text: str) -> list[str]:
    """俗称 as typed (顿号, commas, semicolons or spaces between them), without blanks or repeats."""
    out: list[str] = []
    for word in KEYWORD_SPLIT.split(text or ""):
        if word and word not in out:
            out.append(word)
    return out


def keywords_pinyin(text: str) -> str:
    """Each 俗称's full pinyin and initials, space-separated: 营业执照、开公司 → 'yingyezhizhao yyzz kaigongsi kgs'."""
    return " ".join(" ".join(pinyin_keys(w)) for w in keyword_list(text))[:1200]


def _normalise(value):
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return value


def version_snapshot(version: ItemVersion) -> dict:
    """A comparable picture of a version's content, children included."""
    return {
        "fields": {f: _normalise(getattr(version, f)) for f in VERSION_FIELDS},
        "steps": [{f: _normalise(getattr(s, f)) for f in STEP_FIELDS} for s in version.steps.all()],
        "materials": [{f: _normalise(getattr(m, f)) for f in MATERIAL_FIELDS} for m in version.materials.all()],
        "fees": [{f: _normalise(getattr(x, f)) for f in FEE_FIELDS} for x in version.fees.all()],
    }


def _validate_version_fields(fields: dict) -> None:
    if not (fields.get("name") or "").strip():
        raise DomainError("invalid_item", "事项名称不能为空")
    promised = fields.get("promised_limit") or 0
    legal = fields.get("legal_limit")
    case_type = fields.get("case_type", CaseType.PROMISED)
    if promised == 0 and case_type != CaseType.IMMEDIATE:
        raise DomainError("invalid_item", "承诺办结时限为0的事项应为即办件")
    if promised > 0 and case_type == CaseType.IMMEDIATE:
        raise DomainError("invalid_item", "即办件的承诺办结时限应为0")
    if legal is not None and promised > legal and fields.get("legal_limit_unit") == fields.get(
        "promised_limit_unit"
    ):
        raise DomainError("invalid_item", f"承诺办结时限（{promised}）不得超过法定办结时限（{legal}）")
    depth = fields.get("online_depth", 1)
    if not 1 <= int(depth) <= 7:
        raise DomainError("invalid_item", "网办深度应为1至7级")
    extension = fields.get("max_extension_days")
    if extension is not None and not 0 <= int(extension) <= MAX_EXTENSION_CAP:
        raise DomainError("invalid_item", f"延期上限应为0至{MAX_EXTENSION_CAP}个工作日（留空按行政许可法第四十二条）")


def _write_children(version: ItemVersion, *, steps, materials, fees) -> None:
    ProcessStep.objects.bulk_create([ProcessStep(version=version, **s) for s in steps])
    Material.objects.bulk_create([Material(version=version, **m) for m in materials])
    Fee.objects.bulk_create([Fee(version=version, **f) for f in fees])


def _refresh_item_search(item: Item, version: ItemVersion) -> None:
    item.name = version.name
    item.name_pinyin, item.name_initials = pinyin_keys(version.name)
    item.keywords = "、".join(keyword_list(version.keywords))[:200]
    item.keywords_pinyin = keywords_pinyin(version.keywords)
    item.status = version.status
    item.current = version
    item.save(update_fields=["name", "name_pinyin", "name_initials", "keywords", "keywords_pinyin", "status",
                             "current"])


@transaction.atomic
def item_publish(*, version: ItemVersion, actor=None, note: str = "") -> ItemVersion:
    """Publish a draft: it becomes the item's current version and the old one is superseded."""
    version = ItemVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != ItemVersion.State.DRAFT:
        raise DomainError("not_draft", "只有草稿版本可以发布")
    _validate_version_fields({f: getattr(version, f) for f in VERSION_FIELDS})
    item = Item.objects.select_for_update().get(pk=version.item_id)
    ItemVersion.objects.filter(item=item, state=ItemVersion.State.PUBLISHED).update(
        state=ItemVersion.State.SUPERSEDED
    )
    version.state = ItemVersion.State.PUBLISHED
    version.published_at = timezone.now()
    if note:
        version.change_note = note
    version.save(update_fields=["state", "published_at", "change_note"])
    _refresh_item_search(item, version)
    audit_record(actor=actor, action="publish", obj=version,
                 summary=f"发布事项 {item.impl_code} {version.name} 第{version.version}版")
    return version


@transaction.atomic
def item_draft_create(*, item: Item, actor=None) -> ItemVersion:
    """Open a draft copied from the current version (or return the open draft)."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    draft = item.versions.filter(state=ItemVersion.State.DRAFT).first()
    if draft:
        return draft
    source = item.current
    if source is None:  # a new item: its first draft starts blank, with the item's name
        last = item.versions.order_by("-version").values_list("version", flat=True).first() or 0
        draft = ItemVersion.objects.create(item=item, version=last + 1, state=ItemVersion.State.DRAFT,
                                           name=item.name)
        audit_record(actor=actor, action="create", obj=draft,
                     summary=f"新建草稿 {item.impl_code} 第{draft.version}版")
        return draft
    snap = version_snapshot(source)
    last = item.versions.order_by("-version").values_list("version", flat=True).first() or 0
    draft = ItemVersion.objects.create(item=item, version=last + 1, state=ItemVersion.State.DRAFT,
                                       **{f: getattr(source, f) for f in VERSION_FIELDS})
    _write_children(draft, steps=snap["steps"], materials=snap["materials"], fees=snap["fees"])
    # Stored blank forms and samples are immutable files: the draft refers to the same ones.
    for old in source.materials.exclude(blank_form="", sample=""):
        draft.materials.filter(seq=old.seq).update(blank_form=old.blank_form.name, sample=old.sample.name)
    audit_record(actor=actor, action="create", obj=draft, summary=f"新建草稿 {item.impl_code} 第{draft.version}版")
    return draft


@transaction.atomic
def item_create(*, impl_code: str, department: Department, name: str, actor=None) -> ItemVersion:
    """A new item entered by hand (管理后台): the item and its first draft, to fill in and publish."""
    impl_code = (impl_code or "").strip()
    name = (name or "").strip()
    if not impl_code:
        raise DomainError("invalid_item", "实施编码不能为空")
    if not name:
        raise DomainError("invalid_item", "事项名称不能为空")
    if Item.objects.filter(impl_code=impl_code).exists():
        raise DomainError("duplicate_item", f"实施编码 {impl_code} 已存在")
    item = Item(impl_code=impl_code, department=department, name=name, status=ItemVersion.Status.ACTIVE)
    item.name_pinyin, item.name_initials = pinyin_keys(name)
    item.save()
    audit_record(actor=actor, action="create", obj=item, summary=f"新建事项 {impl_code} {name}")
    return item_draft_create(item=item, actor=actor)


@transaction.atomic
def item_upsert(*, impl_code: str, department: Department, fields: dict, steps: list[dict],
                materials: list[dict], fees: list[dict], actor=None, note: str = "") -> tuple[Item, bool]:
    """Create an item or publish a new version of it; nothing happens when the content is unchanged.

    Returns ``(item, changed)``.
    """
    _validate_version_fields(fields)
    item = Item.objects.select_for_update().filter(impl_code=impl_code).first()
    if item is not None and item.current is not None:
        current = item.current
        proposed = {
            "fields": {f: _normalise(fields.get(f, getattr(current, f))) for f in VERSION_FIELDS},
            "steps": [{f: _normalise(s[f]) for f in STEP_FIELDS} for s in steps],
            "materials": [{f: _normalise(m.get(f, "")) for f in MATERIAL_FIELDS} for m in materials],
            "fees": [{f: _normalise(x[f]) for f in FEE_FIELDS} for x in fees],
        }
        if proposed == version_snapshot(current) and item.department_id == department.id:
            return item, False
    if item is None:
        item = Item.objects.create(impl_code=impl_code, department=department, name=fields["name"])
    elif item.department_id != department.id:
        item.department = department
        item.save(update_fields=["department"])
    item.versions.filter(state=ItemVersion.State.DRAFT).delete()
    last = item.versions.order_by("-version").values_list("version", flat=True).first() or 0
    base = {f: getattr(item.current, f) for f in VERSION_FIELDS} if item.current else {}
    base.update(fields)
    draft = ItemVersion.objects.create(item=item, version=last + 1, state=ItemVersion.State.DRAFT, **base)
    _write_children(draft, steps=steps, materials=materials, fees=fees)
    if item.current is not None:
        # Blank forms and samples are not part of the imported content: keep them for materials of the same name.
        for old in item.current.materials.exclude(blank_form="", sample=""):
            draft.materials.filter(name=old.name).update(blank_form=old.blank_form.name, sample=old.sample.name)
    item_publish(version=draft, actor=actor, note=note)
    item.refresh_from_db()
    return item, True
