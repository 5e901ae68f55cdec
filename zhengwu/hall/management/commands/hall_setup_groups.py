"""``zhengwu hall_setup_groups <大厅编码>…``: give halls without queues one window group per
department (综合受理 first), lettered A, B, C …; the admin renames and regroups them later."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhengwu.hall.services import window_groups_autocreate
from zhengwu.org.models import Hall


class Command(BaseCommand):
    help = "为尚未设置叫号分组的大厅按部门生成叫号分组"

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="大厅编码；不填则处理所有政务服务中心和便民服务中心")

    def handle(self, *args, codes, **opts):
        halls = Hall.objects.filter(is_active=True)
        if codes:
            halls = halls.filter(code__in=codes)
            missing = set(codes) - set(halls.values_list("code", flat=True))
            if missing:
                raise CommandError(f"未找到大厅：{'、'.join(sorted(missing))}")
        else:
            halls = halls.exclude(kind=Hall.Kind.VILLAGE_STATION)
        for hall in halls.order_by("code"):
            groups = window_groups_autocreate(hall=hall)
            self.stdout.write(f"{hall.name}：" + "、".join(f"{g.code} {g.name}" for g in groups))
