"""``zhengwu ratings_invite``: the 智能邀评 sweep, for a scheduler (e.g. daily at 10:00)."""

from django.core.management.base import BaseCommand

from zhengwu.ratings.services import rating_invite_send_due


class Command(BaseCommand):
    help = "向办结后一定天数仍未评价的办件申请人发送评价邀请短信（重复运行不会重复发送）"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=5000, help="本次最多发送条数")

    def handle(self, *args, limit: int, **options):
        sent = rating_invite_send_due(limit=limit)
        self.stdout.write(f"已发送评价邀请 {len(sent)} 条")
