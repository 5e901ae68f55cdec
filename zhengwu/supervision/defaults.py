"""The policy a new installation starts from (plain data: the migrations load it too)."""

from __future__ import annotations

from decimal import Decimal

DEFAULT_SCORE_RULES = [
    # code, points, windows, officers, active, note
    ("overdue_case", Decimal("-5"), True, True, True, "超过承诺办结时限的办件，每件扣5分"),
    ("bad_rating", Decimal("-3"), True, True, True, "经核实（申诉未获支持）的差评，每条扣3分"),
    ("admonition", Decimal("-5"), True, True, True, "受到效能告诫，每次扣5分"),
    ("red_card", Decimal("-1"), True, True, False, "办件被亮红牌，每张扣1分（默认不启用，超期已按办件扣分）"),
    ("praise", Decimal("2"), True, True, True, "群众表扬信、锦旗等，每次加2分"),
    ("away_overdue", Decimal("-1"), False, True, True,
     "外出告知后超过预计返回时间仍未返岗（服务时间内），每满30分钟扣1分"),
    ("appraisal_bottom", Decimal("-5"), True, False, True,
     "重点科室评议结果公布当月，部门每有一个科室列入末位，该部门各窗口扣5分"),
]
AWAY_UNIT_MINUTES = 30

ESSAY4 = "《环境创优年》七项组织处理措施（范文篇4）"
# Who holds a leading post (分管副职、科室负责人) that "免去领导职务" can take away.
LEADING_ROLES = ("chief_rep", "dept_head", "hall_admin")

DEFAULT_ACCOUNTABILITY_RULES = [
    dict(code="two-admonitions", name="十二个月内受到两次效能告诫", kind="admonitions", count=2, months=12,
         bottom=1, consequence="免去领导职务（分管副职、科室负责人）", is_active=True,
         roles=list(LEADING_ROLES),
         basis=f"{ESSAY4}之一：因工作效能执行力低下受到两次效能告诫的分管副职、科室负责人免去领导职务。"),
    dict(code="window-last-twice", name="窗口月考核连续两次排名末位", kind="rank_bottom", count=2, months=12,
         bottom=1, consequence="对窗口负责人效能告诫一次，窗口本年度不得评先", is_active=True,
         basis=f"{ESSAY4}之二、三：考评排名末位的，部门负责人效能告诫一次，本年度不能评先。"),
    dict(code="window-bottom3-twice", name="窗口月考核连续两次进入后三名", kind="rank_bottom", count=2, months=12,
         bottom=3, consequence="免去科室负责人职务，全科取消评先资格", is_active=False,
         basis=f"{ESSAY4}之三：一年连续两次被评为后三名的，免去科室负责人职务，全科取消文明奖、年终奖和评先资格。"),
]
