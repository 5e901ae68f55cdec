import pytest


@pytest.fixture(autouse=True)
def fresh_plans():
    """The case plan cache is keyed by item version id; ids repeat across tests (rollback/flush)."""
    from zhengwu.cases import plan

    plan._plans.clear()
    yield
    plan._plans.clear()
