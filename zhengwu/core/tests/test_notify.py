import logging

import pytest

from zhengwu.core.notify import ConsoleNotifier, Message, notify

pytestmark = pytest.mark.django_db  # messages leave when the transaction commits

@pytest.fixture(autouse=True)
def _empty_outbox():
    ConsoleNotifier.sent.clear()
    yield
    ConsoleNotifier.sent.clear()


def test_the_log_line_masks_the_phone_and_the_outbox_keeps_it(caplog, django_capture_on_commit_callbacks,
                                                               settings):
    settings.NOTIFY_LOG_TEXT = True  # development: the text is logged, to read the demo's links
    with caplog.at_level(logging.INFO, logger="zhengwu.notify"), django_capture_on_commit_callbacks(execute=True):
        notify(Message(to_phone="13812345678", text="您的办件已受理", kind="case_accepted"))
    assert [r.getMessage() for r in caplog.records] == ["通知 case_accepted → 138****5678：您的办件已受理"]
    assert "13812345678" not in caplog.text
    assert ConsoleNotifier.sent[-1].to_phone == "13812345678"  # what a gateway would be given


def test_a_message_to_a_user_logs_the_user_id(caplog, django_capture_on_commit_callbacks, settings):
    settings.NOTIFY_LOG_TEXT = True
    with caplog.at_level(logging.INFO, logger="zhengwu.notify"), django_capture_on_commit_callbacks(execute=True):
        notify(Message(to_phone="", to_user_id=42, text="有新的待办", kind="todo"))
    assert caplog.records[-1].getMessage() == "通知 todo → 42：有新的待办"


def test_production_logs_keep_links_and_codes_out(caplog, django_capture_on_commit_callbacks, settings):
    settings.NOTIFY_LOG_TEXT = False
    text = "请对本次服务作出评价：https://zwfw.example.cn/ratings/r/SECRETTOKEN/"
    with caplog.at_level(logging.INFO, logger="zhengwu.notify"), django_capture_on_commit_callbacks(execute=True):
        notify(Message(to_phone="13812345678", text=text, kind="rating_invite"))
    assert caplog.records[-1].getMessage() == "通知 rating_invite → 138****5678：（正文含链接或验证码，不记入日志）"
    assert "SECRETTOKEN" not in caplog.text
    assert ConsoleNotifier.sent[-1].text == text
