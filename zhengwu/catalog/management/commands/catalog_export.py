from pathlib import Path

from django.core.management.base import BaseCommand

from zhengwu.catalog.excel import catalog_export
from zhengwu.catalog.models import Item


class Command(BaseCommand):
    help = "将事项实施清单导出为 Excel 文件（.xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("path", help="输出文件路径，如 catalog.xlsx")

    def handle(self, *args, path, **options):
        data = catalog_export()
        Path(path).write_bytes(data)
        count = Item.objects.filter(current__isnull=False).count()
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 个事项到 {path}"))
