"""Alembic environment: runs on the engine the caller passes in (storage.db.upgrade)."""

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.db import make_engine

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # plain `alembic` command line
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///data/bot.db")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
