#!/usr/bin/env bash
# A PostgreSQL hot standby of the local server, for the read-replica tests (CI) and for trying replicas on a
# development machine: `scripts/pg_standby.sh start` copies the cluster at 127.0.0.1:5432 with pg_basebackup
# and starts it as a streaming replica on 127.0.0.1:${STANDBY_PORT:-5433}; `stop` stops it; `pause` /
# `resume` pause and resume its WAL replay (to make it lag on purpose). Needs the server's own binaries
# (pg_basebackup, pg_ctl) and, for the copy, a replication connection: when the primary's pg_hba.conf has no
# `replication` line for 127.0.0.1 one is added (trust, as the CI server's other lines) and the server
# reloaded. Run as root (the standby runs as the postgres user) or as the postgres user.
set -euo pipefail
PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
STANDBY_PORT=${STANDBY_PORT:-5433}
STANDBY_DIR=${STANDBY_DIR:-/tmp/zhengwu-standby-$STANDBY_PORT}
# A physical replication slot keeps the primary's WAL until the standby has it (a busy primary would
# otherwise recycle a segment between the copy and the start); `stop`/`remove` drop it again.
SLOT=${STANDBY_SLOT:-zhengwu_standby_$STANDBY_PORT}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$BIN/pg_ctl" ] || { echo "找不到 PostgreSQL 服务端程序（pg_ctl）" >&2; exit 1; }

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}
psql_primary() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -Atq "$@"; }
psql_standby() { psql -h 127.0.0.1 -p "$STANDBY_PORT" -U postgres -d postgres -Atq "$@"; }

start() {
  stop >/dev/null 2>&1 || true
  drop_slot
  hba=$(psql_primary -c "SHOW hba_file")
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]' "$hba"; then
    echo "host replication all 127.0.0.1/32 trust" >> "$hba"
    psql_primary -c "SELECT pg_reload_conf()" >/dev/null
    sleep 1
  fi
  rm -rf "$STANDBY_DIR"
  mkdir -p "$STANDBY_DIR"
  chown postgres:postgres "$STANDBY_DIR" 2>/dev/null || true
  chmod 700 "$STANDBY_DIR"
  # -R writes standby.signal, primary_conninfo and primary_slot_name; -X stream copies the WAL made during
  # the copy; -C -S creates the slot.
  as_postgres "$BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$STANDBY_DIR" \
    -X stream -R -c fast -C -S "$SLOT"
  # Debian keeps the configuration outside the data directory: give the copy its own.
  as_postgres tee "$STANDBY_DIR/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $STANDBY_PORT
unix_socket_directories = '$STANDBY_DIR'
hot_standby = on
hot_standby_feedback = on
max_connections = 100
shared_buffers = 64MB
EOF
  as_postgres tee "$STANDBY_DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_postgres "$BIN/pg_ctl" -D "$STANDBY_DIR" -l "$STANDBY_DIR/server.log" -w -t 60 start >/dev/null
  for _ in $(seq 1 60); do
    if [ "$(psql_standby -c "SELECT pg_is_in_recovery()" 2>/dev/null)" = t ]; then
      echo "备库已启动：127.0.0.1:$STANDBY_PORT（$STANDBY_DIR），正在流复制 $PRIMARY_HOST:$PRIMARY_PORT"
      return 0
    fi
    sleep 1
  done
  echo "备库未能进入恢复模式，见 $STANDBY_DIR/server.log" >&2
  exit 1
}

stop() {
  if [ -f "$STANDBY_DIR/postmaster.pid" ]; then
    as_postgres "$BIN/pg_ctl" -D "$STANDBY_DIR" -m fast -w stop >/dev/null
    echo "备库已停止"
  fi
}

drop_slot() {
  psql_primary -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                   WHERE slot_name = '$SLOT' AND NOT active" >/dev/null
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  remove) stop; drop_slot; rm -rf "$STANDBY_DIR" ;;
  pause) psql_standby -c "SELECT pg_wal_replay_pause()" >/dev/null ;;
  resume) psql_standby -c "SELECT pg_wal_replay_resume()" >/dev/null ;;
  *) echo "用法：$0 start|stop|remove|pause|resume" >&2; exit 2 ;;
esac
