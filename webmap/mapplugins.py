"""The app's Folium elements, written as folium.plugins are: each a MacroElement with its own template, naming the
script and style files it needs in its own default_js and default_css (the app's copies, see webmap/assets.py).

Every script file is deferred (DeferredScript): fetched at once, run in order once the page is parsed, so no
map page waits for Leaflet before it shows its text; the map's script waits for them (webmap/mapbuild.page_parts).
"""
from __future__ import annotations

import json
from typing import Any, Sequence

import folium
from branca.element import Element, JavascriptLink, MacroElement
from folium import plugins
from folium.elements import JSCSSMixin
from folium.template import Template

from webmap import assets


class DeferredScript(JavascriptLink):
    """A script file that does not hold up the page: fetched at once, run in order when the page is parsed."""

    _template = Template('<script src="{{ this.url }}" defer></script>')


class Preconnect(Element):
    """A hint to open the connection to a server the page will ask soon."""

    _template = Template('<link rel="preconnect" href="{{ this.url }}">')

    def __init__(self, url: str) -> None:
        super().__init__()
        self._name = "Preconnect"
        self.url = url


class LocalAssets(JSCSSMixin):
    """A Folium element whose script files load deferred, in the place (and under the name) Folium gives them."""

    def render(self, **kwargs) -> None:
        # Folium's render first (its links, includes, templates, children), then each link made deferred.
        super().render(**kwargs)
        header = self.get_root().header
        for name, url in self.default_js:
            header.add_child(DeferredScript(url), name=name)  # the same name keeps the same place


class PageMap(LocalAssets, folium.Map):
    """A folium.Map for the app's pages: Leaflet from the app, and no page-wide settings of its own.

    Its header leaves the viewport to the page (Folium's forbids zooming a phone's page) and holds no inline script
    (the page's Content-Security-Policy runs only the one script with its nonce): Leaflet's global switches open the
    map's script instead. It loads none of Folium's other defaults (jQuery, Bootstrap, awesome-markers, Font
    Awesome), which no map of the app uses, and has no keep_in_front (Folium's needs jQuery). Given bounds, it fits
    them before any layer is added, so no tile is fetched for a view that is dropped at once, and without animation:
    layers added during a zoom animation fetch the tiles of the zoom it leaves. Given preconnect (the shown base
    map's server), the page meets that server while its scripts load.
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>
                #{{ this.get_name() }} {
                    position: {{ this.position }};
                    width: {{ this.width[0] }}{{ this.width[1] }};
                    height: {{ this.height[0] }}{{ this.height[1] }};
                    left: {{ this.left[0] }}{{ this.left[1] }};
                    top: {{ this.top[0] }}{{ this.top[1] }};
                }
                .leaflet-container { font-size: {{ this.font_size }}; }
            </style>
            <style>html, body { width: 100%; height: 100%; margin: 0; padding: 0; }</style>
            <style>#map { position: absolute; top: 0; bottom: 0; right: 0; left: 0; }</style>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }} ></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            L_NO_TOUCH = {{ this.global_switches.no_touch|tojson }};
            L_DISABLE_3D = {{ this.global_switches.disable_3d|tojson }};
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{ this.options|tojavascript }}
                }
            );
            {%- if this.start_bounds %}
            {{ this.get_name() }}.fitBounds({{ this.start_bounds|tojson }}, {"animate": false});
            {%- endif %}
            {%- if this.control_scale %}
            L.control.scale().addTo({{ this.get_name() }});
            {%- endif %}
            {%- if this.zoom_control_position %}
            L.control.zoom({ position: {{ this.zoom_control|tojson }} }).addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
    """)

    default_js = [assets.js("leaflet")]
    default_css = [assets.css("leaflet_css")]

    def __init__(self, *args: Any, preconnect: str | None = None,
                 bounds: Sequence[Sequence[float]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preconnect = preconnect
        self.start_bounds = [list(corner) for corner in bounds] if bounds else None

    def render(self, **kwargs) -> None:
        if self.preconnect:
            # First in the head: the first tiles are asked only once Leaflet runs, so meet their server meanwhile.
            self.get_root().header.add_child(Preconnect(self.preconnect), name="preconnect_tiles")
        super().render(**kwargs)


class Fullscreen(LocalAssets, plugins.Fullscreen):
    """Folium's full-screen button, with the app's copy of its script and style."""

    default_js = [assets.js("Control.Fullscreen.js")]
    default_css = [assets.css("Control.FullScreen.css")]


class CategoryIcons(MacroElement):
    """The categories' icons, in the legend and the layer switches, drawn from their SVGs (assets.icon_css)."""

    _template = Template("""
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
    """)

    def __init__(self, icons: Sequence[str]) -> None:
        super().__init__()
        self._name = "CategoryIcons"
        self.css = assets.icon_css(tuple(sorted(set(icons))))


class SiteLayer(LocalAssets, MacroElement):
    """Draws the sites from vector tiles in the browser; each category's switch hides its points (static/sites.js).

    Its scripts go in the page's head after Leaflet's; config reaches the script as JSON.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        ScpSites.load({{ this._parent.get_name() }}, {{ this.config_json }}, {
        {%- for code, layer in this.layers.items() %}
            {{ code|tojson }}: {{ layer.get_name() }},
        {%- endfor %}
        });
        {% endmacro %}
    """)

    default_js = [assets.js("vector_tile_layer"), ("scp_site_popup", assets.static_url("site_popup.js")),
                  ("scp_sites", assets.static_url("sites.js"))]

    def __init__(self, config: dict[str, Any], layers: dict[str, Any]) -> None:
        super().__init__()
        self._name = "SiteLayer"
        # JSON inside <script>: "</" would close the element, so it is written as "<\\/".
        self.config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
        self.layers = layers


class FitOnResize(MacroElement):
    """Fits the map to bounds again whenever its frame changes size (a portal's column, a phone turned), as long as
    the visitor has not moved it from the fitted view: an area chosen on a desktop stays whole at any width."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map, bounds) {
            var fitted = {zoom: map.getZoom(), centre: map.getCenter()};
            map.on("resize", function () {
                var zoom = map.getZoom();
                if (zoom !== fitted.zoom ||
                    map.project(map.getCenter(), zoom).distanceTo(map.project(fitted.centre, zoom)) > 2) return;
                map.fitBounds(bounds, {animate: false});
                fitted = {zoom: map.getZoom(), centre: map.getCenter()};
            });
        })({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
        {% endmacro %}
    """)

    def __init__(self, bounds: Sequence[Sequence[float]]) -> None:
        super().__init__()
        self._name = "FitOnResize"
        self.bounds = [list(corner) for corner in bounds]
