"""Reading the admin-editable policy, with the defaults a new installation starts from."""

from __future__ import annotations

from .defaults import DEFAULT_ACCOUNTABILITY_RULES, DEFAULT_SCORE_RULES  # noqa: F401  (re-exported)
from .models import AccountabilityRule, ScoreRule, SupervisionPolicy


def policy_get() -> SupervisionPolicy:
    obj = SupervisionPolicy.objects.filter(pk=1).first()
    if obj is None:
        obj, _ = SupervisionPolicy.objects.get_or_create(pk=1)
    return obj


def score_rules() -> list[ScoreRule]:
    return list(ScoreRule.objects.filter(is_active=True).order_by("id"))


def accountability_rules() -> list[AccountabilityRule]:
    return list(AccountabilityRule.objects.filter(is_active=True).order_by("id"))
