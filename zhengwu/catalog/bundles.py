"""Writes to bundles (联办事项 / 一件事 / 主题套餐): drafts, publishing, and the upsert the Excel import and
the demo use.

A bundle is versioned like an item: every change is made in a draft and published; the published version
becomes ``Bundle.current`` and the one before it is superseded and left as it was, so a joint case keeps
the version it was filed under. Rules checked on publishing (HOTLINE-JOINT.md §5: 行政许可法第二十六条 — one
department receives for all and the others give their opinions; "一家牵头、并联审批、限时办结"):

- at least two member items, each item once, each published and in use (在用);
- the lead department (牵头部门) implements at least one of the member items;
- the combined limit is more than 0 working days and no member's own limit exceeds it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from zhengwu.core.errors import DomainError
from zhengwu.core.services import audit_record
from zhengwu.org.models import Department

from .models import Bundle, BundleMember, BundleMode, BundleVersion, Item, ItemVersion, ProjectStage

# Fields of BundleVersion that make up a bundle's published content (everything but bookkeeping).
BUNDLE_FIELDS = [
    f.name for f in BundleVersion._meta.concrete_fields
    if f.name not in {"id", "bundle", "version", "state", "published_at", "change_note"}
]
MEMBER_FIELDS = ["seq", "item", "promised_days"]
MAX_INSPECTION_ROUNDS = 5


def _invalid(message: str) -> DomainError:
    return DomainError("invalid_bundle", message)


def bundle_snapshot(version: BundleVersion) -> dict:
    """A comparable picture of a bundle version's content, members included."""
    fields = {f: getattr(version, f) for f in BUNDLE_FIELDS}
    fields["lead_department"] = version.lead_department_id
    return {"fields": fields,
            "members": [(m.seq, m.item_id, m.promised_days) for m in version.members.order_by("seq")]}


def _normalise_members(members) -> list[dict]:
    """Members given as items, or dicts ``{"item": Item | impl_code, "promised_days": int | None, "seq": int}``,
    in order; ``seq`` defaults to the position (1, 2, …)."""
    out = []
    codes = [m["item"] for m in members if isinstance(m, dict) and isinstance(m.get("item"), str)]
    by_code = Item.objects.in_bulk(codes, field_name="impl_code") if codes else {}
    for pos, m in enumerate(members, start=1):
        m = {"item": m} if isinstance(m, Item) else dict(m)
        item = m["item"]
        if isinstance(item, str):
            if item not in by_code:
                raise _invalid(f"成员事项「{item}」不存在")
            item = by_code[item]
        days = m.get("promised_days")
        if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 1):
            raise _invalid(f"成员事项「{item.name}」的本部门时限应为正整数（工作日），或留空")
        out.append({"seq": m.get("seq") or pos, "item": item, "promised_days": days})
    seen_items: set[int] = set()
    seen_seqs: set[int] = set()
    for m in out:
        if m["item"].pk in seen_items:
            raise _invalid(f"成员事项「{m['item'].name}」重复")
        if m["seq"] in seen_seqs:
            raise _invalid(f"成员序号{m['seq']}重复")
        seen_items.add(m["item"].pk)
        seen_seqs.add(m["seq"])
    return out


def _check_fields(fields: dict) -> None:
    """Field rules that do not need the members; a draft may still be incomplete (promised_days 0)."""
    if "name" in fields and not (fields["name"] or "").strip():
        raise _invalid("联办事项名称不能为空")
    if "mode" in fields and fields["mode"] not in BundleMode.values:
        raise _invalid("联办方式应为抄告制或联审制")
    if "project_stage" in fields and fields["project_stage"] not in ProjectStage.values:
        raise _invalid("工程建设项目审批阶段应为0至5")
    if "max_inspection_rounds" in fields and not 1 <= int(fields["max_inspection_rounds"]) <= MAX_INSPECTION_ROUNDS:
        raise _invalid(f"联合踏勘最多轮次应为1至{MAX_INSPECTION_ROUNDS}")
    unknown = set(fields) - set(BUNDLE_FIELDS)
    if unknown:
        raise _invalid(f"未知的字段：{'、'.join(sorted(unknown))}")


def bundle_validate(*, fields: dict, members: list[dict]) -> None:
    """Everything a published bundle version must satisfy; ``members`` as ``_normalise_members`` gives them."""
    _check_fields(fields)
    promised = fields.get("promised_days") or 0
    if promised <= 0:
        raise _invalid("联办事项的承诺时限应大于0个工作日")
    if len(members) < 2:
        raise _invalid("联办事项至少包含2个成员事项")
    seen: set[int] = set()
    seqs: set[int] = set()
    for m in members:
        item = m["item"]
        if item.pk in seen:
            raise _invalid(f"成员事项「{item.name}」重复")
        seen.add(item.pk)
        if m["seq"] in seqs:
            raise _invalid(f"成员序号{m['seq']}重复")
        seqs.add(m["seq"])
        if item.current_id is None:
            raise _invalid(f"成员事项「{item.name}」尚未发布")
        if item.status != ItemVersion.Status.ACTIVE:
            raise _invalid(f"成员事项「{item.name}」当前不在用（已暂停或取消），不能纳入联办")
        if m["promised_days"] is not None and m["promised_days"] > promised:
            raise _invalid(f"成员事项「{item.name}」的本部门时限（{m['promised_days']}个工作日）"
                           f"不得超过联办承诺时限（{promised}个工作日）")
    lead = fields.get("lead_department")
    lead_id = lead.pk if isinstance(lead, Department) else lead
    if lead_id is None:
        raise _invalid("请指定牵头部门")
    if not any(m["item"].department_id == lead_id for m in members):
        raise _invalid("牵头部门应至少实施一个成员事项")


def _write_members(version: BundleVersion, members: list[dict]) -> None:
    version.members.all().delete()
    BundleMember.objects.bulk_create([BundleMember(version=version, seq=m["seq"], item=m["item"],
                                                   promised_days=m["promised_days"]) for m in members])


def _next_version(bundle: Bundle) -> int:
    return (bundle.versions.order_by("-version").values_list("version", flat=True).first() or 0) + 1


@transaction.atomic
def bundle_create_draft(*, code: str, name: str | None = None, lead_department: Department | None = None,
                        fields: dict | None = None, members: list | None = None, actor=None) -> BundleVersion:
    """Open the draft of bundle ``code`` and apply ``fields`` and ``members`` to it.

    A new code creates the bundle and its first draft (``name`` and ``lead_department`` required); an existing
    bundle gets a draft copied from its current version, or its open draft back. ``members`` (items, or dicts
    with ``item`` and optional ``promised_days``/``seq``) replace the draft's members when given. Nothing is
    published: call :func:`bundle_publish`.
    """
    code = (code or "").strip()
    if not code:
        raise _invalid("联办事项编码不能为空")
    fields = dict(fields or {})
    if name is not None:
        fields["name"] = name.strip()
    if lead_department is not None:
        fields["lead_department"] = lead_department
    _check_fields(fields)
    norm = _normalise_members(members) if members is not None else None
    bundle = Bundle.objects.select_for_update().filter(code=code).first()
    if bundle is None:
        if not fields.get("name"):
            raise _invalid("联办事项名称不能为空")
        if fields.get("lead_department") is None:
            raise _invalid("请指定牵头部门")
        bundle = Bundle.objects.create(code=code, name=fields["name"], status="active")
        audit_record(actor=actor, action="create", obj=bundle, summary=f"新建联办事项 {code} {fields['name']}")
    draft = bundle.versions.filter(state=ItemVersion.State.DRAFT).first()
    if draft is None:
        source = bundle.current
        base = {f: getattr(source, f) for f in BUNDLE_FIELDS} if source else {"promised_days": 0}
        base.update(fields)
        draft = BundleVersion.objects.create(bundle=bundle, version=_next_version(bundle),
                                             state=ItemVersion.State.DRAFT, **base)
        if source is not None and norm is None:
            _write_members(draft, [{"seq": m.seq, "item": m.item, "promised_days": m.promised_days}
                                   for m in source.members.select_related("item")])
        audit_record(actor=actor, action="create", obj=draft, summary=f"新建联办事项草稿 {code} 第{draft.version}版")
    elif fields:
        for f, value in fields.items():
            setattr(draft, f, value)
        draft.save(update_fields=list(fields))
    if norm is not None:
        _write_members(draft, norm)
    return draft


@transaction.atomic
def bundle_publish(*, version: BundleVersion, actor=None, note: str = "") -> BundleVersion:
    """Publish a draft: it becomes the bundle's current version and the old one is superseded, unchanged."""
    version = BundleVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != ItemVersion.State.DRAFT:
        raise DomainError("not_draft", "只有草稿版本可以发布")
    members = [{"seq": m.seq, "item": m.item, "promised_days": m.promised_days}
               for m in version.members.select_related("item").order_by("seq")]
    fields = {f: getattr(version, f) for f in BUNDLE_FIELDS}
    fields["lead_department"] = version.lead_department_id
    bundle_validate(fields=fields, members=members)
    bundle = Bundle.objects.select_for_update().get(pk=version.bundle_id)
    BundleVersion.objects.filter(bundle=bundle, state=ItemVersion.State.PUBLISHED).update(
        state=ItemVersion.State.SUPERSEDED)
    version.state = ItemVersion.State.PUBLISHED
    version.published_at = timezone.now()
    if note:
        version.change_note = note
    version.save(update_fields=["state", "published_at", "change_note"])
    bundle.current, bundle.name = version, version.name
    bundle.save(update_fields=["current", "name"])
    audit_record(actor=actor, action="publish", obj=version,
                 summary=f"发布联办事项 {bundle.code} {version.name} 第{version.version}版")
    return version


@transaction.atomic
def bundle_set_status(*, bundle: Bundle, status: str, actor=None) -> Bundle:
    """Suspend (暂停) or resume (在用) a bundle: a suspended bundle is not listed and takes no applications."""
    if status not in (ItemVersion.Status.ACTIVE, ItemVersion.Status.SUSPENDED, ItemVersion.Status.CANCELLED):
        raise _invalid("状态应为在用、暂停或取消")
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    if bundle.status != status:
        bundle.status = status
        bundle.save(update_fields=["status"])
        audit_record(actor=actor, action="update", obj=bundle,
                     summary=f"联办事项 {bundle.code} 状态改为{ItemVersion.Status(status).label}")
    return bundle


@transaction.atomic
def bundle_upsert(*, code: str, fields: dict, members: list, actor=None, note: str = "") -> tuple[Bundle, bool]:
    """Create a bundle or publish a new version of it; nothing happens when the content is unchanged.

    ``fields`` holds the BundleVersion fields (``lead_department`` a Department); ``members`` as for
    :func:`bundle_create_draft`. Returns ``(bundle, changed)``.
    """
    norm = _normalise_members(members)
    bundle_validate(fields=fields, members=norm)
    bundle = Bundle.objects.select_for_update().filter(code=code).first()
    if bundle is not None and bundle.current is not None:
        current = bundle_snapshot(bundle.current)
        proposed = {f: fields.get(f, current["fields"][f]) for f in BUNDLE_FIELDS}
        lead = proposed["lead_department"]
        proposed["lead_department"] = lead.pk if isinstance(lead, Department) else lead
        if {"fields": proposed, "members": [(m["seq"], m["item"].pk, m["promised_days"]) for m in norm]} == current:
            return bundle, False
    if bundle is not None:
        bundle.versions.filter(state=ItemVersion.State.DRAFT).delete()
    draft = bundle_create_draft(code=code, fields=fields, members=norm, actor=actor)
    bundle_publish(version=draft, actor=actor, note=note)
    return Bundle.objects.get(pk=draft.bundle_id), True
