"""Small builders of org rows for tests in any app."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhengwu.org.models import Department, Hall, Region, Role, Staff, Window


def county(code="130621000000", name="示范县") -> Region:
    return Region.objects.get_or_create(code=code, defaults={"name": name, "level": "county"})[0]


def town(parent: Region, code="130621100000", name="城关镇") -> Region:
    return Region.objects.get_or_create(code=code, defaults={"name": name, "level": "town", "parent": parent})[0]


def village(parent: Region, code="130621100201", name="东关村") -> Region:
    return Region.objects.get_or_create(code=code, defaults={"name": name, "level": "village",
                                                              "parent": parent})[0]


def hall(region: Region, code="SFXZW", kind=Hall.Kind.CENTER, name=None) -> Hall:
    return Hall.objects.get_or_create(code=code, defaults={"name": name or f"{region.name}{Hall.Kind(kind).label}",
                                                           "kind": kind, "region": region})[0]


def department(region: Region, code="D001", name="示范县市场监督管理局") -> Department:
    return Department.objects.get_or_create(code=code, defaults={"name": name, "region": region,
                                                                 "approval_section": "行政审批服务科"})[0]


def window(hall: Hall, number="1", department: Department | None = None) -> Window:
    return Window.objects.get_or_create(hall=hall, number=number,
                                        defaults={"name": department.name if department else "综合窗口",
                                                  "department": department})[0]


def staff(employee_no: str, *roles: str, department=None, hall=None, region=None, name=None) -> Staff:
    user = get_user_model().objects.create_user(username=f"u{employee_no}", password="pass-123456",
                                                real_name=name or f"工作人员{employee_no}")
    region = region or (hall.region if hall else department.region)
    s = Staff.objects.create(user=user, employee_no=employee_no, name=user.real_name, department=department,
                             hall=hall, region=region)
    s.roles.set(Role.objects.filter(code__in=roles))
    return s


def photo(name: str, fmt: str = "PNG", pad_to: int = 0) -> SimpleUploadedFile:
    """A real 30×40 image as uploaded; ``pad_to`` appends bytes after its end (still a valid image)."""
    buf = io.BytesIO()
    Image.new("RGB", (30, 40), "#3f6aa8").save(buf, fmt)
    data = buf.getvalue()
    return SimpleUploadedFile(name, data + b"\0" * max(0, pad_to - len(data)))


def stored_files(root) -> list[str]:
    """The files under a test's MEDIA_ROOT, as storage names."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
