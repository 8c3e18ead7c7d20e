"""The register's fixtures: every test runs against SQLite and against a real PostgreSQL server.

PostgreSQL: ``INCLUSIONKIT_TEST_POSTGRES_URL`` names a server and a role that may create
databases (``.ci/run`` starts one and sets it); without it, ``postgresql://localhost/postgres``
is tried. Each test gets a database of its own, dropped afterwards. Where no server is reachable
the PostgreSQL tests skip with the reason, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from inclusionkit import examples

POSTGRES_ENV = "INCLUSIONKIT_TEST_POSTGRES_URL"
_DEFAULT_POSTGRES = "postgresql://localhost/postgres"


def _admin_url() -> str:
    return os.environ.get(POSTGRES_ENV) or _DEFAULT_POSTGRES


def _unreachable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is required in CI ({POSTGRES_ENV}): {reason}")
    pytest.skip(f"no PostgreSQL server reachable (set {POSTGRES_ENV}): {reason}")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL of a fresh, empty PostgreSQL database, dropped after the test."""
    import sqlalchemy as sa

    admin = sa.engine.make_url(_admin_url()).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    name = f"ik_test_{uuid.uuid4().hex[:12]}"
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        _unreachable(str(exc.orig).strip().splitlines()[0])
    url = admin.set(database=name, drivername="postgresql")
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def register_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new register goes: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "registru.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def register(register_url: str) -> Iterator[inclusionkit.Register]:
    """A new, empty register (SQLite and PostgreSQL) with the bundled example's project."""
    project = examples.load("dreptul-la-munca").project
    with inclusionkit.init_register(register_url, project) as opened:
        yield opened


@pytest.fixture(scope="session")
def seed() -> pd.DataFrame:
    """The bundled example's participation table (900 rows, four partners)."""
    table = examples.load("dreptul-la-munca").participations
    assert table is not None
    return table


def partner_rows(seed: pd.DataFrame, partner: str) -> pd.DataFrame:
    """One partner's rows of the seed table."""
    return seed[seed["partner"] == partner].reset_index(drop=True)
