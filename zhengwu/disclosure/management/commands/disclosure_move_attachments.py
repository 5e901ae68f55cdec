"""Once after upgrading: move publication attachments stored before the token directories into them."""

from django.core.management.base import BaseCommand

from zhengwu.disclosure.services import attachments_move_to_token_dirs


class Command(BaseCommand):
    help = ("把启用随机目录之前上传的主动公开附件（gk/attachments/年/月/文件名，路径可猜）逐个移入随机目录，"
            "并更新附件记录；可重复运行，--dry-run 只列出不移动")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出需要移动的附件，不做任何改动")

    def handle(self, *args, dry_run: bool = False, **options):
        moves = attachments_move_to_token_dirs(dry_run=dry_run)
        for m in moves:
            if m.problem:
                self.stdout.write(f"附件 {m.attachment_id}：{m.old}：{m.problem}")
            elif dry_run:
                self.stdout.write(f"附件 {m.attachment_id}：{m.old} 待移动")
            else:
                self.stdout.write(f"附件 {m.attachment_id}：{m.old} → {m.new}")
        done = sum(1 for m in moves if m.new)
        failed = sum(1 for m in moves if m.problem)
        if dry_run:
            self.stdout.write(f"试运行：待移动 {len(moves) - failed} 个，无法移动 {failed} 个，未做任何改动")
        else:
            self.stdout.write(f"已移动 {done} 个，无法移动 {failed} 个")
