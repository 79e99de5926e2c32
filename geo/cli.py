"""Command lines of the operational scripts: they parse arguments and call geo/ functions."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from geo import boundaries
from geo.db import make_engine, transaction
from geo.errors import DomainError


def import_boundaries_main(argv: list[str] | None = None) -> int:
    """scripts/import-boundaries: replace the boundaries of a level with an official file."""
    parser = argparse.ArgumentParser(
        prog="scripts/import-boundaries",
        description="Replace the district (or commune) boundaries with an official file, in one transaction.")
    parser.add_argument("file", type=Path, help="Shapefile (.shp), GeoJSON, GeoPackage or KML")
    parser.add_argument("--level", choices=["district", "commune", "province"], default="district")
    parser.add_argument("--code-field", default="code", help="field holding the GSO code (default: code)")
    parser.add_argument("--name-field", default="name", help="field holding the name (default: name)")
    parser.add_argument("--layer", help="layer name, for GeoPackages with several layers")
    parser.add_argument("--crs", help="CRS of the file when its .prj is missing or wrong: an EPSG code "
                        f"or a preset ({', '.join(boundaries.CRS_PRESETS)})")
    parser.add_argument("--no-repair", action="store_true", help="refuse invalid geometries instead of repairing")
    parser.add_argument("--source", help="source text stored with the units (default: the file name and date)")
    args = parser.parse_args(argv)
    engine = make_engine(os.environ["DATABASE_URL"])
    try:
        with transaction(engine) as session:
            report = boundaries.import_boundaries(
                session, args.file, level=args.level, code_field=args.code_field, name_field=args.name_field,
                crs=args.crs, layer=args.layer, repair=not args.no_repair, source=args.source)
    except DomainError as error:
        print(f"import refused, nothing changed — {error.field}: {error}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    commands = {"import-boundaries": import_boundaries_main}
    sys.exit(commands[sys.argv[1]](sys.argv[2:]))
