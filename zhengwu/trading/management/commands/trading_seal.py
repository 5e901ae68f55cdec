"""``zhengwu trading_seal``: seal a bid on the bidder's own machine (for API clients and for bidders who
prefer not to seal in the browser). The passphrase is read from a prompt, from ``--passphrase-file`` or
from the environment variable ``ZHENGWU_BID_PASSPHRASE``; it never goes to the server before the opening.

    zhengwu trading_seal 投标函.pdf 技术标.docx --price 4560000.00 --duration-days 365 \\
        --project-manager 张三 --quality 合格 --deposit-account "6222 0000 0000 0011" -o bid.zwbid
    zhengwu trading_seal --check bid.zwbid        # decrypt locally to check the passphrase and contents
"""

from __future__ import annotations

import getpass
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhengwu.core.errors import DomainError
from zhengwu.trading import sealing


class Command(BaseCommand):
    help = "用投标人自行保管的口令加密投标文件（AES-256-GCM，生成可上传的 .zwbid 密封文件）"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="投标文件（PDF、Word 等，可多个）")
        parser.add_argument("-o", "--output", help="输出的密封文件路径，如 bid.zwbid")
        parser.add_argument("--price", help="投标报价（元）")
        parser.add_argument("--duration-days", type=int, help="工期/交货期（日）")
        parser.add_argument("--project-manager", default="", help="项目负责人")
        parser.add_argument("--quality", default="", help="质量/服务承诺")
        parser.add_argument("--deposit-account", default="", help="保证金转出账户")
        parser.add_argument("--passphrase-file", help="从文件读取加密口令（首行）")
        parser.add_argument("--iterations", type=int, default=sealing.DEFAULT_ITERATIONS,
                            help=f"口令派生迭代次数（不少于 {sealing.MIN_ITERATIONS}）")
        parser.add_argument("--check", metavar="ZWBID", help="解密已生成的密封文件，核对口令和内容（不上传）")

    def _passphrase(self, options, confirm: bool) -> str:
        if options.get("passphrase_file"):
            return Path(options["passphrase_file"]).read_text(encoding="utf-8").splitlines()[0]
        if os.environ.get("ZHENGWU_BID_PASSPHRASE"):
            return os.environ["ZHENGWU_BID_PASSPHRASE"]
        first = getpass.getpass("加密口令（请妥善保管，开标解密时需要）：")
        if confirm and getpass.getpass("再次输入口令：") != first:
            raise CommandError("两次输入的口令不一致")
        return first

    def handle(self, *args, **options):
        try:
            if options["check"]:
                return self._check(options)
            return self._seal(options)
        except DomainError as e:
            raise CommandError(e.message) from None

    def _check(self, options):
        content = sealing.plaintext_parse(sealing.unseal(Path(options["check"]).read_bytes(),
                                                         self._passphrase(options, False)))
        self.stdout.write(self.style.SUCCESS("口令正确，投标文件可以解密："))
        for k, v in content["form"].items():
            self.stdout.write(f"  {k}: {v}")
        for name, data in content["files"]:
            self.stdout.write(f"  文件 {name}（{len(data):,} 字节）")

    def _seal(self, options):
        if not options["output"]:
            raise CommandError("请用 -o 指定输出的密封文件路径")
        if not options["files"]:
            raise CommandError("请指定至少一个投标文件")
        if options["iterations"] < sealing.MIN_ITERATIONS:
            raise CommandError(f"口令派生迭代次数不得少于 {sealing.MIN_ITERATIONS}")
        form: dict = {"project_manager": options["project_manager"], "quality": options["quality"],
                      "deposit_account": options["deposit_account"]}
        if options["price"] is not None:
            try:
                form["price"] = Decimal(options["price"]).quantize(Decimal("0.01"))
            except InvalidOperation:
                raise CommandError(f"投标报价格式不正确：{options['price']}") from None
        if options["duration_days"] is not None:
            form["duration_days"] = options["duration_days"]
        files = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"找不到文件：{name}")
            files.append((path.name, path.read_bytes()))
        passphrase = self._passphrase(options, True)
        if len(passphrase) < 8:
            raise CommandError("加密口令至少 8 位")
        envelope = sealing.seal(sealing.bid_plaintext(form, files), passphrase, iterations=options["iterations"])
        sealing.envelope_check(envelope)
        Path(options["output"]).write_bytes(envelope)
        self.stdout.write(self.style.SUCCESS(f"已加密 {len(files)} 个文件，生成 {options['output']}"
                                             f"（{len(envelope):,} 字节）。请妥善保管口令，开标时需在线解密"))
