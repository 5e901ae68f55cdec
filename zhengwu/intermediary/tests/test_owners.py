"""项目业主 registration (API and page): a person by 身份证号, an enterprise by 统一社会信用代码, a government unit
only by a staff member of its department; bad check digits refused in Chinese with nothing written; an
already registered enterprise is not joined by knowing its code; an existing 经办人 adds a colleague."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.intermediary.models import Event, Owner, OwnerKind
from zhengwu.intermediary.services import owners
from zhengwu.intermediary.tests.factories import DAY, at, build_world, id_number, uscc
from zhengwu.intermediary.tests.test_api import get, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with clock.frozen(at(DAY, 8)):
        return build_world()


def newcomer(name="newcomer"):
    return get_user_model().objects.create_user(username=name, password="pass-123456", real_name="新用户")


def test_an_enterprise_registers_through_the_api_and_lists_itself(client, w):
    u = newcomer()
    body = {"kind": "enterprise", "name": "示范县恒远建材有限公司", "uscc": uscc(950), "contact_name": "周经理",
            "contact_phone": "13911112222"}
    r = post(client, "/owners", body, u)
    assert r.status_code == 201, r.content
    owner = Owner.objects.get(uscc=uscc(950))
    assert (owner.kind, owner.name, list(owner.members.all())) == (OwnerKind.ENTERPRISE, "示范县恒远建材有限公司", [u])
    assert [o["name"] for o in get(client, "/my/owners", u).json()] == ["示范县恒远建材有限公司"]
    assert Event.objects.filter(action="owner_register", actor=u).count() == 1
    # a second user knowing the (public) code cannot join
    r = post(client, "/owners", body, newcomer("other"))
    assert r.status_code == 400 and "已登记为项目业主，请由其现有经办人将您添加为经办人" in r.json()["message"]
    assert owner.members.count() == 1


def test_bad_check_digits_and_missing_fields_change_nothing(client, w):
    u = newcomer()
    before = Owner.objects.count()
    bad_uscc = uscc(951)[:-1] + ("0" if uscc(951)[-1] != "0" else "1")
    r = post(client, "/owners", {"kind": "enterprise", "name": "某公司", "uscc": bad_uscc, "contact_name": "甲",
                                 "contact_phone": "1"}, u)
    assert r.status_code == 400 and r.json()["code"] == "invalid_uscc"
    bad_id = id_number(952)[:-1] + ("0" if id_number(952)[-1] != "0" else "1")
    r = post(client, "/owners", {"kind": "person", "name": "李四", "id_number": bad_id, "contact_name": "李四",
                                 "contact_phone": "13900000000"}, u)
    assert r.status_code == 400 and r.json()["code"] == "invalid_id_number"
    r = post(client, "/owners", {"kind": "person", "name": " ", "id_number": id_number(952), "contact_name": "李四",
                                 "contact_phone": "13900000000"}, u)
    assert r.status_code == 400 and "请填写业主名称" in r.json()["message"]
    r = post(client, "/owners", {"kind": "alien", "name": "x", "contact_name": "x", "contact_phone": "1"}, u)
    assert r.status_code == 422
    assert Owner.objects.count() == before and not Event.objects.filter(action="owner_register").exists()


def test_a_government_unit_only_by_its_own_staff(w):
    with pytest.raises(PermissionDenied) as exc:
        owners.owner_register(user=newcomer(), kind=OwnerKind.GOVERNMENT, name="示范县自然资源和规划局",
                              uscc=uscc(953), contact_name="王", contact_phone="1", department=w.nature)
    assert "该部门的在岗工作人员" in exc.value.message
    staff_user = w.env_supervisor.user  # a staff member of 生态环境局
    with pytest.raises(PermissionDenied):
        owners.owner_register(user=staff_user, kind=OwnerKind.GOVERNMENT, name="示范县自然资源和规划局",
                              uscc=uscc(953), contact_name="王", contact_phone="1", department=w.nature)
    owner = owners.owner_register(user=staff_user, kind=OwnerKind.GOVERNMENT, name="示范县生态环境局",
                                  uscc=uscc(954), contact_name="赵", contact_phone="0311-1", department=w.env)
    assert (owner.department_id, owner.kind) == (w.env.pk, OwnerKind.GOVERNMENT)


def test_members_are_added_by_an_existing_member_only(w):
    colleague, stranger = newcomer("colleague"), newcomer("stranger")
    with pytest.raises(PermissionDenied):
        owners.owner_member_add(owner=w.enterprise, user=stranger, member=stranger)
    owners.owner_member_add(owner=w.enterprise, user=w.enterprise.members.first(), member=colleague)
    assert w.enterprise.members.filter(pk=colleague.pk).exists()
    with pytest.raises(DomainError) as exc:
        owners.owner_member_add(owner=w.person, user=w.person.members.first(), member=colleague)
    assert exc.value.code == "intermediary_owner_person"


def test_the_owner_page_registers_a_person(client, w):
    u = newcomer()
    client.force_login(u)
    page = client.get("/intermediary/owner/").content.decode()
    assert 'data-testid="owner-register"' in page
    r = client.post("/intermediary/owner/register/", {"kind": "person", "name": "李四", "id_number": "123",
                                                      "contact_name": "李四", "contact_phone": "139"})
    assert r.status_code == 400 and "身份证号应为18位" in r.content.decode()
    r = client.post("/intermediary/owner/register/", {"kind": "person", "name": "李四", "id_number": id_number(960),
                                                      "contact_name": "李四", "contact_phone": "13900000009"},
                    follow=True)
    assert "已登记为项目业主：李四" in r.content.decode() and 'data-testid="owner-register"' not in r.content.decode()
    assert Owner.objects.get(id_number=id_number(960)).members.get() == u
