import datetime as dt

import pytest

from zhengwu.core.errors import DomainError
from zhengwu.core.validators import (
    id_number_check_char,
    mask_id_number,
    mask_phone,
    uscc_check_char,
    validate_area_code,
    validate_id_number,
    validate_phone,
    validate_uscc,
)


def make_id(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def test_gb11643_known_example():
    # The worked example of GB 11643-1999: 11010519491231002X.
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "value,message",
    [
        ("110105194912310021", "身份证号校验位错误，请核对后重新输入"),
        ("110105194902300027", "身份证号中的出生日期 19490230 不是有效日期"),
        ("1101051949123100", "身份证号应为18位，前17位为数字，最后一位为数字或X"),
        ("", "身份证号应为18位，前17位为数字，最后一位为数字或X"),
    ],
)
def test_gb11643_refusals(value, message):
    with pytest.raises(DomainError) as exc:
        validate_id_number(value)
    assert exc.value.message == message
    assert exc.value.code == "invalid_id_number"


def test_id_birth_date_in_the_future_is_refused():
    future = make_id("13062120990101001")
    with pytest.raises(DomainError, match="不合理"):
        validate_id_number(future, today=dt.date(2026, 11, 26))


def test_gb32100_known_codes():
    # Published codes: 91350100M000100Y43 (GB 32100 annex example style) and a computed one.
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"
    code = "91130621MA0" + "7Q2R3X"
    assert validate_uscc(code + uscc_check_char(code)).endswith(uscc_check_char(code))


@pytest.mark.parametrize(
    "value,message",
    [
        ("91350100M000100Y44", "统一社会信用代码校验位错误，请核对后重新输入"),
        ("91350100M000100YI3", "统一社会信用代码应为18位，由数字和大写字母组成（不含 I、O、Z、S、V）"),
        ("9135010", "统一社会信用代码应为18位，由数字和大写字母组成（不含 I、O、Z、S、V）"),
    ],
)
def test_gb32100_refusals(value, message):
    with pytest.raises(DomainError) as exc:
        validate_uscc(value)
    assert exc.value.message == message


@pytest.mark.parametrize("value,expected", [("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"),
                                            ("0311-87654321", "0311-87654321"), ("010-6552 1234", "010-65521234")])
def test_phones_accepted(value, expected):
    assert validate_phone(value) == expected


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "87654321", "abc", "0311-12345678"])
def test_phones_refused(value):
    with pytest.raises(DomainError, match="联系电话应为11位手机号码") as exc:
        validate_phone(value)
    # The example the message gives must itself be a valid number.
    example = exc.value.message.split("如 ")[1].rstrip("）")
    assert validate_phone(example) == example


def test_masks():
    assert mask_id_number("320102199001011234") == "3201**********1234"
    assert mask_phone("13812345678") == "138****5678"


def test_area_code():
    assert validate_area_code("130621100201") == "130621100201"
    with pytest.raises(DomainError, match="12位数字"):
        validate_area_code("13062110020")
