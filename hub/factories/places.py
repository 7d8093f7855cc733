"""The offline place table the factory map uses: Tokyo's wards (their centres, from :data:`matching.WARDS`) and
town (町) centres averaged from the demo directory's placed addresses (``seeds/data/factories.json``).

The browser places a factory from its address with this table (``hub/static/js/factory-map.js``) and draws the
ward names as the offline base map. Regenerate the shipped file after changing the wards or the demo data:
``python -m hub.factories.places`` (a test checks the shipped file is current).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from matching import WARDS, normalise_ward

ROOT = Path(__file__).resolve().parent.parent.parent
SHIPPED = ROOT / "hub" / "static" / "data" / "tokyo-places.json"
SOURCE = ROOT / "seeds" / "data" / "factories.json"

# The town name runs from after the ward to the first block number or 丁目 ("大森南4-6-21" → "大森南").
_TOWN_END = re.compile(r"[0-9０-９一二三四五六七八九十〇]+(丁目|番|-|－|ー|$)|[0-9０-９\-－ー]")


def town_of(address: str | None, ward_key: str | None) -> str | None:
    """The town (町) of a Japanese address in the given ward, or None when the address does not name it."""
    ward = WARDS.get(ward_key or "")
    if not address or ward is None:
        return None
    text = unicodedata.normalize("NFKC", address).replace(" ", "")
    at = text.find(ward.name_ja)
    if at < 0:
        return None
    rest = text[at + len(ward.name_ja):]
    end = _TOWN_END.search(rest)
    town = rest[:end.start()] if end else rest
    return town or None


@lru_cache(maxsize=1)
def _town_points() -> dict[tuple[str, str], tuple[float, float]]:
    table = json.loads(SHIPPED.read_text(encoding="utf-8")) if SHIPPED.exists() else {"towns": []}
    return {(t["ward"], t["name"]): (t["lat"], t["lon"]) for t in table["towns"]}


def town_point(ward_key: str | None, address: str | None) -> tuple[float, float] | None:
    """The centre of the town an address names (from the shipped table), or None."""
    town = town_of(address, ward_key)
    return _town_points().get((ward_key, town)) if town else None


def build(records: list[dict]) -> dict:
    """The place table: every ward's centre, and the mean point of each town found in ``records``."""
    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for record in records:
        key = normalise_ward(record.get("ward") or "")
        town = town_of(record.get("address"), key)
        if town and isinstance(record.get("lat"), float) and isinstance(record.get("lon"), float):
            points[(key, town)].append((record["lat"], record["lon"]))
    wards = [{"key": w.key, "ja": w.name_ja, "en": w.name_en, "lat": w.lat, "lon": w.lon} for w in WARDS.values()]
    towns = [{"ward": key, "name": town, "lat": round(sum(p[0] for p in pts) / len(pts), 5),
              "lon": round(sum(p[1] for p in pts) / len(pts), 5)}
             for (key, town), pts in sorted(points.items())]
    return {"wards": wards, "towns": towns}


def render(records: list[dict]) -> str:
    return json.dumps(build(records), ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    SHIPPED.parent.mkdir(parents=True, exist_ok=True)
    SHIPPED.write_text(render(json.loads(SOURCE.read_text(encoding="utf-8"))), encoding="utf-8")
    print(SHIPPED.relative_to(ROOT))


if __name__ == "__main__":
    main()
