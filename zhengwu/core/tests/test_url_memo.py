"""``{% url %}`` remembers names without arguments per process (``zhengwu.core.templatetags.url_memo``)."""

import pytest
from django.template import Context, Engine
from django.template.loader import get_template
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from zhengwu.core.templatetags import url_memo


def _render(text: str, **ctx) -> str:
    return Engine.get_default().from_string(text).render(Context(ctx))


def test_the_builtin_url_tag_is_the_remembering_one():
    nodes = Engine.get_default().from_string("{% url 'portal:home' %}").nodelist
    assert isinstance(nodes[0], url_memo.MemoURLNode)
    assert get_template("cases/progress.html")  # every template still compiles with it


def test_same_answers_as_reverse_also_under_another_mount_point():
    url_memo._known.clear()
    assert _render("{% url 'cases:progress' %}|{% url 'cases:progress' %}") == "/progress/|/progress/"
    set_script_prefix("/zwfw/")  # the same process serving under a prefix: a different key
    try:
        assert _render("{% url 'cases:progress' %}") == "/zwfw/progress/"
    finally:
        clear_script_prefix()
    assert _render("{% url 'cases:progress' %}") == "/progress/"


def test_arguments_as_variables_and_unknown_names_go_the_standard_way():
    url_memo._known.clear()
    assert _render("{% url 'cases:my_case' case_no=n %}", n="A-1") == reverse("cases:my_case", args=["A-1"])
    assert _render("{% url 'cases:my_case' case_no=n %}", n="B-2") == reverse("cases:my_case", args=["B-2"])
    assert _render("{% url 'cases:progress' as p %}[{{ p }}]") == "[/progress/]"
    with pytest.raises(NoReverseMatch):
        _render("{% url 'no:such_page' %}")
    assert _render("{% url 'no:such_page' as p %}[{{ p }}]") == "[]"
    assert all(not key[0].startswith("no:") for key in url_memo._known)


def test_a_name_in_a_variable_and_autoescape_off():
    url_memo._known.clear()
    assert _render("{% url name %}", name="cases:progress") == "/progress/"
    assert _render("{% autoescape off %}{% url name %}{% endautoescape %}", name="cases:progress") == "/progress/"
