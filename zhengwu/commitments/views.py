"""公开承诺 pages: the public list, a commitment with its versions and its complaint count, the hall screen;
the staff workbench (write, submit, sign, return); the supervisor's complaint register (file, decide).

Reads go through ``selectors``, writes through ``services``; a refusal shows its Chinese message and
changes nothing."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.formerrors import FieldErrors
from zhengwu.org.models import Hall
from zhengwu.org.selectors import staff_for_user

from . import selectors, services
from .models import BreachSource, BreachStatus, ClauseKind, Scope, VersionStatus

BLANK_CLAUSES = 5


def _message(request, message: str, status: int):
    return render(request, "commitments/message.html", {"message": message}, status=status)


def staff_pages(view):
    """Signed-in staff only; a refusal becomes the Chinese message page with its status."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = staff_for_user(request.user)
        if staff is None:
            return _message(request, "公开承诺工作台仅限在岗工作人员使用", 403)
        try:
            return view(request, staff, *args, **kwargs)
        except DomainError as exc:
            return _message(request, exc.message, exc.status)

    return login_required(wrapper)


def _int(value) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**31 else None


# -- public ----------------------------------------------------------------------------------------------------


def index(request):
    hall_code = (request.GET.get("hall") or "")[:16]
    scope = request.GET.get("scope") or ""
    if scope not in Scope.values:
        scope = ""
    rows = list(selectors.public_list(hall_code=hall_code, scope=scope)[:500])
    return render(request, "commitments/index.html", {
        "rows": rows, "halls": Hall.objects.order_by("code").only("code", "name"), "hall_code": hall_code,
        "scope": scope, "scopes": Scope.choices})


def detail(request, commitment_id: int):
    try:
        c = selectors.public_get(commitment_id)
        versions = list(selectors.public_versions(c))
        number = _int(request.GET.get("v"))
        shown = selectors.public_version(c, number) if number else selectors.public_version(c, c.current.version)
    except NotFound as exc:
        return _message(request, exc.message, 404)
    return render(request, "commitments/detail.html", {
        "c": c, "v": shown, "versions": versions, "is_current": shown.pk == c.current_id,
        "breaches": list(selectors.public_breaches(c)[:50])})


def screen(request, hall_code: str):
    """A hall TV: one commitment at a time in large type, the next one every 20 seconds."""
    hall = Hall.objects.filter(code=hall_code[:16]).first()
    if hall is None:
        return _message(request, "大厅不存在", 404)
    rows = selectors.hall_screen(hall.code)
    i = _int(request.GET.get("i")) or 0
    shown = rows[i % len(rows)] if rows else None
    return render(request, "commitments/screen.html", {
        "hall": hall, "c": shown, "next": (i + 1) % len(rows) if rows else 0, "count": len(rows),
        "position": (i % len(rows)) + 1 if rows else 0})


# -- staff -----------------------------------------------------------------------------------------------------


@staff_pages
def work(request, staff):
    commitments = list(selectors.workbench(staff))
    for c in commitments:
        c.open = c.open_versions[0] if c.open_versions else None
    own_department = staff.department if staff.department_id and staff.has_role("chief_rep", "dept_head") else None
    return render(request, "commitments/work.html", {
        "staff": staff, "commitments": commitments, "windows": list(selectors.windows_for_staff(staff)),
        "department": own_department, "is_supervisor": staff.has_role("supervisor")})


@require_POST
@staff_pages
def start(request, staff):
    from zhengwu.org.models import Window

    try:
        if request.POST.get("window"):
            wid = _int(request.POST.get("window"))
            window = selectors.windows_for_staff(staff).filter(pk=wid).first() if wid else None
            if window is None:
                raise PermissionDenied("无权为该窗口起草公开承诺")
            v = services.commitment_open(actor=staff, window=Window.objects.get(pk=window.pk))
        else:
            if staff.department is None:
                raise PermissionDenied("只有部门的首席代表或负责人可以起草部门承诺")
            v = services.commitment_open(actor=staff, department=staff.department)
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("commitments:work")
    messages.success(request, f"已创建第 {v.version} 版草稿")
    return redirect("commitments:version", version_id=v.pk)


def _clauses_from(post) -> list[services.ClauseIn]:
    kinds, texts = post.getlist("clause_kind"), post.getlist("clause_text")
    return [services.ClauseIn(k, t) for k, t in zip(kinds, texts, strict=False)]


@staff_pages
def version(request, staff, version_id: int):
    v = selectors.version_for_staff(staff=staff, version_id=version_id)
    c = v.commitment
    error = ""
    if request.method == "POST":
        try:
            services.version_update(
                actor=staff, version_id=v.pk, standards=request.POST.get("standards", ""),
                service_hours=request.POST.get("service_hours", ""),
                supervision_phone=request.POST.get("supervision_phone", ""),
                change_note=request.POST.get("change_note", ""), clauses=_clauses_from(request.POST))
        except (PermissionDenied, NotFound):
            raise
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "草稿已保存")
            return redirect("commitments:version", version_id=v.pk)
    clauses = list(v.clauses.all())
    return render(request, "commitments/version.html", {
        "v": v, "c": c, "clauses": clauses, "blank": range(BLANK_CLAUSES), "kinds": ClauseKind.choices,
        "error": error, "may_write": services.may_write(staff, c), "may_sign": services.may_sign(staff, c),
        "is_draft": v.status == VersionStatus.DRAFT, "is_submitted": v.status == VersionStatus.SUBMITTED,
        "snapshot": v.items if v.items else services.items_snapshot(c)})


@require_POST
@staff_pages
def version_act(request, staff, version_id: int, action: str):
    selectors.version_for_staff(staff=staff, version_id=version_id)
    try:
        v = services.version_act(actor=staff, version_id=version_id, action=action, reason=request.POST.get("reason", ""))
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"第 {v.version} 版：{services.ACTIONS[action]}完成")
    return redirect("commitments:version", version_id=version_id)


BREACH_LABELS = {"commitment": "承诺", "clause_kind": "所涉承诺", "source": "投诉来源", "source_no": "来源编号",
                 "summary": "投诉内容摘要"}


@staff_pages
def breaches(request, staff):
    status = request.GET.get("status") or ""
    if status not in BreachStatus.values:
        status = ""
    rows = list(selectors.breaches_for_supervisor(staff=staff, status=status)[:200])
    form = {"commitment": "", "clause_kind": "", "source": "", "source_no": "", "summary": ""}
    errors = FieldErrors()
    if request.method == "POST":
        form = {k: request.POST.get(k, "")[:2000] for k in form}
        cid = _int(form["commitment"])
        if cid is None or not selectors.commitments_for_supervisor(staff).filter(pk=cid).exists():
            errors.add("commitment", "承诺", "请选择本辖区已公开的承诺")
        try:  # with no commitment picked (id 0) the service still checks the other fields, then finds nothing
            b = services.breach_file(actor=staff, commitment_id=0 if errors else cid, clause_kind=form["clause_kind"],
                                     source=form["source"], source_no=form["source_no"], summary=form["summary"])
        except (PermissionDenied, NotFound):
            if not errors:
                raise
        except DomainError as exc:
            errors.add_domain(exc, labels=BREACH_LABELS)
        else:
            messages.success(request, f"已登记违诺投诉 WN{b.pk:06d}，核实期限已开始计算")
            return redirect("commitments:breach", breach_id=b.pk)
    return render(request, "commitments/breaches.html", {
        "rows": rows, "status": status, "statuses": BreachStatus.choices, "form": form, "errors": errors,
        "commitments": list(selectors.commitments_for_supervisor(staff)), "kinds": ClauseKind.choices,
        "sources": BreachSource.choices}, status=400 if errors else 200)


@staff_pages
def breach(request, staff, breach_id: int):
    b = selectors.breach_for_supervisor(staff=staff, breach_id=breach_id)
    errors = FieldErrors()
    if request.method == "POST":
        verdict = request.POST.get("verdict")
        if verdict not in ("upheld", "dismissed"):
            errors.add("verdict", "核实结果", "请选择核实结果")
        finding = errors.check("finding", "核实情况", request.POST.get("finding", ""))
        if len(finding) > 500:
            errors.add("finding", "核实情况", f"核实情况不能超过 500 字（现为{len(finding)}字）")
        if not errors:
            try:
                services.breach_decide(actor=staff, breach_id=b.pk, upheld=verdict == "upheld", finding=finding)
            except (PermissionDenied, NotFound):
                raise
            except DomainError as exc:
                errors.add_domain(exc, {"commitment_finding_required": ("finding", "核实情况"),
                                        "commitment_field_length": ("finding", "核实情况")})
            else:
                messages.success(request, "核实结果已记录")
                return redirect("commitments:breach", breach_id=b.pk)
    return render(request, "commitments/breach.html", {
        "b": b, "errors": errors, "pending": b.status == BreachStatus.PENDING,
        "form": request.POST if request.method == "POST" else {}}, status=400 if errors else 200)
