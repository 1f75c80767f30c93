"""The default team division: 31 provinces/autonomous regions/municipalities + 新疆生产建设兵团 (32 teams)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str  # GB/T 2260 province code; XJBT for the Corps
    name: str  # full name shown to residents
    aliases: tuple[str, ...]  # short forms residents type
    population: int | None = None  # resident population, for per-capita team scores


NATIONAL_32: tuple[Region, ...] = (
    Region("11", "北京市", ("北京", "京"), 21893095),
    Region("12", "天津市", ("天津", "津"), 13866009),
    Region("13", "河北省", ("河北", "冀"), 74610235),
    Region("14", "山西省", ("山西", "晋"), 34915616),
    Region("15", "内蒙古自治区", ("内蒙古", "内蒙", "蒙"), 24049155),
    Region("21", "辽宁省", ("辽宁", "辽"), 42591407),
    Region("22", "吉林省", ("吉林", "吉"), 24073453),
    Region("23", "黑龙江省", ("黑龙江", "黑"), 31850088),
    Region("31", "上海市", ("上海", "沪"), 24870895),
    Region("32", "江苏省", ("江苏", "苏"), 84748016),
    Region("33", "浙江省", ("浙江", "浙"), 64567588),
    Region("34", "安徽省", ("安徽", "皖"), 61027171),
    Region("35", "福建省", ("福建", "闽"), 41540086),
    Region("36", "江西省", ("江西", "赣"), 45188635),
    Region("37", "山东省", ("山东", "鲁"), 101527453),
    Region("41", "河南省", ("河南", "豫"), 99365519),
    Region("42", "湖北省", ("湖北", "鄂"), 57752557),
    Region("43", "湖南省", ("湖南", "湘"), 66444864),
    Region("44", "广东省", ("广东", "粤"), 126012510),
    Region("45", "广西壮族自治区", ("广西", "桂"), 50126804),
    Region("46", "海南省", ("海南", "琼"), 10081232),
    Region("50", "重庆市", ("重庆", "渝"), 32054159),
    Region("51", "四川省", ("四川", "川", "蜀"), 83674866),
    Region("52", "贵州省", ("贵州", "黔", "贵"), 38562148),
    Region("53", "云南省", ("云南", "滇", "云"), 47209277),
    Region("54", "西藏自治区", ("西藏", "藏"), 3648100),
    Region("61", "陕西省", ("陕西", "陕", "秦"), 39528999),
    Region("62", "甘肃省", ("甘肃", "甘", "陇"), 25019831),
    Region("63", "青海省", ("青海", "青"), 5923957),
    Region("64", "宁夏回族自治区", ("宁夏", "宁"), 7202654),
    Region("65", "新疆维吾尔自治区", ("新疆", "新"), 25852345),
    Region("XJBT", "新疆生产建设兵团", ("兵团", "建设兵团", "生产建设兵团"), None),
)

# Populations: 国家统计局《第七次全国人口普查公报（第三号）——地区人口情况》(2021-05-11), 常住人口 at
# 2020-11-01 00:00. The 31 figures sum to 1,409,778,724 (= the national 1,411,778,724 less 2,000,000 active
# military), which the test suite checks. 新疆维吾尔自治区's figure includes the Corps; the bulletin gives no
# separate figure for 新疆生产建设兵团, so its population is left unset (a campaign file may set one):
# per-capita scores then rank it after the teams that have a population.

DIVISIONS: dict[str, tuple[Region, ...]] = {"national-32": NATIONAL_32}
