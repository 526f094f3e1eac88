#!/bin/sh
# Runs once, on the first start of an empty PostgreSQL volume: one database per validator
# (names from BAI_VALIDATOR_DATABASES); each service keeps its own schema inside it.
set -eu
for db in ${BAI_VALIDATOR_DATABASES:?}; do
  echo "creating database $db"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "CREATE DATABASE \"$db\" OWNER \"$POSTGRES_USER\""
done
