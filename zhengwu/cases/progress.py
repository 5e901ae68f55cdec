"""The public progress query's answer (办件进度查询, page and API), kept in the shared cache.

The query is the platform's busiest public read after the catalog, and the same case is asked about again
and again (after each SMS, by the applicant, the agent, the family). The answer — what the page's result
block shows, or the API's JSON — is built from the database once and kept in Redis; a question answered from
there costs one round trip to Redis (the client's guessing count, the case's generation and the answer in one
MGET) and no database at all.

- **Who may read it.** The answer is kept with keyed digests (HMAC with the site's secret) of the credentials
  that open it — the applicant's 身份证号 and contact phone — never the values; a question is answered from
  the cache only when its credential's digest is one of them. A wrong pair, or a case not kept, goes the
  counted way (``throttle.attempt`` → database → ``forgive``), so guessing is limited exactly as before;
  a client that is refused is refused before the cache is read.
- **Staying current.** Each case has a generation in the cache. Every write of a case or of its events
  through the services (``changed``, called by ``services.common``), and every ORM save or delete of a
  ``Case`` or ``CaseEvent``, gives it a new one when the transaction commits. An answer is kept with the generation
  read *before* the database was, and served only while that is still the case's generation, so an answer
  built across a commit is never served. What changes without passing there (a department or hall renamed)
  shows within ``PROGRESS_CACHE_SECONDS``.
- **Where.** Only in a cache every app process shares (Redis: ``zhengwu.core.cache.is_shared``) and with
  ``PROGRESS_CACHE_SECONDS`` > 0 (default 120 with ``REDIS_URL``, 0 without): with the database cache a hit
  would itself be a query.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac

from zhengwu.core import throttle
from zhengwu.core.cache import is_shared
from zhengwu.core.validators import mask_name, validate_phone

from . import selectors
from .models import Status
from .plan import plan_for
from .templatetags.cases_tags import event_label

SCOPE = "progress"  # the guessing count the page and the API share
FORMS = ("api", "page")


def enabled() -> bool:
    seconds = getattr(settings, "PROGRESS_CACHE_SECONDS", 0)
    return bool(seconds and seconds > 0 and is_shared())


def _digest(case_no: str) -> str:
    return hashlib.blake2b(case_no.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _gen_key(case_no: str) -> str:
    return f"zw:progress:gen:{_digest(case_no)}"


def _answer_key(case_no: str, form: str) -> str:
    return f"zw:progress:{form}:{_digest(case_no)}"


def _credential_digest(kind: str, value: str) -> str:
    return salted_hmac("zhengwu.cases.progress", f"{kind}:{value}", algorithm="sha256").hexdigest()


def _case_credentials(case) -> tuple[str, ...]:
    """Digests of what opens the case's answer: as ``selectors.case_progress_public`` checks them."""
    out = []
    if case.id_number:
        out.append(_credential_digest("id", case.id_number.upper()))
    if case.contact_phone:
        out.append(_credential_digest("phone", case.contact_phone))
    return tuple(out)


def _opens(digests, credential: str) -> bool:
    cred = (credential or "").strip().upper()
    if not cred:
        return False
    asked = [_credential_digest("id", cred)]
    try:
        asked.append(_credential_digest("phone", validate_phone(cred)))
    except Exception:  # not a phone number: only the 身份证号 digest can match
        pass
    return any(hmac.compare_digest(a, d) for a in asked for d in digests)


def _api_answer(case, events) -> dict:
    return {
        "case_no": case.case_no, "item_name": case.item_version.name, "department": case.department.name,
        "hall": case.hall.name, "applicant_name": mask_name(case.applicant_name), "status": case.status,
        "status_label": Status(case.status).label, "submitted_at": case.submitted_at,
        "accepted_on": case.accepted_on, "due_date": case.due_date, "due_provisional": case.due_provisional,
        "clock_stopped": case.status in (Status.SUSPENDED, Status.SUPPLEMENT), "completed_on": case.completed_on,
        "stages": selectors.case_stages(case, plan_for(case.item_version_id), events),
        "events": [{"action": e.action, "label": event_label(e), "at": e.at} for e in events],
    }


def _page_answer(case, events) -> str:
    """The page's result block, rendered (the rest of the page — form, CSRF token — is rendered per request)."""
    return render_to_string("cases/_progress_result.html", {
        "case": case, "events": events, "stages": selectors.case_stages(case, plan_for(case.item_version_id), events)})


_BUILD = {"api": _api_answer, "page": _page_answer}


def answer(*, who: str, case_no: str, credential: str, form: str):
    """The answer to a progress question in ``form`` ("api": a dict for ``ProgressOut``; "page": the
    result block's HTML). Raises ``NotFound`` for a wrong pair or no such case (counted against ``who``) and
    the throttle's ``DomainError`` (429) once ``who`` has guessed wrong too often."""
    limit, window = selectors.PROGRESS_FAILURES, selectors.PROGRESS_WINDOW
    no = selectors.case_no_normal(case_no)
    keep = enabled()
    gen = None
    if keep:
        gen_key, answer_key = _gen_key(no), _answer_key(no, form)
        found = throttle.check_and_get(SCOPE, who, [gen_key, answer_key], limit=limit, window=window)
        gen, kept = found.get(gen_key), found.get(answer_key)
        if isinstance(kept, tuple) and len(kept) == 3 and kept[0] == gen and _opens(kept[1], credential):
            return kept[2]
    throttle.attempt(SCOPE, who, limit=limit, window=window)
    case = selectors.case_progress_public(case_no=no, credential=credential)  # NotFound: stays counted
    throttle.forgive(SCOPE, who)
    events = selectors.case_progress_events(case)
    out = _BUILD[form](case, events)
    if keep:  # with the generation read before the database: a commit in between makes it stale at once
        cache.set(answer_key, (gen, _case_credentials(case), out), settings.PROGRESS_CACHE_SECONDS)
    return out


# -- invalidation ---------------------------------------------------------------------------------------


def _bump(case_nos) -> None:
    # A new random generation (not a counter): a generation that expired and started again could meet an
    # answer kept under its old value. It outlives every answer kept under it.
    ttl = max(3600, 2 * int(settings.PROGRESS_CACHE_SECONDS))
    cache.set_many({_gen_key(no): uuid.uuid4().hex for no in case_nos}, ttl)


class _Bump:
    """The on-commit callback of a transaction's changed cases (one per transaction, however many changes)."""

    def __init__(self):
        self.case_nos: set[str] = set()
        self.sent = False

    def __call__(self):
        self.sent = True
        _bump(self.case_nos)


def changed(*case_nos: str) -> None:
    """The cases ``case_nos`` (or their events) change in the current transaction: once it commits, their
    kept answers are no longer served. Outside a transaction at once."""
    if not enabled():
        return
    nos = {selectors.case_no_normal(no) for no in case_nos if no}
    if not nos:
        return
    conn = transaction.get_connection()
    if conn.in_atomic_block:
        for _savepoints, func, _robust in conn.run_on_commit:
            if isinstance(func, _Bump) and not func.sent:  # this transaction's: one write to the cache at its commit
                func.case_nos |= nos
                return
    bump = _Bump()
    bump.case_nos |= nos
    # robust: the case is written; a cache that cannot be reached must not turn that into an error page
    # (what was kept then ages out within PROGRESS_CACHE_SECONDS)
    transaction.on_commit(bump, robust=True)


def _on_case_saved(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        changed(instance.case_no)


def _on_event_saved(sender, instance, **kwargs):
    if kwargs.get("raw") or not enabled():
        return
    case = sender.case.field.get_cached_value(instance, None)  # never a query just for this
    if case is not None:
        changed(case.case_no)
    elif instance.case_id is not None:
        from .models import Case

        changed(*Case.objects.filter(pk=instance.case_id).values_list("case_no", flat=True))


def connect_signals() -> None:
    """Called from ``CasesConfig.ready``: ORM saves and deletes of cases and events outside the services."""
    from django.db.models.signals import post_delete, post_save

    from .models import Case, CaseEvent

    post_save.connect(_on_case_saved, sender=Case, dispatch_uid="zw-progress-case-save")
    post_delete.connect(_on_case_saved, sender=Case, dispatch_uid="zw-progress-case-delete")
    post_save.connect(_on_event_saved, sender=CaseEvent, dispatch_uid="zw-progress-event-save")
    post_delete.connect(_on_event_saved, sender=CaseEvent, dispatch_uid="zw-progress-event-delete")
