"""The appraisal's supervised clock (监察时钟): a bottom section's rectification (整改), started when the
results are published, stopped while its report waits for the supervisor, resumed when it is returned and
finished when the supervisor accepts it. Started and ended by ``services`` through
``zhengwu.supervision.clocks`` inside their transactions."""

from __future__ import annotations

from zhengwu.supervision.clocks import KindSpec, register_kind

RECTIFY = register_kind(KindSpec(
    code="appraisal_rectify", name="重点科室评议整改时限", subject_label="评议整改", due_label="整改期限",
    sort=80))
SUBJECT_TYPE = "appraisal.rectification"
