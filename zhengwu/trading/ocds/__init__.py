"""OCDS 1.1 releases of the trading domain: every stage's service calls ``release_emit`` inside its
transaction (``emit.py``); the stored ``Release`` is never changed afterwards. ``builder.py`` maps the
models, ``packages.py`` makes release and record packages, ``validate.py`` checks them offline against
the shipped 1.1.5 schema (``zhengwu/trading/schema/ocds-1.1.5``)."""

from .emit import release_emit

__all__ = ["release_emit"]
