"""The marketplace's pages (owned by the pages helper; see /work/notes/intermediary-contract.md)."""


def urlpatterns_build(path):
    return []
