"""Every write of 涉企活动申报 (see the modules: ``declarations`` for the lifecycle, ``public`` for what
enterprises do without logging in and the supervisor's verification of their reports)."""

from .declarations import declaration_act, declaration_create, limit_problems
from .public import rating_record, report_act, report_file

__all__ = ["declaration_act", "declaration_create", "limit_problems", "rating_record", "report_act", "report_file"]
