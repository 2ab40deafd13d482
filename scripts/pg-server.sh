#!/usr/bin/env bash
# Throwaway PostgreSQL 15 + pgvector server for tests and CI (Debian bookworm).
#
# Usage:
#   scripts/pg-server.sh ensure-pgvector   # build+install pgvector if missing
#   scripts/pg-server.sh start DIR         # init+start a cluster in DIR; prints its URL
#   scripts/pg-server.sh stop DIR          # stop the cluster and remove DIR
#   scripts/pg-server.sh url DIR           # print the URL of a running cluster in DIR
#
# `start` prints exactly one line on stdout:  postgres://postgres@127.0.0.1:PORT/app
# Everything else (progress, logs, errors) goes to stderr.
#
# pgvector is not packaged for bookworm, so ensure-pgvector builds it from
# Debian's own trixie *source* package, fetched with a private apt
# configuration (temporary sources list, lists dir and cache) so the machine's
# apt setup is left untouched. The archive URI is taken from the machine's
# own apt sources. When vector.control is already installed it does nothing.
#
# Environment:
#   PG_MAJOR   PostgreSQL major version (default 15)
#   PGBIN      directory holding initdb/pg_ctl (default: PATH, then
#              /usr/lib/postgresql/$PG_MAJOR/bin)
set -Eeuo pipefail
# runuser, apt-get etc. live in sbin, which a minimal PATH may lack.
export PATH="${PATH:-/usr/bin:/bin}:/usr/local/sbin:/usr/sbin:/sbin"

PG_MAJOR="${PG_MAJOR:-15}"
PG_LIBDIR_DEFAULT="/usr/lib/postgresql/${PG_MAJOR}"
EXT_DIR="/usr/share/postgresql/${PG_MAJOR}/extension"
SOURCE_SUITE="trixie"
PROG="$(basename "$0")"
MARKER=".pg-server"

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------- binaries --
# Resolve PostgreSQL server binaries: $PGBIN, then PATH, then the Debian dir.
PG_BINDIR=""
resolve_bindir() {
  [[ -n "$PG_BINDIR" ]] && return 0
  local cand
  if [[ -n "${PGBIN:-}" && -x "${PGBIN}/initdb" ]]; then
    PG_BINDIR="$PGBIN"
  elif [[ -x "${PG_LIBDIR_DEFAULT}/bin/initdb" && -x "${PG_LIBDIR_DEFAULT}/bin/pg_ctl" ]]; then
    # Prefer the exact major version's own directory (avoids pg_wrapper picking
    # another version); PATH is only a fallback.
    PG_BINDIR="${PG_LIBDIR_DEFAULT}/bin"
  elif cand="$(command -v initdb 2>/dev/null)" && command -v pg_ctl >/dev/null 2>&1; then
    PG_BINDIR="$(dirname "$(readlink -f "$cand")")"
  else
    die "initdb/pg_ctl not found (looked in \$PGBIN, ${PG_LIBDIR_DEFAULT}/bin and PATH); install postgresql-${PG_MAJOR}"
  fi
  local b
  for b in initdb pg_ctl postgres psql pg_isready; do
    [[ -x "${PG_BINDIR}/${b}" ]] || die "${PG_BINDIR}/${b} not found or not executable"
  done
}

# ---------------------------------------------------------------- pgvector --
pgvector_installed() {
  [[ -f "${EXT_DIR}/vector.control" ]]
}

# URI of the Debian archive the machine already uses (the entry that carries
# the release's own suite, not -security / third-party repositories).
debian_archive_uri() {
  local codename="" uri=""
  if [[ -r /etc/os-release ]]; then
    codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
  fi
  [[ -n "$codename" ]] || codename="bookworm"

  local f
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    # deb822: stanzas separated by blank lines; take the first URI of a stanza
    # whose Suites: contains exactly the release codename.
    uri="$(awk -v cn="$codename" '
      BEGIN { RS=""; FS="\n" }
      {
        u=""; ok=0; en=1
        for (i=1; i<=NF; i++) {
          line=$i
          if (line ~ /^[ \t]*#/) continue
          if (tolower(line) ~ /^uris:/) { sub(/^[^:]*:[ \t]*/, "", line); split(line, a, /[ \t]+/); u=a[1] }
          else if (tolower(line) ~ /^suites:/) { sub(/^[^:]*:[ \t]*/, "", line); n=split(line, s, /[ \t]+/); for (j=1;j<=n;j++) if (s[j]==cn) ok=1 }
          else if (tolower(line) ~ /^enabled:/) { if (tolower(line) ~ /no/) en=0 }
        }
        if (u != "" && ok && en) { print u; exit }
      }' "$f")"
    [[ -n "$uri" ]] && break
  done
  shopt -u nullglob

  if [[ -z "$uri" && -r /etc/apt/sources.list ]]; then
    # one-line format: deb [opts] URI SUITE COMPONENTS...
    uri="$(awk -v cn="$codename" '
      /^[ \t]*deb(-src)?[ \t]/ {
        i=2
        if ($i ~ /^\[/) { while (i<=NF && $i !~ /\]$/) i++; i++ }
        if ($(i+1) == cn) { print $i; exit }
      }' /etc/apt/sources.list)"
  fi
  [[ -n "$uri" ]] || return 1
  printf '%s\n' "${uri%/}"
}

ensure_pgvector() {
  if pgvector_installed; then
    return 0
  fi
  # Serialise concurrent callers (parallel test workers).
  local lockfile="/tmp/pg-server-ensure-pgvector.lock"
  exec 9>"$lockfile"
  flock 9
  if pgvector_installed; then
    exec 9>&-
    return 0
  fi
  [[ "$(id -u)" == 0 ]] || die "pgvector is not installed in ${EXT_DIR} and installing it needs root"
  command -v apt-get >/dev/null || die "apt-get not found; cannot build pgvector"

  local t0=$SECONDS
  log "pgvector not found in ${EXT_DIR}; building it from Debian's ${SOURCE_SUITE} source package"

  local uri
  uri="$(debian_archive_uri)" || die "could not find the Debian archive URI in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
  log "using archive ${uri} (from the machine's apt sources)"

  local tmp
  tmp="$(mktemp -d /tmp/pgvector-build.XXXXXX)"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  mkdir -p "$tmp/apt/sources.list.d" "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial" "$tmp/src"

  local keyring="/usr/share/keyrings/debian-archive-keyring.gpg"
  local opts=""
  [[ -r "$keyring" ]] && opts="[signed-by=${keyring}] "
  printf 'deb-src %s%s %s main\n' "$opts" "$uri" "$SOURCE_SUITE" > "$tmp/apt/sources.list"

  local -a aptopts=(
    -o "Dir::Etc::sourcelist=$tmp/apt/sources.list"
    -o "Dir::Etc::sourceparts=$tmp/apt/sources.list.d"
    -o "Dir::State::Lists=$tmp/apt/lists"
    -o "Dir::Cache=$tmp/apt/cache"
    -o "APT::Sandbox::User=root"
    -o "Acquire::Retries=2"
    -o "Acquire::http::Timeout=30"
    -o "Acquire::https::Timeout=30"
  )
  export DEBIAN_FRONTEND=noninteractive

  log "apt-get update (private list: deb-src ${uri} ${SOURCE_SUITE} main)"
  apt-get "${aptopts[@]}" -q --error-on=any update >&2 \
    && compgen -G "$tmp/apt/lists/*_Sources*" >/dev/null \
    || die "apt-get update for the ${SOURCE_SUITE} source list failed (no network, or the archive is unreachable)"

  log "apt-get source --download-only pgvector"
  ( cd "$tmp/src" && apt-get "${aptopts[@]}" -q source --download-only pgvector ) >&2 \
    || die "could not download the pgvector source package from ${SOURCE_SUITE}"

  local dsc
  dsc="$(ls "$tmp"/src/pgvector_*.dsc 2>/dev/null | head -n1 || true)"
  [[ -n "$dsc" ]] || die "no pgvector .dsc was downloaded"
  log "dpkg-source -x $(basename "$dsc")"
  dpkg-source -x "$dsc" "$tmp/src/pgvector" >&2 || die "dpkg-source -x failed"

  local -a need=()
  dpkg -s "postgresql-server-dev-${PG_MAJOR}" >/dev/null 2>&1 || need+=("postgresql-server-dev-${PG_MAJOR}")
  if ! dpkg -s build-essential >/dev/null 2>&1 \
     && ! { command -v gcc && command -v make; } >/dev/null 2>&1; then
    need+=(build-essential)
  fi
  if ((${#need[@]})); then
    # Refresh the machine's own lists if they do not know the packages yet.
    local p stale=0
    for p in "${need[@]}"; do
      local cand
      cand="$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
      [[ -n "$cand" && "$cand" != "(none)" ]] || stale=1
    done
    if ((stale)); then
      log "apt-get update (machine's own sources)"
      apt-get -q update >&2 || die "apt-get update failed (no network?)"
    fi
    log "apt-get install -y ${need[*]}"
    apt-get install -y -q --no-install-recommends "${need[@]}" >&2 \
      || die "apt-get install ${need[*]} failed"
  fi

  local pgconfig="${PG_LIBDIR_DEFAULT}/bin/pg_config"
  [[ -x "$pgconfig" ]] || pgconfig="$(command -v pg_config || true)"
  [[ -x "$pgconfig" ]] || die "pg_config not found after installing postgresql-server-dev-${PG_MAJOR}"

  # with_llvm=no: no JIT bitcode; OPTFLAGS= : no -march=native, so the build
  # is portable (as in Debian's own packaging).
  local -a mk=(PG_CONFIG="$pgconfig" with_llvm=no OPTFLAGS=)
  log "make ${mk[*]}"
  make -C "$tmp/src/pgvector" -j"$(nproc 2>/dev/null || echo 2)" "${mk[@]}" >&2 || die "building pgvector failed"
  log "make install"
  make -C "$tmp/src/pgvector" "${mk[@]}" install >&2 || die "installing pgvector failed"

  pgvector_installed || die "pgvector install finished but ${EXT_DIR}/vector.control is missing"
  rm -rf "$tmp"
  trap - EXIT
  exec 9>&-
  log "pgvector installed in $((SECONDS - t0))s"
}

# ----------------------------------------------------------------- cluster --
abs_dir() {
  local d="$1"
  [[ "$d" == /* ]] || d="$PWD/$d"
  # normalise without requiring existence
  printf '%s\n' "$(realpath -m -- "$d")"
}

free_port() {
  local port=""
  if command -v node >/dev/null 2>&1; then
    port="$(node -e '
      const s = require("net").createServer();
      s.listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); });
    ' 2>/dev/null || true)"
  fi
  if [[ -z "$port" ]] && command -v python3 >/dev/null 2>&1; then
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || true)"
  fi
  [[ "$port" =~ ^[0-9]+$ ]] || die "could not pick a free TCP port (need node or python3)"
  printf '%s\n' "$port"
}

# Run a command as the cluster owner (postgres when we are root).
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    ( cd / && runuser -u postgres -- "$@" )
  else
    ( cd / && "$@" )
  fi
}

cluster_running() {
  local data="$1"
  [[ -f "$data/postmaster.pid" ]] && as_owner "$PG_BINDIR/pg_ctl" -D "$data" status >/dev/null 2>&1
}

cmd_url() {
  local dir; dir="$(abs_dir "${1:?DIR required}")"
  resolve_bindir
  [[ -f "$dir/url" ]] && cluster_running "$dir/data" || die "no running cluster in $dir"
  cat "$dir/url"
}

cmd_start() {
  local dir; dir="$(abs_dir "${1:?DIR required}")"
  resolve_bindir
  local data="$dir/data"

  # Idempotent: already running -> just print the URL again.
  if [[ -f "$dir/url" ]] && cluster_running "$data"; then
    cat "$dir/url"
    return 0
  fi

  ensure_pgvector

  mkdir -p "$dir"
  if [[ ! -f "$dir/$MARKER" ]]; then
    if [[ -n "$(ls -A "$dir" 2>/dev/null)" && ! -f "$data/PG_VERSION" ]]; then
      die "$dir exists and is not empty (and is not a pg-server cluster); refusing to use it"
    fi
    : > "$dir/$MARKER"
  fi

  if [[ "$(id -u)" == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "OS user 'postgres' does not exist"
    chown -R postgres: "$dir"
    runuser -u postgres -- test -w "$dir" \
      || die "user postgres cannot write $dir (is a parent directory private? use a dir under /tmp)"
  fi

  # Unix socket paths are limited to ~107 bytes; fall back to a short dir.
  local sockdir="$dir"
  if (( ${#dir} > 80 )); then
    sockdir="$(mktemp -d /tmp/pgsock.XXXXXX)"
    [[ "$(id -u)" == 0 ]] && chown postgres: "$sockdir"
    printf '%s\n' "$sockdir" > "$dir/sockdir"
  fi

  if [[ ! -f "$data/PG_VERSION" ]]; then
    log "initdb $data"
    as_owner "$PG_BINDIR/initdb" -D "$data" -U postgres --auth=trust \
      -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    cat >>"$data/postgresql.conf" <<EOF

# --- pg-server.sh: throwaway test cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockdir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  fi

  local port attempt started=0
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    if as_owner "$PG_BINDIR/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
         -o "-p $port -k $sockdir" start >/dev/null 2>&1; then
      started=1
      break
    fi
    log "start on port $port failed (attempt $attempt); retrying"
  done
  if ((!started)); then
    tail -n 30 "$dir/server.log" >&2 2>/dev/null || true
    die "could not start PostgreSQL in $data"
  fi

  local i
  for i in $(seq 1 100); do
    "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres && break
    sleep 0.1
  done
  "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    || die "PostgreSQL did not become ready on 127.0.0.1:$port"

  local exists
  exists="$("$PG_BINDIR/psql" -X -q -At -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "select 1 from pg_database where datname = 'app'")" || die "could not query the new server"
  if [[ "$exists" != 1 ]]; then
    "$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
      -v ON_ERROR_STOP=1 -c "create database app" >/dev/null || die "create database app failed"
  fi

  local url="postgres://postgres@127.0.0.1:${port}/app"
  printf '%s\n' "$url" > "$dir/url"
  log "PostgreSQL ${PG_MAJOR} running in $dir on 127.0.0.1:$port"
  printf '%s\n' "$url"
}

cmd_stop() {
  local dir; dir="$(abs_dir "${1:?DIR required}")"
  [[ -e "$dir" ]] || return 0
  case "$dir" in
    /|/tmp|/root|/home|/usr|/var|/etc) die "refusing to remove $dir" ;;
  esac
  if [[ ! -f "$dir/$MARKER" && -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
    die "$dir is not a pg-server cluster directory (no $MARKER); not removing it"
  fi
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    resolve_bindir
    as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 \
      || log "pg_ctl stop reported an error (server may already be down)"
  fi
  if [[ -f "$dir/sockdir" ]]; then
    local s; s="$(cat "$dir/sockdir")"
    [[ "$s" == /tmp/pgsock.* ]] && rm -rf -- "$s"
  fi
  rm -rf -- "$dir"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    ensure-pgvector) ensure_pgvector ;;
    start) [[ $# -eq 1 ]] || usage; cmd_start "$1" ;;
    stop)  [[ $# -eq 1 ]] || usage; cmd_stop "$1" ;;
    url)   [[ $# -eq 1 ]] || usage; cmd_url "$1" ;;
    -h|--help|help) usage ;;
    *) usage ;;
  esac
}

main "$@"
