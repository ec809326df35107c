"""A feature table in DuckDB, SQLite and (when reachable) PostgreSQL, so that compiled rules are run, not only
read. PostgreSQL uses its own database, created here when missing, so it never touches the test database."""

import sqlite3

import duckdb
import pytest

from fupin.policy.features import FEATURES
from fupin.policy.rules import SQL_COLUMN_TYPES
from tests.support import postgres_server

POSTGRES_DATABASE = "fupin_policy_helper"


class FeatureTable:
    """Table `features(row_id, <every catalogue feature>)` in one database; `results` runs rule SQL over it.
    (Statements go through the connection itself: a DuckDB cursor is another connection, without the temp table.)"""

    def __init__(self, dialect: str, connection, placeholder: str):
        self.dialect = dialect
        self.connection = connection
        types = SQL_COLUMN_TYPES[dialect]
        columns = ", ".join(f'"{name}" {types[feature.type]}' for name, feature in FEATURES.items())
        connection.execute(f"CREATE TEMPORARY TABLE features (row_id INTEGER, {columns})")
        names = ", ".join(f'"{name}"' for name in ["row_id", *FEATURES])
        self.insert = f"INSERT INTO features ({names}) VALUES "
        self.row_placeholders = f"({', '.join([placeholder] * (len(FEATURES) + 1))})"

    def load(self, rows: list[dict]) -> None:
        """Replace the rows, in one statement (a statement per row made the property test slow in DuckDB)."""
        self.connection.execute("DELETE FROM features")
        values = [value for number, row in enumerate(rows) for value in (number, *(row.get(n) for n in FEATURES))]
        self.connection.execute(self.insert + ", ".join([self.row_placeholders] * len(rows)), values)

    def results(self, expressions: list[str]) -> list[list[bool | None]]:
        """For each row (in order), the value of each SQL expression: True, False or None."""
        selected = ", ".join(f"({sql})" for sql in expressions)
        cursor = self.connection.execute(f"SELECT {selected} FROM features ORDER BY row_id")
        return [[None if value is None else bool(value) for value in row] for row in cursor.fetchall()]


def _postgres_connection():
    psycopg = pytest.importorskip("psycopg")
    server = postgres_server()
    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [POSTGRES_DATABASE]).fetchone()
            if not exists:
                admin.execute(f'CREATE DATABASE "{POSTGRES_DATABASE}"')
        return psycopg.connect(f"{server}/{POSTGRES_DATABASE}", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable: {error}")


@pytest.fixture(scope="session")
def duckdb_table():
    connection = duckdb.connect()
    yield FeatureTable("duckdb", connection, "?")
    connection.close()


@pytest.fixture(scope="session")
def sqlite_table():
    connection = sqlite3.connect(":memory:")
    yield FeatureTable("sqlite", connection, "?")
    connection.close()


@pytest.fixture(scope="session")
def postgres_table():
    connection = _postgres_connection()
    yield FeatureTable("postgres", connection, "%s")
    connection.close()


@pytest.fixture(scope="session", params=["duckdb", "sqlite", "postgres"])
def feature_table(request):
    return request.getfixturevalue(f"{request.param}_table")
