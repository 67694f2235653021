#!/usr/bin/env bash
# The real services the integration tests use, on this machine:
#   Apache Kafka (KRaft, single node) on localhost:9092, from Maven Central (see kafka-broker.sh)
#   Debian's redis-server on localhost:6379
#   promtool (Debian's prometheus package), installed only: the alert-rule tests run it
#   prometheus-alertmanager (Debian), installed only: the alertmanager exporter's tests start their own
#
#   services.sh up     install what is missing, start both, wait until both answer (harmless twice)
#   services.sh down   stop both
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
STATE="$ROOT/.services"
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
REDIS_PORT=6379

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_redis() {
  command -v redis-server >/dev/null && return
  echo "services: installing redis-server from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >/dev/null
}

# promtool, for the alert-rule tests (test/alerts.test.ts); the package's server is not started here.
install_promtool() {
  command -v promtool >/dev/null && return
  echo "services: installing promtool (Debian's prometheus package)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq prometheus >/dev/null
}

# Alertmanager, for the alertmanager exporter's tests (exporters/alertmanager); each test starts its own.
install_alertmanager() {
  command -v prometheus-alertmanager >/dev/null && return
  echo "services: installing prometheus-alertmanager (Debian)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq prometheus-alertmanager >/dev/null
}

install_java() {
  command -v java >/dev/null && command -v mvn >/dev/null && return
  echo "services: installing Java 17 and Maven from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq openjdk-17-jre-headless maven >/dev/null
}

redis_up() {
  install_redis
  mkdir -p "$STATE/redis"
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then echo "services: redis already answers on localhost:$REDIS_PORT"; return; fi
  # No persistence: the tests own their data and a restart should start clean.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$STATE/redis" --pidfile "$STATE/redis/redis.pid" --logfile "$STATE/redis/redis.log"
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$REDIS_PORT" ping >/dev/null || { echo "services: redis did not answer" >&2; exit 1; }
  echo "services: redis-server on localhost:$REDIS_PORT"
}

redis_down() {
  if [ -f "$STATE/redis/redis.pid" ]; then
    kill "$(cat "$STATE/redis/redis.pid")" 2>/dev/null || true
    rm -f "$STATE/redis/redis.pid"
  fi
}

case "${1:-}" in
  up)
    install_java
    install_promtool
    install_alertmanager
    redis_up
    bash "$HERE/kafka-broker.sh" start "$STATE/kafka" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
    ;;
  down)
    bash "$HERE/kafka-broker.sh" stop "$STATE/kafka"
    redis_down
    echo "services: stopped"
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
