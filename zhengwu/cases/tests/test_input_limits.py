"""Input the columns cannot hold or the code does not accept is refused at the edge, never a 500,
with the field named, alike on SQLite and PostgreSQL (issue 11)."""

import datetime as dt

import pytest

from zhengwu.accounts.models import ApiToken
from zhengwu.cases import services as s
from zhengwu.cases.forms import ApplicantForm, SupplementRequestForm, action_form
from zhengwu.cases.models import Case, CaseEvent, PolicySetting
from zhengwu.cases.plan import plan_for
from zhengwu.core import clock
from zhengwu.core.errors import DomainError

from .factories import PERSON_ID, build_world

pytestmark = pytest.mark.django_db
JSON = "application/json"
APPLICANT = {"kind": "person", "name": "张三", "phone": "13812345678", "id_number": PERSON_ID}


@pytest.fixture
def w():
    return build_world()


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def fields(r) -> list[str]:
    """The fields a 422 names (the shared error shape: details[].field)."""
    assert r.status_code == 422, r.content
    return [d["field"] for d in r.json()["details"]]


@pytest.mark.parametrize("params", [{"offset": -1}, {"offset": 99999999999999999999}, {"limit": -5},
                                    {"limit": 0}, {"limit": 1001}, {"offset": 10_000_001},
                                    {"limit": -5, "offset": -5}])
def test_paging_out_of_bounds_on_the_case_list_is_a_422(client, w, params):
    r = client.get("/api/cases", params, headers=token(w.officer.user))
    assert sorted(fields(r)) == sorted(params)


def test_paging_at_the_bounds_on_the_case_list(client, w):
    client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": APPLICANT}, content_type=JSON,
                headers=token(w.citizen))
    officer = token(w.officer.user)
    assert len(client.get("/api/cases", {"limit": 1000, "offset": 0}, headers=officer).json()) == 1
    assert client.get("/api/cases", {"limit": 1, "offset": 10_000_000}, headers=officer).json() == []


@pytest.mark.parametrize(("applicant", "field"), [
    ({**APPLICANT, "name": "张" * 1000}, "applicant.name"),
    ({**APPLICANT, "address": "路" * 5000}, "applicant.address"),
    ({**APPLICANT, "phone": "1" * 21}, "applicant.phone"),
    ({**APPLICANT, "id_number": "1" * 19}, "applicant.id_number"),
    ({**APPLICANT, "legal_rep": "李" * 51}, "applicant.legal_rep"),
    ({**APPLICANT, "kind": "enterprise"}, "applicant.kind"),
])
def test_an_applicant_longer_than_its_columns_or_of_an_unknown_kind_is_refused(client, w, applicant, field):
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": applicant}, content_type=JSON,
                    headers=token(w.citizen))
    assert fields(r) == [field]
    assert Case.objects.count() == 0


def test_the_applicant_kind_message_names_the_accepted_values(client, w):
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": {**APPLICANT, "kind": "enterprise"}},
                    content_type=JSON, headers=token(w.citizen))
    assert "person、legal" in r.json()["message"]


@pytest.mark.parametrize(("body", "field"), [
    ({"item_code": "X" * 65}, "item_code"),
    ({"channel": "fax"}, "channel"),
    ({"hall_code": "H" * 17}, "hall_code"),
    ({"note": "注" * 10_001}, "note"),
])
def test_submit_fields_beyond_their_limits(client, w, body, field):
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": APPLICANT, **body},
                    content_type=JSON, headers=token(w.citizen))
    assert fields(r) == [field]
    assert Case.objects.count() == 0


def _pending(client, w) -> str:
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "window", "applicant": APPLICANT},
                    content_type=JSON, headers=token(w.officer.user))
    return r.json()["case_no"]


@pytest.mark.parametrize(("body", "field"), [
    ({"decision": "maybe"}, "decision"), ({"method": "pigeon"}, "method"), ({"kind": "prayer"}, "kind"),
    ({"tracking_no": "S" * 41}, "tracking_no"), ({"missing": ["材" * 201]}, "missing[0]"),
    ({"missing": [f"材料{i}" for i in range(51)]}, "missing"), ({"days": 0}, "days"), ({"days": 61}, "days"),
    ({"item_state": "lost"}, "item_state"), ({"reason": "理" * 10_001}, "reason"),
])
def test_action_fields_beyond_their_limits(client, w, body, field):
    no = _pending(client, w)
    before = CaseEvent.objects.count()
    r = client.post(f"/api/cases/{no}/actions/accept", body, content_type=JSON, headers=token(w.officer.user))
    assert fields(r) == [field]
    assert (Case.objects.get(case_no=no).status, CaseEvent.objects.count()) == ("pending", before)


def test_enums_and_lengths_are_in_the_openapi(client):
    schema = client.get("/api/openapi.json").json()
    parts = schema["components"]["schemas"]

    def enum(name):
        return parts[name]["enum"]

    assert enum("CaseApplicantKind") == ["person", "legal"]
    assert enum("CaseChannel") == ["online", "window", "agent"]
    assert enum("CaseDecision") == ["approve", "deny"]
    assert enum("CaseDelivery") == ["pickup", "post", "electronic"]
    assert enum("CasePayMethod") == ["cash", "pos", "qr", "transfer"]
    assert "in_review" in enum("CaseStatus") and enum("CaseStatusFilter")[0] == "open"
    assert enum("CaseSupplementItemResolve") == ["received", "waived"]
    assert "site_survey" in enum("CaseSpecialProcedure")
    applicant = parts["CaseApplicantIn"]["properties"]
    assert {k: applicant[k]["maxLength"] for k in ("name", "phone", "id_number", "uscc", "legal_rep", "address")} == {
        "name": 100, "phone": 20, "id_number": 18, "uscc": 18, "legal_rep": 50, "address": 200}
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/cases"]["get"]["parameters"]}
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 1000)
    assert (params["offset"]["minimum"], params["offset"]["maximum"]) == (0, 10_000_000)


# -- free text: a maximum as policy ----------------------------------------------------------------------


def test_free_text_is_capped_by_policy_and_names_the_field(client, w):
    no = _pending(client, w)
    officer = token(w.officer.user)
    r = client.post(f"/api/cases/{no}/actions/reject", {"reason": "理" * 2001}, content_type=JSON, headers=officer)
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (
        422, "text_too_long", "不予受理理由不能超过2000个字（现为2001个字）")
    assert [d["field"] for d in r.json()["details"]] == ["reason"]
    PolicySetting.objects.create(key="text_max_chars", value="300")
    r = client.post(f"/api/cases/{no}/actions/reject", {"reason": "理" * 301}, content_type=JSON, headers=officer)
    assert r.json()["message"] == "不予受理理由不能超过300个字（现为301个字）"
    assert Case.objects.get(case_no=no).status == "pending"
    r = client.post(f"/api/cases/{no}/actions/reject", {"reason": "理" * 300}, content_type=JSON, headers=officer)
    assert r.json()["status"] == "rejected"


def test_the_policy_stays_within_its_bounds(w):
    PolicySetting.objects.create(key="text_max_chars", value="5")
    assert s.text_max() == s.TEXT_MAX_FLOOR
    PolicySetting.objects.filter(key="text_max_chars").update(value="999999")
    assert s.text_max() == s.TEXT_MAX_CEILING
    PolicySetting.objects.filter(key="text_max_chars").update(value="很多")
    assert s.text_max() == 2000


def test_services_refuse_overlong_values_from_any_caller(w):
    """Pages, the hall and the demo call the services directly: they hold the same limits."""
    with pytest.raises(DomainError) as exc:
        s.case_submit(item=w.item, applicant=s.Applicant(**{**APPLICANT, "name": "张" * 101}), channel="online",
                      user=w.citizen)
    assert (exc.value.code, exc.value.status, exc.value.message) == (
        "too_long", 422, "申请人姓名或单位名称不能超过100个字（现为101个字）")
    with pytest.raises(DomainError) as exc:
        s.case_submit(item=w.item, applicant=s.Applicant(**{**APPLICANT, "address": "路" * 201}), channel="online",
                      user=w.citizen)
    assert exc.value.details == [{"field": "address", "in": "body", "type": "string_too_long",
                                  "message": "联系地址不能超过200个字（现为201个字）"}]
    with clock.frozen(dt.date(2026, 3, 10)):
        case = s.case_submit(item=w.item, applicant=s.Applicant(**APPLICANT), channel="window", officer=w.officer)
        with pytest.raises(DomainError) as exc:
            s.case_request_supplement(case=case, officer=w.officer, missing=["图" * 201])
    assert exc.value.code == "too_long" and Case.objects.get(pk=case.pk).status == "pending"
    assert Case.objects.count() == 1


# -- the forms carry the same limits --------------------------------------------------------------------


def test_the_forms_carry_the_columns_and_the_policy(w):
    form = ApplicantForm({"kind": "person", "name": "张" * 101, "address": "路" * 201, "phone": "1" * 21})
    assert not form.is_valid()
    # the column limits, and (issue 18: every error at once) the person's missing ID number beside them
    assert set(form.errors) == {"name", "address", "phone", "id_number"}
    assert "不能超过" in form.errors["name"][0] or "100" in form.errors["name"][0]
    form = SupplementRequestForm({"missing": "图" * 201})
    assert not form.is_valid() and "每项材料名称不能超过200个字" in form.errors["missing"][0]
    plan = plan_for(w.item.current_id)
    reject = action_form("reject", plan=plan, missing_required=[], text_max=2000, data={"reason": "理" * 2001})
    assert not reject.is_valid() and 'maxlength="2000"' in str(reject["reason"])
    extend = action_form("extend", plan=plan, missing_required=[], data={"days": 11, "reason": "需征求意见"})
    assert not extend.is_valid()
    assert extend.errors["days"] == ["该事项最多延长10个工作日（行政许可法第四十二条）"]
