"""Alembic environment: migrates the database named by the URL the caller put in the config."""
from alembic import context
from sqlalchemy import create_engine, pool

from geo.db import driver_url

from geo.models import Base

config = context.config


def include_object(obj, name, type_, reflected, compare_to):
    """Leave PostGIS's own tables (spatial_ref_sys, topology) out of autogenerate."""
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations_online() -> None:
    engine = create_engine(driver_url(config.get_main_option("sqlalchemy.url")), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          include_object=include_object, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
