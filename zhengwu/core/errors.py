"""The platform's one domain error: a machine code plus a Chinese message shown as is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


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


class FieldChecks:
    """Check a form's fields one by one and refuse once with all of them, so a page can show every
    problem beside its field (``zhengwu.core.formerrors``) and an API client learns them all at once::

        checks = FieldChecks()
        with checks.field("uscc"):
            uscc = validate_uscc(uscc)
        with checks.field("contact_phone"):
            phone = validate_phone(phone)
        checks.done()  # raises the first refusal, details {"fields": [{field, code, message}, …]}

    A check that depends on an earlier one runs only when that one passed (``checks.ok("uscc")``).
    """

    def __init__(self) -> None:
        self.failed: list[tuple[str, DomainError]] = []

    @contextmanager
    def field(self, name: str) -> Iterator[None]:
        try:
            yield
        except DomainError as exc:
            self.failed.append((name, exc))

    def ok(self, *names: str) -> bool:
        return not any(n in names for n, _ in self.failed)

    def done(self) -> None:
        if not self.failed:
            return
        first = self.failed[0][1]
        raise DomainError(first.code, first.message, status=first.status, details={"fields": [
            {"field": name, "code": exc.code, "message": exc.message} for name, exc in self.failed]})
