from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "zhengwu.open311"
    verbose_name = "Open311 接口"

    def ready(self):
        from zhengwu.core.middleware import register_refusal

        from .formats import error_response, format_of

        # The input guard's refusals (NUL characters, oversize bodies …) under /open311/ in the
        # Open311 error body instead of the portal's HTML page.
        register_refusal(
            "/open311/",
            lambda request, status, code, message: error_response(format_of(request.path), status, message),
        )
