"""Rebuilds `provinces_svg.json` from the npm package @svg-maps/thailand. Not used at run time.

    cd /tmp && npm pack @svg-maps/thailand@2.0.0 && tar xzf svg-maps-thailand-2.0.0.tgz
    .venv/bin/python -m progress.data.build_provinces /tmp/package/index.js

The package (CC BY 4.0, based on MapSVG's map of Thailand) names each province in English;
each is matched to the Department of Provincial Administration's code from `geothai`.
Its one extra shape (Songkhla Lake) is kept as water.
"""

import json
import re
import sys
from pathlib import Path

import geothai

HERE = Path(__file__).resolve().parent
SOURCE = "@svg-maps/thailand 2.0.0 (CC BY 4.0), based on MapSVG (mapsvg.com)"


def _key(name: str) -> str:
    return re.sub("[^a-z]", "", name.lower())


def build(index_js: str) -> None:
    text = Path(index_js).read_text()
    data = json.loads(text[text.index("{") :].rstrip().rstrip(";"))
    codes = {_key(p.name_en): p.code for p in geothai.provinces()}
    shapes, water = [], []
    for location in data["locations"]:
        code = codes.get(_key(location["name"]))
        if code is None:
            water.append(location["path"])
            continue
        shapes.append({"code": code, "path": location["path"]})
    assert len({s["code"] for s in shapes}) == len(codes), "every province must have a shape"
    out = {"source": SOURCE, "viewBox": data["viewBox"], "provinces": shapes, "water": water}
    (HERE / "provinces_svg.json").write_text(json.dumps(out, separators=(",", ":")))


if __name__ == "__main__":
    build(sys.argv[1])
