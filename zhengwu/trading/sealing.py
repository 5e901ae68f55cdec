"""Sealed bid envelopes: the bidder's encryption, and the server's layer around it in a ``BidSlot``.

Bidder's envelope (``ENVELOPE``), made in the browser by ``static/trading/seal.js`` (WebCrypto), by
``zhengwu trading_seal`` or by :func:`seal` for API clients; the server never sees the passphrase before
the opening::

    b"ZWBID1" | PBKDF2-HMAC-SHA256 iterations (4 bytes, big-endian, >= 200,000) | salt (16) | nonce (12)
    | AES-256-GCM ciphertext + 16-byte tag   (key = PBKDF2(passphrase UTF-8, salt, iterations), 32 bytes;
                                             additional data = the 38 header bytes before the ciphertext)

The plaintext is :func:`bid_plaintext`: UTF-8 JSON ``{"form": {...}, "files": [{"name", "content_b64"}]}``.

Server layer (what a ``BidSlot.envelope`` holds): ``nonce (12) | AES-256-GCM(server key, nonce,
length (8 bytes) | envelope | zero padding to the size bucket, aad = tender id | slot)``. A free slot holds
``os.urandom`` of the same total length as a padded bucket, so a row's bytes and size say nothing about
whether it holds a bid. Server keys come from ``settings.SECRET_KEY`` through HKDF, one per purpose.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings

from zhengwu.core.errors import DomainError

MAGIC = b"ZWBID1"
MIN_ITERATIONS = 200_000
MAX_ITERATIONS = 5_000_000  # a header asking for more would make the opening a denial of service
DEFAULT_ITERATIONS = 250_000
SALT_LEN = 16
NONCE_LEN = 12
TAG_LEN = 16
HEADER_LEN = len(MAGIC) + 4 + SALT_LEN + NONCE_LEN
ENVELOPE = {"magic": MAGIC, "iterations": "uint32 big-endian", "salt": SALT_LEN, "nonce": NONCE_LEN,
            "cipher": "AES-256-GCM", "kdf": "PBKDF2-HMAC-SHA256", "aad": "header", "header_len": HEADER_LEN}
FORM_FIELDS = ("price", "duration_days", "project_manager", "quality", "deposit_account")

# Server layer: sizes are padded to buckets (32 KiB doubling) so a stored row's size tells little.
BUCKET_MIN = 32 * 1024
LENGTH_PREFIX = 8
META_PLAIN_LEN = 512
META_LEN = NONCE_LEN + META_PLAIN_LEN + TAG_LEN


def _passphrase_key(passphrase: str, salt: bytes, iterations: int) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(passphrase.encode("utf-8"))


def seal(plain: bytes, passphrase: str, *, iterations: int = DEFAULT_ITERATIONS) -> bytes:
    """The bidder's envelope of ``plain`` under ``passphrase`` (what seal.js makes in the browser)."""
    if not passphrase:
        raise DomainError("trading_passphrase", "请设置投标文件加密口令")
    salt = os.urandom(SALT_LEN)
    nonce = os.urandom(NONCE_LEN)
    header = MAGIC + struct.pack(">I", iterations) + salt + nonce
    return header + AESGCM(_passphrase_key(passphrase, salt, iterations)).encrypt(nonce, plain, header)


def _parts(data: bytes) -> tuple[bytes, int, bytes, bytes, bytes]:
    header = data[:HEADER_LEN]
    iterations = struct.unpack(">I", data[6:10])[0]
    return header, iterations, data[10:26], data[26:38], data[HEADER_LEN:]


def unseal(envelope: bytes, passphrase: str) -> bytes:
    """The plaintext; a wrong passphrase (or a tampered envelope) is refused with a clear message."""
    envelope_check(envelope)
    header, iterations, salt, nonce, body = _parts(envelope)
    try:
        return AESGCM(_passphrase_key(passphrase, salt, iterations)).decrypt(nonce, body, header)
    except InvalidTag:
        raise DomainError("trading_passphrase", "解密口令错误（或投标文件已损坏），投标文件未解密，请核对口令后重试") from None


def envelope_check(data: bytes) -> None:
    """Refuse what is not a well-formed envelope (a PDF uploaded as is) or is larger than allowed."""
    limit = settings.TRADING_BID_MAX_BYTES
    if len(data) > limit:
        raise DomainError("trading_bid_too_large",
                          f"投标文件过大：加密后 {len(data) / 1048576:.1f} MB，超过上限 {limit / 1048576:.1f} MB，"
                          f"请压缩后重新加密上传", status=413)
    if not data.startswith(MAGIC):
        raise DomainError("trading_bid_unsealed",
                          "投标文件未加密：请使用投标文件加密工具（网页加密或 zhengwu trading_seal）以您保管的口令加密后再上传，"
                          "未按要求密封的投标文件将被拒收")
    if len(data) < HEADER_LEN + TAG_LEN:
        raise DomainError("trading_bid_malformed", "投标文件加密格式不完整，请重新加密后上传")
    iterations = struct.unpack(">I", data[6:10])[0]
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise DomainError("trading_bid_malformed",
                          f"投标文件加密强度不符合要求（口令派生迭代次数应为 {MIN_ITERATIONS:,} 至 {MAX_ITERATIONS:,} 次），请重新加密")


def bid_plaintext(form: dict, files: list[tuple[str, bytes]]) -> bytes:
    """The JSON sealed in an envelope: the bid form's main terms and the bid files."""
    return json.dumps({"form": {k: (str(form[k]) if k == "price" else form[k]) for k in FORM_FIELDS if k in form},
                       "files": [{"name": name, "content_b64": base64.b64encode(content).decode("ascii")}
                                 for name, content in files]},
                      ensure_ascii=False).encode("utf-8")


def plaintext_parse(plain: bytes) -> dict:
    try:
        data = json.loads(plain.decode("utf-8"))
        files = [(f["name"], base64.b64decode(f["content_b64"], validate=True)) for f in data.get("files", [])]
        return {"form": dict(data.get("form") or {}), "files": files}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise DomainError("trading_bid_content", "投标文件解密成功，但内容格式不符合要求（应为投标函表单及附件）") from None


# --- server side --------------------------------------------------------------------------------

def server_key(purpose: bytes) -> bytes:
    """A 32-byte key for ``purpose`` derived from ``SECRET_KEY`` (HKDF-SHA256)."""
    return _derive(settings.SECRET_KEY, purpose)


@functools.lru_cache(maxsize=16)
def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"zhengwu-trading",
                info=b"zhengwu trading " + purpose).derive(secret.encode("utf-8"))


def tag_for(key: bytes, salt: bytes, kind: bytes, n: int) -> bytes:
    """HMAC-SHA256(key, salt | kind | n): kind b"free" with the slot number, b"bid" with the party id."""
    return hmac.new(key, salt + kind + struct.pack(">Q", n), hashlib.sha256).digest()


def bucket(n: int) -> int:
    """The padded plaintext size for ``n`` bytes (32 KiB doubling)."""
    size = BUCKET_MIN
    while size < n:
        size *= 2
    return size


def stored_len(n_envelope: int) -> int:
    return NONCE_LEN + bucket(2 * LENGTH_PREFIX + n_envelope) + TAG_LEN


def filler_len() -> int:
    """The stored size of a free slot, drawn from the buckets real envelopes are padded to
    (``settings.TRADING_SLOT_FILLER_BUCKETS``: weights by bucket, default the two smallest, 32/64 KiB)."""
    weights = getattr(settings, "TRADING_SLOT_FILLER_BUCKETS", None) or {BUCKET_MIN: 1, 2 * BUCKET_MIN: 1}
    sizes = [s for s, w in weights.items() for _ in range(int(w))]
    return NONCE_LEN + secrets.choice(sizes) + TAG_LEN


def filler(size: int | None = None) -> bytes:
    return os.urandom(size or filler_len())


def _aad(tender_id: int, slot: int) -> bytes:
    return struct.pack(">QH", tender_id, slot)


def slot_wrap(envelope: bytes, *, tender_id: int, slot: int, size: int | None = None, opened: bytes = b"") -> bytes:
    """The server layer around a bidder's envelope, padded to ``size`` (a stored length) or its bucket.
    ``opened`` (after the bidder decrypted at the opening, never before) keeps the plaintext beside the
    envelope so the committee can read the files; the envelope itself stays as submitted."""
    need = 2 * LENGTH_PREFIX + len(envelope) + len(opened)
    padded = (size - NONCE_LEN - TAG_LEN) if size else bucket(need)
    if padded < need:
        padded = bucket(need)
    body = struct.pack(">Q", len(envelope)) + envelope + struct.pack(">Q", len(opened)) + opened
    body += bytes(padded - len(body))
    nonce = os.urandom(NONCE_LEN)
    return nonce + AESGCM(server_key(b"slot")).encrypt(nonce, body, _aad(tender_id, slot))


def slot_open(stored: bytes, *, tender_id: int, slot: int) -> tuple[bytes, bytes]:
    """The bidder's envelope and, once decrypted at the opening, the plaintext kept beside it."""
    body = AESGCM(server_key(b"slot")).decrypt(stored[:NONCE_LEN], stored[NONCE_LEN:], _aad(tender_id, slot))
    (n,) = struct.unpack(">Q", body[:LENGTH_PREFIX])
    envelope = body[LENGTH_PREFIX:LENGTH_PREFIX + n]
    rest = body[LENGTH_PREFIX + n:]
    (m,) = struct.unpack(">Q", rest[:LENGTH_PREFIX]) if len(rest) >= LENGTH_PREFIX else (0,)
    return envelope, rest[LENGTH_PREFIX:LENGTH_PREFIX + m]


def slot_unwrap(stored: bytes, *, tender_id: int, slot: int) -> bytes:
    return slot_open(stored, tender_id=tender_id, slot=slot)[0]


def meta_seal(meta: dict, *, tender_id: int, slot: int) -> bytes:
    """Upload time, IP, device and receipt, encrypted under the server key, always ``META_LEN`` bytes."""
    raw = json.dumps(meta, ensure_ascii=False).encode("utf-8")[:META_PLAIN_LEN - 2]
    body = struct.pack(">H", len(raw)) + raw
    body += bytes(META_PLAIN_LEN - len(body))
    nonce = os.urandom(NONCE_LEN)
    return nonce + AESGCM(server_key(b"meta")).encrypt(nonce, body, _aad(tender_id, slot))


def meta_open(stored: bytes, *, tender_id: int, slot: int) -> dict:
    body = AESGCM(server_key(b"meta")).decrypt(stored[:NONCE_LEN], stored[NONCE_LEN:], _aad(tender_id, slot))
    (n,) = struct.unpack(">H", body[:2])
    return json.loads(body[2:2 + n].decode("utf-8"))


def meta_filler() -> bytes:
    return os.urandom(META_LEN)
