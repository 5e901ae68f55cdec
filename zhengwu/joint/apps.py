from django.apps import AppConfig


class JointConfig(AppConfig):
    name = "zhengwu.joint"
    verbose_name = "并联审批"

    def ready(self):
        # each registers its joint-only actions (actions.JOINT_ACTIONS) and its supervised clocks
        from . import inspections, services  # noqa: F401
