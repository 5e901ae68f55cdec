"""The envelope format: Python, the browser's seal.js and ``zhengwu trading_seal`` make the same thing."""

from __future__ import annotations

import base64
import json
import shutil
import struct
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengwu.core.errors import DomainError
from zhengwu.trading import sealing

SEAL_JS = Path(sealing.__file__).parent / "static" / "trading" / "seal.js"
FORM = {"price": "4560000.00", "duration_days": 365, "project_manager": "张三", "quality": "合格",
        "deposit_account": "6222 0000 0000 0011"}


def test_envelope_layout_and_round_trip():
    plain = sealing.bid_plaintext(FORM, [("投标函.pdf", b"%PDF-1.4 content")])

    env = sealing.seal(plain, "口令 passphrase", iterations=sealing.MIN_ITERATIONS)

    assert env[:6] == b"ZWBID1"
    assert struct.unpack(">I", env[6:10]) == (200_000,)
    assert len(env) == 6 + 4 + 16 + 12 + len(plain) + 16
    assert sealing.unseal(env, "口令 passphrase") == plain
    assert sealing.plaintext_parse(plain) == {"form": FORM, "files": [("投标函.pdf", b"%PDF-1.4 content")]}


def test_two_seals_of_the_same_bid_differ():
    plain = sealing.bid_plaintext(FORM, [])
    a = sealing.seal(plain, "secret-123", iterations=sealing.MIN_ITERATIONS)
    b = sealing.seal(plain, "secret-123", iterations=sealing.MIN_ITERATIONS)
    assert a != b and a[10:26] != b[10:26]


@pytest.mark.parametrize("tamper", [lambda e: e[:6] + struct.pack(">I", 200_001) + e[10:],
                                    lambda e: e[:-1] + bytes([e[-1] ^ 1]),
                                    lambda e: e[:30] + bytes([e[30] ^ 1]) + e[31:]])
def test_a_wrong_passphrase_or_a_tampered_envelope_is_refused(tamper):
    env = sealing.seal(b"bid", "right-passphrase", iterations=sealing.MIN_ITERATIONS)
    with pytest.raises(DomainError) as e:
        sealing.unseal(env, "wrong-passphrase")
    assert e.value.code == "trading_passphrase"
    with pytest.raises(DomainError) as e:
        sealing.unseal(tamper(env), "right-passphrase")
    assert e.value.code == "trading_passphrase"


@pytest.mark.parametrize(("data", "code"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "trading_bid_unsealed"),
    (b"PK\x03\x04 a docx", "trading_bid_unsealed"),
    (b"", "trading_bid_unsealed"),
    (b"ZWBID1" + b"\x00" * 20, "trading_bid_malformed"),
    (b"ZWBID1" + struct.pack(">I", 1000) + b"\x00" * 60, "trading_bid_malformed"),
    (b"ZWBID1" + struct.pack(">I", 2**31) + b"\x00" * 60, "trading_bid_malformed"),
])
def test_envelope_check_refuses_what_is_not_sealed(data, code):
    with pytest.raises(DomainError) as e:
        sealing.envelope_check(data)
    assert e.value.code == code
    if code == "trading_bid_unsealed":
        assert e.value.message.startswith("投标文件未加密")


def test_envelope_check_refuses_an_oversize_file_with_413(settings):
    settings.TRADING_BID_MAX_BYTES = 1000
    env = sealing.seal(b"x" * 1000, "secret-123", iterations=sealing.MIN_ITERATIONS)
    with pytest.raises(DomainError) as e:
        sealing.envelope_check(env)
    assert (e.value.code, e.value.status) == ("trading_bid_too_large", 413)


def test_server_layer_pads_to_the_filler_sizes_and_binds_the_slot():
    env = sealing.seal(b"small bid", "secret-123", iterations=sealing.MIN_ITERATIONS)

    stored = sealing.slot_wrap(env, tender_id=7, slot=3)

    assert len(stored) == sealing.NONCE_LEN + 32 * 1024 + sealing.TAG_LEN
    assert sealing.slot_unwrap(stored, tender_id=7, slot=3) == env
    assert env[:6] not in stored
    assert sealing.slot_open(stored, tender_id=7, slot=3) == (env, b"")
    opened = sealing.slot_wrap(env, tender_id=7, slot=3, opened=b"plain bid")
    assert sealing.slot_open(opened, tender_id=7, slot=3) == (env, b"plain bid")
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag: moved to another slot
        sealing.slot_unwrap(stored, tender_id=7, slot=4)
    sizes = Counter(len(sealing.filler()) for _ in range(200))
    assert set(sizes) == {sealing.NONCE_LEN + s + sealing.TAG_LEN for s in (32 * 1024, 64 * 1024)}
    assert sealing.stored_len(40 * 1024) == sealing.NONCE_LEN + 64 * 1024 + sealing.TAG_LEN


def test_sealed_meta_has_a_fixed_length():
    short = sealing.meta_seal({"ip": "1.2.3.4"}, tender_id=1, slot=1)
    long = sealing.meta_seal({"ip": "f" * 45, "device": "设" * 64, "at": "2026-03-20T10:00:00+08:00",
                              "receipt": "a" * 64}, tender_id=1, slot=1)
    assert len(short) == len(long) == len(sealing.meta_filler()) == sealing.META_LEN
    assert sealing.meta_open(long, tender_id=1, slot=1)["device"] == "设" * 64


def _node(script: str) -> str:
    node = shutil.which("node")
    # scripts/test.sh installs Debian's nodejs (sysdeps browser): seal.js must match sealing.py, never skipped
    assert node is not None, "node is not installed (apt-get install nodejs)"
    return subprocess.run([node, "-e", script], capture_output=True, text=True, check=True, timeout=120).stdout


def test_seal_js_makes_envelopes_python_opens_and_opens_python_envelopes():
    script = f"""
    const S = require({json.dumps(str(SEAL_JS))});
    (async () => {{
      const plain = S.bidPlaintext({json.dumps(FORM, ensure_ascii=False)},
                                   [{{name: "投标函.pdf", bytes: new Uint8Array([37, 80, 68, 70])}}]);
      const env = await S.seal(plain, "浏览器口令-123", 200000);
      process.stdout.write(Buffer.from(env).toString("base64"));
    }})();"""
    env = base64.b64decode(_node(script))

    assert env[:6] == sealing.MAGIC
    assert sealing.plaintext_parse(sealing.unseal(env, "浏览器口令-123")) == \
        {"form": FORM, "files": [("投标函.pdf", b"%PDF")]}

    py = sealing.seal(b"from python", "py-passphrase", iterations=sealing.MIN_ITERATIONS)
    back = _node(f"""
    const S = require({json.dumps(str(SEAL_JS))});
    S.unseal(new Uint8Array(Buffer.from("{base64.b64encode(py).decode()}", "base64")), "py-passphrase")
      .then(p => process.stdout.write(Buffer.from(p).toString()));""")
    assert back == "from python"


def test_trading_seal_command_seals_and_checks(tmp_path, monkeypatch, capsys):
    (tmp_path / "投标函.pdf").write_bytes(b"%PDF-1.4 bid")
    (tmp_path / "phrase.txt").write_text("命令行口令-123\n", encoding="utf-8")
    out = tmp_path / "bid.zwbid"

    call_command("trading_seal", str(tmp_path / "投标函.pdf"), "-o", str(out), "--price", "4560000",
                 "--duration-days", "365", "--project-manager", "张三", "--passphrase-file",
                 str(tmp_path / "phrase.txt"), "--iterations", "200000")

    content = sealing.plaintext_parse(sealing.unseal(out.read_bytes(), "命令行口令-123"))
    assert content == {"form": {"price": "4560000.00", "duration_days": 365, "project_manager": "张三",
                                "quality": "", "deposit_account": ""},
                       "files": [("投标函.pdf", b"%PDF-1.4 bid")]}
    monkeypatch.setenv("ZHENGWU_BID_PASSPHRASE", "命令行口令-123")
    call_command("trading_seal", "--check", str(out))
    assert "口令正确" in capsys.readouterr().out
    monkeypatch.setenv("ZHENGWU_BID_PASSPHRASE", "wrong-passphrase")
    with pytest.raises(CommandError, match="解密口令错误"):
        call_command("trading_seal", "--check", str(out))
    with pytest.raises(CommandError, match="迭代次数不得少于"):
        call_command("trading_seal", str(tmp_path / "投标函.pdf"), "-o", str(out), "--iterations", "1000")
