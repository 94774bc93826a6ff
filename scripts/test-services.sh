#!/usr/bin/env bash
# Starts (or stops) throwaway PostgreSQL and Redis servers for the integration tests, on loopback and
# non-default ports, with their data under $SERVICES_DIR. Prints the URLs to export. The PostgreSQL
# primary gets a streaming replica on PG_PORT+1 (pg_basebackup -R), for the read-replica tests.
#   scripts/test-services.sh start   → prints TEST_DATABASE_URL=..., TEST_DATABASE_REPLICA_URL=..., TEST_REDIS_URL=...
#                                       and TEST_REDIS_CLUSTER_NODES=...
#   scripts/test-services.sh stop
# The Redis Cluster is six nodes (three masters, one replica each) on REDIS_CLUSTER_PORT…+5, with a short
# node timeout so the failover tests do not wait long for a replica to take over. Each node's cluster bus
# listens 10,000 ports below it (Redis's default, 10,000 above, does not fit above port 55535).
set -euo pipefail
SERVICES_DIR=${SERVICES_DIR:-/tmp/deskgraph-services}
PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
REPLICA_PORT=$((PG_PORT + 1))

REDIS_CLUSTER_PORT=${REDIS_CLUSTER_PORT:-$((REDIS_PORT + 10))}

cluster_ports() { for i in 0 1 2 3 4 5; do echo $((REDIS_CLUSTER_PORT + i)); done; }

start_cluster() {
  local port nodes=()
  for port in $(cluster_ports); do
    mkdir -p "$SERVICES_DIR/redis-cluster/$port"
    if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
      redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save "" --appendonly no \
        --cluster-enabled yes --cluster-config-file "nodes-$port.conf" --cluster-node-timeout 1000 \
        --cluster-port $((port - 10000)) \
        --dir "$SERVICES_DIR/redis-cluster/$port" --pidfile "$SERVICES_DIR/redis-cluster/$port/redis.pid" \
        --logfile "$SERVICES_DIR/redis-cluster/$port/redis.log"
    fi
    nodes+=("127.0.0.1:$port")
  done
  for port in $(cluster_ports); do
    until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
  done
  if ! redis-cli -p "$REDIS_CLUSTER_PORT" cluster info | grep -q 'cluster_state:ok'; then
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$SERVICES_DIR/redis-cluster/create.log"
    until redis-cli -p "$REDIS_CLUSTER_PORT" cluster info | grep -q 'cluster_state:ok'; do sleep 0.2; done
  fi
  local IFS=,
  echo "TEST_REDIS_CLUSTER_NODES=${nodes[*]}"
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2; exit 1; }
  echo "$dir"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

start() {
  local bin; bin=$(pg_bin)
  mkdir -p "$SERVICES_DIR/pg" "$SERVICES_DIR/redis"
  # PostgreSQL runs as the postgres user, who must be able to reach its directory (mktemp makes 0700).
  chmod 755 "$SERVICES_DIR"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$SERVICES_DIR/pg"; fi
  if [ ! -f "$SERVICES_DIR/pg/data/PG_VERSION" ]; then
    as_postgres "$bin/initdb -D $SERVICES_DIR/pg/data -U postgres --auth=trust >$SERVICES_DIR/pg/initdb.log 2>&1"
  fi
  if ! as_postgres "$bin/pg_ctl -D $SERVICES_DIR/pg/data status" >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl -D $SERVICES_DIR/pg/data -l $SERVICES_DIR/pg/server.log \
      -o \"-c listen_addresses=127.0.0.1 -p $PG_PORT -k $SERVICES_DIR/pg -c fsync=off -c max_connections=200 -c shared_preload_libraries=pg_stat_statements\" -w start" >/dev/null
  fi
  start_replica "$bin"
  if command -v redis-server >/dev/null && ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" --appendonly no \
      --dir "$SERVICES_DIR/redis" --pidfile "$SERVICES_DIR/redis/redis.pid" --logfile "$SERVICES_DIR/redis/redis.log"
  fi
  echo "TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "TEST_DATABASE_REPLICA_URL=postgresql://postgres@127.0.0.1:$REPLICA_PORT/postgres"
  command -v redis-server >/dev/null && echo "TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
  if command -v redis-server >/dev/null; then start_cluster; fi
  return 0
}

# A hot standby of the primary: a base backup with -R (standby.signal and primary_conninfo written for
# us), streaming over a replication connection that initdb's trust rules allow on loopback. Tests
# delay it at run time (ALTER SYSTEM SET recovery_min_apply_delay) to make it lag.
start_replica() {
  local bin=$1 dir=$SERVICES_DIR/pg/replica
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_postgres "$bin/pg_basebackup -h 127.0.0.1 -p $PG_PORT -U postgres -D $dir -R -X stream -c fast >$SERVICES_DIR/pg/basebackup.log 2>&1"
  fi
  if ! as_postgres "$bin/pg_ctl -D $dir status" >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl -D $dir -l $SERVICES_DIR/pg/replica.log \
      -o \"-c listen_addresses=127.0.0.1 -p $REPLICA_PORT -k $SERVICES_DIR/pg -c fsync=off -c max_connections=200 -c hot_standby_feedback=on\" -w start" >/dev/null
  fi
}

stop() {
  local bin; bin=$(pg_bin)
  as_postgres "$bin/pg_ctl -D $SERVICES_DIR/pg/replica -m fast stop" >/dev/null 2>&1 || true
  as_postgres "$bin/pg_ctl -D $SERVICES_DIR/pg/data -m fast stop" >/dev/null 2>&1 || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  local port
  for port in $(cluster_ports); do redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; done
  rm -rf "$SERVICES_DIR/redis-cluster"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
