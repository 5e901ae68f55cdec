"""Editable policy of 政务公开 with the statutory defaults (条例; 国办函〔2020〕109号)."""

from __future__ import annotations

from decimal import Decimal

from zhengwu.core.validators import human_size

from .models import FeeBand, Setting
from .reference import FEE_BANDS_DEFAULT

DEFAULTS: dict[str, tuple[str, str]] = {
    "publish_days": ("20", "主动公开时限：信息形成或者变更之日起的工作日数（条例第二十六条）"),
    "supplement_notice_days": ("7", "告知补正的期限：收到申请之日起的工作日数（条例第三十条）"),
    "supplement_period_days": ("15", "给申请人的合理补正期限（工作日）"),
    "reply_days": ("20", "答复期限（工作日，条例第三十三条）"),
    "max_extension_days": ("20", "延长答复期限的上限（工作日，条例第三十三条）"),
    "consult_days": ("15", "第三方或被征求意见机关提出意见的期限：收到征求意见书之日起的工作日数（条例第三十二条、第三十四条）"),
    "consult_receipt_days": ("5", "发出征求意见书后多少个工作日仍未登记对方收到之日，提示“送达未登记”"),
    "backdate_days": ("30", "补录日期（当面或信函申请的收到之日、书面补正的收到之日、对方收到征求意见书之日）"
                            "最早可追溯到录入之日前的自然日数"),
    "fee_pay_days": ("20", "收到收费通知后缴费的期限（工作日，国办函〔2020〕109号）"),
    "warn_days": ("5", "答复期限前多少个工作日起提示即将到期"),
    "max_files": ("10", "一次提交最多可上传的附件数（申请、补正、公开信息；类型和大小按平台上传规则）"),
    "confirm_days": ("2", "网上、平常信函、传真申请提交后应在多少个工作日内确认收到，逾期提示“待确认逾期”"
                          "（条例第三十一条：以双方确认之日为收到申请之日）"),
}


#: text settings (not in ``limits()``, which reads numbers)
TEXT_DEFAULTS: dict[str, tuple[str, str]] = {
    "village_name_mask": ("middle", "村务公开名单中姓名的隐去方式：middle 保留首尾字（张*三、李*），"
                                    "surname 只保留姓（张**）"),
}


def village_name_mask() -> str:
    row = Setting.objects.filter(key="village_name_mask").values_list("value", flat=True).first()
    return row if row in ("middle", "surname") else TEXT_DEFAULTS["village_name_mask"][0]


def setting(key: str) -> int:
    row = Setting.objects.filter(key=key).values_list("value", flat=True).first()
    return int(row if row is not None else DEFAULTS[key][0])


def limits() -> dict[str, int]:
    """Every limit at once, in one query: for code that reads them for each row of a list."""
    rows = dict(Setting.objects.filter(key__in=list(DEFAULTS)).values_list("key", "value"))
    return {k: int(rows.get(k, default)) for k, (default, _note) in DEFAULTS.items()}


def upload_rules() -> dict[str, str | int]:
    """What the upload fields tell people: the platform's file types and size limit, this app's count limit."""
    from django.conf import settings

    from zhengwu.cases.services import policy as platform_policy

    types = [t.strip() for t in platform_policy("upload_types").split(",") if t.strip()]
    return {"types": "、".join(types), "accept": ",".join(f".{t}" for t in types),
            "max_size": human_size(settings.ZHENGWU_MAX_UPLOAD_BYTES), "max_files": setting("max_files")}


def fee_bands(method: str) -> list[tuple[int, int | None, int, int, int]]:
    rows = list(FeeBand.objects.filter(method=method).order_by("lower")
                .values_list("lower", "upper", "unit_price", "step", "step_increase"))
    return rows or FEE_BANDS_DEFAULT[method]


def unit_price(bands, k: int) -> int:
    """The price of the k-th unit (k ≥ 1) under ``bands``."""
    for lower, upper, price, step, increase in bands:
        if k >= lower and (upper is None or k <= upper):
            return price + (increase * ((k - lower) // step) if step else 0)
    return 0


def fee_amount(method: str, units: int) -> Decimal:
    """信息处理费 by 超额累进 (国办函〔2020〕109号第三条).

    按件 (``per_request``): ``units`` is the ordinal of this request among the applicant's requests
    in the natural month; the request costs the price of its band. 按量 (``per_page``): ``units``
    is the number of pages; every page costs the price of the band it falls in.
    """
    bands = fee_bands(method)
    if units <= 0:
        return Decimal("0.00")
    if method == "per_request":
        return Decimal(unit_price(bands, units)).quantize(Decimal("0.01"))
    total = 0
    for lower, upper, price, step, _increase in bands:
        top = units if upper is None else min(units, upper)
        if top < lower:
            continue
        if step:
            total += sum(unit_price(bands, k) for k in range(lower, top + 1))
        else:
            total += (top - lower + 1) * price
    return Decimal(total).quantize(Decimal("0.01"))
