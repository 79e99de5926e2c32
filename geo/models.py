"""Tables of the SCP map (SQLAlchemy 2 with GeoAlchemy2); SRID 4326 on every geometry."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from geo.catalogue import LOCATION_PRECISIONS, MODERATION_STATES, ROLES, STATUSES

SRID = 4326


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    pass


class AdminUnit(Base):
    """A province, district (2009–June 2025) or commune (from July 2025) with its validity dates."""

    __tablename__ = "admin_unit"
    __table_args__ = (
        UniqueConstraint("code", "level", "valid_from"),
        CheckConstraint("level IN ('province', 'district', 'commune')", name="admin_unit_level"),
        Index("admin_unit_geom_gist", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[Optional[str]] = mapped_column(String(10))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[Optional[dt.date]] = mapped_column(Date)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False))
    source: Mapped[str] = mapped_column(Text)
    accuracy: Mapped[str] = mapped_column(Text)
    is_approximate: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class PlanTask(Base):
    """A task of the plan's appendix with its lead agency."""

    __tablename__ = "plan_task"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(Text)
    lead_agency: Mapped[str] = mapped_column(Text)


class Category(Base):
    """A kind of site on the map, with its colour, icon and the plan tasks it serves."""

    __tablename__ = "category"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    colour: Mapped[str] = mapped_column(String(7))
    icon: Mapped[str] = mapped_column(String(40))
    plan_tasks: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    measures: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    sort_order: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class User(Base):
    """A person who signs in: admin, planner, or district staff tied to one administrative unit."""

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="app_user_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    unit_code: Mapped[Optional[str]] = mapped_column(String(10))
    display_name: Mapped[Optional[str]] = mapped_column(Text)
    email: Mapped[Optional[str]] = mapped_column(Text)
    phone: Mapped[Optional[str]] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Raised by sign-out and a password change: every session signed in under an older one ends (0006).
    session_generation: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class ApiToken(Base):
    """A personal API token, stored as a hash; revoked tokens stay for the record."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True),
                                                    server_default=text("now() + interval '90 days'"))


class SignInFailure(Base):
    """A failed sign-in, counted in a window by every worker process alike (0006)."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (Index("sign_in_failure_key_time", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    key: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Site(Base):
    """A pilot site of the plan; its district and commune are set by the database from its location."""

    __tablename__ = "site"
    __table_args__ = (
        CheckConstraint(_one_of("status", STATUSES), name="site_status"),
        CheckConstraint(_one_of("moderation", MODERATION_STATES), name="site_moderation"),
        CheckConstraint(_one_of("location_precision", LOCATION_PRECISIONS), name="site_location_precision"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="site_dates"),
        Index("site_geom_gist", "geom", postgresql_using="gist"),
        Index("site_footprint_gist", "footprint", postgresql_using="gist"),
        Index("site_filters", "moderation", "category_code", "district_code"),
        Index("site_review_queue", "moderation", postgresql_where=text("deleted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[Optional[str]] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[Optional[str]] = mapped_column(Text)
    category_code: Mapped[str] = mapped_column(ForeignKey("category.code"))
    status: Mapped[str] = mapped_column(String(12))
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=SRID, spatial_index=False))
    footprint: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=True)
    location_precision: Mapped[str] = mapped_column(String(10), server_default="exact")
    district_code: Mapped[Optional[str]] = mapped_column(String(10))
    commune_code: Mapped[Optional[str]] = mapped_column(String(10))
    ward_code: Mapped[Optional[str]] = mapped_column(String(10))
    address: Mapped[Optional[str]] = mapped_column(Text)
    plan_task: Mapped[str] = mapped_column(ForeignKey("plan_task.code"))
    lead_agency: Mapped[str] = mapped_column(Text)
    start_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    end_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    measures: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    description: Mapped[Optional[str]] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    is_sample: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    moderation: Mapped[str] = mapped_column(String(10), server_default="draft")
    review_note: Mapped[Optional[str]] = mapped_column(Text)
    pending: Mapped[Optional[dict[str, Any]]] = mapped_column(JSONB)
    pending_by: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"))
    pending_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    deleted_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))


class SiteHistory(Base):
    """One change to a site: who, when, what it was before and after."""

    __tablename__ = "site_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    changed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSONB)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSONB)
    note: Mapped[Optional[str]] = mapped_column(Text)


class Indicator(Base):
    """A quantified target or countable task of the plan, with its 2025 and 2030 targets."""

    __tablename__ = "indicator"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(10))  # computed | manual
    plan_task: Mapped[Optional[str]] = mapped_column(ForeignKey("plan_task.code"))
    description_vi: Mapped[Optional[str]] = mapped_column(Text)
    description_en: Mapped[Optional[str]] = mapped_column(Text)
    target_2025_low: Mapped[Optional[float]] = mapped_column(Numeric)
    target_2025_high: Mapped[Optional[float]] = mapped_column(Numeric)
    target_2030_low: Mapped[Optional[float]] = mapped_column(Numeric)
    target_2030_high: Mapped[Optional[float]] = mapped_column(Numeric)
    sort_order: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class IndicatorValue(Base):
    """A value of an indicator for one unit and year, with what it was computed from."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("indicator_code", "unit_code", "year", "sector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    unit_code: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    sector: Mapped[str] = mapped_column(String(40), server_default="")
    value: Mapped[Optional[float]] = mapped_column(Numeric)
    numerator: Mapped[Optional[float]] = mapped_column(Numeric)
    denominator: Mapped[Optional[float]] = mapped_column(Numeric)
    reported_by: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    note: Mapped[Optional[str]] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))


class IndicatorValueHistory(Base):
    """Every change to a hand-entered indicator value."""

    __tablename__ = "indicator_value_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_value_id: Mapped[int] = mapped_column(ForeignKey("indicator_value.id"), index=True)
    changed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSONB)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSONB)


# --- Tables the database keeps itself ------------------------------------------------------------------------
# Written by triggers or by one function, never by the ORM: defined here so the schema reads in one place (and
# Alembic's comparison knows them); the migrations named stay their author. The rules they freeze are SQL
# functions of migration 0012 (ARCHITECTURE.md, "Where each rule lives").

def _cell_key(*extra: Column) -> list[Column]:
    return [Column("cell_x", Integer, nullable=False), Column("cell_y", Integer, nullable=False),
            Column("category_code", String, nullable=False), Column("district_code", String), *extra]


def _cell_sums() -> list[Column]:
    return [Column("n", Integer, nullable=False), Column("sum_x", Double, nullable=False),
            Column("sum_y", Double, nullable=False)]


# Published sites (scp_published) per cell of the tiles' grid (scp_cell_x, scp_cell_y), by category and district.
site_cell = Table(
    "site_cell", Base.metadata, *_cell_key(), *_cell_sums(),
    UniqueConstraint("cell_x", "cell_y", "category_code", "district_code", name="site_cell_key",
                     postgresql_nulls_not_distinct=True))

# The same per cell of a coarser grid (a coarse_level tile's width, migration 0018), for the tiles of low zooms.
site_cell_coarse = Table(
    "site_cell_coarse", Base.metadata, *_cell_key(), *_cell_sums(),
    UniqueConstraint("cell_x", "cell_y", "category_code", "district_code", name="site_cell_coarse_key",
                     postgresql_nulls_not_distinct=True))

# The same keyed by every public filter (scp_site_matches), the dates folded to years (scp_year_start/_end).
_DETAIL_KEY = ("commune_code", "status", "plan_task", "lead_agency", "start_date", "end_date")
site_cell_detail = Table(
    "site_cell_detail", Base.metadata,
    *_cell_key(Column("commune_code", String), Column("status", String, nullable=False),
               Column("plan_task", String, nullable=False), Column("lead_agency", Text, nullable=False),
               Column("start_date", Date), Column("end_date", Date)),
    *_cell_sums(),
    UniqueConstraint("cell_x", "cell_y", "category_code", "district_code", *_DETAIL_KEY, name="site_cell_detail_key",
                     postgresql_nulls_not_distinct=True))

# Published sites folded into the groups every figure reads: 'sites', and each indicator its rule takes the site
# into (scp_indicator_takes) with the year it enters a share's numerator (scp_numerator_from) and its kind.
_FIGURE_KEY = ("figure", "category_code", "status", "district_code", "commune_code", "start_date", "end_date",
               "numerator_from", "kind")
site_figure = Table(
    "site_figure", Base.metadata,
    Column("figure", String, nullable=False), Column("category_code", String, nullable=False),
    Column("status", String, nullable=False), Column("district_code", String), Column("commune_code", String),
    Column("start_date", Date), Column("end_date", Date), Column("numerator_from", Numeric),
    Column("kind", Text, nullable=False), Column("sites", BigInteger, nullable=False),
    Column("amount", Numeric, nullable=False),
    UniqueConstraint(*_FIGURE_KEY, name="site_figure_key", postgresql_nulls_not_distinct=True))

# Each computed indicator's rule as geo.plan.load_rules writes it from geo.plan.INDICATORS (migration 0011).
indicator_rule = Table(
    "indicator_rule", Base.metadata,
    Column("indicator_code", String, primary_key=True), Column("categories", ARRAY(Text), nullable=False),
    Column("only_districts", ARRAY(Text), nullable=False), Column("only_kinds", ARRAY(Text), nullable=False),
    Column("numerator_rule", Text, nullable=False), Column("numerator_measure", Text, nullable=False),
    Column("amount_measure", Text, nullable=False), Column("breakdown", Text, nullable=False))

# One row: moved on by every change to site, admin_unit, category, indicator, indicator_value (migration 0005).
data_version = Table(
    "data_version", Base.metadata,
    Column("id", Boolean, primary_key=True, server_default=text("true")),
    Column("version", BigInteger, nullable=False, server_default=text("1")),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("id", name="data_version_id_check"))

# A built yearly report per year, level, language and kind, valid for the data version it names (0009).
report_cache = Table(
    "report_cache", Base.metadata,
    Column("year", Integer, primary_key=True), Column("level", Text, primary_key=True),
    Column("lang", Text, primary_key=True), Column("kind", Text, primary_key=True),
    Column("data_version", BigInteger, nullable=False), Column("body", LargeBinary, nullable=False),
    Column("made_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("kind IN ('html', 'xlsx')", name="report_cache_kind_check"))
