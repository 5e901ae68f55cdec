"""The demo's two projects: built on the demo county, in different stages, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.catalog.models import Bundle
from zhengwu.core import clock
from zhengwu.demo.build import load_demo
from zhengwu.demo.projects import PROJECTS, build_projects
from zhengwu.projects import selectors
from zhengwu.projects.models import Project

pytestmark = pytest.mark.django_db


def test_build_projects(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo()
    with clock.frozen(dt.date(2026, 10, 20)):
        assert build_projects() == 2
        assert build_projects() == 0
        a, b = (Project.objects.get(code=p["code"]) for p in PROJECTS)
        assert (a.stage, b.stage, a.status, b.status) == (3, 1, "active", "active")
        pa = selectors.progress_of(a, today=clock.today())
        pb = selectors.progress_of(b, today=clock.today())
    assert [s.state for s in pa.stages] == ["finished", "finished", "running", "waiting"]
    assert [s.days_used for s in pa.stages] == [18, 22, 9, 0] and pa.days_used == 49
    assert any(x.overdue for x in pa.blockers if x.kind == "child")
    assert [s.state for s in pb.stages][:1] == ["running"] and pb.stages[0].days_used == 6
    assert b.region.name == "城关街道"
    # the stage joint cases run under the demo's 新建厂房 stage bundles (demo/bundles.py)
    assert [s.joint.bundle.code for s in pa.stages[:3]] == ["GCJS-XJCF-1", "GCJS-XJCF-2", "GCJS-XJCF-3"]
    assert not Bundle.objects.filter(code__startswith="SFX-GCXM-").exists()
    assert [(x.department, x.overdue) for x in pa.blockers] == [
        ("示范县住房和城乡建设局", True), ("示范县人民防空办公室", False), ("示范县城市管理综合行政执法局", False),
        ("示范县住房和城乡建设局", False)]
