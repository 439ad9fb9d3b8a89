"""The floor of the API's read paths: a bare WSGI app that runs the same SQL per request with psycopg and nothing
else (no token check, no Django), served by gunicorn with the same settings as `make serve`.

bench/serve_bench.py drives it beside the real server; the ratio between the two is the cost of everything the
API adds to the database's work. It answers only the requests that benchmark sends:

    GET  /order-v2/{tenant}/salesorders/{id}                    the stored document text
    GET  /order-v2/{tenant}/salesorders?q=status:S              a page of 16 (newest first) with the count
    GET  /order-v2/{tenant}/salesorders?q=customer.email:E      the same on another indexed column
    HEAD /order-v2/{tenant}/salesorders?q=status:S              the count

    DATABASE_URL=postgres://… .venv/bin/gunicorn bench.floor_app:application --bind 127.0.0.1:8078 --workers 3
"""

import os
from urllib.parse import parse_qs, unquote

import psycopg

PAGE_SIZE = 16
# The statements the API runs for these requests (orders/selectors.py), with the tenant's id as a parameter.
DOCUMENT = "SELECT document::text FROM orders_order WHERE tenant_id = %s AND order_id = %s"
COLUMNS = {"status": "status", "customer.email": "customer_email"}
COUNT = "SELECT COUNT(*) FROM orders_order WHERE tenant_id = %s AND {column} = %s"
# The page with the count of all matches on each row, in one statement, as the API reads it.
PAGE = (
    f"SELECT ({COUNT}), document::text FROM orders_order WHERE id IN (SELECT id FROM orders_order WHERE tenant_id = %s"
    " AND {column} = %s ORDER BY created DESC, order_id DESC LIMIT {size}) ORDER BY created DESC, order_id DESC"
)

_connection = None
_tenants: dict[str, int] = {}


def connection() -> psycopg.Connection:
    """One connection per worker process, opened on its first request (after gunicorn forks)."""
    global _connection
    if _connection is None or _connection.closed:
        # Statements prepared from their first run, like the API's hot statements.
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, prepare_threshold=0)
    return _connection


def tenant_pk(name: str) -> int:
    if name not in _tenants:
        row = connection().execute("SELECT id FROM orders_tenant WHERE name = %s", (name,)).fetchone()
        _tenants[name] = row[0]
    return _tenants[name]


def application(environ, start_response):
    parts = environ["PATH_INFO"].strip("/").split("/")
    if len(parts) < 3 or parts[0] != "order-v2" or parts[2] != "salesorders":
        return answer(start_response, "404 Not Found", b"")
    tenant = tenant_pk(parts[1])
    if len(parts) == 4:
        row = connection().execute(DOCUMENT, (tenant, unquote(parts[3]))).fetchone()
        return (
            answer(start_response, "200 OK", row[0].encode()) if row else answer(start_response, "404 Not Found", b"")
        )
    field, _, value = parse_qs(environ.get("QUERY_STRING", "")).get("q", [":"])[0].partition(":")
    column = COLUMNS[field]
    params = (tenant, value)
    if environ["REQUEST_METHOD"] == "HEAD":
        total = connection().execute(COUNT.format(column=column), params).fetchone()[0]
        return answer(start_response, "200 OK", b"", total)
    rows = connection().execute(PAGE.format(column=column, size=PAGE_SIZE), params * 2).fetchall()
    if not rows:  # past the last page: the count alone, as the API does
        rows = [(connection().execute(COUNT.format(column=column), params).fetchone()[0], None)]
    texts = [text for _, text in rows if text is not None]
    return answer(start_response, "200 OK", ("[" + ",".join(texts) + "]").encode(), rows[0][0])


def answer(start_response, status: str, body: bytes, total: int | None = None):
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    if total is not None:
        headers.append(("X-Total-Count", str(total)))
    start_response(status, headers)
    return [body]
