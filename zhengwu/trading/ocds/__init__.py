"""OCDS 1.1 releases of the trading domain (see ``builder.py``): every stage's service calls
``release_emit`` inside its transaction; the stored ``Release`` is never changed afterwards."""

from .emit import release_emit

__all__ = ["release_emit"]
