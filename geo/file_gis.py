"""GIS files as rows: GeoJSON, GeoPackage, a zipped Shapefile, KML and KMZ read through pyogrio, each feature's
attributes followed by its point's lon and lat in WGS84 degrees.

The heading row is the attribute names, then "lon" and "lat". A feature that is not a point (a line, a polygon,
a multipoint of several points) or has no geometry keeps its row, with lon and lat None, and one warning names
those rows: the preview shows them as missing a location instead of the whole file being refused for a GPS
track beside the waypoints.
"""
from __future__ import annotations

import io
import json
import posixpath
import sqlite3
import tempfile
import zipfile
from contextlib import closing
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from shapely.geometry import MultiPoint, Point

from geo.boundaries import read_crs
from geo.errors import N_, BadParameter
from geo.file_limits import ZIP_ERRORS, Budget, Warning_, check_zip, xml_entities_refused

HEADING = ["lon", "lat"]
# Where coordinates without a declared CRS can only be WGS84 degrees: around Kiên Giang, with a wide margin.
DEGREES_AROUND = (100.0, 5.0, 110.0, 25.0)
# What LIBKML adds to every placemark to draw it (and an id it makes up): not an attribute of a site.
KML_DRAWING = ("id", "altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon", "snippet")
# In a zip, the dataset read: the first of these kinds found.
ZIPPED = (".shp", ".gpkg", ".geojson", ".json", ".kml")
_MAX_ROWS_NAMED = 10


def read_gis(content: bytes, extension: str, budget: Budget,
             crs: str | None) -> tuple[list[list[Any]], list[Warning_]]:
    """The features of a GIS file as rows (attributes, lon, lat) and warnings, transformed to WGS84 from the
    file's CRS or from crs when given (a preset such as vn2000-kien-giang, or EPSG:…)."""
    kml = extension in (".kml", ".kmz")
    warnings: list[Warning_] = []
    with tempfile.TemporaryDirectory(prefix="scp-import-") as folder:
        path = _dataset(content, extension, Path(folder), budget)
        if path.suffix.lower() == ".kml":
            _refuse_xml_entities(path)
        elif path.suffix.lower() == ".gpkg":
            _refuse_sql_views(path)
        frame = _read_layers(path, kml, budget, warnings)
    frame = _in_wgs84(frame, crs, warnings)
    budget.check_time()
    return _rows(frame, kml, budget, warnings), warnings


def _dataset(content: bytes, extension: str, folder: Path, budget: Budget) -> Path:
    """The file pyogrio reads: the upload itself, or the dataset inside a zip (a Shapefile) or a KMZ."""
    if extension not in (".zip", ".kmz"):
        path = folder / f"upload{extension}"
        path.write_bytes(content)
        return path
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as error:
        raise BadParameter("file", N_("Tệp nén .zip/.kmz bị hỏng")) from error
    with archive:
        check_zip(archive.infolist(), budget)
        names = [member for member in archive.infolist() if not member.is_dir()
                 and not posixpath.basename(member.filename).startswith(".") and "__MACOSX" not in member.filename]
        try:
            for member in names:
                # Flattened to their base names: a member's path never leaves the temporary folder.
                with archive.open(member) as source, open(folder / posixpath.basename(member.filename),
                                                          "wb") as target:
                    while chunk := source.read(65_536):
                        target.write(chunk)
                    budget.check_time()
        except ZIP_ERRORS as error:
            raise BadParameter("file", N_("Tệp nén .zip/.kmz bị hỏng")) from error
    wanted = (".kml",) if extension == ".kmz" else ZIPPED
    for suffix in wanted:
        found = sorted(path for path in folder.iterdir() if path.suffix.lower() == suffix)
        if found:
            return found[0]
    raise BadParameter("file", N_("Tệp nén không có Shapefile (.shp), GeoPackage, GeoJSON hay KML nào"))


def _refuse_xml_entities(path: Path) -> None:
    """Refuse a KML whose prolog declares a DOCTYPE, where XML entities (and their expansion) are declared."""
    text_ = path.read_bytes()
    root = text_.find(b"<kml")
    if b"<!DOCTYPE" in (text_ if root < 0 else text_[:root]).upper():
        raise xml_entities_refused("KML")


def _refuse_sql_views(path: Path) -> None:
    """Refuse a GeoPackage that holds an SQL view: GDAL would run it to count or read its features, and a view
    (a recursive one) can run without end; a GeoPackage of field data keeps its layers as tables."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as database:
            views = [name for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'view'")]
    except sqlite3.DatabaseError as error:
        raise BadParameter("file", N_("Không đọc được tệp: %(reason)s"), reason=str(error)) from error
    if views:
        raise BadParameter("file", N_("GeoPackage có view SQL (%(views)s), không được nhận; hãy xuất các lớp thành "
                                      "bảng"), views=", ".join(views[:_MAX_ROWS_NAMED]))


def _read_layers(path: Path, kml: bool, budget: Budget, warnings: list[Warning_]) -> gpd.GeoDataFrame:
    """The features of the file's first layer (of every layer of a KML, whose folders are layers), counted and
    measured before they are read."""
    if kml:
        # LIBKML turns the names of a placemark's <Data> (Google Earth's and My Maps' columns) into ASCII:
        # "Số hộ" would come as "S____h___". GDAL's documented switch, the same for every KML this process reads.
        pyogrio.set_gdal_config_options({"LIBKML_LAUNDER_FIELD_NAMES": False})
    try:
        layers = [str(name) for name, _geometry in pyogrio.list_layers(path)]
        if not layers:
            raise BadParameter("file", N_("Tệp không có lớp dữ liệu nào"))
        if not kml and len(layers) > 1:
            warnings.append(("file", N_("Tệp có %(n)s lớp; chỉ đọc lớp đầu tiên “%(layer)s”"),
                             {"n": len(layers), "layer": layers[0]}))
            layers = layers[:1]
        frames, rows = [], 1  # the heading row counts
        for layer in layers:
            info = pyogrio.read_info(path, layer=layer)
            if len(info["fields"]) + len(HEADING) > budget.limits.max_columns:
                raise BadParameter("file", N_("Tệp có %(n)s cột, quá giới hạn %(limit)s cột"),
                                   n=len(info["fields"]) + len(HEADING), limit=budget.limits.max_columns)
            budget.check_filled_row(rows + max(int(info["features"]), 0))  # -1: the driver cannot tell cheaply
            # One feature past the limit is enough to know the file is too long.
            frames.append(pyogrio.read_dataframe(path, layer=layer, max_features=budget.limits.max_rows,
                                                 encoding=_shapefile_encoding(path, warnings)))
            rows += len(frames[-1])
            budget.check_filled_row(rows)
            budget.check_time()
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
            pyogrio.errors.FeatureError, pyogrio.errors.GeometryError, pyogrio.errors.CRSError) as error:
        # GDAL names the temporary file it was given: the person knows their file by its own name.
        reason = str(error).replace(str(path.parent) + "/", "")
        raise BadParameter("file", N_("Không đọc được tệp: %(reason)s"), reason=reason) from error
    if len(frames) == 1:
        return frames[0]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=frames[0].crs)


def _beside(path: Path, suffix: str) -> Path | None:
    """The file of the same name with another suffix, in any case (DIEM.SHP, diem.dbf)."""
    return next((other for other in path.parent.iterdir()
                 if other.stem.lower() == path.stem.lower() and other.suffix.lower() == suffix), None)


def _shapefile_encoding(path: Path, warnings: list[Warning_]) -> str | None:
    """UTF-8 for a Shapefile without a .cpg whose records read as UTF-8 (GDAL would take them as Latin-1 and
    garble every tone mark), else None: GDAL's own reading of the .cpg or of the .dbf's code page mark."""
    dbf = _beside(path, ".dbf")
    if path.suffix.lower() != ".shp" or dbf is None or _beside(path, ".cpg") is not None:
        return None
    table = dbf.read_bytes()
    try:
        table[int.from_bytes(table[8:10], "little"):].decode("utf-8")  # the records, after the binary header
    except UnicodeDecodeError:
        warnings.append(("file", N_("Shapefile không có tệp .cpg và không phải UTF-8: hãy kiểm tra dấu tiếng Việt "
                                    "của tên"), {}))
        return None
    return "UTF-8"


def _in_wgs84(frame: gpd.GeoDataFrame, crs: str | None, warnings: list[Warning_]) -> gpd.GeoDataFrame:
    """The frame in EPSG:4326: from crs when named (it overrides a missing or wrong .prj), else from the file's
    own; a file without one is taken as degrees only where its points lie around the province, and said so."""
    if crs:
        frame = frame.set_crs(read_crs(crs), allow_override=True)
    elif frame.crs is None:
        points = frame.geometry.dropna()
        west, south, east, north = DEGREES_AROUND
        x0, y0, x1, y1 = points.total_bounds
        if points.empty or not (west <= x0 and x1 <= east and south <= y0 and y1 <= north):
            raise BadParameter("crs", N_("Tệp không khai báo hệ tọa độ (.prj) và tọa độ không phải độ kinh, vĩ quanh "
                                         "Kiên Giang; hãy chọn hệ tọa độ, ví dụ vn2000-kien-giang"))
        frame = frame.set_crs(4326)
        warnings.append(("crs", N_("Tệp không khai báo hệ tọa độ; tọa độ nằm quanh Kiên Giang nên được hiểu là "
                                   "kinh độ, vĩ độ WGS84 (EPSG:4326)"), {}))
    return frame.to_crs(4326)


def _point(geometry: Any) -> Point | None:
    """The one point of a feature, or None for anything else (a line, a polygon, several points, nothing)."""
    if isinstance(geometry, MultiPoint) and len(geometry.geoms) == 1:
        geometry = geometry.geoms[0]
    if isinstance(geometry, Point) and not geometry.is_empty:
        return geometry
    return None


def _python(value: Any) -> Any:
    """A cell of a data frame as a plain Python value: None for NaN and NaT, datetime for a timestamp, a list
    (GeoJSON's arrays) or an object as its JSON text, a binary field as hexadecimal."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bytes):
        return value.hex()
    if value is None or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _columns(frame: gpd.GeoDataFrame, kml: bool, warnings: list[Warning_]) -> list[str]:
    """The attribute columns kept: not the geometry, not a KML's drawing fields, not the file's own lon/lat
    (the point's are read instead, and said so)."""
    columns = [column for column in frame.columns if column != frame.geometry.name]
    if kml:
        columns = [column for column in columns if column not in KML_DRAWING
                   and not (column in ("timestamp", "begin", "end") and frame[column].isna().all())]
    own = [column for column in columns if str(column).strip().lower() in HEADING]
    if own:
        warnings.append(("file", N_("Cột %(columns)s của tệp được thay bằng tọa độ của điểm"),
                         {"columns": ", ".join(map(str, own))}))
    return [column for column in columns if column not in own]


def _rows(frame: gpd.GeoDataFrame, kml: bool, budget: Budget, warnings: list[Warning_]) -> list[list[Any]]:
    """The heading row, then each feature's attributes and its point's lon and lat (None when not a point)."""
    columns = _columns(frame, kml, warnings)
    rows: list[list[Any]] = [[budget.cell(str(column), 1, index) for index, column in enumerate(columns, 1)]
                             + HEADING]
    not_points: list[int] = []
    kinds: set[str] = set()
    values = [frame[column].tolist() for column in columns]
    for position, geometry in enumerate(frame.geometry):
        number = position + 2
        row = [budget.cell(_python(column[position]), number, index) for index, column in enumerate(values, 1)]
        point = _point(geometry)
        if point is None:
            not_points.append(number)
            kinds.add(geometry.geom_type if geometry is not None and not geometry.is_empty else "—")
            row += [None, None]
        else:
            row += [point.x, point.y]
        rows.append(row)
        if position % 256 == 0:
            budget.check_time()
    if not_points:
        shown = ", ".join(map(str, not_points[:_MAX_ROWS_NAMED])) + ("…" if len(not_points) > _MAX_ROWS_NAMED else "")
        warnings.append(("file", N_("%(n)s dòng không phải là một điểm (%(kinds)s) nên không có kinh độ, vĩ độ: dòng "
                                    "%(rows)s"), {"n": len(not_points), "kinds": ", ".join(sorted(kinds)),
                                                  "rows": shown}))
    return rows

