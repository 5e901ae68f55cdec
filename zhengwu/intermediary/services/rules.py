"""Two checks every stage needs, kept apart so the purchase and the agency services share them: may this
agency take this service now (``agency_eligibility``), and the record of a bad behaviour by rule code
(``credit_event_record``, automatic ones from the purchase services: late delivery, declining after
selection)."""

from __future__ import annotations

import datetime as dt

from zhengwu.core import clock

from ..models import (
    Agency,
    AgencyStatus,
    Certificate,
    CreditEvent,
    CreditRule,
    Offering,
    OfferingStatus,
    Purchase,
)


def agency_eligibility(agency: Agency, service, qualification=None, *, on: dt.date | None = None) -> str:
    """Why ``agency`` may not take ``service`` on ``on`` (a Chinese sentence), or "" when it may: it must be
    admitted and not suspended or delisted, offer the service (not suspended), and hold a certificate of
    ``qualification`` (or of one the service requires) valid on that day."""
    on = on or clock.today()
    if agency.status != AgencyStatus.ACTIVE:
        return f"该中介机构当前状态为“{agency.get_status_display()}”，不能报名"
    offering = Offering.objects.filter(agency=agency, service=service).first()
    if offering is None or offering.status != OfferingStatus.ACTIVE:
        why = f"（{offering.status_reason}）" if offering is not None and offering.status_reason else ""
        return f"该中介机构未登记承接“{service.name}”或已暂停承接{why}"
    wanted = [qualification.pk] if qualification is not None else list(
        service.qualifications.values_list("pk", flat=True))
    if wanted and not Certificate.objects.filter(agency=agency, qualification_id__in=wanted,
                                                 valid_until__gte=on).exists():
        return "该中介机构没有在有效期内的所需资质证书"
    return ""


def credit_event_record(*, agency: Agency, rule_code: str, purchase: Purchase | None = None, note: str = "",
                        by=None, on: dt.date | None = None) -> CreditEvent:
    """A bad behaviour recorded against ``agency`` under the rule ``rule_code`` (inside the caller's
    transaction); the month's credit takes it into account at the next recalculation."""
    rule = CreditRule.objects.get(code=rule_code)
    return CreditEvent.objects.create(agency=agency, rule=rule, purchase=purchase, on=on or clock.today(),
                                      note=note[:300], by=by)
