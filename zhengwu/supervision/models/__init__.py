"""Efficiency supervision (行政效能电子监察): clocks and their cards, 超时默认, 效能告诫, accountability,
assessment, statistics.

Policy (clock kinds, thresholds, score rules, accountability rules, which items are under 超时默认) is
data an admin edits; clocks are written only by ``zhengwu.supervision.clocks`` (called by the domains),
records (cards, notices, 告诫, flags, scores) only by ``services``.
"""

from .assessment import MonthlyScore
from .cards import Card, Clock, ClockKind, ClockState, Notice, SweepRun
from .discipline import AccountabilityFlag, Admonition, Commendation, DeemedApproval
from .policy import AccountabilityRule, DeemedRule, ScoreRule, SupervisionPolicy
from .stats import (
    CardStat,
    DayPlaceStat,
    DayStat,
    ItemStat,
    MonthStat,
    OverdueCase,
    OverdueStat,
    RatingStat,
    StatRefresh,
    StatState,
)

__all__ = [
    "AccountabilityFlag", "AccountabilityRule", "Admonition", "Card", "CardStat", "Clock", "ClockKind", "ClockState",
    "Commendation", "DayPlaceStat", "DayStat", "DeemedApproval", "DeemedRule", "ItemStat", "MonthStat", "MonthlyScore", "Notice",
    "OverdueCase", "OverdueStat", "RatingStat", "ScoreRule", "StatRefresh", "StatState", "SupervisionPolicy", "SweepRun",
]
