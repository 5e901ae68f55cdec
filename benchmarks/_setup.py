"""Bootstrap Django for a benchmark script: a throw-away SQLite database unless DATABASE_URL is set."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def setup() -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    if "DATABASE_URL" not in os.environ:
        os.environ["ZHENGWU_VAR_DIR"] = tempfile.mkdtemp(prefix="zhengwu-bench-")
    os.environ.setdefault("DEBUG", "0")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.vendor
