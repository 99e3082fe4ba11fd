# Shared by the bench scripts: a private PostgreSQL (fsync and synchronous_commit on, as shipped) in $WORK (a new cluster, or
# the one already there), and the API built into $WORK/api. After `start_postgres`: PG_BIN, PG_PORT, AS_PG (the command
# prefix that runs as postgres when root) and PSQL are set; `stop_postgres` stops it (the scripts' cleanup calls it).
# `start_api PROVIDER CONNECTION` starts the API on $API_PORT (pid in API_PID) as Production, with the bench admin admin@bench.test.
start_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$PG_BIN" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  chmod 755 "$WORK"
  AS_PG=()
  if [ "$(id -u)" = 0 ]; then AS_PG=(runuser -u postgres --); chown postgres "$WORK"; fi
  PG_PORT=$((20000 + RANDOM % 10000))
  echo "== starting PostgreSQL (fsync=on, synchronous_commit=on) on port $PG_PORT"
  if [ -f "$WORK/pg/PG_VERSION" ]; then
    # A kept cluster (bench/large's BENCH_REUSE): stopped if it still runs, to start again with this run's settings.
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
  else
    "${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/pg" -U postgres -A trust >/dev/null
  fi
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
    -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=512MB -c fsync=on -c synchronous_commit=on ${PG_SETTINGS:-}" start >/dev/null
  PSQL=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt)
}

stop_postgres() {
  [ -n "${PG_BIN:-}" ] && "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
}

# The ledger's seal key of the bench's nodes; bench/large also seals the history it generates with it.
SEAL_KEY="bench-ledger-seal-key-0123456789-0123456789"

start_api() { # provider, connection string (empty for SQLite in $WORK/data-<provider>), then any NAME=value settings
  local data="$WORK/data-$1"; mkdir -p "$data"
  env "${@:3}" ASPNETCORE_URLS="http://127.0.0.1:$API_PORT" ASPNETCORE_ENVIRONMENT=Production \
    Finsoft__DataDirectory="$data" Finsoft__Database__Provider="$1" ConnectionStrings__Finsoft="$2" \
    Finsoft__Jwt__SigningKey="bench-signing-key-0123456789-0123456789-0123456789" \
    Finsoft__Ledger__SealKey="$SEAL_KEY" \
    Finsoft__Bootstrap__AdminEmail=admin@bench.test Finsoft__Bootstrap__AdminPassword=bench-operator-secret-1 \
    Finsoft__RateLimit__Enabled=false Finsoft__ShutdownDrainSeconds=0 Logging__LogLevel__Default=Warning \
    dotnet "$WORK/api/Finsoft.Api.dll" >"$WORK/api-$1.log" 2>&1 &
  API_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$API_PORT/health/ready" >/dev/null && return 0; sleep 0.2; done
  echo "API did not start:"; cat "$WORK/api-$1.log"; exit 1
}

# Debian's PgBouncer in front of the PostgreSQL above, pooling by transaction, on $PGB_PORT (pid in PGB_PID).
start_pgbouncer() {
  command -v pgbouncer >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null; }
  PGB_PORT=$((PG_PORT + 1))
  mkdir -p "$WORK/pgbouncer"; chmod 755 "$WORK/pgbouncer"
  echo '"postgres" ""' >"$WORK/pgbouncer/userlist.txt"
  cat >"$WORK/pgbouncer/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PG_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = trust
auth_file = $WORK/pgbouncer/userlist.txt
pool_mode = transaction
default_pool_size = 40
max_client_conn = 1000
server_reset_query =
INI
  "${AS_PG[@]}" "$(command -v pgbouncer)" "$WORK/pgbouncer/pgbouncer.ini" >"$WORK/pgbouncer.log" 2>&1 &
  PGB_PID=$!
  for _ in $(seq 1 50); do (echo >"/dev/tcp/127.0.0.1/$PGB_PORT") 2>/dev/null && return 0; sleep 0.1; done
  echo "pgbouncer did not start:"; cat "$WORK/pgbouncer.log"; exit 1
}

stop_pgbouncer() { [ -n "${PGB_PID:-}" ] && kill "$PGB_PID" 2>/dev/null || true; PGB_PID=""; }

stop_api() { kill "$API_PID"; wait "$API_PID" 2>/dev/null || true; API_PID=""; }
