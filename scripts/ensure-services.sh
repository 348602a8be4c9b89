#!/usr/bin/env bash
# Start the local PostgreSQL and Redis the suite talks to, if they are not up, and install
# Debian's headless Chromium for the browser tests if it is missing. Idempotent.
set -uo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  done
  for _ in $(seq 1 30); do pg_up && break; sleep 0.5; done
fi
pg_up && echo "services: PostgreSQL up" || echo "services: PostgreSQL not reachable on 127.0.0.1:5432"

if ! redis_up && command -v redis-server >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do redis_up && break; sleep 0.2; done
fi
redis_up && echo "services: Redis up" || echo "services: Redis not reachable on 127.0.0.1:6379"

if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "services: installing Debian's chromium for the browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "services: could not install chromium"
fi
exit 0
