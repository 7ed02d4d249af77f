#!/bin/sh
# Creates MPanel's two roles: the owner runs migrations, the runtime role owns
# nothing and cannot bypass row-level security.
set -e
psql -v ON_ERROR_STOP=1 --username postgres <<SQL
CREATE ROLE mpanel_owner LOGIN PASSWORD '${OWNER_DB_PASSWORD}' NOSUPERUSER NOBYPASSRLS;
CREATE ROLE mpanel_app LOGIN PASSWORD '${APP_DB_PASSWORD}' NOSUPERUSER NOBYPASSRLS;
CREATE DATABASE mpanel OWNER mpanel_owner;
\c mpanel
ALTER SCHEMA public OWNER TO mpanel_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
