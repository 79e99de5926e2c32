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


def user_main(argv: list[str] | None = None) -> int:
    """scripts/user: accounts for the admin's first sign-in and for scripting."""
    import getpass

    from geo import accounts

    parser = argparse.ArgumentParser(prog="scripts/user", description="Manage accounts and API tokens.")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["admin", "planner", "district_staff"])
    add.add_argument("--district", help="district (2009–2025) or commune (2025) code, for district staff")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_parser("list", help="list the accounts")
    for name, text_ in (("disable", "stop an account signing in and revoke its tokens"),
                        ("set-password", "give an account a new password"),
                        ("token", "print a new personal API token for an account"),
                        ("revoke-tokens", "revoke every API token of an account")):
        command = sub.add_parser(name, help=text_)
        command.add_argument("name")
        if name == "set-password":
            command.add_argument("--password-stdin", action="store_true")
    args = parser.parse_args(argv)

    def read_password() -> str:
        if getattr(args, "password_stdin", False):
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Mật khẩu / password: ")
        if first != getpass.getpass("Nhập lại / again: "):
            raise SystemExit("the two passwords differ")
        return first

    engine = make_engine(os.environ["DATABASE_URL"])
    try:
        with transaction(engine) as session:
            if args.command == "add":
                actor = accounts.create_user(session, args.name, read_password(), args.role, args.district)
                print(f"added {actor.username} ({actor.role}{', ' + actor.unit_code if actor.unit_code else ''})")
            elif args.command == "list":
                for user in accounts.list_users(session):
                    state = "active" if user["is_active"] else "disabled"
                    print(f"{user['username']:<24} {user['role']:<15} {user['unit_code'] or '':<6} {state}")
            elif args.command == "disable":
                accounts.disable(session, args.name)
                print(f"disabled {args.name}")
            elif args.command == "set-password":
                accounts.set_password(session, args.name, read_password())
                print(f"password of {args.name} changed")
            elif args.command == "token":
                print(accounts.create_token(session, args.name))
            elif args.command == "revoke-tokens":
                print(f"revoked {accounts.revoke_tokens(session, args.name)} tokens of {args.name}")
    except DomainError as error:
        print(f"{error.field}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    commands = {"import-boundaries": import_boundaries_main, "user": user_main}
    sys.exit(commands[sys.argv[1]](sys.argv[2:]))
