from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhengwu.catalog.excel import catalog_import


class Command(BaseCommand):
    help = "从 Excel 文件（.xlsx）导入事项实施清单；有任何错误则不导入，并列出全部错误"

    def add_arguments(self, parser):
        parser.add_argument("path", help="要导入的 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="仅校验，不写入")

    def handle(self, *args, path, dry_run, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件：{path}")
        report = catalog_import(data=file.read_bytes(), dry_run=dry_run)
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(report.summary)
        self.stdout.write(self.style.SUCCESS(report.summary))
        if report.created:
            self.stdout.write("新增：" + "、".join(report.created))
        if report.updated:
            self.stdout.write("更新：" + "、".join(report.updated))
