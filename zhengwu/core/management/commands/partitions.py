"""``zhengwu partitions``: the monthly partitions of the history tables on PostgreSQL.

``ensure [--ahead N]`` creates the coming months' partitions (safe to repeat; run it daily or
monthly from cron, as the database owner: it creates tables). ``archive --before YYYY-MM --to DIR``
writes every month before that one to a file per month and drops it; ``restore FILE`` puts one back;
``list`` shows the partitions, their ranges and rows. See docs/partitions.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from zhengwu.core import partitions
from zhengwu.core.errors import DomainError


class Command(BaseCommand):
    help = "历史记录表的按月分区（仅 PostgreSQL）：ensure 创建未来分区、archive 归档旧月份、restore 恢复、list 查看"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", title="子命令", required=True)
        ensure = sub.add_parser("ensure", help="创建从最早月份到今后 N 个月的分区和默认分区（可重复运行）")
        ensure.add_argument("--ahead", type=int, default=3, help="提前创建的月数（默认 3）")
        ensure.add_argument("--table", action="append", help="只处理这张表（可重复；默认全部）")
        ensure.add_argument("--if-supported", action="store_true",
                            help="在 SQLite 上什么也不做、不报错（供定时任务在两种数据库上共用）")
        archive = sub.add_parser("archive", help="把某月之前的每个月份分区写成归档文件后删除")
        archive.add_argument("--before", required=True, metavar="YYYY-MM", help="归档此月之前（不含此月）的全部月份")
        archive.add_argument("--to", required=True, metavar="DIR", help="归档文件所在目录")
        archive.add_argument("--table", action="append", help="只处理这张表（可重复；默认全部）")
        restore = sub.add_parser("restore", help="把一个月份的归档文件恢复为分区")
        restore.add_argument("file", help="归档文件（.csv.gz 或其 .json 清单）")
        listing = sub.add_parser("list", help="列出各表的分区、时间范围和行数")
        listing.add_argument("--table", action="append", help="只看这张表（可重复；默认全部）")

    def handle(self, *args, subcommand: str, **opts):
        try:
            if connection.vendor != "postgresql" and subcommand == "ensure" and opts["if_supported"]:
                return
            partitions.require_postgresql()
            getattr(self, f"_{subcommand}")(**opts)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _ensure(self, *, ahead: int, table, **_):
        if ahead < 0:
            raise DomainError("partition_bad_ahead", "--ahead 不能为负数")
        for result in partitions.ensure(ahead=ahead, tables=table):
            if not result.created:
                self.stdout.write(f"{result.table}：分区齐全，无需新建。")
                continue
            self.stdout.write(self.style.SUCCESS(f"{result.table}：新建 {len(result.created)} 个分区："
                                                 + "、".join(result.created)))
            for name, rows in result.moved.items():
                self.stdout.write(f"  已把默认分区中属于 {name} 的 {rows} 行移入该分区")

    def _archive(self, *, before: str, to: str, table, **_):
        month = partitions.parse_month(before)
        specs = [partitions.spec_for(t) for t in table] if table else list(partitions.REGISTRY)
        done = 0
        for spec in specs:
            for old in partitions.archivable_months(spec.table, month):
                manifest = partitions.detach_and_archive(spec.table, old, to)
                done += 1
                line = (f"{spec.table} {manifest['month']}：{manifest['rows']} 行已写入 {to}/{manifest['data_file']}"
                        f"（SHA-256 {manifest['data_sha256'][:16]}…），分区已删除")
                if "audit_chain" in manifest:
                    chain = manifest["audit_chain"]
                    line += f"；审计链在此月止于 #{chain['last_id']}，哈希 {chain['last_hash']}"
                self.stdout.write(self.style.SUCCESS(line))
        if not done:
            self.stdout.write(f"{month:%Y-%m} 之前没有可归档的月份分区。")

    def _restore(self, *, file: str, **_):
        manifest = partitions.restore(file)
        self.stdout.write(self.style.SUCCESS(
            f"{manifest['table']} {manifest['month']}：已从 {file} 恢复 {manifest['rows']} 行（与清单的行数和 SHA-256 一致）"))

    def _list(self, *, table, **_):
        for spec, partitioned, parts in partitions.listing(table):
            if not partitioned:
                self.stdout.write(f"{spec.table}（{spec.label}）：还不是分区表，请运行 zhengwu migrate")
                continue
            total = sum(p.rows or 0 for p in parts)
            self.stdout.write(f"{spec.table}（{spec.label}，按 {spec.column} 分区）：{len(parts)} 个分区，共 {total} 行")
            for p in parts:
                self.stdout.write(f"  {p.name:<34} {p.rows:>10} 行  {partitions.human_bound(p)}")
