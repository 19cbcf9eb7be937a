"""Places people name instead of an IANA zone: `北京`, `上海`, `香港`, `台北`, `Beijing`, `Tokyo`.

Only cities whose zone is beyond doubt; anything else must be an IANA name (`Asia/Shanghai`)."""

from __future__ import annotations

_BY_ZONE = {
    "Asia/Shanghai": ("北京", "上海", "广州", "深圳", "成都", "重庆", "杭州", "南京", "武汉", "西安", "天津",
                      "苏州", "长沙", "郑州", "青岛", "厦门", "昆明", "沈阳", "哈尔滨", "中国", "北京时间",
                      "beijing", "shanghai", "guangzhou", "shenzhen", "chengdu", "chongqing", "hangzhou",
                      "nanjing", "wuhan", "china"),
    "Asia/Urumqi": ("乌鲁木齐", "urumqi"),
    "Asia/Hong_Kong": ("香港", "hong kong", "hongkong"),
    "Asia/Macau": ("澳门", "澳門", "macau", "macao"),
    "Asia/Taipei": ("台北", "臺北", "台湾", "臺灣", "台中", "高雄", "taipei", "taiwan"),
    "Asia/Tokyo": ("东京", "東京", "大阪", "日本", "tokyo", "osaka", "japan"),
    "Asia/Seoul": ("首尔", "首爾", "韩国", "seoul", "korea"),
    "Asia/Singapore": ("新加坡", "singapore"),
    "Asia/Kuala_Lumpur": ("吉隆坡", "kuala lumpur"),
    "Asia/Bangkok": ("曼谷", "bangkok"),
    "Europe/London": ("伦敦", "倫敦", "london"),
    "Europe/Paris": ("巴黎", "paris"),
    "Europe/Berlin": ("柏林", "berlin"),
    "America/New_York": ("纽约", "紐約", "new york"),
    "America/Los_Angeles": ("洛杉矶", "洛杉磯", "旧金山", "舊金山", "los angeles", "san francisco"),
    "America/Toronto": ("多伦多", "多倫多", "toronto"),
    "America/Vancouver": ("温哥华", "溫哥華", "vancouver"),
    "Australia/Sydney": ("悉尼", "雪梨", "sydney"),
    "Australia/Melbourne": ("墨尔本", "墨爾本", "melbourne"),
}
CITY_ZONES: dict[str, str] = {name: zone for zone, names in _BY_ZONE.items() for name in names}


def zone_of_place(text: str) -> str | None:
    """The IANA zone of a city or country typed by name (`北京`, `Hong Kong`), else None (names that are
    IANA names themselves, such as `Japan`, are taken as such before this is asked)."""
    name = " ".join(text.split()).lower().removesuffix("市")
    return CITY_ZONES.get(name)
