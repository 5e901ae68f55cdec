"""The 答复书: every reply type cites the article of the 条例 (2019) that governs it, or says that none does;
and the letters and the report are PDFs made with the process's one WeasyPrint set-up (zhengwu.core.pdf)."""

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.disclosure import reference as ref
from zhengwu.disclosure import services as s
from zhengwu.disclosure.documents import (
    fee_notice_html,
    fee_notice_pdf,
    reply_html,
    reply_paragraphs,
    reply_pdf,
    report_html,
    report_pdf,
)
from zhengwu.disclosure.tables import report_data

from .factories import build_world, person

pytestmark = pytest.mark.django_db
D = dt.date
R = "《中华人民共和国政府信息公开条例》"

#: every reply type → the article(s) its 答复书 cites, read against the text of 国务院令第711号
BASES = {
    "open": f"{R}第三十六条第（一）项、第（二）项",  # 已主动公开的告知途径 / 可以公开的予以提供
    "partial": f"{R}第三十七条",  # 区分处理
    "withhold_secret": f"{R}第十四条",  # 国家秘密
    "withhold_law": f"{R}第十四条",  # 法律、行政法规禁止公开
    "withhold_security": f"{R}第十四条",  # 危及国家安全、公共安全、经济安全、社会稳定
    "withhold_third_party": f"{R}第十五条",  # 商业秘密、个人隐私
    "withhold_internal": f"{R}第十六条第一款",  # 内部事务信息
    "withhold_process": f"{R}第十六条第二款",  # 过程性信息
    "withhold_enforcement": f"{R}第十六条第二款",  # 行政执法案卷信息
    "withhold_query": f"{R}第三十六条第（七）项",  # 工商、不动产登记资料等，法律、行政法规对获取有特别规定
    "none_not_held": f"{R}第三十六条第（四）项、第（五）项",  # 不存在；不属于本机关负责公开
    "none_need_making": f"{R}第三十八条",  # 需要加工、分析的可以不予提供
    "none_unclear": f"{R}第二十九条、第三十条",  # 申请内容；补正
    "refuse_petition": f"{R}第三十九条第一款",  # 以申请形式进行信访、投诉、举报
    "refuse_repeat": f"{R}第三十六条第（六）项",  # 重复申请
    "refuse_publication": f"{R}第三十九条第二款",  # 政府公报、报刊、书籍等公开出版物
    "refuse_excessive": f"{R}第三十五条",  # 数量、频次明显超过合理范围
    # No article names it; 第三十八条 (what is provided is information already made or obtained) is what the
    # 条例 says. Not 第三十九条, which is about 信访/投诉/举报 and 公开出版物.
    "refuse_confirm": f"{R}第三十八条",
    "other_no_supplement": f"{R}第三十条",  # 无正当理由逾期不补正的，视为放弃申请
    "other_unpaid": f"{R}第四十二条和《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
    "other": "",  # no article: the letter says so
}


def test_every_reply_type_cites_its_article():
    assert {r.code: r.basis for r in ref.RESULT_TYPES} == BASES


@pytest.fixture
def w():
    return build_world()


def replied(w, result: str, reason: str):
    with clock.frozen(D(2026, 11, 2)):
        req = s.request_file(
            body=w.scj,
            applicant=person(),
            description="本局2019年出具的某许可证复印件的确认",
            channel="in_person",
            officer=w.officer,
        )
    with clock.frozen(D(2026, 11, 10)):
        s.request_reply(request=req, officer=w.officer, result=result, reason=reason)
    return req


def test_the_letter_for_a_confirmation_request_cites_article_38_not_39(w):
    req = replied(w, "refuse_confirm", "您申请对已获取的许可证复印件予以确认")
    assert reply_paragraphs(req)[1] == (
        f"经审查，您申请对已获取的许可证复印件予以确认（要求行政机关确认或重新出具已获取信息）。根据{R}第三十八条的规定，"
        "本机关不予处理。"
    )
    assert "第三十九条" not in reply_html(req)


def test_the_letter_for_other_says_no_article_applies(w):
    req = replied(w, "other", "申请人书面表示已通过其他途径获取该信息，不再需要")
    assert reply_paragraphs(req)[1] == (
        f"申请人书面表示已通过其他途径获取该信息，不再需要。{R}对此情形未作专门规定，本机关按“其他处理”办结，"
        "不再处理您的该项政府信息公开申请。"
    )


def test_letters_and_the_report_share_one_font_configuration_and_stylesheet(w, monkeypatch):
    """Disclosure PDFs went through WeasyPrint with a new FontConfiguration each (the CJK faces loaded every
    time, the worker's memory climbing); now through zhengwu.core.pdf like the case documents."""
    from weasyprint.text import fonts

    from zhengwu.core import pdf

    made = []
    real = fonts.FontConfiguration.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        real(self, *args, **kwargs)

    monkeypatch.setattr(fonts.FontConfiguration, "__init__", counting)
    monkeypatch.setattr(pdf, "_tools", None)
    req = replied(w, "refuse_repeat", "您于2026年10月申请的同一信息已答复")
    with clock.frozen(D(2026, 11, 2)):
        fee = s.request_file(
            body=w.scj,
            applicant=person(),
            description="本局抽检报告全文",
            channel="in_person",
            officer=w.officer,
        )
    with clock.frozen(D(2026, 11, 3)):
        s.request_assess_fee(request=fee, officer=w.officer, method="per_page", pages=150)
    data = report_data(w.scj, 2026)
    for _ in range(2):
        assert reply_pdf(req).startswith(b"%PDF")
        assert fee_notice_pdf(fee).startswith(b"%PDF")
        assert report_pdf(data).startswith(b"%PDF")
    assert len(made) == 1
    assert "<style>" not in reply_html(req, for_pdf=True) + fee_notice_html(fee, for_pdf=True)
    assert "<style>" not in report_html(data, for_pdf=True)
    assert "<style>" in reply_html(req) and "<style>" in report_html(data)
