"""Rebuild ``regions.csv`` (GB/T 2260 codes) from the admin-division table in geotool-cn.

Run by hand when the code table should be refreshed: ``python -m pipeline.data.build_regions``.
The pipeline itself reads only the CSV, so geotool-cn is a build-time tool, not a dependency.
Columns: code, name (official), short (the form used in running text, or empty when the
short form is a common word), level (province | city | district), parent (code).
"""
from __future__ import annotations

import csv
import json
import re
from importlib import resources
from pathlib import Path

_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|拉祜|水|"
    "东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|"
    "乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{_ETHNIC})族?)+自治(?:州|区|县|旗)$")
_SUFFIX = re.compile(r"^(.{2,}?)(?:特别行政区|自治区|省|市|地区|盟)$")
# Short forms that are everyday words or famous non-place names in news text.
_AMBIGUOUS = {
    "阿里", "中山", "长治", "安康", "大同", "朝阳", "普洱", "玉树", "山南", "海东", "海西", "海北",
    "黄南", "白银", "吉安", "通化", "海南藏族", "兴安", "红河", "文山", "神农架林区", "果洛",
    "三明", "东方", "白山", "来宾", "和田",
}


def short_name(name: str, level: str) -> str:
    if level == "district":
        return ""
    m = _AUTONOMOUS.match(name) or _SUFFIX.match(name)
    short = m.group(1) if m else ""
    return "" if short in _AMBIGUOUS or len(short) < 2 else short


def build(out: Path) -> int:
    data = json.loads(resources.files("GeoToolCN").joinpath("data/china_admin.json").read_text("utf-8"))
    rows = []
    for level, key in (("province", "provinces"), ("city", "cities"), ("district", "districts")):
        for code, name in data[key]:
            parent = "" if level == "province" else (code[:2] + "0000" if level == "city" else code[:4] + "00")
            rows.append((code, name, short_name(name, level), level, parent))
    rows.sort()
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "short", "level", "parent"])
        w.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    print(build(Path(__file__).with_name("regions.csv")), "rows")
