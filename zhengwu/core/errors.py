"""The platform's one domain error: a machine code plus a Chinese message shown as is."""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation. ``code`` is stable for programs, ``message`` is for people."""

    status = 400

    def __init__(self, code: str, message: str, *, details: dict | list | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        data: dict = {"code": self.code, "message": self.message}
        if self.details is not None:
            data["details"] = self.details
        return data


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str = "您无权进行此操作", *, code: str = "forbidden"):
        super().__init__(code, message)


class NotFound(DomainError):
    status = 404

    def __init__(self, message: str = "未找到", *, code: str = "not_found"):
        super().__init__(code, message)
