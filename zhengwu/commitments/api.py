"""The public commitments API (``/api/commitments``): the published commitments and their versions (public,
no login; complaint counts, never who complained); a department's versions and their actions as
``POST /api/commitments/versions/{id}/actions/{action}`` (submit 提交签发, sign 签发公开, return 退回修改);
the supervisor's complaints (违诺投诉) and their actions as ``POST /api/commitments/breaches/{id}/actions/{action}``
(uphold 属实, dismiss 不属实). Every refusal is ``{code, message}`` in Chinese."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from ninja import Field, Path, Query, Router, Schema
from ninja import Status as HttpStatus

from zhengwu.api import AUTH
from zhengwu.cases.api_docs import _errors
from zhengwu.core.errors import PermissionDenied
from zhengwu.core.pagination import page, page_limit, page_offset
from zhengwu.org.models import Department, Staff, Window
from zhengwu.org.selectors import staff_for_user

from . import selectors, services
from .models import (
    BreachSource,
    BreachStatus,
    ClauseKind,
    Commitment,
    CommitmentVersion,
    Scope,
    VersionStatus,
)

router = Router(tags=["公开承诺"])

ID = {"ge": 1, "le": 2**63 - 1}

CommitmentScope = StrEnum("CommitmentScope", {v: v for v in Scope.values})
CommitmentClauseKind = StrEnum("CommitmentClauseKind", {v: v for v in ClauseKind.values})
CommitmentVersionStatus = StrEnum("CommitmentVersionStatus", {v: v for v in VersionStatus.values})
CommitmentBreachSource = StrEnum("CommitmentBreachSource", {v: v for v in BreachSource.values})
CommitmentBreachStatus = StrEnum("CommitmentBreachStatus", {v: v for v in BreachStatus.values})


class VersionAction(StrEnum):
    submit = "submit"
    sign = "sign"
    return_ = "return"


class BreachAction(StrEnum):
    uphold = "uphold"
    dismiss = "dismiss"


class ClauseOut(Schema):
    seq: int
    kind: CommitmentClauseKind
    kind_label: str
    text: str


class ItemLimitOut(Schema):
    impl_code: str
    name: str
    legal: str = Field(description="法定办结时限")
    promised: str = Field(description="承诺办结时限")


class VersionOut(Schema):
    id: int
    version: int
    status: CommitmentVersionStatus
    status_label: str
    standards: str
    service_hours: str
    supervision_phone: str
    change_note: str
    signed_by: str | None
    signed_at: dt.datetime | None
    superseded_at: dt.datetime | None
    clauses: list[ClauseOut]
    items: list[ItemLimitOut]


class CommitmentOut(Schema):
    id: int
    scope: CommitmentScope
    scope_label: str
    owner: str
    department: str | None
    hall: str | None
    window: str | None
    version: int | None
    signed_at: dt.datetime | None
    breaches_checked: int = Field(description="已核实的违诺投诉")
    breaches_upheld: int = Field(description="其中属实")


class BreachPublicOut(Schema):
    clause_kind: CommitmentClauseKind
    source: CommitmentBreachSource
    status: CommitmentBreachStatus
    finding: str
    decided_at: dt.datetime | None


class CommitmentDetailOut(CommitmentOut):
    current: VersionOut
    versions: list[int]
    breaches: list[BreachPublicOut]


def _commitment(c: Commitment) -> dict:
    cur = c.current
    return {
        "id": c.pk, "scope": c.scope, "scope_label": c.get_scope_display(), "owner": c.owner_name,
        "department": c.department.name if c.department_id else None,
        "hall": c.window.hall.name if c.window_id else None,
        "window": c.window.number if c.window_id else None,
        "version": cur.version if cur else None, "signed_at": cur.signed_at if cur else None,
        "breaches_checked": getattr(c, "breaches_total", 0), "breaches_upheld": getattr(c, "breaches_upheld", 0),
    }


def _version(v: CommitmentVersion, items: list[dict] | None = None) -> dict:
    return {
        "id": v.pk, "version": v.version, "status": v.status, "status_label": v.get_status_display(),
        "standards": v.standards, "service_hours": v.service_hours, "supervision_phone": v.supervision_phone,
        "change_note": v.change_note, "signed_by": v.signed_by.name if v.signed_by_id else None,
        "signed_at": v.signed_at, "superseded_at": v.superseded_at,
        "clauses": [{"seq": k.seq, "kind": k.kind, "kind_label": k.get_kind_display(), "text": k.text}
                    for k in v.clauses.all()],
        "items": v.items if items is None else items,
    }


def _staff(request) -> Staff:
    user = request.auth if hasattr(request.auth, "pk") else request.user
    staff = staff_for_user(user)
    if staff is None:
        raise PermissionDenied("仅限在岗工作人员使用")
    return staff


# -- public ----------------------------------------------------------------------------------------------------


@router.get("/commitments", response={200: list[CommitmentOut], **_errors(422)}, summary="已公开的承诺（无需登录）")
def commitment_list(request, hall: str = Query("", max_length=16, description="大厅编码"),
                    scope: CommitmentScope | None = None, limit: int = page_limit(100), offset: int = page_offset()):
    rows = selectors.public_list(hall_code=hall, scope=scope.value if scope else "")
    return [_commitment(c) for c in page(rows, limit=limit, offset=offset)]


@router.get("/commitments/{commitment_id}", response={200: CommitmentDetailOut, **_errors(404, 422)},
            summary="一项公开承诺：现行版本、历次版本号、已核实的违诺投诉（无需登录，不含投诉人）")
def commitment_detail(request, commitment_id: int = Path(..., **ID),
                      version: int | None = Query(None, ge=1, le=100000, description="历史版本号；不填为现行版本")):
    c = selectors.public_get(commitment_id)
    shown = selectors.public_version(c, version or c.current.version)
    return {**_commitment(c), "current": _version(shown),
            "versions": [v.version for v in selectors.public_versions(c)],
            "breaches": [{"clause_kind": b.clause_kind, "source": b.source, "status": b.status, "finding": b.finding,
                          "decided_at": b.decided_at} for b in selectors.public_breaches(c)[:100]]}


# -- the department's versions ---------------------------------------------------------------------------------


class OpenIn(Schema):
    window: int | None = Field(None, ge=1, le=2**63 - 1, description="窗口 id；不填为本部门的部门承诺")


class ClauseIn(Schema):
    kind: CommitmentClauseKind
    text: str = Field(..., max_length=300)


class VersionIn(Schema):
    standards: str = Field("", max_length=4000)
    service_hours: str = Field("", max_length=100)
    supervision_phone: str = Field("", max_length=40)
    change_note: str = Field("", max_length=300)
    clauses: list[ClauseIn] = Field(default_factory=list, max_length=services.MAX_CLAUSES)


class ActionIn(Schema):
    reason: str = Field("", max_length=300, description="退回理由（return 必填）")


@router.post("/versions", response={201: VersionOut, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
             summary="起草新版本（部门承诺或窗口承诺；从现行版本复制）")
def version_open(request, body: OpenIn):
    staff = _staff(request)
    if body.window:
        window = selectors.windows_for_staff(staff).filter(pk=body.window).first()
        if window is None:
            raise PermissionDenied("无权为该窗口起草公开承诺")
        v = services.commitment_open(actor=staff, window=Window.objects.get(pk=window.pk))
    else:
        if not staff.department_id:
            raise PermissionDenied("只有部门的首席代表或负责人可以起草部门承诺")
        v = services.commitment_open(actor=staff, department=Department.objects.get(pk=staff.department_id))
    return HttpStatus(201, _version(selectors.version_for_staff(staff=staff, version_id=v.pk), items=[]))


@router.get("/versions/{version_id}", response={200: VersionOut, **_errors(401, 403, 404, 422)}, auth=AUTH,
            summary="一个承诺版本（起草人、签发人、效能监察员）")
def version_get(request, version_id: int = Path(..., **ID)):
    v = selectors.version_for_staff(staff=_staff(request), version_id=version_id)
    return _version(v, items=v.items or services.items_snapshot(v.commitment))


@router.put("/versions/{version_id}", response={200: VersionOut, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
            summary="修改草稿（服务标准、服务时间、监督电话、修订说明和全部承诺条款）")
def version_update(request, body: VersionIn, version_id: int = Path(..., **ID)):
    staff = _staff(request)
    selectors.version_for_staff(staff=staff, version_id=version_id)
    services.version_update(actor=staff, version_id=version_id, standards=body.standards,
                            service_hours=body.service_hours, supervision_phone=body.supervision_phone,
                            change_note=body.change_note,
                            clauses=[services.ClauseIn(k.kind.value, k.text) for k in body.clauses])
    return _version(selectors.version_for_staff(staff=staff, version_id=version_id), items=[])


@router.post("/versions/{version_id}/actions/{action}", response={200: VersionOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="版本操作：submit 提交签发、sign 签发公开（部门负责人）、return 退回修改（部门负责人，须填理由）")
def version_action(request, action: VersionAction, version_id: int = Path(..., **ID), body: ActionIn | None = None):
    staff = _staff(request)
    selectors.version_for_staff(staff=staff, version_id=version_id)
    services.version_act(actor=staff, version_id=version_id, action=action.value, reason=(body or ActionIn()).reason)
    return _version(selectors.version_for_staff(staff=staff, version_id=version_id))


# -- the supervisor's complaints ------------------------------------------------------------------------------------


class BreachIn(Schema):
    commitment: int = Field(..., ge=1, le=2**63 - 1)
    clause_kind: CommitmentClauseKind
    source: CommitmentBreachSource
    source_no: str = Field("", max_length=40, description="热线工单编号、好差评编号（热线和好差评必填）")
    summary: str = Field(..., min_length=1, max_length=500)


class BreachOut(Schema):
    id: int
    no: str
    commitment: int
    owner: str
    clause_kind: CommitmentClauseKind
    clause_text: str
    source: CommitmentBreachSource
    source_no: str
    summary: str
    status: CommitmentBreachStatus
    status_label: str
    finding: str
    filed_at: dt.datetime
    decided_at: dt.datetime | None


class DecideIn(Schema):
    finding: str = Field(..., min_length=1, max_length=500)


def _breach(b) -> dict:
    return {"id": b.pk, "no": f"WN{b.pk:06d}", "commitment": b.commitment_id, "owner": b.commitment.owner_name,
            "clause_kind": b.clause_kind, "clause_text": b.clause_text, "source": b.source, "source_no": b.source_no,
            "summary": b.summary, "status": b.status, "status_label": b.get_status_display(), "finding": b.finding,
            "filed_at": b.filed_at, "decided_at": b.decided_at}


@router.get("/breaches", response={200: list[BreachOut], **_errors(401, 403, 422)}, auth=AUTH,
            summary="违诺投诉（本辖区效能监察员）")
def breach_list(request, status: CommitmentBreachStatus | None = None, limit: int = page_limit(50),
                offset: int = page_offset()):
    rows = selectors.breaches_for_supervisor(staff=_staff(request), status=status.value if status else "")
    return [_breach(b) for b in page(rows, limit=limit, offset=offset)]


@router.post("/breaches", response={201: BreachOut, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
             summary="登记违诺投诉（开始核实时限）")
def breach_create(request, body: BreachIn):
    staff = _staff(request)
    if not selectors.commitments_for_supervisor(staff).filter(pk=body.commitment).exists():
        raise PermissionDenied("只能登记本辖区已公开承诺的违诺投诉")
    b = services.breach_file(actor=staff, commitment_id=body.commitment, clause_kind=body.clause_kind.value,
                             source=body.source.value, source_no=body.source_no, summary=body.summary)
    return HttpStatus(201, _breach(selectors.breach_for_supervisor(staff=staff, breach_id=b.pk)))


@router.post("/breaches/{breach_id}/actions/{action}", response={200: BreachOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="核实违诺投诉：uphold 属实、dismiss 不属实（须填核实情况）")
def breach_action(request, action: BreachAction, body: DecideIn, breach_id: int = Path(..., **ID)):
    staff = _staff(request)
    selectors.breach_for_supervisor(staff=staff, breach_id=breach_id)
    services.breach_decide(actor=staff, breach_id=breach_id, upheld=action == BreachAction.uphold, finding=body.finding)
    return _breach(selectors.breach_for_supervisor(staff=staff, breach_id=breach_id))
