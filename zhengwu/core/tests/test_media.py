"""Under MEDIA_ROOT only the public prefixes are served; personal uploads never are, DEBUG or not."""

import pytest


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for rel, data in {"catalog/forms/申请表.docx": b"PK\x03\x04form", "catalog/samples/样表.pdf": b"%PDF-1.7",
                      "public/staff/ab12/photo.png": b"\x89PNG\r\n", "cases/2026/03/身份证.jpg": b"\xff\xd8\xff",
                      "supervision/evidence/2026/x.html": b"<script>alert(1)</script>",
                      "catalog/forms/evil.svg": b"<svg onload=alert(1)>"}.items():
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(data)
    (tmp_path.parent / "secret.txt").write_text("outside")
    return tmp_path


@pytest.mark.parametrize("debug", [True, False])
def test_personal_uploads_are_never_served(client, media, settings, debug):
    settings.DEBUG = debug
    for path in ("/media/cases/2026/03/身份证.jpg", "/media/supervision/evidence/2026/x.html",
                 "/media/catalog/../cases/2026/03/身份证.jpg", "/media/catalog/%2e%2e/cases/2026/03/身份证.jpg",
                 "/media/public/../../secret.txt", "/media/catalog/forms/missing.docx", "/media/catalog/forms/"):
        assert client.get(path).status_code == 404, path


def test_public_files_are_served_and_active_content_is_downloaded(client, media):
    r = client.get("/media/catalog/samples/样表.pdf")
    assert (r.status_code, r["Content-Type"], b"".join(r.streaming_content)) == (200, "application/pdf", b"%PDF-1.7")
    assert r["Content-Disposition"].startswith("inline")
    r = client.get("/media/public/staff/ab12/photo.png")
    assert (r.status_code, r["Content-Type"]) == (200, "image/png")
    r = client.get("/media/catalog/forms/evil.svg")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    r = client.get("/media/catalog/forms/申请表.docx")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert client.post("/media/catalog/samples/样表.pdf").status_code == 405
