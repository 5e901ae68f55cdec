"""Check-digit validation of Chinese identifiers.

- 公民身份号码, GB 11643-1999: 17 digits + ISO 7064 MOD 11-2 check character.
- 统一社会信用代码, GB 32100-2015: 18 characters, ISO 7064 MOD 31-3 check character.
- Mainland mobile and landline numbers.
Each ``validate_*`` raises :class:`DomainError` with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping

from .errors import DomainError

# Free text kept in TextField columns (reasons, evidence, statements): the platform's one maximum, carried by
# every schema and form that takes such text. Short notes keep their own column's length.
TEXT_MAX_LENGTH = 2000

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_number_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised 18-digit 身份证号 or raise."""
    v = (value or "").strip().upper()
    if not _ID_RE.match(v):
        raise DomainError("invalid_id_number", "身份证号应为18位，前17位为数字，最后一位为数字或X")
    try:
        birth = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise DomainError("invalid_id_number", f"身份证号中的出生日期 {v[6:14]} 不是有效日期") from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise DomainError("invalid_id_number", f"身份证号中的出生日期 {v[6:14]} 不合理")
    if id_number_check_char(v[:17]) != v[17]:
        raise DomainError("invalid_id_number", "身份证号校验位错误，请核对后重新输入")
    return v


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the normalised 统一社会信用代码 or raise."""
    v = (value or "").strip().upper()
    if not _USCC_RE.match(v):
        raise DomainError(
            "invalid_uscc", "统一社会信用代码应为18位，由数字和大写字母组成（不含 I、O、Z、S、V）"
        )
    if uscc_check_char(v[:17]) != v[17]:
        raise DomainError("invalid_uscc", "统一社会信用代码校验位错误，请核对后重新输入")
    return v


_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}(-\d{1,6})?$")


def validate_phone(value: str) -> str:
    v = re.sub(r"[\s()（）]", "", value or "")
    if v.startswith("+86"):
        v = v[3:]
    if _MOBILE_RE.match(v) or _LANDLINE_RE.match(v):
        return v
    raise DomainError("invalid_phone", "联系电话应为11位手机号码或带区号的固定电话（如 0311-85012345）")


def mask_id_number(value: str) -> str:
    """3201**********1234: first four and last four characters kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    return value[:-4] + "****" if len(value) > 4 else "****"


# 复姓 kept whole when masking, so 欧阳娜娜 reads 欧阳** rather than 欧***.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 端木 轩辕 西门 南宫 独孤 呼延 "
    "申屠 太史 闻人 澹台 公冶 濮阳 淳于 单于 钟离 赫连 万俟 司空 拓跋 百里 东郭 北堂 第五 乐正".split()
)


def mask_name(value) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧阳**, 示范县好味道餐饮有限公司 → 示***********; one character stays."""
    value = (value or "").strip()
    keep = 2 if len(value) > 2 and value[:2] in COMPOUND_SURNAMES else 1
    return value[:keep] + "*" * (len(value) - keep) if len(value) > 1 else value


_AREA_CODE_RE = re.compile(r"^\d{12}$")


def validate_area_code(value: str) -> str:
    v = (value or "").strip()
    if not _AREA_CODE_RE.match(v):
        raise DomainError("invalid_area_code", "统计用区划代码应为12位数字")
    return v


def human_size(n: int) -> str:
    """1.5 MB, 4 KB: rounded up to one decimal so a file just over the limit never reads as equal."""
    unit, size = ("MB", n / 1048576) if n >= 1048576 else ("KB", n / 1024)
    return f"{math.ceil(size * 10) / 10:g} {unit}"


def validate_lengths(values: Mapping, model, fields: Iterable[str]) -> None:
    """Refuse text longer than the column it goes to, naming the field; for pages that hand posted
    values straight to a service (PostgreSQL would answer a 500, SQLite would store the text).
    TextField columns take ``TEXT_MAX_LENGTH``."""
    for name in fields:
        field = model._meta.get_field(name)
        value = values.get(name) or ""
        limit = field.max_length or (TEXT_MAX_LENGTH if field.get_internal_type() == "TextField" else None)
        if limit and isinstance(value, str) and len(value) > limit:
            message = f"{field.verbose_name}不能超过{limit}个字（现为{len(value)}个字）"
            raise DomainError("too_long", message, status=422, details=[
                {"field": name, "in": "form", "type": "string_too_long", "message": message}])
