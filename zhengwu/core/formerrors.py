"""Form errors shown the way 《互联网网站适老化通用设计规范》 and WCAG 3.3.1/3.3.3 ask: every error beside
its field (``aria-invalid``, ``aria-describedby``) and again in a summary at the top that takes the focus
(``static/zhengwu/forms.js``), each summary line a link to its field; what the user typed stays in the form.

A page builds one ``FieldErrors`` from its Django form (``from_form``), adds what only the service can say
(``add`` or ``add_domain``: a ``DomainError`` whose code names a field), and hands it to the template:
``{% error_summary errors %}`` at the top, ``{% invalid errors "name" %}`` inside a hand-written input and
``{% field_error errors "name" %}`` after it. Fields rendered by Django (``{{ field }}``) get their
attributes from ``from_form``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms

from .errors import DomainError

FIELD_ID = "f-{}"
ERROR_ID = "f-{}-error"


@dataclass
class FieldError:
    name: str
    label: str
    message: str

    @property
    def field_id(self) -> str:
        return FIELD_ID.format(self.name)

    @property
    def error_id(self) -> str:
        return ERROR_ID.format(self.name)


@dataclass
class FieldErrors:
    """The errors of one submission, in the order of the form's fields, at most one message per field."""

    by_name: dict[str, FieldError] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)  # errors of no single field

    def add(self, name: str, label: str, message: str) -> None:
        if name not in self.by_name:
            self.by_name[name] = FieldError(name, label, message)

    def add_general(self, message: str) -> None:
        if message not in self.general:
            self.general.append(message)

    def add_domain(self, exc: DomainError, fields: dict[str, tuple[str, str]] | None = None, *,
                   labels: dict[str, str] | None = None) -> None:
        """A service's refusal: each field of a ``FieldChecks`` refusal beside its field (``labels``: field
        name → label), else beside the field its code names (``fields``: code → (field name, label)), else
        as a general error."""
        details = exc.details if isinstance(exc.details, dict) else {}
        if labels is not None and details.get("fields"):
            for f in details["fields"]:
                if f["field"] in labels:
                    self.add(f["field"], labels[f["field"]], f["message"])
                else:
                    self.add_general(f["message"])
            return
        target = (fields or {}).get(exc.code)
        if target is None:
            self.add_general(exc.message)
        else:
            self.add(target[0], target[1], exc.message)

    def check(self, name: str, label: str, value: str, validate=None, *, required: bool = True) -> str:
        """One posted value checked on its own: empty (when required) or refused by ``validate`` (a
        validator raising ``DomainError``, e.g. ``validate_phone``) adds the message; returns the cleaned
        value (or what was posted)."""
        value = (value or "").strip()
        if not value:
            if required:
                self.add(name, label, f"请填写{label}")
            return value
        if validate is None:
            return value
        try:
            return validate(value)
        except DomainError as exc:
            self.add(name, label, exc.message)
            return value

    def get(self, name: str) -> FieldError | None:
        return self.by_name.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def __bool__(self) -> bool:
        return bool(self.by_name or self.general)

    def __len__(self) -> int:
        return len(self.by_name) + len(self.general)

    @property
    def fields(self) -> list[FieldError]:
        return list(self.by_name.values())

    @classmethod
    def from_form(cls, form: forms.Form, *, labels: dict[str, str] | None = None) -> FieldErrors:
        """Collect a bound form's errors; widgets of fields in error get ``aria-invalid`` and are described
        by their message, and every widget gets the ``f-<name>`` id the summary links to."""
        errors = cls()
        for bound in form:
            bound.field.widget.attrs.setdefault("id", FIELD_ID.format(bound.name))
        if not form.is_bound:
            return errors
        for message in form.non_field_errors():
            errors.add_general(message)
        data = form.errors.as_data()
        for bound in form:
            if bound.errors:
                label = (labels or {}).get(bound.name) or str(bound.label or bound.name)
                errors.add(bound.name, label, " ".join(_message(e, label, bound.field) for e in data[bound.name]))
        errors.mark(form)
        return errors

    def mark(self, form: forms.Form) -> None:
        """Put the error attributes on the widgets of ``form`` (also for errors added after ``from_form``)."""
        for name, err in self.by_name.items():
            if name in form.fields:
                attrs = form.fields[name].widget.attrs
                attrs.update({"aria-invalid": "true", "aria-describedby": err.error_id, "id": err.field_id})


def _message(error, label: str, field: forms.Field) -> str:
    """Django's message, except "required", which says what to do with the field's own name."""
    if error.code == "required":
        verb = "选择" if isinstance(field, (forms.ChoiceField, forms.FileField, forms.BooleanField)) else "填写"
        return f"请{verb}{label}"
    return " ".join(error.messages)
