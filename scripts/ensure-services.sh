#!/usr/bin/env bash
# Makes sure MariaDB and Redis are reachable on 127.0.0.1 before the tests run: starts them when they are
# installed but stopped, and installs them from Debian's packages when they are missing (needs root).
# Also makes sure the test account exists: TEST_MYSQL_URL (default mysql://kratos_test:kratos_test@127.0.0.1:3306).
set -euo pipefail

MYSQL_HOST=127.0.0.1
MYSQL_PORT=3306
REDIS_PORT=6379
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi

log() { echo "[ensure-services] $*"; }

apt_install() {
  log "installing $* from Debian's packages"
  if [ -z "${APT_UPDATED:-}" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # wait_for <seconds> <command...>
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then return 1; fi
    sleep 0.5
  done
}

mysql_ping() { mysqladmin --protocol=tcp -h "$MYSQL_HOST" -P "$MYSQL_PORT" -uroot --connect-timeout=2 ping; }
mysql_socket_ping() { mysqladmin --protocol=socket -uroot --connect-timeout=2 ping; }

# --- MariaDB ---------------------------------------------------------------------------------------------
if [ ! -x /usr/sbin/mariadbd ] && ! command -v mariadbd >/dev/null 2>&1; then
  apt_install mariadb-server mariadb-client
fi
if ! (mysql_ping || mysql_socket_ping) >/dev/null 2>&1; then
  log "starting MariaDB"
  $SUDO mkdir -p /run/mysqld
  $SUDO chown mysql:mysql /run/mysqld 2>/dev/null || true
  if [ ! -d /var/lib/mysql/mysql ]; then
    $SUDO mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  fi
  $SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_for 60 mysql_socket_ping || { log "MariaDB did not come up"; exit 1; }
fi

# The tests connect over TCP with a dedicated account, created through the local socket as root.
if [ -z "${TEST_MYSQL_URL:-}" ]; then
  if ! mysql --protocol=tcp -h "$MYSQL_HOST" -P "$MYSQL_PORT" -ukratos_test -pkratos_test -e 'SELECT 1' >/dev/null 2>&1; then
    log "creating the MariaDB test account kratos_test"
    $SUDO mysql --protocol=socket -uroot <<'SQL'
CREATE USER IF NOT EXISTS 'kratos_test'@'127.0.0.1' IDENTIFIED BY 'kratos_test';
CREATE USER IF NOT EXISTS 'kratos_test'@'localhost' IDENTIFIED BY 'kratos_test';
GRANT ALL PRIVILEGES ON *.* TO 'kratos_test'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'kratos_test'@'localhost';
FLUSH PRIVILEGES;
SQL
  fi
fi

# --- Redis -----------------------------------------------------------------------------------------------
if ! command -v redis-server >/dev/null 2>&1; then
  apt_install redis-server
fi
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
  wait_for 20 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping || { log "Redis did not come up"; exit 1; }
fi

# --- Galera (test/galera-relay.e2e-spec.ts starts a private 3-node cluster; skipped without it) ------------
if [ ! -f /usr/lib/galera/libgalera_smm.so ]; then
  apt_install galera-4
fi
if ! command -v rsync >/dev/null 2>&1; then
  apt_install rsync
fi

# --- promtool ----------------------------------------------------------------------------------------------
# test/observability.e2e-spec.ts checks and unit-tests the alert rules in deploy/prometheus with promtool, which
# Debian ships in its prometheus package. The package also enables (and, where services may start, starts) a
# Prometheus server; only promtool is wanted here.
if ! command -v promtool >/dev/null 2>&1; then
  apt_install --no-install-recommends prometheus
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
  $SUDO service prometheus stop >/dev/null 2>&1 || true
fi

log "MariaDB and Redis are up, promtool is installed"
