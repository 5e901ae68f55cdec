"""The demo county's Open311 client system, whose api_key is printed with the demo logins."""

from __future__ import annotations

from zhengwu.accounts.models import hash_token
from zhengwu.demo.geography import COUNTY
from zhengwu.org.models import Region

from .models import Open311Client
from .services import client_issue

DEMO_KEY = "zw_demo_open311"
DEMO_CLIENT = "示范县随手拍（FixMyStreet 类公众平台）"


def load_demo_open311() -> Open311Client | None:
    """Register the demo client once (idempotent); None when it exists or the county is not built."""
    if Open311Client.objects.filter(key_hash=hash_token(DEMO_KEY)).exists():
        return None
    county = Region.objects.filter(code=COUNTY[0]).first()
    if county is None:
        return None
    client, _ = client_issue(
        name=DEMO_CLIENT,
        jurisdiction=county,
        raw=DEMO_KEY,
        publish_consent=True,
        note="演示用：其用户在平台上提交时已同意公开诉求内容",
    )
    return client
