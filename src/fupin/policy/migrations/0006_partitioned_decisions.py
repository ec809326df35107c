"""PostgreSQL: the decision table becomes partitioned by key range. A large run writes its rows into a table of
its own without any index, builds the primary key once (sorted) and attaches it as the partition of its key range;
deleting the run drops that table. Everything else (one-household runs, small scopes) lands in the default
partition. SQLite keeps the plain table: its key is the rowid. docs/decisions/0002-policy-evaluation.md."""

from django.db import migrations

TABLE = "policy_householddecision"


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_plain")
        cursor.execute(f"ALTER INDEX {TABLE}_pkey RENAME TO {TABLE}_plain_pkey")
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {TABLE}_plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
                       f"PARTITION BY RANGE (id)")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
        cursor.execute(f"CREATE TABLE {TABLE}_rest PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_plain")
        cursor.execute(f"DROP TABLE {TABLE}_plain")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE}_plain (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(f"INSERT INTO {TABLE}_plain SELECT * FROM {TABLE}")
        cursor.execute(f"DROP TABLE {TABLE}")
        cursor.execute(f"ALTER TABLE {TABLE}_plain RENAME TO {TABLE}")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")


class Migration(migrations.Migration):

    dependencies = [("policy", "0005_decision_key")]

    operations = [migrations.RunPython(partition, unpartition)]
