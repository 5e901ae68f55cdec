"""``zhengwu ocds_export --year 2026 [--output FILE]``: the year's OCDS releases as one release package,
validated offline before it is written (an invalid package is not written; the command exits 1)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.trading.models import Release
from zhengwu.trading.ocds.packages import base_url, release_package
from zhengwu.trading.ocds.validate import release_package_check

SHOWN_ERRORS = 20


def year_releases(year: int) -> list[dict]:
    """The releases dated in ``year`` (local time), oldest first; none dated after now."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    qs = Release.objects.filter(date__gte=start, date__lt=end, date__lte=clock.now()).order_by("date", "id")
    return list(qs.values_list("data", flat=True).iterator(chunk_size=2000))


class Command(BaseCommand):
    help = "导出某年度的 OCDS 1.1 发布包（release package），离线校验通过后写入文件"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，如 2026")
        parser.add_argument("--output", help="输出文件路径（默认 ocds-releases-<年度>.json）")

    def handle(self, *args, year: int, output: str | None = None, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度 {year} 不正确，应在 2000–2100 之间")
        path = Path(output or f"ocds-releases-{year}.json")
        releases = year_releases(year)
        package = release_package(releases, uri=f"{base_url()}/api/trading/ocds/releases?year={year}")
        report = release_package_check(package)
        if not report.ok:
            lines = "\n".join(report.errors[:SHOWN_ERRORS])
            more = f"\n……另有 {len(report.errors) - SHOWN_ERRORS} 处错误" if len(report.errors) > SHOWN_ERRORS else ""
            raise CommandError(f"OCDS 发布包未通过校验（{len(report.errors)} 处错误），未写入文件：\n{lines}{more}")
        path.write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
        for w in report.warnings[:SHOWN_ERRORS]:
            self.stdout.write(self.style.WARNING(f"提示：{w}"))
        self.stdout.write(self.style.SUCCESS(
            f"已导出 {year} 年度 OCDS 发布 {len(releases)} 条到 {path}（校验通过，提示 {len(report.warnings)} 条）"))
