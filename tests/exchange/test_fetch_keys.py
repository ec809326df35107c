"""The keys the importer looks registry rows up by: one holding NUL is never sent to the database (PostgreSQL
refuses NUL even as a query parameter, which failed a history import on PostgreSQL when the events' lookup built
its own key list); the row's own check refuses it with a reason."""

from types import SimpleNamespace

import duckdb

from fupin.exchange.importer import fetch


def test_a_key_holding_nul_is_never_sent():
    staged = SimpleNamespace(con=duckdb.connect())
    keys_sql = "SELECT * FROM (VALUES ('A1'), (chr(0) || '00'), (NULL), ('B2')) AS v(number)"
    assert [key for chunk in fetch._key_chunks(staged, keys_sql) for key in chunk] == ["A1", "B2"]
