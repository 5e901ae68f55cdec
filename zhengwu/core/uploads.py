"""Uploaded files, checked once for every domain: type by name, size, and content by a real parser.

Magic bytes alone let through a ``%PDF`` header followed by anything, or random bytes named
``.docx``. Each allowed type is opened the way a reader would open it:

- PDF with pypdf (the cross-reference table, the trailer and the page tree must be readable);
- OOXML (.docx, .xlsx) and OFD by their zip structure: every member's checksum, ``[Content_Types].xml``
  naming the main part, the main part itself (OFD: ``OFD.xml``, GB/T 33190);
- .doc and .xls by their compound-file structure: the header, and the directory listing the main
  stream (``WordDocument``; ``Workbook`` or ``Book``);
- JPEG, PNG and WebP with Pillow (PNG: every chunk's checksum; JPEG: decoded at 1/8 scale; WebP:
  decoded; WebP is for staff photos, ``zhengwu.org.photos``, which bounds the pixels first).

Everything refused raises :class:`DomainError` with a Chinese message naming the file.
"""

from __future__ import annotations

import os
import struct
import zipfile
from collections.abc import Callable, Iterable

from django.conf import settings
from PIL import Image
from pypdf import PdfReader

from .errors import DomainError
from .validators import human_size

# A zip member may not expand beyond this (a few hundred megabytes of XML would already be absurd
# for a form): reading a zip bomb's members to check their checksums must stay bounded.
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024

_OOXML_MAIN = {
    "docx": ("word/document.xml", b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}
_OLE_STREAMS = {"doc": ("WordDocument",), "xls": ("Workbook", "Book")}
_IMAGE_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_LABELS = {"jpg": "JPEG 图片", "jpeg": "JPEG 图片", "png": "PNG 图片", "pdf": "PDF 文件", "docx": "Word 文档",
           "xlsx": "Excel 表格", "doc": "Word 文档", "xls": "Excel 表格", "ofd": "OFD 版式文件", "webp": "WebP 图片"}


class _Unreadable(Exception):
    """The content is not a file of the claimed type."""


def original_name(upload, limit: int = 200) -> str:
    """The file name the user gave (shown and offered on download instead of the storage name, which
    gets a random suffix on a clash): no directory, no control characters, at most ``limit`` characters
    with the extension kept."""
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "文件"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: limit - len(ext) - 1] + dot + ext) if dot and len(ext) < 10 else name[:limit]
    return name


def upload_ext(upload) -> str:
    return os.path.splitext(getattr(upload, "name", "") or "")[1].lower().lstrip(".")


def check_upload(upload, *, allowed_types: Iterable[str], max_bytes: int | None = None) -> None:
    """Refuse a file of a type not in ``allowed_types``, too large, empty, or that does not open as its type.

    ``max_bytes`` defaults to ``settings.ZHENGWU_MAX_UPLOAD_BYTES``. The file is left at position 0.
    """
    name = getattr(upload, "name", "") or ""
    ext = upload_ext(upload)
    allowed = [t.strip().lower() for t in allowed_types if t.strip()]
    if ext not in allowed:
        raise DomainError("file_type", f"文件“{name}”的类型不允许上传，仅支持：{'、'.join(allowed)}")
    limit = settings.ZHENGWU_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if upload.size > limit:
        raise DomainError("file_too_large", f"文件“{name}”大小为 {human_size(upload.size)}，超过 {human_size(limit)} 的上限")
    if upload.size == 0:
        raise DomainError("file_empty", f"文件“{name}”是空文件")
    check_file_content(upload, ext=ext)


def check_file_content(upload, *, ext: str) -> None:
    """Open ``upload`` with the parser of ``ext``; raise ``DomainError("file_content", …)`` if it does not open.

    A type without a parser here (none today among the platform's types) is refused, never waved through.
    """
    name = getattr(upload, "name", "") or ""
    check = _CHECKS.get(ext)
    if check is None:
        raise DomainError("file_type", f"文件“{name}”的类型无法核验，不能上传")
    upload.seek(0)
    try:
        check(upload, ext)
    except DomainError:
        raise
    except Exception as exc:  # a parser given hostile bytes may raise anything; all of it means "not this type"
        label = _LABELS.get(ext, f"{ext.upper()} 文件")
        raise DomainError("file_content", f"文件“{name}”不是可以打开的{label}（内容已损坏或与扩展名不符），"
                                          f"请上传真实、完整的 {ext.upper()} 文件") from exc
    finally:
        upload.seek(0)


def _pdf(f, ext: str) -> None:
    reader = PdfReader(f, strict=False)
    if not reader.is_encrypted and len(reader.pages) < 1:  # an encrypted file's pages open with its password
        raise _Unreadable("no pages")


def _zip(f, required: str, content_type: bytes | None) -> None:
    with zipfile.ZipFile(f) as z:
        infos = z.infolist()
        if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
            raise _Unreadable("expands too far")
        names = {i.filename for i in infos}
        if required not in names:
            raise _Unreadable(f"no {required}")
        if content_type is not None:
            if "[Content_Types].xml" not in names or content_type not in z.read("[Content_Types].xml"):
                raise _Unreadable("no main part type")
        if z.testzip() is not None:
            raise _Unreadable("bad member checksum")


def _ooxml(f, ext: str) -> None:
    main, content_type = _OOXML_MAIN[ext]
    _zip(f, main, content_type)


def _ofd(f, ext: str) -> None:
    _zip(f, "OFD.xml", None)


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENDOFCHAIN = 0xFFFFFFFE


def _ole(f, ext: str) -> None:
    """The compound file's header, FAT and directory chain (MS-CFB), down to the main stream's name."""
    data = f.read()
    if len(data) < 512 or not data.startswith(_OLE_MAGIC):
        raise _Unreadable("no compound file header")
    major, byte_order, shift = struct.unpack_from("<HHH", data, 26)
    if byte_order != 0xFFFE or (major, shift) not in ((3, 9), (4, 12)):
        raise _Unreadable("bad header")
    size = 1 << shift
    fat_sectors, first_dir = struct.unpack_from("<I", data, 44)[0], struct.unpack_from("<I", data, 48)[0]
    difat = struct.unpack_from("<109I", data, 76)[: min(fat_sectors, 109)]

    def sector(n: int) -> bytes:
        start = (n + 1) * size
        if n >= 0xFFFFFFFA or start + size > len(data):
            raise _Unreadable("sector out of range")
        return data[start:start + size]

    fat = b"".join(sector(n) for n in difat)
    names, n, seen = set(), first_dir, set()
    while n != _ENDOFCHAIN:
        if n in seen or len(seen) > len(data) // size:
            raise _Unreadable("directory chain loops")
        seen.add(n)
        block = sector(n)
        for off in range(0, size, 128):
            length = struct.unpack_from("<H", block, off + 64)[0]
            if 2 <= length <= 64:
                names.add(block[off:off + length - 2].decode("utf-16-le", "replace"))
        if 4 * n + 4 > len(fat):
            raise _Unreadable("FAT too short")
        n = struct.unpack_from("<I", fat, 4 * n)[0]
    if not names & set(_OLE_STREAMS[ext]):
        raise _Unreadable("no main stream")


def _image(f, ext: str) -> None:
    with Image.open(f) as image:
        if image.format != _IMAGE_FORMATS[ext]:
            raise _Unreadable(f"is {image.format}")
        image.verify()  # PNG: every chunk's checksum
    if _IMAGE_FORMATS[ext] != "PNG":  # verify() checks little beyond the header: decode the pixel data
        f.seek(0)
        watched = _EndWatch(f)
        with Image.open(watched) as image:
            if image.format == "JPEG":
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()  # JPEG: the entropy-coded data at 1/8 scale, cheap even for a large photo
        if watched.ran_out and _IMAGE_FORMATS[ext] == "JPEG":
            # WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES when imported (any worker that has
            # rendered a PDF), and a cut-off JPEG then loads padded with grey: the decoder asking for
            # data past the end of the file is what tells.
            raise _Unreadable("truncated")


class _EndWatch:
    """A file that notes when a reader asked for more than it holds."""

    def __init__(self, f):
        self._f = f
        self.ran_out = False

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        if size != 0 and not data:
            self.ran_out = True
        return data

    def seek(self, *args):
        return self._f.seek(*args)

    def tell(self) -> int:
        return self._f.tell()


_CHECKS: dict[str, Callable] = {"pdf": _pdf, "docx": _ooxml, "xlsx": _ooxml, "ofd": _ofd, "doc": _ole,
                                "xls": _ole, "jpg": _image, "jpeg": _image, "png": _image, "webp": _image}
