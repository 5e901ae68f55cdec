"""Regions and halls of the demo county.

Codes follow the 统计用区划代码 scheme: 6 digits of county, 3 of town (001–099 街道,
100–199 镇, 200–399 乡), 3 of village (001–199 社区/居委会, 200–399 村委会).
"""

from __future__ import annotations

from dataclasses import dataclass

CITY = ("130600000000", "示范市")
COUNTY = ("130621000000", "示范县")

CENTER_CODE = "SFXZW"
CENTER_NAME = "示范县政务服务中心"
CENTER_ADDRESS = "示范县人民路88号"
CENTER_AREA_M2 = 12000
HOURS = "工作日 上午9:00-12:00 下午13:30-17:00（法定节假日除外）"


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    hall_code: str
    villages: tuple[tuple[str, str], ...]  # (code, name)

    @property
    def hall_name(self) -> str:
        return f"{self.name}便民服务中心"


TOWNS: tuple[Town, ...] = (
    Town("130621001000", "城关街道", "CGJD", (
        ("130621001001", "东关社区"),
        ("130621001002", "西关社区"),
        ("130621001003", "文化路社区"),
    )),
    Town("130621100000", "清河镇", "QHZ", (
        ("130621100201", "东街村"),
        ("130621100202", "西街村"),
        ("130621100203", "河湾村"),
        ("130621100204", "前营村"),
    )),
    Town("130621101000", "柳林镇", "LLZ", (
        ("130621101201", "柳林村"),
        ("130621101202", "北辛庄村"),
        ("130621101203", "南孟村"),
    )),
    Town("130621102000", "石桥镇", "SQZ", (
        ("130621102201", "石桥村"),
        ("130621102202", "王家庄村"),
        ("130621102203", "孙家屯村"),
    )),
    Town("130621200000", "杏花乡", "XHX", (
        ("130621200201", "杏花村"),
        ("130621200202", "上庄村"),
        ("130621200203", "马家沟村"),
    )),
)

# Comprehensive windows of each town's 便民服务中心 (number, name).
TOWN_WINDOWS: tuple[tuple[str, str], ...] = (
    ("1", "综合受理窗口"),
    ("2", "社会事务窗口"),
    ("3", "村镇建设窗口"),
)
VILLAGE_WINDOW = ("1", "便民代办窗口")


def village_hall_code(town: Town, index: int) -> str:
    """``QHZ01``: the town's hall code plus the village's ordinal."""
    return f"{town.hall_code}{index + 1:02d}"


def village_hall_name(village_name: str) -> str:
    return f"{village_name}便民服务站"
