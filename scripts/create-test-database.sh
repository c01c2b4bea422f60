#!/usr/bin/env bash
# Creates the PostgreSQL database named in the URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/clientele_test)
# when it does not exist yet. The tests empty and migrate it themselves.
set -euo pipefail
url="${1:?usage: create-test-database.sh DATABASE_URL}"
exec "$(dirname "$0")/../.venv/bin/python" - "$url" <<'PY'
import sys
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

url = make_url(sys.argv[1])
admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
with admin.connect() as connection:
    if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}):
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
        print(f"created database {url.database}")
PY
