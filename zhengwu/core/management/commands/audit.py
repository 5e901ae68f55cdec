"""``zhengwu audit verify``: check the audit trail's hash chain from the first row to the last.

Exits 0 and prints how many rows are intact, or exits 1 and prints the first broken link.
Months archived by ``zhengwu partitions archive`` are followed across by the chain ends their
archive recorded (the output names them). Deleting rows from the end of the trail leaves no broken
link behind; keep the last row's id and hash that this command prints somewhere the database's
users cannot write (a ticket, a signed e-mail) and compare them on the next run.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from zhengwu.core.services import AuditChainCheck, audit_chain_verify


def _when(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S") if at is not None else "未知"


class Command(BaseCommand):
    help = "审计日志：verify 逐行核对哈希链，报告完整的行数或第一处断链"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", title="子命令", required=True)
        verify = sub.add_parser("verify", help="按 id 顺序逐行核对审计日志的哈希链")
        verify.add_argument("--batch-size", type=int, default=5000, help="每次读取的行数（默认 5000）")

    def handle(self, *args, subcommand: str, batch_size: int, **options):
        verbosity = options["verbosity"]

        def progress(check: AuditChainCheck) -> None:
            if verbosity >= 2:
                self.stderr.write(f"已核对 {check.intact} 行（至 #{check.last_id}）")

        check = audit_chain_verify(batch_size=max(1, batch_size), progress=progress)
        for segment in check.archived:
            self.stdout.write(
                f"已归档的 {segment['month']}（{segment['rows']} 行，#{segment['first_id']}–#{segment['last_id']}）"
                f"不在数据库中：链从它的最后一行的哈希 {segment['last_hash']} 接续，归档文件本身未核对。")
        if check.ok:
            if check.last_id is None:
                self.stdout.write("审计日志为空，没有需要核对的行。")
            else:
                self.stdout.write(
                    f"审计日志哈希链完整：共 {check.intact} 行。最后一行 #{check.last_id}"
                    f"（{_when(check.last_at)}），哈希 {check.last_hash}。")
            return
        lines = [f"审计日志哈希链在 #{check.broken_id} 行断开（该行时间 {_when(check.broken_at)}）："]
        lines += [f"  - {p}" for p in check.problems]
        if check.last_id is None:
            lines.append("它是现存的第一行，之前没有完整的行。")
        else:
            lines.append(f"在它之前的 {check.intact} 行完整（至 #{check.last_id}，{_when(check.last_at)}）。")
        self.stderr.write("\n".join(lines))
        sys.exit(1)
