"""Cards for the workbench: the selector, the include, and the management command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from zhengwu.core import clock
from zhengwu.core.errors import PermissionDenied
from zhengwu.supervision.models import Card
from zhengwu.supervision.selectors import attach_cards, card_list_for_staff, cards_for_cases
from zhengwu.supervision.services import sweep_run

from .conftest import accept_case, scope

pytestmark = pytest.mark.django_db
D = dt.date


def test_cards_for_cases_red_first_in_one_query(w, django_assert_num_queries):
    a = accept_case(w, D(2026, 9, 28))
    b = accept_case(w, D(2026, 10, 9), name="李四")
    with clock.frozen(D(2026, 10, 12)):
        sweep_run()
    with django_assert_num_queries(1):
        found = cards_for_cases([a.pk, b.pk])
    assert [(c.level, *scope(c)) for c in found[a.pk]] == [("red", "case", 0), ("red", "step", 2)]
    assert [(c.level, *scope(c)) for c in found[b.pk]] == [("yellow", "step", 2)]  # 审核 due 10-12
    html = render_to_string("supervision/_case_cards.html", {"cards": found[a.pk]})
    assert html.count('data-testid="sv-card"') == 2
    assert "红牌超期" in html and "红牌·审核环节超期" in html


def test_attach_cards_sets_an_empty_list_for_clean_cases(w):
    a = accept_case(w, D(2026, 9, 28))
    [case] = attach_cards([a])
    assert case.supervision_cards == []


def test_board_scope(w):
    accept_case(w, D(2026, 9, 28))
    with clock.frozen(D(2026, 10, 12)):
        sweep_run()
    assert card_list_for_staff(staff=w.supervisor).count() == 2
    assert card_list_for_staff(staff=w.head, level="red").count() == 2
    with pytest.raises(PermissionDenied):
        card_list_for_staff(staff=w.officer)


def test_command_is_idempotent(w):
    accept_case(w, D(2026, 9, 28))
    out = StringIO()
    call_command("supervise", "--date", "2026-10-12", stdout=out)
    assert "新亮黄牌 0 张、红牌 2 张" in out.getvalue()
    call_command("supervise", "--date", "2026-10-12", stdout=out)
    assert "新亮黄牌 0 张、红牌 0 张，解除 0 张" in out.getvalue().splitlines()[-1]
    assert Card.objects.count() == 2
