"""``zhengwu projects_refresh``: bring the 工程建设项目 stages in line with their joint cases (a stage finishes
when its 联办件 is 已办结, and the project moves on). Safe to repeat; meant for the frequent jobs."""

from django.core.management.base import BaseCommand

from zhengwu.projects.services import projects_refresh_due


class Command(BaseCommand):
    help = "按联办件更新工程建设项目的阶段进度"

    def handle(self, *args, **options):
        n = projects_refresh_due()
        if options["verbosity"]:
            self.stdout.write(f"已更新 {n} 个工程建设项目的阶段进度。\n")
