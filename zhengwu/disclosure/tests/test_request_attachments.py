"""Files of an information request: with the application, with the 补正; for the applicant and the body's staff only.

They hold personal data (ID copies, business licences): stored under random directories, checked
as every upload of the platform, served through two checked views, every staff download audited.
One bad file refuses the whole submission and leaves nothing behind, in the database or on disk.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.models import AuditEvent
from zhengwu.core.testing import image_bytes, pdf_bytes
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import (
    Counter,
    InfoRequest,
    Publication,
    ReqStatus,
    RequestAttachment,
    RequestEvent,
    Setting,
)

from .factories import PERSON_ID, build_world, person

pytestmark = pytest.mark.django_db
D = dt.date
PDF = pdf_bytes()
JPG = image_bytes("JPEG")
ID_COPY = "身份证复印件.jpg"
WANTED = "所需信息说明.pdf"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def w():
    return build_world()


def files_on_disk(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) if media.exists() else []


def pdf(name=WANTED, content=PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def jpg(name=ID_COPY):
    return SimpleUploadedFile(name, JPG, "image/jpeg")


FORM = {"kind": "person", "name": "张三", "id_number": PERSON_ID, "phone": "13812345678",
        "description": "本局2025年食品抽检情况", "wanted_form": "电子文档", "delivery": "网上获取"}


def apply(client, w, files):
    client.force_login(w.citizen)
    with clock.frozen(D(2026, 6, 1)):
        return client.post("/gk/SFXSCJ/apply/", {**FORM, "files": files})


def body_of(resp) -> bytes:
    return b"".join(resp.streaming_content)


def test_online_request_with_an_id_copy_and_a_description_stores_both_under_random_directories(client, w, media):
    resp = apply(client, w, [jpg(), pdf()])
    assert resp.status_code == 302
    req = InfoRequest.objects.get()
    a, b = req.attachments.order_by("id")
    assert [(x.kind, x.name, x.size, x.uploaded_by_id, x.uploaded_by_name) for x in (a, b)] == [
        ("application", ID_COPY, len(JPG), w.citizen.pk, w.citizen.display_name),
        ("application", WANTED, len(PDF), w.citizen.pk, w.citizen.display_name)]
    assert re.fullmatch(r"gk/requests/[0-9a-f]{32}/身份证复印件\.jpg", a.file.name)
    assert a.file.name.split("/")[2] != b.file.name.split("/")[2]
    assert (media / a.file.name).read_bytes() == JPG
    event = req.events.get()
    assert (event.note, event.data["files"]) == (f"附件：{ID_COPY}、{WANTED}", [ID_COPY, WANTED])


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("setup.exe", b"MZ\x90\x00", "application/octet-stream"),
     "文件“setup.exe”的类型不允许上传，仅支持：pdf、jpg、jpeg、png、ofd、doc、docx、xls、xlsx"),
    (SimpleUploadedFile("营业执照.pdf", b"<html>not a pdf</html>", "application/pdf"),
     "文件“营业执照.pdf”不是可以打开的PDF 文件（内容已损坏或与扩展名不符），请上传真实、完整的 PDF 文件"),
    (SimpleUploadedFile("空白.png", b"", "image/png"), "文件“空白.png”是空文件"),
])
def test_one_bad_file_refuses_the_whole_request_and_saves_nothing(client, w, media, upload, message):
    resp = apply(client, w, [jpg(), upload])
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert (InfoRequest.objects.count(), RequestAttachment.objects.count(), RequestEvent.objects.count(),
            Counter.objects.count()) == (0, 0, 0, 0)
    assert files_on_disk(media) == []


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(client, w, media, settings):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 1024
    resp = apply(client, w, [pdf(content=pdf_bytes(size=1200))])
    assert resp.status_code == 400
    assert "文件“所需信息说明.pdf”大小为 1.2 KB，超过 1 KB 的上限" in resp.content.decode()
    assert (InfoRequest.objects.count(), files_on_disk(media)) == (0, [])


def test_the_number_of_files_is_a_setting(client, w, media):
    Setting.objects.create(key="max_files", value="2")
    resp = apply(client, w, [jpg(), pdf(), pdf("补充说明.pdf")])
    assert resp.status_code == 400
    assert "一次最多上传2个文件，您选择了3个" in resp.content.decode()
    assert (InfoRequest.objects.count(), files_on_disk(media)) == (0, [])
    assert "一次最多 2 个" in client.get("/gk/SFXSCJ/apply/").content.decode()


def test_a_failure_after_the_files_were_written_removes_them(w, media, monkeypatch):
    """The files are written inside the transaction; if it then fails, the rows roll back and the
    files are deleted, so storage holds nothing the database does not know."""
    from zhengwu.disclosure.services import requests as svc

    def broken(*args, **kwargs):
        raise RuntimeError("数据库写入失败")

    monkeypatch.setattr(svc, "_event", broken)
    with clock.frozen(D(2026, 6, 1)), pytest.raises(RuntimeError):
        s.request_file(body=w.scj, applicant=person(), description="本局2025年食品抽检情况", channel="online",
                       user=w.citizen, files=[jpg(), pdf()])
    assert (InfoRequest.objects.count(), RequestAttachment.objects.count()) == (0, 0)
    assert files_on_disk(media) == []


def test_a_failed_publication_leaves_no_file_behind_either(w, media, monkeypatch):
    from zhengwu.disclosure.services import publications as svc

    def broken(*args, **kwargs):
        raise RuntimeError("数据库写入失败")

    monkeypatch.setattr(svc, "_event", broken)
    with clock.frozen(D(2026, 5, 6)), pytest.raises(RuntimeError):
        s.publication_create(body=w.scj, officer=w.officer, title="抽检计划", category="plan", content="见附件",
                             made_on=D(2026, 5, 6), files=[pdf()])
    assert (Publication.objects.count(), files_on_disk(media)) == (0, [])


def test_the_applicant_and_the_bodys_staff_see_the_files_everyone_else_gets_a_404(client, w):
    apply(client, w, [jpg(), pdf()])
    req = InfoRequest.objects.get()
    att = req.attachments.get(name=ID_COPY)
    mine, work = f"/gk/my/{req.request_no}/files/{att.pk}/", f"/gk/work/requests/{req.request_no}/files/{att.pk}/"
    # The applicant: linked from their page, downloaded with its Chinese name, not audited.
    page = client.get(f"/gk/my/{req.request_no}/").content.decode()
    assert f'<a href="{mine}">{ID_COPY}</a>' in page and att.file.name not in page
    resp = client.get(mine)
    assert (resp.status_code, resp["Content-Type"], body_of(resp)) == (200, "image/jpeg", JPG)
    assert resp["Content-Disposition"].endswith("filename*=UTF-8''%E8%BA%AB%E4%BB%BD%E8%AF%81%E5%A4%8D%E5%8D%B0%E4%BB%B6.jpg")
    assert AuditEvent.objects.count() == 0
    # The staff: linked from the workbench page, every download audited with who, what and from where.
    client.force_login(w.officer.user)
    page = client.get(f"/gk/work/requests/{req.request_no}/").content.decode()
    assert f'<a href="{work}">{ID_COPY}</a>' in page and "每次下载都记入审计日志" in page
    resp = client.get(work, REMOTE_ADDR="10.1.2.3")
    assert (resp.status_code, body_of(resp)) == (200, JPG)
    client.force_login(w.head.user)
    assert client.get(work).status_code == 200
    rows = list(AuditEvent.objects.order_by("id").values_list("actor_id", "action", "object_type", "object_id",
                                                               "summary", "ip"))
    assert rows == [
        (w.officer.user_id, "view", "disclosure.requestattachment", str(att.pk),
         f"刘经办下载依申请公开申请 {req.request_no} 的申请材料“{ID_COPY}”", "10.1.2.3"),
        (w.head.user_id, "view", "disclosure.requestattachment", str(att.pk),
         f"周主任下载依申请公开申请 {req.request_no} 的申请材料“{ID_COPY}”", "127.0.0.1")]
    # Nobody else: another body's officer, another citizen, the public; nor by the stored path.
    client.force_login(w.outsider.user)
    assert client.get(work).status_code == 404
    other = get_user_model().objects.create_user(username="lisi", password="pass-123456", real_name="李四")
    client.force_login(other)
    assert client.get(mine).status_code == 404
    client.logout()
    assert client.get(mine).status_code == 302  # to the login page
    assert client.get(f"/media/{att.file.name}").status_code == 404
    assert AuditEvent.objects.count() == 2


def test_a_file_number_of_another_request_is_no_file(client, w):
    apply(client, w, [jpg()])
    first = InfoRequest.objects.get()
    with clock.frozen(D(2026, 6, 1)):
        second = s.request_file(body=w.scj, applicant=person(), description="另一项信息", channel="online",
                                user=w.citizen, files=[pdf()])
    att = first.attachments.get()
    assert client.get(f"/gk/my/{second.request_no}/files/{att.pk}/").status_code == 404
    client.force_login(w.officer.user)
    assert client.get(f"/gk/work/requests/{second.request_no}/files/{att.pk}/").status_code == 404
    assert AuditEvent.objects.count() == 0


def test_a_file_gone_from_storage_is_a_404_and_not_audited(client, w, media):
    apply(client, w, [jpg()])
    req = InfoRequest.objects.get()
    att = req.attachments.get()
    (media / att.file.name).unlink()
    client.force_login(w.officer.user)
    assert client.get(f"/gk/work/requests/{req.request_no}/files/{att.pk}/").status_code == 404
    assert AuditEvent.objects.count() == 0


def test_the_officer_records_a_letter_with_its_scans(client, w, media):
    client.force_login(w.officer.user)
    with clock.frozen(D(2026, 6, 1)):
        resp = client.post("/gk/work/record/SFXSCJ/", {
            **FORM, "channel": "post_signed", "signed_for_on": "2026-05-29", "late_entry_note": "周五签收，周一登记",
            "files": [pdf("申请书扫描件.pdf"), jpg()]})
    assert resp.status_code == 302
    req = InfoRequest.objects.get()
    assert (req.status, req.received_on, req.user_id) == (ReqStatus.PROCESSING, D(2026, 5, 29), None)
    assert list(req.attachments.values_list("kind", "name", "uploaded_by_name")) == [
        ("application", "申请书扫描件.pdf", "刘经办"), ("application", ID_COPY, "刘经办")]


def supplement_asked(w) -> InfoRequest:
    with clock.frozen(D(2026, 6, 1)):
        req = s.request_file(body=w.scj, applicant=person(), description="本局抽检情况", channel="online",
                             user=w.citizen)
        s.request_confirm_receipt(request=req, officer=w.officer)
        s.request_ask_supplement(request=req, officer=w.officer, items="请提供身份证复印件")
    return req


def test_the_applicant_completes_a_supplement_with_a_file_only(client, w, media):
    req = supplement_asked(w)
    client.force_login(w.citizen)
    with clock.frozen(D(2026, 6, 3)):
        resp = client.post(f"/gk/my/{req.request_no}/supplement/", {"text": "", "files": [jpg()]})
    assert resp.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.supplement_received_on, req.supplement_text) == (ReqStatus.PROCESSING, D(2026, 6, 3), "")
    att = req.attachments.get()
    assert (att.kind, att.name) == ("supplement", ID_COPY)
    assert req.events.get(action="supplement").note == f"附件：{ID_COPY}"
    page = client.get(f"/gk/my/{req.request_no}/").content.decode()
    assert f'<a href="/gk/my/{req.request_no}/files/{att.pk}/">{ID_COPY}</a></td><td>补正材料</td>' in page


@pytest.mark.parametrize(("text", "files", "message"), [
    ("", [], "请填写补正后的申请内容，或上传补正材料"),
    ("身份证复印件见附件", [jpg(), SimpleUploadedFile("x.pdf", b"nope", "application/pdf")],
     "文件“x.pdf”不是可以打开的PDF 文件（内容已损坏或与扩展名不符），请上传真实、完整的 PDF 文件"),
])
def test_a_refused_supplement_changes_nothing(client, w, media, text, files, message):
    req = supplement_asked(w)
    before = InfoRequest.objects.filter(pk=req.pk).values().get()
    events = RequestEvent.objects.count()
    client.force_login(w.citizen)
    with clock.frozen(D(2026, 6, 3)):
        resp = client.post(f"/gk/my/{req.request_no}/supplement/", {"text": text, "files": files}, follow=True)
    assert message in resp.content.decode()
    assert InfoRequest.objects.filter(pk=req.pk).values().get() == before
    assert (RequestEvent.objects.count(), RequestAttachment.objects.count(), files_on_disk(media)) == (events, 0, [])


def test_the_officer_records_a_written_supplement_with_its_scan(client, w):
    req = supplement_asked(w)
    client.force_login(w.officer.user)
    with clock.frozen(D(2026, 6, 3)):
        resp = client.post(f"/gk/work/requests/{req.request_no}/act/supplement/",
                           {"text": "申请人邮寄补正材料", "files": [pdf("补正材料.pdf")]})
    assert resp.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.supplement_text) == (ReqStatus.PROCESSING, "申请人邮寄补正材料")
    assert list(req.attachments.values_list("kind", "name", "uploaded_by_name")) == [
        ("supplement", "补正材料.pdf", "刘经办")]


def test_an_outsider_cannot_attach_a_supplement(w, media):
    req = supplement_asked(w)
    with clock.frozen(D(2026, 6, 3)), pytest.raises(DomainError) as exc:
        s.request_supplement(request=req, officer=w.outsider, text="x", files=[pdf()])
    assert exc.value.message == "您不是示范县市场监督管理局的政务公开工作人员，不能登记补正"
    assert (InfoRequest.objects.get(pk=req.pk).status, RequestAttachment.objects.count(), files_on_disk(media)) == (
        ReqStatus.SUPPLEMENT, 0, [])


def test_the_admin_links_to_the_audited_workbench_view_not_to_media(client, w):
    apply(client, w, [jpg()])
    req = InfoRequest.objects.get()
    att = req.attachments.get()
    client.force_login(get_user_model().objects.create_superuser(username="root", password="pass-123456"))
    html = client.get(f"/admin/disclosure/inforequest/{req.pk}/change/").content.decode()
    assert f'<a href="/gk/work/requests/{req.request_no}/files/{att.pk}/">下载</a>' in html
    assert att.file.name not in html
