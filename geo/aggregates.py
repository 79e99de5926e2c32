"""The tables the database keeps from the sites (migrations 0012 and 0018): site_cell, site_cell_coarse and
site_cell_detail (published sites per cell of the tiles' grids, for clustered tiles) and site_figure (published
sites folded into the groups every figure reads). Statement triggers on site keep each in step; each has a view of
itself built again from the sites (<table>_built), a rebuild (scp_<table>s_rebuild) and a drift count
(scp_<table>s_drift): the groups where the table and its rebuild differ, which is none while the triggers are
right."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

AGGREGATES = ("site_cell", "site_cell_coarse", "site_cell_detail", "site_figure")


def drift(session: Session) -> dict[str, int]:
    """Each kept table → the number of its groups that differ from its rebuild from the sites (0 when in step)."""
    calls = ", ".join(f"scp_{table}s_drift() AS {table}" for table in AGGREGATES)
    return dict(session.execute(text(f"SELECT {calls}")).mappings().one())  # noqa: S608 - fixed names


def rebuild(session: Session, table: str) -> None:
    """Build a kept table again from the sites (in the caller's transaction)."""
    if table not in AGGREGATES:
        raise ValueError(f"not a kept table: {table!r}")
    session.execute(text(f"SELECT scp_{table}s_rebuild()"))
