"""Shared fixtures: a real, migrated database per test on SQLite and, with TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from storage.db import SessionFactory, make_engine, normalise_url, session_factory, upgrade

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


class _Postgres:
    """A database of its own for this pytest run, so concurrent runs never meet."""

    def __init__(self, base_url: str) -> None:
        self.admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
        self.name = f"bot_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = make_url(normalise_url(base_url)).set(database=self.name).render_as_string(
            hide_password=False)
        self.engine = make_engine(self.url)
        upgrade(self.engine)
        self.tables = [r[0] for r in self._query(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'")]

    def _query(self, sql: str) -> list[tuple]:  # type: ignore[type-arg]
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]

    def reset(self) -> None:
        """Empty every table (the audit log's guard triggers are bypassed for the test only)."""
        with self.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {', '.join(self.tables)} RESTART IDENTITY CASCADE"))

    def close(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session", params=_backends())
def db_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A migrated template per backend for the whole run."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("sqlite-template") / "template.db"
        engine = make_engine(f"sqlite:///{template}")
        upgrade(engine)
        engine.dispose()
        yield template
    else:
        pg = _Postgres(os.environ["TEST_DATABASE_URL"])
        yield pg
        pg.close()


@pytest.fixture
def db_url(db_backend: object, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated, empty database for this test."""
    if isinstance(db_backend, Path):
        target = tmp_path / "bot.db"
        shutil.copy(db_backend, target)
        yield f"sqlite:///{target}"
    else:
        assert isinstance(db_backend, _Postgres)
        db_backend.reset()
        yield db_backend.url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> SessionFactory:
    return session_factory(engine)
