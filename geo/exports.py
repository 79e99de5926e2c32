"""Exports of approved sites in the formats GIS users and government offices use: CSV, Excel, GeoPackage, Shapefile."""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.catalogue import MEASURES
from geo.cells import keep_text, spreadsheet_text
from geo.site_query import SiteFilters
from geo.sites import published_sites_sql

FORMATS = {
    "csv": ("text/csv", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
    "shp": ("application/zip", "zip"),
}

# Said, not guessed from the rows: an export of no site is still a point layer (a Shapefile would say LineString).
GEOMETRY_TYPE = "Point"

COLUMNS = ("id", "ref", "name", "name_en", "category", "category_name", "status", "district_code", "district_name",
           "commune_code", "commune_name", "plan_task", "lead_agency", "address", "lon", "lat", "location_precision",
           "ward_code", "start_date", "end_date", "description", "source", "is_sample")

# Column headings of the office formats (CSV, Excel), Vietnamese and English; GIS formats keep the field codes.
HEADINGS: dict[str, tuple[str, str]] = {
    "id": ("Mã", "ID"), "ref": ("Số hiệu", "Reference"), "name": ("Tên", "Name"),
    "name_en": ("Tên tiếng Anh", "English name"),
    "category_name": ("Loại", "Category"), "status": ("Trạng thái", "Status"),
    "district_code": ("Mã huyện", "District code"), "district_name": ("Huyện", "District"),
    "commune_code": ("Mã xã (2025)", "Commune code (2025)"), "commune_name": ("Xã (2025)", "Commune (2025)"),
    "plan_task": ("Nhiệm vụ", "Plan task"), "lead_agency": ("Cơ quan chủ trì", "Lead agency"),
    "address": ("Địa chỉ", "Address"), "lon": ("Kinh độ", "Longitude"), "lat": ("Vĩ độ", "Latitude"),
    "location_precision": ("Độ chính xác vị trí", "Location precision"),
    "ward_code": ("Mã xã, phường (2020)", "Ward code (2020)"),
    "start_date": ("Ngày bắt đầu", "Start date"), "end_date": ("Ngày kết thúc", "End date"),
    "description": ("Mô tả", "Description"), "source": ("Nguồn", "Source"), "is_sample": ("Dữ liệu mẫu", "Sample data"),
}


def sites_frame(session: Session, filters: SiteFilters, lang: str = "vi") -> gpd.GeoDataFrame:
    """Published sites matching filters as a GeoDataFrame (EPSG:4326), one column per measure."""
    sql, params = published_sites_sql(filters, with_geometry=True)
    frame = gpd.read_postgis(text(sql), session.connection(), geom_col="geom", params=params)
    if frame.empty:
        # No row to read an SRID from: an empty result is still a layer of the column's points, in EPSG:4326.
        frame = frame.set_crs(4326)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise ValueError(f"sites must be stored in EPSG:4326, found {frame.crs}")
    frame["category_name"] = frame["category_name_en" if lang == "en" else "category_name_vi"]
    frame["lon"], frame["lat"] = frame.geometry.x.round(6), frame.geometry.y.round(6)
    for column in ("start_date", "end_date"):
        frame[column] = frame[column].map(lambda day: day.isoformat() if day else None)
    measures = frame.pop("measures")
    for key in MEASURES:
        frame[key] = measures.map(lambda values, key=key: (values or {}).get(key))
    frame = frame[[*COLUMNS, *MEASURES, "geom"]].rename_geometry("geometry")
    present = [c for c in frame.columns if c == "geometry" or not frame[c].isna().all()] if len(frame) else frame.columns
    return frame[present]


def measure_heading(key: str, lang: str = "vi") -> str:
    """A measure's column heading in the office formats: its label with its unit, "Diện tích (ha)"."""
    vi, en, unit = MEASURES[key]
    label = en if lang == "en" else vi
    return f"{label} ({unit})" if unit else label


def _office_table(frame: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    table = pd.DataFrame(frame.drop(columns=["geometry", "category"]))
    headings = {key: en if lang == "en" else vi for key, (vi, en) in HEADINGS.items()}
    headings.update({key: measure_heading(key, lang) for key in MEASURES})
    return table.rename(columns=headings)


def export_sites(frame: gpd.GeoDataFrame, fmt: str, lang: str = "vi") -> bytes:
    """The sites in one of FORMATS, as bytes."""
    if fmt == "csv":
        table = _office_table(frame, lang).map(lambda v: spreadsheet_text(v) if isinstance(v, str) else v)
        # UTF-8 with a byte-order mark, so spreadsheet programs keep the diacritics.
        return ("\ufeff" + table.to_csv(index=False)).encode("utf-8")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        sheet_name = "Sites" if lang == "en" else "Điểm"
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            _office_table(frame, lang).to_excel(writer, index=False, sheet_name=sheet_name)
            keep_text(writer.sheets[sheet_name])
        return buffer.getvalue()
    with tempfile.TemporaryDirectory() as directory:
        if fmt == "gpkg":
            path = Path(directory) / "kien-giang-sites.gpkg"
            frame.to_file(path, layer="sites", driver="GPKG", engine="pyogrio", geometry_type=GEOMETRY_TYPE)
            return path.read_bytes()
        # Shapefile: field names cut to 10 characters by the format; text in UTF-8, said so in the .cpg.
        shp_dir = Path(directory) / "shp"
        shp_dir.mkdir()
        short = frame.rename(columns=lambda c: c[:10])
        short.to_file(shp_dir / "kien_giang_sites.shp", engine="pyogrio", encoding="UTF-8", geometry_type=GEOMETRY_TYPE)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(shp_dir.iterdir()):
                archive.write(file, file.name)
        return buffer.getvalue()
