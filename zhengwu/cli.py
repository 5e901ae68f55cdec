"""The ``zhengwu`` console command: a thin wrapper over Django's manage.py.

``zhengwu demo``, ``zhengwu serve``, ``zhengwu workdays add 2026-09-28 20`` and every
other management command (``zhengwu migrate``, ``zhengwu createsuperuser`` …).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    from django.core.management import execute_from_command_line

    prog = os.path.basename(argv[0]) if argv else "zhengwu"
    execute_from_command_line([prog, *argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
