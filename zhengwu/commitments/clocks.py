"""The supervised clock of public commitments: a complaint that a commitment was broken is checked by the
supervisor within ``CommitmentPolicy.verify_workdays`` working days (started when it is filed, finished
when it is decided), so late checks show as cards on supervision's one board."""

from __future__ import annotations

from zhengwu.supervision.clocks import KindSpec, register_kind

VERIFY = register_kind(KindSpec(
    code="commitment_breach", name="违诺投诉核实时限", subject_label="违诺投诉", due_label="核实期限",
    warn_workdays=1, sort=80))
