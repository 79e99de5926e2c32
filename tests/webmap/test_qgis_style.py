"""The QGIS style of the site layer's vector tiles (deploy/qgis/sites.qml) keeps step with the app: a rule per
category in the catalogue's colour, the cluster bands of the MapLibre style, and the count written on clusters."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from geo.catalogue import CATEGORIES
from webmap.map_style import CLUSTER_STEPS

QML = Path(__file__).resolve().parents[2] / "deploy" / "qgis" / "sites.qml"


def rules(root: ET.Element, layer: str) -> dict[str, dict[str, str]]:
    """The renderer's rules of a tile layer: filter expression → the marker's options."""
    out = {}
    for style in root.iterfind("renderer/styles/style"):
        if style.get("layer") == layer:
            options = style.find("symbols/symbol/layer/Option")
            out[style.get("expression")] = {o.get("name"): o.get("value") for o in options}
    return out


def rgb(colour: str) -> str:
    return ",".join(str(int(colour[i:i + 2], 16)) for i in (1, 3, 5))


def test_each_category_is_a_rule_in_its_colour():
    root = ET.parse(QML).getroot()
    assert root.tag == "qgis" and root.find("renderer").get("type") == "basic"
    sites = rules(root, "sites")
    assert {f"\"category\" = '{c.code}'": rgb(c.colour) for c in CATEGORIES} == {
        expression: options["color"].rsplit(",", 1)[0] for expression, options in sites.items()}


def test_clusters_have_the_map_styles_bands_and_their_count_written():
    root = ET.parse(QML).getroot()
    clusters = rules(root, "clusters")
    assert [(options["color"].rsplit(",", 1)[0], float(options["size"])) for options in clusters.values()] == [
        (rgb(colour), 2.0 * radius) for _low, colour, radius in CLUSTER_STEPS]
    assert list(clusters)[0] == f'"count" >= {CLUSTER_STEPS[0][0]} AND "count" < {CLUSTER_STEPS[1][0]}'
    label = root.find("labeling/styles/style")
    assert (label.get("layer"), label.find("settings/text-style").get("fieldName")) == ("clusters", "count")
