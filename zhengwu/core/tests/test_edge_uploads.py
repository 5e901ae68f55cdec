"""Uploads opened by a real parser, not only their first bytes (issue 11)."""

from __future__ import annotations

import io
import struct
import zipfile

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from zhengwu.core.errors import DomainError
from zhengwu.core.uploads import check_file_content, check_upload

TYPES = ["pdf", "jpg", "jpeg", "png", "ofd", "doc", "docx", "xls", "xlsx"]
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(range(256)) * 40


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def real_pdf() -> bytes:
    w = PdfWriter()
    w.add_blank_page(595, 842)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def real_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("申请书")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def real_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "材料清单"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "#3f6aa8").save(out, fmt)
    return out.getvalue()


def a_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def compound_file(stream: str) -> bytes:
    """A minimal MS-CFB (version 3) file: header, one FAT sector, one directory sector naming ``stream``."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<III", header, 44, 1, 1, 0)  # one FAT sector; directory starts at sector 1
    struct.pack_into("<I", header, 60, 0xFFFFFFFE)
    struct.pack_into("<I", header, 68, 0xFFFFFFFE)
    difat = [0] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 76, *difat)
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = bytearray(512)
    for i, name in enumerate(["Root Entry", stream]):
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory[i * 128:i * 128 + len(encoded)] = encoded
        struct.pack_into("<H", directory, i * 128 + 64, len(encoded))
    return bytes(header) + fat + bytes(directory)


GOOD = {
    "材料.pdf": real_pdf, "申请书.docx": real_docx, "清单.xlsx": real_xlsx, "照片.jpg": lambda: image("JPEG"),
    "照片.jpeg": lambda: image("JPEG"), "图.png": lambda: image("PNG"),
    "申请书.doc": lambda: compound_file("WordDocument"), "表.xls": lambda: compound_file("Workbook"),
    "证照.ofd": lambda: a_zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"}),
}


@pytest.mark.parametrize("name", GOOD)
def test_real_files_of_each_allowed_type_are_accepted(name):
    f = upload(name, GOOD[name]())
    check_upload(f, allowed_types=TYPES)
    assert f.tell() == 0  # left ready to be stored


BAD = {
    "pdf header then an executable": ("材料.pdf", b"%PDF-1.7\n" + EXECUTABLE),
    "pdf without cross-reference or trailer": ("材料.pdf", b"%PDF-1.4\n%test\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
    "random bytes named docx": ("申请书.docx", b"PK\x03\x04" + bytes(range(256)) * 8),
    "zip without the document part": ("申请书.docx", a_zip({"[Content_Types].xml": b"<Types/>"})),
    "a workbook named docx": ("申请书.docx", real_xlsx()),
    "a document named xlsx": ("清单.xlsx", real_docx()),
    "png named jpg": ("照片.jpg", image("PNG")),
    "truncated jpeg": ("照片.jpg", image("JPEG")[:300]),
    "png with a broken chunk": ("图.png", image("PNG")[:40] + b"\0\0\0\0" + image("PNG")[44:]),
    "executable named doc": ("申请书.doc", EXECUTABLE),
    "compound header alone": ("申请书.doc", compound_file("WordDocument")[:512]),
    "a workbook named doc": ("申请书.doc", compound_file("Workbook")),
    "ofd without OFD.xml": ("证照.ofd", a_zip({"Doc_0/Document.xml": b"<x/>"})),
}


@pytest.mark.parametrize("case", BAD)
def test_content_that_does_not_open_as_its_type_is_refused(case):
    name, data = BAD[case]
    with pytest.raises(DomainError) as exc:
        check_upload(upload(name, data), allowed_types=TYPES)
    ext = name.rsplit(".", 1)[1]
    assert exc.value.code == "file_content"
    assert exc.value.message.startswith(f"文件“{name}”不是可以打开的")
    assert exc.value.message.endswith(f"请上传真实、完整的 {ext.upper()} 文件")


def test_type_size_and_empty_are_checked_before_the_content(settings):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(DomainError) as exc:
        check_upload(upload("a.exe", EXECUTABLE), allowed_types=TYPES)
    assert (exc.value.code, exc.value.message) == ("file_type", f"文件“a.exe”的类型不允许上传，仅支持：{'、'.join(TYPES)}")
    with pytest.raises(DomainError) as exc:
        check_upload(upload("材料.pdf", real_pdf() + b" " * 2000), allowed_types=TYPES)
    assert exc.value.code == "file_too_large"
    with pytest.raises(DomainError) as exc:
        check_upload(upload("材料.pdf", b""), allowed_types=TYPES)
    assert exc.value.code == "file_empty"


def test_a_type_without_a_parser_is_refused_not_waved_through():
    with pytest.raises(DomainError) as exc:
        check_file_content(upload("a.txt", b"hello"), ext="txt")
    assert exc.value.code == "file_type"


def test_a_zip_bomb_is_refused_without_expanding_it(monkeypatch):
    monkeypatch.setattr("zhengwu.core.uploads.MAX_UNZIPPED_BYTES", 10_000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", b"\0" * 1_000_000)
    with pytest.raises(DomainError) as exc:
        check_upload(upload("证照.ofd", out.getvalue()), allowed_types=TYPES)
    assert exc.value.code == "file_content"


def test_a_truncated_jpeg_is_refused_after_weasyprint_relaxed_pillow(monkeypatch):
    """Importing WeasyPrint (any worker that has rendered a PDF) sets Pillow's global LOAD_TRUNCATED_IMAGES,
    and a cut-off JPEG then decodes padded with grey: it must still be refused, and a whole one accepted."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    whole = image("JPEG")
    check_upload(upload("照片.jpg", whole), allowed_types=TYPES)
    with pytest.raises(DomainError) as exc:
        check_upload(upload("照片.jpg", whole[: len(whole) * 2 // 3]), allowed_types=TYPES)
    assert (exc.value.code, exc.value.message) == (
        "file_content", "文件“照片.jpg”不是可以打开的JPEG 图片（内容已损坏或与扩展名不符），请上传真实、完整的 JPG 文件")
