"""The default team division: 31 provinces/autonomous regions/municipalities + 新疆生产建设兵团 (32 teams)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str  # GB/T 2260 province code; XJBT for the Corps
    name: str  # full name shown to residents
    aliases: tuple[str, ...]  # short forms residents type


NATIONAL_32: tuple[Region, ...] = (
    Region("11", "北京市", ("北京", "京")),
    Region("12", "天津市", ("天津", "津")),
    Region("13", "河北省", ("河北", "冀")),
    Region("14", "山西省", ("山西", "晋")),
    Region("15", "内蒙古自治区", ("内蒙古", "内蒙", "蒙")),
    Region("21", "辽宁省", ("辽宁", "辽")),
    Region("22", "吉林省", ("吉林", "吉")),
    Region("23", "黑龙江省", ("黑龙江", "黑")),
    Region("31", "上海市", ("上海", "沪")),
    Region("32", "江苏省", ("江苏", "苏")),
    Region("33", "浙江省", ("浙江", "浙")),
    Region("34", "安徽省", ("安徽", "皖")),
    Region("35", "福建省", ("福建", "闽")),
    Region("36", "江西省", ("江西", "赣")),
    Region("37", "山东省", ("山东", "鲁")),
    Region("41", "河南省", ("河南", "豫")),
    Region("42", "湖北省", ("湖北", "鄂")),
    Region("43", "湖南省", ("湖南", "湘")),
    Region("44", "广东省", ("广东", "粤")),
    Region("45", "广西壮族自治区", ("广西", "桂")),
    Region("46", "海南省", ("海南", "琼")),
    Region("50", "重庆市", ("重庆", "渝")),
    Region("51", "四川省", ("四川", "川", "蜀")),
    Region("52", "贵州省", ("贵州", "黔", "贵")),
    Region("53", "云南省", ("云南", "滇", "云")),
    Region("54", "西藏自治区", ("西藏", "藏")),
    Region("61", "陕西省", ("陕西", "陕", "秦")),
    Region("62", "甘肃省", ("甘肃", "甘", "陇")),
    Region("63", "青海省", ("青海", "青")),
    Region("64", "宁夏回族自治区", ("宁夏", "宁")),
    Region("65", "新疆维吾尔自治区", ("新疆", "新")),
    Region("XJBT", "新疆生产建设兵团", ("兵团", "建设兵团", "生产建设兵团")),
)

DIVISIONS: dict[str, tuple[Region, ...]] = {"national-32": NATIONAL_32}
