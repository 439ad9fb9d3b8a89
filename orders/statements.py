"""Fixed SQL statements of the API's hot paths, run without building ORM queries.

On PostgreSQL each statement is prepared on its connection the first time it runs (server-side binding), so later
requests skip parsing and planning; Django sends every statement unprepared, with client-side binding. Statements
still go through Django's cursor wrapper: errors are Django's, and query logging, counting and execute wrappers
see them like any other.
"""

from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor


class PreparedCursor(ServerBindingCursor):
    """A cursor that prepares every statement it runs (psycopg keeps the prepared statements per connection)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def fetch_rows(statement: str, params: tuple | list = ()) -> list[tuple]:
    """The rows of one statement with `%s` placeholders."""
    with statement_cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def fetch_row(statement: str, params: tuple | list = ()) -> tuple | None:
    rows = fetch_rows(statement, params)
    return rows[0] if rows else None


def fetch_together(statements: list[tuple[str, tuple | list]]) -> list[list[tuple]]:
    """The rows of each statement, the statements sent together: on PostgreSQL in one round trip (pipeline mode),
    each prepared on its own, so each keeps its own plan (a token check planned once, a count planned for its
    values). A failing statement raises, as `fetch_rows` would. Elsewhere one after the other."""
    if connection.vendor != "postgresql" or connection.queries_logged:
        return [fetch_rows(statement, params) for statement, params in statements]
    cursors = [statement_cursor() for _ in statements]
    try:
        # Errors show when the pipeline ends, outside the cursors' wrappers: they become Django's here.
        with connection.wrap_database_errors, connection.connection.pipeline():
            for cursor, (statement, params) in zip(cursors, statements, strict=True):
                cursor.execute(statement, params)
        return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def statement_cursor():
    # Logged queries (DEBUG, tests capturing them) keep Django's cursor: with server-side binding its log records
    # no SQL text for the statement. Preparing is for the unlogged production path.
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    return connection.make_cursor(PreparedCursor(connection.connection))
