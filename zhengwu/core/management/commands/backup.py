"""``zhengwu backup``: the database and the uploaded files in one archive (see ``docs/backup.md``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from zhengwu.core.backup import VENDOR_LABELS, backup_create
from zhengwu.core.errors import DomainError
from zhengwu.core.validators import human_size


class Command(BaseCommand):
    help = "备份数据库和上传的文件（媒体目录）到一个归档文件（.tar.gz），运行中的平台无需停止"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o",
                            help="归档文件的路径或所在目录（默认 <ZHENGWU_VAR_DIR>/backups/zhengwu-<UTC时间>.tar.gz）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名（默认 default）")

    def handle(self, *args, **opts):
        try:
            result = backup_create(output=opts["output"], using=opts["database"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        rows = sum(result.tables.values())
        self.stdout.write(self.style.SUCCESS(f"备份完成：{result.path}"))
        self.stdout.write(f"  归档大小：{human_size(result.size)}")
        self.stdout.write(f"  数据库：{VENDOR_LABELS[result.vendor]}，{len(result.tables)} 张表，{rows:,} 行")
        self.stdout.write(f"  媒体文件：{result.media_files} 个，共 {human_size(result.media_bytes)}")
        if result.skipped:
            self.stderr.write(self.style.WARNING(
                f"  未备份 {len(result.skipped)} 个符号链接、特殊文件或文件名不是 UTF-8 的文件："
                + "、".join(result.skipped[:5]) + (" 等" if len(result.skipped) > 5 else "")))
        self.stdout.write("  归档含个人信息：请加密保存到另一台机器或异地，并定期做恢复演练（见 docs/backup.md）")
