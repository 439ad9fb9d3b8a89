#!/usr/bin/env bash
# The long fuzzing profile (docs/reliability.md): a server on PostgreSQL with the demo data, then schemathesis
# over every operation of our own schema and of Emporix's order service spec, counting server errors. Our own schema
# types every body, so its run checks conformance as well (every check but positive acceptance: docs/decisions.md).
#   bench/fuzz_api.sh [SECONDS_PER_SCHEMA]        (default 300)
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres); uses its own database and port, removes nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
seconds="${1:-300}"
port="${FUZZ_PORT:-8611}"
database="order_backoffice_fuzz_$$"
work="$(mktemp -d)"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$database"
export VAR_DIR="$work/var" ALLOWED_HOSTS="127.0.0.1,localhost"

psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $database"
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $database" || true
}
trap cleanup EXIT

.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py seed_demo > /dev/null
credentials="$(.venv/bin/python manage.py create_api_client --tenant demo --scopes \
  "order.order_read order.order_create order.order_update order.order_update_completed order.order_delete pickpack.pickpack_view pickpack.pickpack_manage")"
client_id="$(echo "$credentials" | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')"
client_secret="$(echo "$credentials" | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')"

.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$port" --workers 2 --timeout 30 \
  --limit-request-line 8190 --limit-request-field_size 16380 2>"$work/server.log" &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/api/schema/" -o "$work/ours.yaml" && break; sleep 0.2; done

token() {
  curl -fs "http://127.0.0.1:$port/oauth/token" -d grant_type=client_credentials \
    -d "client_id=$client_id" --data-urlencode "client_secret=$client_secret" |
    .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

printf '[parameters]\ntenant = "demo"\n' > "$work/schemathesis.toml"
run() {  # schema, label, checks…
  echo "== $2: $seconds s"
  local bearer
  bearer="$(token)"
  (cd "$work" && "$root/.venv/bin/schemathesis" run "$1" --url "http://127.0.0.1:$port" \
    -H "Authorization: Bearer $bearer" "${@:3}" --max-time "$seconds" \
    --request-timeout 10 --workers 1 --suppress-health-check all --report ndjson \
    --report-dir "$work/report-$2") || true
}
run "$root/../shared/emporix/order-service.openapi.yml" emporix-orders --checks not_a_server_error
run "$root/../shared/emporix/pick-pack-service.openapi.yml" emporix-pickpack --checks not_a_server_error
run "$work/ours.yaml" ours --checks all --exclude-checks positive_data_acceptance
echo "Server errors logged: $(grep -c 'Unhandled error\|Traceback' "$work/server.log" || true) (log: $work/server.log)"
trap - EXIT
cleanup
