"""The center's own office, public resource trading, archives and the public utilities (水电气)."""

from __future__ import annotations

from .spec import BOTH, CTV, LEGAL, OTHER, PERSON, PUB, SURVEY, S, Unit

_POWER = "《电力供应与使用条例》；《供电营业规则》（国家发展和改革委员会令第14号）"
_WATER_SUPPLY = "《城市供水条例》"
_GAS = "《城镇燃气管理条例》"
_TRADING = "《中华人民共和国招标投标法》；《公共资源交易平台管理暂行办法》（国家发展和改革委员会等14部委令第39号）"

UNITS: tuple[Unit, ...] = (
    Unit(
        key="ZWB", name="示范县政务服务管理办公室", short="县政务服务管理办公室", section="综合业务科", zone="A",
        windows=("投资项目代办", "政务公开"), obj=BOTH, theme="其他",
        default_basis="《优化营商环境条例》（国务院令第722号）",
        items=(
            S("投资项目全程代办服务", PUB, legal=None, promised=3, obj=LEGAL, theme="投资审批",
              result="代办服务委托确认书",
              conditions="在本县投资建设的项目，项目单位自愿委托；市级以上审批事项由中心牵头组织对口部门帮办、代办。",
              materials=("投资项目代办委托书", "营业执照", "项目基本情况说明")),
            S("涉企检查活动登记", OTHER, legal=None, promised=1, obj=LEGAL, theme="其他",
              basis="《优化营商环境条例》（国务院令第722号）第五十九条；《示范县涉企检查活动登记管理办法》",
              result="涉企检查活动登记通知单",
              materials=("涉企检查活动登记表", "检查依据和检查方案", "检查人员执法证件")),
            S("政府信息公开申请", PUB, legal=20, promised=15, depth=5, visits=0,
              basis="《中华人民共和国政府信息公开条例》（国务院令第711号）第二十七条至第三十三条",
              result="政府信息公开申请答复书",
              limit_note="需要延长答复期限的，经负责人同意可延长不超过20个工作日；征求第三方意见的时间不计入",
              materials=("政府信息公开申请表", "申请人身份证明")),
        ),
    ),
    Unit(
        key="JYZX", name="示范县公共资源交易中心", short="县公共资源交易中心", section="交易服务科", zone="E",
        windows=("进场交易",), obj=LEGAL, theme="工程建设", category="12", nature="事业单位",
        default_basis=_TRADING,
        items=(
            S("工程建设项目招标投标进场交易登记", PUB, legal=None, promised=0, visits=0, depth=5,
              materials=("进场交易登记表", "项目审批、核准或备案文件", "招标公告或资格预审公告")),
            S("政府采购项目进场交易登记", PUB, legal=None, promised=0, visits=0, depth=5,
              basis="《中华人民共和国政府采购法》；《公共资源交易平台管理暂行办法》",
              materials=("政府采购进场登记表", "政府采购计划", "采购文件")),
            S("投标保证金退还", PUB, legal=5, promised=3, visits=0, depth=6,
              basis="《中华人民共和国招标投标法实施条例》第三十五条、第五十七条",
              materials=("保证金退还申请表", "中标通知书或未中标证明", "营业执照")),
        ),
    ),
    Unit(
        key="DAG", name="示范县档案馆", short="县档案馆", section="档案利用服务科", zone="E",
        windows=("档案查询",), obj=PERSON, theme="其他", category="12", nature="事业单位",
        default_basis="《中华人民共和国档案法》",
        items=(
            S("婚姻登记档案查询", PUB, legal=None, promised=0, depth=3, theme="婚姻登记",
              basis="《中华人民共和国档案法》；《婚姻登记档案管理办法》", result="档案查询证明",
              materials=("申请人居民身份证", "?委托书及受托人居民身份证")),
            S("知青、招工等民生档案查询", PUB, legal=None, promised=0, depth=1,
              result="档案查询证明", materials=("申请人居民身份证", "?委托书及受托人居民身份证")),
        ),
    ),
    Unit(
        key="GDGS", name="国网示范县供电公司", short="县供电公司", section="营业厅", zone="C",
        windows=("用电业务", "用电业务"), obj=BOTH, theme="水电气暖", category="91", nature="公共企事业单位",
        default_basis=_POWER,
        items=(
            S("低压居民用电新装", PUB, legal=None, promised=3, visits=0, depth=6, obj=PERSON, tiers=CTV,
              village=True, materials=("用电人居民身份证", "房屋产权证明或其他证明文书")),
            S("低压非居民用电新装、增容", PUB, legal=None, promised=5, visits=0, depth=6, obj=LEGAL,
              materials=("营业执照", "用电地址物业权属证明", "?用电设备清单")),
            S("高压用电新装、增容", PUB, legal=None, promised=20, special=SURVEY, obj=LEGAL,
              materials=("营业执照", "用电地址物业权属证明", "项目批复或备案文件", "用电设备清单")),
            S("用电更名、过户", PUB, legal=None, promised=1, visits=0, depth=6,
              materials=("新户主身份证明", "房屋产权证明")),
            S("用电暂停、减容", PUB, legal=None, promised=3, visits=0, depth=6, obj=LEGAL,
              materials=("营业执照", "暂停或减容申请")),
            S("分布式光伏发电并网申请", PUB, legal=None, promised=10, special=SURVEY,
              basis=_POWER + "；《分布式光伏发电开发建设管理办法》", tiers=CTV, village=True,
              materials=("申请人身份证明", "房屋产权证明或屋顶使用协议", "光伏发电项目备案文件")),
        ),
    ),
    Unit(
        key="ZLS", name="示范县自来水有限公司", short="县自来水公司", section="营业厅", zone="C",
        windows=("用水业务",), obj=BOTH, theme="水电气暖", category="91", nature="公共企事业单位",
        default_basis=_WATER_SUPPLY,
        items=(
            S("用水报装", PUB, legal=None, promised=5, special=SURVEY, depth=5,
              materials=("申请人身份证明", "房屋产权证明", "?用水需求说明")),
            S("用水过户", PUB, legal=None, promised=0, visits=0, depth=6,
              materials=("新户主身份证明", "房屋产权证明")),
            S("水表迁移、改造申请", PUB, legal=None, promised=5, depth=5,
              materials=("申请人身份证明", "水表迁移改造申请表")),
        ),
    ),
    Unit(
        key="RQGS", name="示范县天然气有限公司", short="县燃气公司", section="营业厅", zone="C",
        windows=("燃气业务",), obj=BOTH, theme="水电气暖", category="91", nature="公共企事业单位",
        default_basis=_GAS,
        items=(
            S("居民燃气开户", PUB, legal=None, promised=5, obj=PERSON, depth=5,
              materials=("申请人居民身份证", "房屋产权证明", "?燃气设施安全检查记录")),
            S("燃气过户", PUB, legal=None, promised=0, visits=0, depth=6,
              materials=("新户主身份证明", "房屋产权证明")),
            S("工商业燃气用户报装", PUB, legal=None, promised=15, special=SURVEY, obj=LEGAL,
              materials=("营业执照", "用气场所产权证明", "用气设备清单", "?消防安全验收文件")),
        ),
    ),
)
