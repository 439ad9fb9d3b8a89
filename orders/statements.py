"""Fixed SQL statements of the API's hot paths, run without building ORM queries.

On PostgreSQL each statement is prepared on its connection the first time it runs (server-side binding), so later
requests skip parsing and planning; Django sends every statement unprepared, with client-side binding. Errors are
Django's either way. Statements go straight to psycopg's cursor, sparing Django's cursor wrapper on each request,
unless something watches Django's cursors: its query log (DEBUG, a test counting queries) or an execute wrapper.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.base import ServerBindingCursor


class PreparedCursor(ServerBindingCursor):
    """A cursor that prepares every statement it runs (psycopg keeps the prepared statements per connection)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def fetch_rows(statement: str, params: tuple | list = ()) -> list[tuple]:
    """The rows of one statement with `%s` placeholders."""
    connection = default_connection()
    with statement_cursor(connection) as cursor, connection.wrap_database_errors:
        cursor.execute(statement, params)
        return cursor.fetchall()


def fetch_row(statement: str, params: tuple | list = ()) -> tuple | None:
    rows = fetch_rows(statement, params)
    return rows[0] if rows else None


def fetch_together(statements: list[tuple[str, tuple | list]]) -> list[list[tuple]]:
    """The rows of each statement, the statements sent together: on PostgreSQL in one round trip (pipeline mode),
    each prepared on its own, so each keeps its own plan (a token check planned once, a count planned for its
    values). A failing statement raises, as `fetch_rows` would. Elsewhere one after the other."""
    connection = default_connection()
    if connection.vendor != "postgresql" or connection.queries_logged:
        return [fetch_rows(statement, params) for statement, params in statements]
    cursors = [statement_cursor(connection) for _ in statements]
    try:
        # Errors show when the pipeline ends, outside the cursors' wrappers: they become Django's here.
        with connection.wrap_database_errors:
            with connection.connection.pipeline():
                for cursor, (statement, params) in zip(cursors, statements, strict=True):
                    cursor.execute(statement, params)
            return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def default_connection():
    # Looked up once per statement: each attribute of `django.db.connection` looks the connection up again.
    return connections[DEFAULT_DB_ALIAS]


def statement_cursor(connection):
    # Logged queries (DEBUG, tests capturing them) keep Django's cursor: with server-side binding its log records
    # no SQL text for the statement. Preparing is for the unlogged production path.
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    cursor = PreparedCursor(connection.connection)
    # Execute wrappers see statements only through Django's cursor wrapper.
    return connection.make_cursor(cursor) if connection.execute_wrappers else cursor
