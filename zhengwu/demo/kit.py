"""Small builders the domain demos share (trading, intermediary): demo users and their fixed API tokens,
deterministic Chinese names, and fictitious but valid 统一社会信用代码 / 身份证号."""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model

from zhengwu.core.validators import id_number_check_char, uscc_check_char

from .people import FEMALE, MALE, SURNAMES, TOKEN_NAME


def demo_user(username: str, real_name: str, phone: str, password: str):
    """The demo user ``username`` (created with the already hashed ``password`` when missing)."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, real_name=real_name, phone=phone, password=password)
    return user


def demo_token(user) -> str:
    """The user's fixed demo token ``zw_demo_<username>`` (issued once)."""
    from zhengwu.accounts.models import ApiToken, hash_token

    raw = f"zw_demo_{user.username}"
    if not ApiToken.objects.filter(key_hash=hash_token(raw)).exists():
        ApiToken.issue(user=user, name=TOKEN_NAME, raw=raw)
    return raw


def name_maker(seed: str):
    """``(name, rng)``: ``name()`` draws a deterministic ``(full name, female)`` from ``seed``."""
    rng = random.Random(seed)

    def name() -> tuple[str, bool]:
        female = rng.random() < 0.35
        chars = FEMALE if female else MALE
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.8 else "")
        return rng.choice(SURNAMES) + given, female

    return name, rng


def uscc_completed(first17: str) -> str:
    """``first17`` with its GB 32100 check character."""
    return first17 + uscc_check_char(first17)


def uscc_valid(code: str) -> bool:
    try:
        return len(code) == 18 and uscc_check_char(code[:17]) == code[17]
    except (ValueError, IndexError):
        return False


def id_number_fake(area: str, born: dt.date, seq: int, female: bool) -> str:
    """A valid, fictitious 身份证号 (the 17th digit odd for men, even for women)."""
    order = seq * 2 + (0 if female else 1)
    first17 = f"{area}{born:%Y%m%d}{order % 1000:03d}"
    return first17 + id_number_check_char(first17)


def money(x) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
