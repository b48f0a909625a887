#!/usr/bin/env bash
# Install the services the scale-out test runs privately (tests/support/services.py): redis-server and
# PostgreSQL from Debian's packages, plus the Python side (scrapy-redis, psycopg 3) of the `scale`
# extra. Installs only what is missing; safe to run again. Needs root (or sudo) for apt-get.
# Debian packages: redis-server (redis-server binary), postgresql (initdb, pg_ctl under
# /usr/lib/postgresql/<version>/bin). No system-wide server is started or used.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
# runuser (util-linux) starts PostgreSQL as the postgres user when the tests run as root.
command -v runuser >/dev/null 2>&1 || need+=(util-linux)

if ((${#need[@]})); then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  echo "ci-services: installing ${need[*]}"
  $sudo apt-get update -q
  # The tests start private servers of their own; any system-wide one the packages start is unused.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
    "${need[@]}"
else
  echo "ci-services: redis-server and PostgreSQL already installed"
fi

python -c "import scrapy_redis, psycopg" 2>/dev/null \
  || python -m pip install -q "scrapy-redis>=0.9" "psycopg[binary]>=3.1"
echo "ci-services: $(redis-server --version | cut -d' ' -f3) and $(ls -d /usr/lib/postgresql/*/bin | head -1)"
