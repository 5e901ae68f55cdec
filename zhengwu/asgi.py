"""The ASGI application, behind the body limit: an oversize body, announced by ``Content-Length`` or
streamed without one, is refused (413) before Django reads it (``zhengwu.core.middleware``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")

from zhengwu.core.middleware import body_limit_asgi  # noqa: E402 — after Django is set up

application = body_limit_asgi(get_asgi_application())
