#!/usr/bin/env bash
# Serve the API locally the way `sam local start-api` would, without Docker.
#
# Without DATABASE_URL, a PostgreSQL cluster of this checkout is started (and created the
# first time) in a folder under /var/tmp, so its data survives between runs; `make db-stop`
# stops it. The schema is migrated, then tools/local_api serves template.yaml on PORT.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${PORT:-3000}
# Say how to serve elsewhere before starting anything, rather than fail later in the server.
if ! .venv/bin/python -c "import socket, sys; socket.create_server(('127.0.0.1', int(sys.argv[1]))).close()" "$port" 2>/dev/null; then
  echo "make run: 127.0.0.1:$port is in use; serve on another port, e.g. PORT=3001 make run" >&2
  exit 1
fi

checkout_id=$(pwd | sha256sum | cut -c1-12)
db_dir=${LOYALTY_DB_DIR:-/var/tmp/loyalty-api-$(id -u)/dev-$checkout_id}
if [ "${1:-}" = "--db-dir" ]; then
  echo "$db_dir"
  exit 0
fi

if [ -z "${DATABASE_URL:-}" ]; then
  mkdir -p "$(dirname "$db_dir")"
  chmod 755 "$(dirname "$db_dir")"
  DATABASE_URL=$(scripts/postgres.sh start "$db_dir")
  echo "local PostgreSQL in $db_dir (make db-stop stops it)"
fi
export DATABASE_URL
echo "database: $DATABASE_URL"

PYTHONPATH=layers/common .venv/bin/python -m loyalty.migrate

exec .venv-sam/bin/python -m tools.local_api.serve \
  --template template.yaml --host 127.0.0.1 --port "$port" \
  --parameter-overrides "DatabaseUrl=$DATABASE_URL"
