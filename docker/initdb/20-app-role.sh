#!/bin/sh
# The application connects as a role that is no superuser (QCVN 12:2026
# level 3: least privilege): it owns the database and its schema, so
# trytond-admin creates and upgrades the tables, but it cannot create
# databases or roles, read the server's files or load extensions (those
# are made here by the image's superuser, see 10-extensions.sql).
# Run once by the postgres image's entrypoint, as POSTGRES_USER, on a new
# data directory; tests/test_docker_initdb.py runs it against a real
# server.
set -eu
app_role="${MVP_DB_USER:-mvp}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_role="$app_role" -v app_password="${MVP_DB_PASSWORD:?}" \
    -v database="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"app_role" LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER DATABASE :"database" OWNER TO :"app_role";
ALTER SCHEMA public OWNER TO :"app_role";
SQL
