"""The verifiable draw (公开可验证的随机选取): commit, reveal, recompute.

At publication the platform draws a fresh seed (``secrets.token_hex(32)``), publishes its SHA-256 with the
notice (the commitment) and keeps the seed itself only encrypted (AES-256-GCM, key derived from
``settings.SECRET_KEY`` with HKDF-SHA256), opened at the selection. At the selection the seed is published with
everything the rule used (``Purchase.draw``), so anyone can recompute the outcome from the public record alone:

1. ``sha256(seed)`` must equal the hash published before sign-up closed;
2. the candidates are the valid sign-ups' 统一社会信用代码 in ascending order;
3. a draw among candidates ``c`` with salt ``s`` picks ``c[int(sha256(f"{seed}|{s}|{','.join(c)}"), 16) mod len(c)]``
   (salt "select" for 随机选取, "tie" for a tie in 竞价, "short-1", "short-2", … for the short list of 信用择优);
4. the 合理均价 factor is ``lo + 0.001 × (int(sha256(f"{seed}|factor"), 16) mod (steps + 1))``,
   steps = (hi − lo) / 0.001.

``verify(record)`` does exactly this from the record (``selection.outcome``).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from decimal import Decimal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from zhengwu.core.errors import DomainError

STEP = Decimal("0.001")
_INFO = b"zhengwu.intermediary.draw-seed.v1"

# The recipe the public page shows under 如何验证 (each line one step).
RECIPE = [
    "1. 计算公布的随机种子的 SHA-256 值，应与报名截止前公布的承诺值一致；",
    "2. 将有效报名机构的统一社会信用代码按升序排列，用英文逗号连接；",
    "3. 计算 SHA-256(“种子|盐值|代码列表”)，按十六进制转为整数，除以机构个数取余数，余数（从0起）即所抽机构的序号；"
    "随机选取的盐值为 select，竞价同分抽签为 tie，信用择优短名单依次为 short-1、short-2……（每抽出一家即从列表中移除）；",
    "4. 合理均价法的随机系数 = 下限 + 0.001 × (SHA-256(“种子|factor”) 转为整数后除以（档数+1）的余数)，"
    "档数 =（上限 − 下限）÷ 0.001；去掉一个最高价和一个最低价（报价不少于3家时）后求算术平均，乘以系数为基准价，"
    "与基准价差额绝对值最小的报价中选（相同时报价低者优先，再相同时抽签）。",
]

SNIPPET = '''import hashlib
seed = "公布的随机种子"
codes = sorted(["机构1统一社会信用代码", "机构2统一社会信用代码", "机构3统一社会信用代码"])
assert hashlib.sha256(seed.encode()).hexdigest() == "公布的承诺值"
h = int(hashlib.sha256(f"{seed}|select|{','.join(codes)}".encode()).hexdigest(), 16)
print("中选机构：", codes[h % len(codes)])'''


def _key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
    return hkdf.derive(settings.SECRET_KEY.encode())


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def seed_new() -> tuple[str, str, bytes]:
    """A fresh seed, its published hash (the commitment), and the seed sealed for storage."""
    seed = secrets.token_hex(32)
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(_key()).encrypt(nonce, seed.encode(), _INFO)
    return seed, seed_hash(seed), sealed


def seed_open(sealed) -> str:
    """The seed kept by ``seed_new`` (refused if the stored bytes were altered or the key changed)."""
    data = bytes(sealed or b"")
    try:
        return AESGCM(_key()).decrypt(data[:12], data[12:], _INFO).decode()
    except Exception as exc:  # InvalidTag, short data: all mean the sealed seed cannot be trusted
        raise DomainError("intermediary_seed", "随机种子无法解密（密钥变更或数据被改动），不能进行选取") from exc


def draw_index(seed: str, candidates: list[str], salt: str) -> int:
    """The index drawn among ``candidates`` (the 统一社会信用代码 in ascending order) for ``salt``."""
    if not candidates:
        raise ValueError("no candidates to draw from")
    if list(candidates) != sorted(candidates):
        raise ValueError("candidates must be in ascending order")
    digest = hashlib.sha256(f"{seed}|{salt}|{','.join(candidates)}".encode()).hexdigest()
    return int(digest, 16) % len(candidates)


def average_factor(seed: str, lo, hi) -> Decimal:
    """The 合理均价 random factor in [lo, hi] at 0.001 steps, fixed by the seed."""
    lo, hi = Decimal(str(lo)), Decimal(str(hi))
    if hi < lo:
        raise ValueError("factor range upside down")
    steps = int((hi - lo) / STEP)
    k = int(hashlib.sha256(f"{seed}|factor".encode()).hexdigest(), 16) % (steps + 1)
    return (lo + STEP * k).quantize(STEP)


def verify(published: dict) -> str | list[str]:
    """Recompute the outcome from a published draw record alone: the winner's 统一社会信用代码, or for
    信用择优 the short list (the owner then picks one of it), or "" for a failed purchase (流标). Refused when
    the seed does not match the commitment."""
    from .selection import outcome

    seed, committed = published.get("seed", ""), published.get("seed_hash", "")
    if published.get("rule") not in ("direct", "proposal") and (not seed or seed_hash(seed) != committed):
        raise DomainError("intermediary_draw_hash", "公布的随机种子与报名截止前公布的承诺值不一致")
    if published.get("failed"):  # 流标: nobody was drawn
        return ""
    return outcome(published)["result"]
