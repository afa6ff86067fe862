#!/usr/bin/env bash
# Virtuoso Open Source 7 (Debian's 7.2.5.1) for the remote store backend: tests and developers.
#
#   .ci/virtuoso.sh install                  install the server and its isql client (apt)
#   .ci/virtuoso.sh start DIR HTTP_PORT SQL_PORT
#                                            a database in DIR, served on 127.0.0.1 only
#   .ci/virtuoso.sh stop DIR                 shut the server of DIR down cleanly
#
# start creates a fresh database when DIR holds none (DIR may exist, empty), writes
# DIR/virtuoso.ini, starts the server, waits until the SQL port and /sparql answer, and on
# a fresh database sets the passwords and creates the write user. A DIR that already holds
# a database made by this script (DIR/credentials beside it) is started again as it is.
#
# Passwords come from the environment or are generated; either way they are written to
# DIR/credentials (mode 600, shell syntax: `. DIR/credentials`):
#   COMMENSURA_VIRTUOSO_DBA_PASSWORD  the dba (SQL administrator) password
#   COMMENSURA_VIRTUOSO_USER          the SPARQL write user (default: commensura)
#   COMMENSURA_VIRTUOSO_PASSWORD      its password (digest auth on /sparql-auth and
#                                     /sparql-graph-crud-auth)
#   COMMENSURA_VIRTUOSO_DAV_PASSWORD  the dav (WebDAV administrator) password
# Passwords: 8 to 128 letters, digits or . _ ~ + - (isql-vt would mangle others).
# Other settings:
#   COMMENSURA_VIRTUOSO_BUFFERS       NumberOfBuffers (8 KiB pages; default 340000, about
#                                     2.7 GiB of page cache at most, taken as it fills)
#   COMMENSURA_VIRTUOSO_DIRS_ALLOWED  extra folders the server may read files from
#                                     (comma-separated; DIR and DIR/load are always allowed)
set -euo pipefail

PACKAGE=virtuoso-opensource-7-bin
SERVER=/usr/bin/virtuoso-t
ISQL=/usr/bin/isql-vt
START_TIMEOUT=120

die() {
  echo "virtuoso.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

cmd_install() {
  if [ -x "$SERVER" ] && [ -x "$ISQL" ] && command -v curl >/dev/null; then
    echo "virtuoso.sh: $PACKAGE is installed ($("$SERVER" -? 2>&1 | sed -n 2p))"
    return
  fi
  export DEBIAN_FRONTEND=noninteractive
  local packages=("$PACKAGE")
  command -v curl >/dev/null || packages+=(curl)
  # Only the binaries: the virtuoso-opensource-7 package would add a system service
  # (/etc/init.d, a database under /var/lib) and a debconf question for its dba password.
  if ! as_root apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
  [ -x "$SERVER" ] && [ -x "$ISQL" ] || die "$PACKAGE did not install $SERVER and $ISQL"
  echo "virtuoso.sh: installed $PACKAGE ($("$SERVER" -? 2>&1 | sed -n 2p))"
}

# -- helpers -------------------------------------------------------------------------

check_port() {
  [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1024 ] && [ "$1" -le 65535 ] ||
    die "port $1: give a number from 1024 to 65535"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

check_password() {
  local name=$1 value=$2
  # Passwords with $ & ! ( ; # * set through isql-vt did not work for logins afterwards:
  # keep to characters that pass untouched.
  [[ "$value" =~ ^[A-Za-z0-9._~+-]{8,128}$ ]] ||
    die "$name: 8 to 128 letters, digits or . _ ~ + -"
}

generate_password() {
  # 24 characters from /dev/urandom, letters and digits only.
  local out=""
  while [ "${#out}" -lt 24 ]; do
    out+=$(head -c 64 /dev/urandom | tr -dc 'A-Za-z0-9')
  done
  printf '%s' "${out:0:24}"
}

server_pid() {
  # The pid of the server of DIR, if it runs (from the lock file the server writes).
  local dir=$1 pid=""
  if [ -f "$dir/virtuoso.lck" ]; then
    pid=$(sed -n 's/^VIRT_PID=\([0-9]*\).*/\1/p' "$dir/virtuoso.lck")
  fi
  if [ -z "$pid" ] && [ -f "$dir/virtuoso.pid" ]; then
    pid=$(cat "$dir/virtuoso.pid")
  fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "virtuoso-t.*$dir/virtuoso.ini"; then
    echo "$pid"
  fi
}

ini_value() {
  # ini_value FILE SECTION KEY: the value, without any host part of a port.
  sed -n "/^\[$2\]/,/^\[/s/^$3[[:space:]]*=[[:space:]]*//p" "$1" | head -n1 | sed 's/.*://'
}

isql() {
  # isql PORT PASSWORD SQL-FILE: run a file as dba; fail on any SQL error.
  local out status
  set +e
  out=$("$ISQL" "127.0.0.1:$1" dba "$2" "$3" 2>&1)
  status=$?
  set -e
  if [ "$status" -ne 0 ] || grep -q '^\*\*\* Error' <<<"$out"; then
    echo "$out" | grep -A3 '^\*\*\* Error' >&2 || echo "$out" >&2
    return 1
  fi
}

write_ini() {
  local dir=$1 http=$2 sql=$3 buffers=$4 extra_dirs=$5
  local dirty=$((buffers * 3 / 4))
  cat >"$dir/virtuoso.ini" <<EOF
; Written by .ci/virtuoso.sh: a Virtuoso for Commensura's remote store, on loopback only.
[Database]
DatabaseFile = $dir/virtuoso.db
ErrorLogFile = $dir/virtuoso.log
LockFile = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$sql
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
; Files the server may read (file_to_string, DB.DBA.TTLP of a file, ld_dir bulk loads).
DirsAllowed = ., $dir, $dir/load${extra_dirs:+, $extra_dirs}
; ORDER BY with OFFSET + LIMIT past this fails (SR353 "Sorted TOP clause specifies more then
; N rows to sort"); the default, 10000, would stop ordered paging at its first page.
MaxSortedTopRows = 1000000
; Bytes of changes one transaction may log. A write is staged, then moved into place in one
; request (registry/store/remote.py): moving a graph of 2.5 million triples logs about 1 GB, and
; the default (50 MB) aborts it (SR325 "Transaction aborted because it's log after image size
; went above the limit").
TransactionAfterImageLimit = 2000000000
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxMemPoolSize = 200000000
; 2 cores: no more than 2 threads per query; memory for a 24 GiB machine shared with tests
; (the page cache is allocated as it fills; OpenLink's table gives 340000/250000 for 4 GiB).
MaxQueryMem = 2G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
NumberOfBuffers = $buffers
MaxDirtyBuffers = $dirty

[HTTPServer]
ServerPort = 127.0.0.1:$http
ServerRoot = $dir/vsp
MaxClientConnections = 20
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
MaxCachedProxyConnections = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 1

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
; The default: an answer over /sparql holds at most 10000 rows; clients page past it.
ResultSetMaxRows = 10000
; Seconds. A query estimated to cost more is refused before it runs; one running longer fails
; (S1T00 "Transaction timed out"), an update too: moving a graph of millions of triples into
; place takes a minute or more. A request's own timeout parameter (milliseconds, capped by
; this) instead ends it with partial results: HTTP 200 and header X-SQL-State: S1TAT.
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 600
DeferInferenceRulesInit = 0
; No DefaultGraph: a query without FROM runs over every graph.
EOF
}

write_credentials() {
  local file=$1
  shift
  (
    umask 077
    : >"$file"
    local pair
    for pair in "$@"; do
      printf '%s=%q\n' "${pair%%=*}" "${pair#*=}" >>"$file"
    done
  )
}

wait_until_up() {
  local dir=$1 http=$2 sql=$3 pid=$4 deadline=$((SECONDS + START_TIMEOUT))
  until port_in_use "$sql" &&
    curl -sf -o /dev/null --max-time 5 -H 'Accept: application/sparql-results+json' \
      "http://127.0.0.1:$http/sparql?query=ASK%7B%7D"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$dir/virtuoso.log" >&2 || true
      die "the server stopped while starting: see $dir/virtuoso.log"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "the server did not answer in ${START_TIMEOUT}s"
    sleep 0.5
  done
}

# -- start -----------------------------------------------------------------------------

cmd_start() {
  [ $# -eq 3 ] || usage
  local dir=$1 http=$2 sql=$3
  check_port "$http"
  check_port "$sql"
  [ "$http" != "$sql" ] || die "the HTTP and SQL ports must differ"
  [ -x "$SERVER" ] || die "$SERVER is missing: run $0 install first"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  case "$dir" in *[[:space:],\;]*) die "DIR may not hold whitespace, comma or semicolon" ;; esac

  local running
  running=$(server_pid "$dir")
  [ -z "$running" ] || die "a server of $dir runs already (pid $running)"
  local port
  for port in "$http" "$sql"; do
    ! port_in_use "$port" || die "port $port on 127.0.0.1 is taken"
  done

  local fresh=1
  if [ -e "$dir/virtuoso.db" ]; then
    [ -f "$dir/credentials" ] || die "$dir holds a database this script did not make"
    fresh=0
  elif [ -n "$(ls -A "$dir" | grep -vxE 'virtuoso\.ini|vsp|load|start\.out')" ]; then
    # (the files a start that stopped before creating the database leaves are allowed)
    die "$dir is not empty and holds no database: give an empty or new folder"
  fi

  local user dba_password password dav_password
  if [ "$fresh" -eq 1 ]; then
    user=${COMMENSURA_VIRTUOSO_USER:-commensura}
    [[ "$user" =~ ^[a-z][a-z0-9_]{2,31}$ ]] ||
      die "COMMENSURA_VIRTUOSO_USER: 3 to 32 lower-case letters, digits, underscores"
    case "$user" in dba | dav | nobody | sparql) die "user $user is Virtuoso's own" ;; esac
    dba_password=${COMMENSURA_VIRTUOSO_DBA_PASSWORD:-$(generate_password)}
    password=${COMMENSURA_VIRTUOSO_PASSWORD:-$(generate_password)}
    dav_password=${COMMENSURA_VIRTUOSO_DAV_PASSWORD:-$(generate_password)}
    check_password COMMENSURA_VIRTUOSO_DBA_PASSWORD "$dba_password"
    check_password COMMENSURA_VIRTUOSO_PASSWORD "$password"
    check_password COMMENSURA_VIRTUOSO_DAV_PASSWORD "$dav_password"
    [ "$dba_password" != dba ] || die "the dba password must not be the default"
  fi

  local buffers=${COMMENSURA_VIRTUOSO_BUFFERS:-340000}
  [[ "$buffers" =~ ^[0-9]+$ ]] && [ "$buffers" -ge 10000 ] ||
    die "COMMENSURA_VIRTUOSO_BUFFERS: a number of 10000 or more"
  local extra_dirs=${COMMENSURA_VIRTUOSO_DIRS_ALLOWED:-}
  mkdir -p "$dir/vsp" "$dir/load"
  write_ini "$dir" "$http" "$sql" "$buffers" "$extra_dirs"

  local started=$SECONDS
  (cd "$dir" && "$SERVER" +configfile "$dir/virtuoso.ini" +wait >"$dir/start.out" 2>&1) || {
    cat "$dir/start.out" >&2
    tail -n 20 "$dir/virtuoso.log" >&2 || true
    die "virtuoso-t did not start: see $dir/virtuoso.log"
  }
  local pid
  pid=$(server_pid "$dir")
  [ -n "$pid" ] || die "virtuoso-t started but wrote no pid to $dir/virtuoso.lck"
  echo "$pid" >"$dir/virtuoso.pid"
  wait_until_up "$dir" "$http" "$sql" "$pid"

  if [ "$fresh" -eq 1 ]; then
    write_credentials "$dir/credentials" \
      "COMMENSURA_VIRTUOSO_DBA_PASSWORD=$dba_password" \
      "COMMENSURA_VIRTUOSO_DAV_PASSWORD=$dav_password" \
      "COMMENSURA_VIRTUOSO_USER=$user" \
      "COMMENSURA_VIRTUOSO_PASSWORD=$password"
    local setup="$dir/setup.sql"
    (
      umask 077
      # The write user: SPARQL_UPDATE (it includes SPARQL_SELECT) is what /sparql-auth and
      # /sparql-graph-crud-auth check after digest authentication. Graph permissions: the
      # anonymous user (nobody, behind /sparql) may read only; the write user reads and writes.
      cat >"$setup" <<EOF
DB.DBA.USER_CREATE('$user', '$password');
GRANT SPARQL_UPDATE TO "$user";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET('$user', 3);
USER_CHANGE_PASSWORD('dav', 'dav', '$dav_password');
USER_SET_PASSWORD('dba', '$dba_password');
checkpoint;
EOF
    )
    if ! isql "$sql" dba "$setup"; then
      rm -f "$setup"
      die "setting up users failed; the server of $dir still runs (stop it with: $0 stop $dir)"
    fi
    rm -f "$setup"
  fi
  # shellcheck disable=SC1091
  . "$dir/credentials"
  local base="http://127.0.0.1:$http"
  # Files written in every start: the ports may change between starts.
  {
    printf 'COMMENSURA_VIRTUOSO_SQL_PORT=%s\n' "$sql"
    printf 'COMMENSURA_VIRTUOSO_QUERY_URL=%s\n' "$base/sparql"
    printf 'COMMENSURA_VIRTUOSO_UPDATE_URL=%s\n' "$base/sparql-auth"
    printf 'COMMENSURA_VIRTUOSO_GSP_URL=%s\n' "$base/sparql-graph-crud-auth"
  } >"$dir/endpoints"
  echo "virtuoso.sh: server of $dir up in $((SECONDS - started))s (pid $pid)"
  echo "  query (anonymous, read-only):  $base/sparql"
  echo "  update (digest auth):          $base/sparql-auth"
  echo "  graph store (digest auth):     $base/sparql-graph-crud-auth"
  echo "  SQL (isql-vt, dba):            127.0.0.1:$sql"
  echo "  write user:                    $COMMENSURA_VIRTUOSO_USER"
  echo "  passwords:                     $dir/credentials; URLs: $dir/endpoints"
}

# -- stop ------------------------------------------------------------------------------

cmd_stop() {
  [ $# -eq 1 ] || usage
  local dir=$1
  [ -d "$dir" ] || die "no folder $dir"
  dir=$(cd "$dir" && pwd -P)
  local pid
  pid=$(server_pid "$dir")
  if [ -z "$pid" ]; then
    echo "virtuoso.sh: no server of $dir runs"
    rm -f "$dir/virtuoso.pid"
    return
  fi
  local sql=""
  [ -f "$dir/virtuoso.ini" ] && sql=$(ini_value "$dir/virtuoso.ini" Parameters ServerPort)
  if [ -n "$sql" ] && [ -f "$dir/credentials" ]; then
    # shellcheck disable=SC1091
    . "$dir/credentials"
    # shutdown checkpoints first; the connection drops as the server goes, so no error check.
    # It waits for running statements: a long SPARQL update can hold it for minutes.
    timeout 30 "$ISQL" "127.0.0.1:$sql" dba "$COMMENSURA_VIRTUOSO_DBA_PASSWORD" \
      exec="shutdown;" >/dev/null 2>&1 || true
  fi
  local i
  for i in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || break
    # Then SIGTERM: the server stops without a checkpoint; the transaction log replays on start.
    [ "$i" -ne 20 ] || kill -TERM "$pid" 2>/dev/null || true
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    echo "virtuoso.sh: the server of $dir did not stop and was killed" >&2
  fi
  rm -f "$dir/virtuoso.pid"
  echo "virtuoso.sh: stopped the server of $dir (pid $pid)"
}

case "${1:-}" in
  install)
    shift
    [ $# -eq 0 ] || usage
    cmd_install
    ;;
  start)
    shift
    cmd_start "$@"
    ;;
  stop)
    shift
    cmd_stop "$@"
    ;;
  *) usage ;;
esac
