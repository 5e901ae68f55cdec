"""The default 村务公开目录 and 党务公开目录 (an administrator edits the rows afterwards).

村民委员会组织法第三十条: 一般事项至少每季度公布一次，集体财务往来较多的，财务收支情况应当每月公布一次；
涉及村民利益的重大事项应当随时公布. 中国共产党党务公开条例（试行）: 党的基层组织公开党组织建设、党员发展、
党费收缴使用等情况. Seeded by migration 0009; ``seed`` also puts them back where a test flushed them.
"""

LAW = "《中华人民共和国村民委员会组织法》第三十条"
PARTY = "《中国共产党党务公开条例（试行）》第十一条"
# code, name, catalogue, content kind, publication category, cadence, due day, basis, order
ROWS = [
    ("finance", "财务收支", "village", "finance", "village_finance", "quarter", 10, LAW, 10),
    ("assets", "集体资产、资源、资金（三资）", "village", "text", "village_assets", "half", 15, LAW, 20),
    ("relief", "低保、特困供养和临时救助名单", "village", "relief", "village_relief", "quarter", 10,
     "《最低生活保障审核确认办法》（民发〔2021〕57号）", 30),
    ("projects", "工程项目", "village", "text", "village_project", "quarter", 10, LAW, 40),
    ("subsidies", "惠农补贴", "village", "text", "village_subsidy", "half", 15, LAW, 50),
    ("party_org", "党组织建设", "party", "text", "party", "quarter", 10, PARTY, 110),
    ("party_members", "党员发展", "party", "text", "party", "half", 15, PARTY, 120),
    ("party_dues", "党费收缴", "party", "text", "party", "quarter", 10, PARTY, 130),
]


def seed(model=None) -> int:
    """Create the default rows that are missing (existing rows, edited or not, are left alone)."""
    if model is None:
        from .models import VillageCategory as model
    n = 0
    for code, name, cat, kind, pub, cadence, day, basis, order in ROWS:
        _obj, created = model.objects.get_or_create(code=code, defaults=dict(
            name=name, catalogue=cat, content_kind=kind, pub_category=pub, cadence=cadence, due_months_after=1,
            due_day=day, roll_to_workday=True, basis=basis, order=order))
        n += created
    return n
