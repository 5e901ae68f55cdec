"""Efficiency supervision (行政效能电子监察): cards, 超时默认, 效能告诫, accountability, assessment, statistics.

Policy (thresholds, score rules, accountability rules, which items are under 超时默认) is data an
admin edits; records (cards, notices, 告诫, flags, scores) are written only by ``services``.
"""

from .assessment import MonthlyScore
from .cards import Card, StepStart, SweepRun
from .discipline import AccountabilityFlag, Admonition, Commendation, DeemedApproval
from .policy import AccountabilityRule, DeemedRule, ScoreRule, SupervisionPolicy
from .stats import CaseStat, RatingStat, StatRefresh

__all__ = [
    "AccountabilityFlag", "AccountabilityRule", "Admonition", "Card", "CaseStat", "Commendation", "DeemedApproval",
    "DeemedRule", "MonthlyScore", "RatingStat", "ScoreRule", "StatRefresh", "StepStart", "SupervisionPolicy",
    "SweepRun",
]
