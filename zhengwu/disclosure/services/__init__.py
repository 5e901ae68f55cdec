"""Every write of 政务公开 goes through a function here."""

from .publications import (
    attachments_move_to_token_dirs,
    publication_count_view,
    publication_create,
    publication_publish,
    publication_repeal,
    publication_review,
    publication_secrecy_review,
    publication_sign,
    publication_submit,
    publication_update,
)
from .reports import report_adjust, report_finalise, report_get_or_create, report_update_text
from .requests import (
    Applicant,
    appeal_decide,
    appeal_record,
    consultations_sweep,
    request_abandon,
    request_ask_supplement,
    request_assess_fee,
    request_attachment_log_download,
    request_confirm_receipt,
    request_consult,
    request_consult_agency,
    request_consultation_lapse,
    request_consultation_receipt,
    request_consultation_reply,
    request_consultation_undeliverable,
    request_extend,
    request_file,
    request_record_payment,
    request_reply,
    request_supplement,
    request_waive_fee,
    request_withdraw,
    requests_sweep,
)

__all__ = [
    "Applicant", "attachments_move_to_token_dirs", "appeal_decide", "appeal_record", "consultations_sweep", "publication_count_view",
    "publication_create", "publication_publish", "publication_repeal", "publication_review",
    "publication_secrecy_review", "publication_sign", "publication_submit", "publication_update", "report_adjust",
    "report_finalise", "report_get_or_create", "report_update_text", "request_abandon", "request_ask_supplement",
    "request_assess_fee", "request_attachment_log_download", "request_confirm_receipt", "request_consult", "request_consult_agency",
    "request_consultation_lapse", "request_consultation_receipt", "request_consultation_reply",
    "request_consultation_undeliverable", "request_extend", "request_file", "request_record_payment", "request_reply",
    "request_supplement", "request_waive_fee", "request_withdraw", "requests_sweep",
]
