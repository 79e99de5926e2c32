"""Folium and branca are used through their own extension points only: the app's source reaches into no element's
_children, assigns to no attribute of their classes or modules, and runs no regular expression over what they render.
A Folium upgrade should not break a page in a way only the browser tests would show."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

WEBMAP = Path(__file__).resolve().parents[2] / "webmap"
LIBRARIES = ("folium", "branca")
# The app's own modules that build Folium maps: what they hold is Folium's output too.
MAP_MODULES = ("webmap.mapbuild", "webmap.mapplugins", "mapbuild", "mapplugins")


def _library_names(tree: ast.Module) -> set[str]:
    """The names a module binds to Folium or branca: modules, submodules and anything imported from them."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] in LIBRARIES}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in LIBRARIES:
            names |= {a.asname or a.name for a in node.names}
    return names


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _uses_maps(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in LIBRARIES for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] in LIBRARIES or module in MAP_MODULES:
                return True
            if module == "webmap" and {a.name for a in node.names} & {"mapbuild", "mapplugins"}:
                return True
    return False


def violations(source: str) -> list[str]:
    """Each line of source that edits Folium or branca from outside, with what it does."""
    tree = ast.parse(source)
    library = _library_names(tree)
    uses_maps = _uses_maps(tree)
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and node.attr == "_children" or \
                isinstance(node, ast.Constant) and node.value == "_children":
            found.append(f"{line}: reaches into an element's _children")
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(_root(target), ast.Name) \
                    and _root(target).id in library:
                found.append(f"{line}: assigns to {ast.unparse(target)}, an attribute of Folium or branca")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") \
                and node.args and isinstance(_root(node.args[0]), ast.Name) and _root(node.args[0]).id in library:
            found.append(f"{line}: {node.func.id} on Folium or branca")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id == "re":
            if uses_maps:
                found.append(f"{line}: a regular expression in a module that builds maps")
            elif any(isinstance(n, ast.Attribute) and n.attr == "render" for arg in node.args for n in ast.walk(arg)):
                found.append(f"{line}: a regular expression over rendered HTML")
    return found


@pytest.mark.parametrize("path", sorted(WEBMAP.rglob("*.py")), ids=lambda p: str(p.relative_to(WEBMAP)))
def test_the_app_uses_folium_through_its_front_door(path):
    assert violations(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("source", [
    "def f(m):\n    for name, child in list(m._children.items()):\n        m._children.move_to_end(name)",
    "def f(m):\n    return getattr(m, '_children')",
    "import folium\nfolium.Map.default_js = []",
    "import folium.folium\nfolium.folium._default_js = []",
    "import branca.colormap\nbranca.colormap.ColorMap.render = lambda self: None",
    "from folium import plugins\nplugins.Fullscreen.default_css += []",
    "from branca.colormap import ColorMap\nsetattr(ColorMap, 'render', None)",
    "import re\nimport folium\nVIEWPORT = re.compile('<meta name=\"viewport\"[^>]*>')",
    "import re\nfrom webmap import mapbuild\ndef f(m):\n    return re.findall('<script>', m)",
    "import re\ndef f(figure):\n    return re.sub('<script>', '', figure.header.render())",
])
def test_each_way_of_editing_folium_from_outside_is_caught(source):
    assert violations(source)


def test_subclasses_declaring_their_own_assets_are_the_front_door():
    source = ("from folium import plugins\nfrom webmap import assets\n"
              "class Fullscreen(plugins.Fullscreen):\n    default_js = [assets.js('Control.Fullscreen.js')]\n"
              "    def __init__(self):\n        super().__init__()\n        self._name = 'Fullscreen'\n")
    assert violations(source) == []
