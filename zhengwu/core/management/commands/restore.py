"""``zhengwu restore``: put an archive written by ``zhengwu backup`` back (see ``docs/backup.md``).

Stop the platform first. The archive is checked against its manifest before anything changes.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from zhengwu.core.backup import VENDOR_LABELS, backup_restore
from zhengwu.core.errors import DomainError
from zhengwu.core.validators import human_size


class Command(BaseCommand):
    help = "从 zhengwu backup 生成的归档恢复数据库和上传的文件（请先停止平台服务）"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份归档文件（.tar.gz）")
        parser.add_argument("--force", action="store_true",
                            help="目标数据库或媒体目录已有数据时仍然恢复：覆盖数据库并清空媒体目录后写入备份中的文件")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名（默认 default）")

    def handle(self, *args, **opts):
        try:
            result = backup_restore(path=opts["path"], force=opts["force"], using=opts["database"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        created = timezone.localtime(result.created_at).strftime("%Y-%m-%d %H:%M:%S")
        rows = sum(result.tables.values())
        self.stdout.write(self.style.SUCCESS(f"恢复完成：{result.path}（备份于北京时间 {created}）"))
        self.stdout.write(f"  数据库：{VENDOR_LABELS[result.vendor]}，{len(result.tables)} 张表，"
                          f"{rows:,} 行，与备份清单一致")
        self.stdout.write(f"  媒体文件：{result.media_files} 个，共 {human_size(result.media_bytes)}，校验一致")
        if result.pending_migrations:
            self.stdout.write(self.style.WARNING(
                f"  当前版本还有 {result.pending_migrations} 个数据库迁移未应用：请运行 zhengwu migrate 后再启动服务"))
