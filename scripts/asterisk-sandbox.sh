#!/usr/bin/env bash
# Switchboard — a real Asterisk 22 for development and tests, on this machine.
#
# Asterisk is not packaged in Debian 12, but Debian unstable ("sid") ships
# Asterisk 22. This script builds a sid chroot with Debian's asterisk packages
# once (cached outside the repo), renders the project's config templates from
# asterisk/etc/ into it, and runs Asterisk in the chroot, sharing the host's
# network: ARI on http://127.0.0.1:8088, PJSIP (UDP) on 127.0.0.1:5060.
#
# Usage: scripts/asterisk-sandbox.sh COMMAND
#   up          build the chroot if needed, write the config, start Asterisk and
#               wait until ARI answers. Idempotent: when Asterisk is already up
#               it restarts only if the rendered config changed, and reloads
#               cel_pgsql (so a `cel` table created since is picked up).
#   down        stop Asterisk (graceful, then by pid) and unmount /proc.
#   status      print running/stopped and ARI reachability; exit 0 if running,
#               3 if stopped.
#   cel-reload  unload + load cel_pgsql (it reads the cel table's columns only
#               when it loads; run this after creating the table).
#   cli CMD...  run an Asterisk CLI command, e.g. `cli pjsip show contacts`.
#   logs [N]    print the last N (default 100) lines of Asterisk's log.
#   render DIR  render the config templates into DIR (no root needed; e.g. for
#               a container: the templates hold ${NAME} placeholders).
#   build       only build the chroot (debootstrap, or a copy: SB_ASTERISK_CLONE_FROM).
#
# A second Asterisk (server B, for the two-server tests): SB_ASTERISK_SANDBOX=b
# changes the defaults below to a root of its own, cloned from the first one
# (built first if missing; /usr hardlinked, the rest copied), HTTP 8089, SIP
# 5061, RTP 12000-13999, trunk 127.0.0.1:5071, systemname "sbb" (its uniqueids
# are "sbb-<epoch>.<n>") and CEL into the table cel_b. Any variable set in the
# environment still wins. `npm run asterisk:b:up|down|status` do this.
#
# Environment (defaults in brackets):
#   SB_ASTERISK_SANDBOX     empty: the first sandbox; b: the second one (see above)
#   SB_ASTERISK_ROOT        chroot location [/var/cache/switchboard/asterisk-root]
#   SB_ASTERISK_CLONE_FROM  build the chroot by copying this built root instead of
#                           debootstrap (built first if missing) [empty; b: the first root]
#   SB_DEBIAN_MIRROR        [http://deb.debian.org/debian]
#   SB_ASTERISK_TEMPLATES   config templates [<repo>/asterisk/etc]
#   SB_ASTERISK_TIMEOUT     seconds to wait for ARI at `up` [60]
#   ARI_USER, ARI_PASSWORD, ARI_APP                [switchboard, switchboard, switchboard]
#   SB_ASTERISK_BINDADDR    HTTP (ARI, /ws) and SIP UDP bind address [127.0.0.1]
#   SB_ASTERISK_HTTP_PORT   [8088]      SB_ASTERISK_SIP_PORT  [5060]
#   SB_TRUNK_HOST           where outbound trunk calls go [127.0.0.1:5070]
#   SB_TRUNK_MATCH          source address identified as the trunk [127.0.0.1]
#   SB_RTP_START, SB_RTP_END  RTP port range [10000, 11999]
#   SB_ASTERISK_SYSTEMNAME  asterisk.conf systemname, prefixes uniqueids/linkedids [empty: none]
#   SB_OPERATOR_PASSWORD    SIP password of op1001..op1005, web1001..web1005 [switchboard-op]
#   SB_CEL_PGHOST, SB_CEL_PGPORT, SB_CEL_PGDATABASE, SB_CEL_PGUSER, SB_CEL_PGPASSWORD
#                           CEL database [127.0.0.1, 5432, test, postgres, (empty)]
#   SB_CEL_TABLE            the table cel_pgsql writes into [cel]
#
# Needs root (chroot, mount). Only deb.debian.org is contacted, and only when
# the chroot is (re)built.
set -euo pipefail

readonly PROG=asterisk-sandbox
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_DIR
readonly TEMPLATE_DIR=${SB_ASTERISK_TEMPLATES:-$REPO_DIR/asterisk/etc}
readonly PRIMARY_ROOT=/var/cache/switchboard/asterisk-root

# The second sandbox's defaults: nothing it binds or writes meets the first one's.
case ${SB_ASTERISK_SANDBOX:-} in
  '') ;;
  b)
    : "${SB_ASTERISK_ROOT:=$PRIMARY_ROOT-b}"
    : "${SB_ASTERISK_CLONE_FROM:=$PRIMARY_ROOT}"
    : "${SB_ASTERISK_HTTP_PORT:=8089}"
    : "${SB_ASTERISK_SIP_PORT:=5061}"
    : "${SB_RTP_START:=12000}"
    : "${SB_RTP_END:=13999}"
    : "${SB_TRUNK_HOST:=127.0.0.1:5071}"
    : "${SB_ASTERISK_SYSTEMNAME:=sbb}"
    : "${SB_CEL_TABLE:=cel_b}"
    ;;
  *)
    printf 'asterisk-sandbox: error: SB_ASTERISK_SANDBOX must be empty or "b"\n' >&2
    exit 2
    ;;
esac

ROOT=${SB_ASTERISK_ROOT:-$PRIMARY_ROOT}
ROOT=${ROOT%/}
readonly ROOT
CLONE_FROM=${SB_ASTERISK_CLONE_FROM:-}
CLONE_FROM=${CLONE_FROM%/}
readonly CLONE_FROM
readonly MIRROR=${SB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly TIMEOUT=${SB_ASTERISK_TIMEOUT:-60}
readonly APT_OPTS=(-o Acquire::Check-Valid-Until=false -o Dpkg::Use-Pty=0 -qq)
readonly PIDFILE="$ROOT/run/switchboard-asterisk.pid"
readonly LOGFILE="$ROOT/var/log/asterisk/messages"
readonly CONSOLE_LOG="$ROOT/var/log/asterisk/console.log"

# Template variables and their defaults. Only ${NAME} for these names is
# replaced in the templates; everything else (dialplan ${EXTEN} ...) is kept.
readonly TEMPLATE_VARS=(
  ARI_USER=switchboard
  ARI_PASSWORD=switchboard
  ARI_APP=switchboard
  SB_ASTERISK_BINDADDR=127.0.0.1
  SB_ASTERISK_HTTP_PORT=8088
  SB_ASTERISK_SIP_PORT=5060
  SB_TRUNK_HOST=127.0.0.1:5070
  SB_TRUNK_MATCH=127.0.0.1
  SB_RTP_START=10000
  SB_RTP_END=11999
  SB_ASTERISK_SYSTEMNAME=
  SB_OPERATOR_PASSWORD=switchboard-op
  SB_CEL_PGHOST=127.0.0.1
  SB_CEL_PGPORT=5432
  SB_CEL_PGDATABASE=test
  SB_CEL_PGUSER=postgres
  SB_CEL_PGPASSWORD=
  SB_CEL_TABLE=cel
)

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# value of a template variable: the environment, else its default
tvar() {
  local name=$1 entry
  for entry in "${TEMPLATE_VARS[@]}"; do
    if [[ ${entry%%=*} == "$name" ]]; then
      printf '%s' "${!name-${entry#*=}}"
      return 0
    fi
  done
  die "unknown template variable $name"
}

ari_host() {
  local h
  h=$(tvar SB_ASTERISK_BINDADDR)
  [[ $h == 0.0.0.0 || -z $h ]] && h=127.0.0.1
  printf '%s' "$h"
}
ari_base() { printf 'http://%s:%s/ari' "$(ari_host)" "$(tvar SB_ASTERISK_HTTP_PORT)"; }

need_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (uses chroot and mount)"
}

# ----------------------------------------------------------------- config

# A template line ";?NAME text" is an optional line: it becomes "text" when the
# variable NAME is not empty, and is left out when it is (so a default render
# stays as it was before the option existed). Reads the template on stdin.
optional_lines() {
  local line var rest
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ $line =~ ^\;\?([A-Z_][A-Z0-9_]*)\ (.*)$ ]]; then
      var=${BASH_REMATCH[1]} rest=${BASH_REMATCH[2]}
      [[ -n $(tvar "$var") ]] || continue
      line=$rest
    fi
    printf '%s\n' "$line"
  done
}

render_config() { # DIR: render every template into DIR
  local out=$1 src entry var value content i
  local -a names=() values=()
  [[ -d $TEMPLATE_DIR ]] || die "no templates in $TEMPLATE_DIR"
  for entry in "${TEMPLATE_VARS[@]}"; do
    var=${entry%%=*}
    value=${!var-${entry#*=}}
    [[ $value != *$'\n'* && $value != *$'\r'* ]] || die "$var must not contain a line break"
    names+=("$var")
    values+=("${value//;/'\;'}") # a bare ; starts a comment in Asterisk config files
  done
  [[ $(tvar SB_ASTERISK_SYSTEMNAME) =~ ^[A-Za-z0-9_]*$ ]] || die "SB_ASTERISK_SYSTEMNAME: letters, digits and _ only"
  [[ $(tvar SB_CEL_TABLE) =~ ^[a-z_][a-z0-9_]*$ ]] || die "SB_CEL_TABLE: lowercase letters, digits and _ only"
  mkdir -p "$out"
  # bash >= 5.2 would expand & in the replacement string; values are literal
  shopt -u patsub_replacement 2>/dev/null || true
  for src in "$TEMPLATE_DIR"/*.conf; do
    [[ -f $src ]] || continue
    content=
    if grep -q '^;?' "$src"; then
      content=$(optional_lines <"$src" && printf x) || die "cannot render $src"
      content=${content%x}
    else
      IFS= read -r -d '' content <"$src" || true
    fi
    for i in "${!names[@]}"; do
      content=${content//"\${${names[i]}}"/"${values[i]}"}
    done
    printf '%s' "$content" >"$out/${src##*/}"
  done
}

# Render into the chroot's /etc/asterisk. Returns 0 if it changed, 1 if not.
install_config() {
  local etc="$ROOT/etc/asterisk" new="$ROOT/etc/asterisk.new" old="$ROOT/etc/asterisk.old"
  rm -rf "$new" "$old"
  render_config "$new"
  chroot "$ROOT" chown -R root:asterisk /etc/asterisk.new
  chmod 0750 "$new"
  find "$new" -type f -exec chmod 0640 {} +
  if [[ -d $etc ]] && diff -r -q "$etc" "$new" >/dev/null 2>&1; then
    rm -rf "$new"
    return 1
  fi
  [[ -d $etc ]] && mv "$etc" "$old"
  mv "$new" "$etc"
  rm -rf "$old"
  return 0
}

# ------------------------------------------------------------------ chroot

root_ready() { [[ -x $ROOT/usr/sbin/asterisk ]]; }

root_version() {
  # shellcheck disable=SC2016 # ${Version} is dpkg-query's field, not bash's
  cat "$ROOT/.switchboard-root" 2>/dev/null || chroot "$ROOT" dpkg-query -W -f='${Version}' asterisk
}

build_root() {
  local parent tmp started
  root_ready && return 0
  if [[ -e $ROOT ]]; then
    die "$ROOT exists but is not a finished Asterisk root; remove it (rm -rf $ROOT) and retry"
  fi
  if [[ -n $CLONE_FROM && $CLONE_FROM != "$ROOT" ]]; then
    clone_root
    return 0
  fi
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap on the host"
    apt-get -qq update >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -qq install -y debootstrap >/dev/null
  fi
  parent=$(dirname "$ROOT")
  mkdir -p "$parent"
  # build next to the final place (same filesystem) and rename atomically
  tmp=$(mktemp -d "$parent/.asterisk-root.build.XXXXXX")
  chmod 0755 "$tmp" # mktemp makes it 0700: the asterisk user could not use /
  # shellcheck disable=SC2064
  trap "umount -l '$tmp/proc' 2>/dev/null || true; rm -rf --one-file-system '$tmp'" EXIT
  started=$SECONDS
  log "building the Asterisk chroot in $tmp (debootstrap sid, then apt) ..."
  if ! debootstrap --variant=minbase sid "$tmp" "$MIRROR" >"$parent/debootstrap.log" 2>&1; then
    tail -n 30 "$parent/debootstrap.log" >&2
    die "debootstrap failed (full log: $parent/debootstrap.log)"
  fi
  # never start services from package scripts
  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
  chmod 0755 "$tmp/usr/sbin/policy-rc.d"
  if ! { chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update &&
    chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y \
      --no-install-recommends asterisk asterisk-modules; } >"$parent/apt.log" 2>&1; then
    tail -n 30 "$parent/apt.log" >&2
    die "apt-get in the chroot failed (full log: $parent/apt.log)"
  fi
  chroot "$tmp" apt-get clean
  # keep Debian's sample config for reference; ours replaces it at every `up`
  mv "$tmp/etc/asterisk" "$tmp/etc/asterisk.debian"
  # shellcheck disable=SC2016 # ${Version} is dpkg-query's field, not bash's
  chroot "$tmp" dpkg-query -W -f='${Version}' asterisk >"$tmp/.switchboard-root"
  [[ -x $tmp/usr/sbin/asterisk ]] || die "asterisk not installed in $tmp"
  mv -T "$tmp" "$ROOT"
  trap - EXIT
  log "chroot ready in $((SECONDS - started)) s: Asterisk $(root_version)"
}

# Build this root by copying the finished root CLONE_FROM (built first when missing; it may be
# running). /usr, which nobody writes, is hardlinked; the rest is copied, then the copy's run state,
# logs, astdb and recordings are cleared so that it starts as a fresh Asterisk.
clone_root() {
  local parent tmp started entry name
  if [[ ! -x $CLONE_FROM/usr/sbin/asterisk ]]; then
    log "building the root to clone first: $CLONE_FROM"
    env -u SB_ASTERISK_SANDBOX -u SB_ASTERISK_CLONE_FROM SB_ASTERISK_ROOT="$CLONE_FROM" bash "${BASH_SOURCE[0]}" build
  fi
  [[ -x $CLONE_FROM/usr/sbin/asterisk ]] || die "no Asterisk root to clone at $CLONE_FROM"
  parent=$(dirname "$ROOT")
  mkdir -p "$parent"
  tmp=$(mktemp -d "$parent/.asterisk-root.clone.XXXXXX")
  chmod 0755 "$tmp"
  # shellcheck disable=SC2064
  trap "rm -rf --one-file-system '$tmp'" EXIT
  started=$SECONDS
  for entry in "$CLONE_FROM"/* "$CLONE_FROM"/.[!.]*; do
    [[ -e $entry || -L $entry ]] || continue
    name=${entry##*/}
    case $name in
      proc | sys) mkdir -p "$tmp/$name" ;;
      usr) cp -al "$entry" "$tmp/usr" ;;
      # --one-file-system: a bind-mounted /dev is not copied, only its mount point
      *) cp -a --one-file-system "$entry" "$tmp/" ;;
    esac
  done
  rm -rf "$tmp/etc/asterisk" "$tmp/run/asterisk" "$tmp/run/switchboard-asterisk.pid" \
    "$tmp/var/lib/asterisk/astdb.sqlite3" "$tmp/var/lib/asterisk/astdb.sqlite3-journal" \
    "$tmp/var/spool/asterisk/recording" "$tmp/var/log/asterisk"
  mkdir -p "$tmp/var/log/asterisk"
  [[ -x $tmp/usr/sbin/asterisk ]] || die "the copy in $tmp has no asterisk"
  mv -T "$tmp" "$ROOT"
  trap - EXIT
  log "chroot ready in $((SECONDS - started)) s: copied from $CLONE_FROM (Asterisk $(root_version))"
}

mount_fs() {
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  # debootstrap creates /dev/null, /dev/urandom ... as real nodes; bind /dev
  # only if they are missing (e.g. when built where mknod is not allowed).
  if [[ ! -c $ROOT/dev/null || ! -c $ROOT/dev/urandom ]]; then
    mountpoint -q "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
  fi
}

umount_fs() {
  local m
  for m in "$ROOT/dev" "$ROOT/proc"; do
    while mountpoint -q "$m" 2>/dev/null; do
      umount "$m" 2>/dev/null || umount -l "$m"
    done
  done
}

# --------------------------------------------------------------- process

# pid of the running Asterisk of this root, or nothing
running_pid() {
  local f pid exe
  for f in "$PIDFILE" "$ROOT/run/asterisk/asterisk.pid"; do
    [[ -r $f ]] || continue
    pid=$(tr -dc 0-9 <"$f")
    [[ -n $pid ]] || continue
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
    if [[ $exe == "$ROOT/usr/sbin/asterisk" ]]; then
      printf '%s' "$pid"
      return 0
    fi
  done
  return 1
}

ari_ok() {
  curl -fsS -m 3 -o /dev/null -u "$(tvar ARI_USER):$(tvar ARI_PASSWORD)" \
    "$(ari_base)/asterisk/info" 2>/dev/null
}

ari_version() {
  curl -fsS -m 3 -u "$(tvar ARI_USER):$(tvar ARI_PASSWORD)" "$(ari_base)/asterisk/info" 2>/dev/null |
    sed -n 's/.*"version":"\([^"]*\)".*/\1/p'
}

cli() { chroot "$ROOT" /usr/sbin/asterisk -rx "$*"; }

port_in_use() { # PROTO PORT
  command -v ss >/dev/null || return 1
  local flag=-ltnH
  [[ $1 == udp ]] && flag=-lunH
  [[ -n $(ss "$flag" "sport = :$2" 2>/dev/null) ]]
}

print_log_tail() {
  local n=40
  if [[ -s $LOGFILE ]]; then
    log "last $n lines of $LOGFILE:"
    tail -n "$n" "$LOGFILE" >&2
  fi
  if [[ -s $CONSOLE_LOG ]]; then
    log "last lines of $CONSOLE_LOG:"
    tail -n 15 "$CONSOLE_LOG" >&2
  fi
}

start_asterisk() {
  local pid d http_port sip_port
  http_port=$(tvar SB_ASTERISK_HTTP_PORT)
  sip_port=$(tvar SB_ASTERISK_SIP_PORT)
  if port_in_use tcp "$http_port"; then die "TCP port $http_port is already in use by another process"; fi
  if port_in_use udp "$sip_port"; then die "UDP port $sip_port is already in use by another process"; fi
  mount_fs
  # ARI records bridges into /var/spool/asterisk/recording but, unlike MixMonitor, does not create it.
  for d in /run/asterisk /var/log/asterisk /var/lib/asterisk /var/spool/asterisk /var/spool/asterisk/recording /var/cache/asterisk; do
    mkdir -p "$ROOT$d"
    chroot "$ROOT" chown -R asterisk:asterisk "$d"
  done
  rm -f "$ROOT/run/asterisk/asterisk.pid" "$ROOT/run/asterisk/asterisk.ctl"
  # keep the logs from growing without bound across runs
  for f in "$LOGFILE" "$CONSOLE_LOG"; do
    if [[ -f $f ]] && (($(stat -c %s "$f") > 20 * 1024 * 1024)); then mv -f "$f" "$f.1"; fi
  done
  printf '\n=== %s start\n' "$(date -u '+%F %T')" >>"$CONSOLE_LOG"
  # a clean environment: libpq must not pick up the caller's PG* variables
  (
    cd /
    exec 9>&- # don't hand the lock to Asterisk
    exec setsid chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/var/lib/asterisk LANG=C.UTF-8 TZ=UTC \
      /usr/sbin/asterisk -f -U asterisk -G asterisk
  ) </dev/null >>"$CONSOLE_LOG" 2>&1 &
  pid=$!
  printf '%s\n' "$pid" >"$PIDFILE"
}

start_failed() {
  print_log_tail
  stop_asterisk
  rm -f "$PIDFILE"
  umount_fs
  die "$*"
}

wait_ready() {
  local deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    # The pid is the launcher until it has exec'd into Asterisk, so only ask whether it still lives.
    kill -0 "$(tr -dc 0-9 <"$PIDFILE")" 2>/dev/null || start_failed "Asterisk exited during start"
    if ari_ok; then return 0; fi
    sleep 0.2
  done
  start_failed "ARI did not answer $(ari_base)/asterisk/info within ${TIMEOUT}s"
}

wait_exit() { # PID TICKS: wait up to TICKS x 0.2 s for PID to exit
  local i
  for ((i = 0; i < $2; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.2
  done
}

stop_asterisk() {
  local pid
  pid=$(running_pid) || return 0
  cli 'core stop now' >/dev/null 2>&1 || true
  wait_exit "$pid" 50
  if kill -0 "$pid" 2>/dev/null; then
    log "Asterisk (pid $pid) did not stop gracefully, sending TERM"
    kill -TERM "$pid" 2>/dev/null || true
    wait_exit "$pid" 25
  fi
  if kill -0 "$pid" 2>/dev/null; then
    log "Asterisk (pid $pid) still alive, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
}

# Tell when the CEL table is missing (cel_pgsql would drop every row).
check_cel_table() {
  command -v psql >/dev/null || return 0
  local found
  found=$(PGPASSWORD=$(tvar SB_CEL_PGPASSWORD) PGCONNECT_TIMEOUT=3 psql -X -At -h "$(tvar SB_CEL_PGHOST)" \
    -p "$(tvar SB_CEL_PGPORT)" -U "$(tvar SB_CEL_PGUSER)" -d "$(tvar SB_CEL_PGDATABASE)" \
    -c "select to_regclass('$(tvar SB_CEL_TABLE)') is not null" 2>/dev/null) || {
    log "note: CEL database $(tvar SB_CEL_PGUSER)@$(tvar SB_CEL_PGHOST):$(tvar SB_CEL_PGPORT)/$(tvar SB_CEL_PGDATABASE) is not reachable; CEL rows are dropped until it is and cel_pgsql is reloaded"
    return 0
  }
  if [[ $found != t ]]; then
    log "note: no table \"$(tvar SB_CEL_TABLE)\" in $(tvar SB_CEL_PGDATABASE) yet; create it (asterisk/cel-table.sql), then run: $0 cel-reload"
  fi
}

cel_reload() {
  # `module reload` keeps the old column list when cel_pgsql.conf is unchanged
  cli 'module unload cel_pgsql.so' >/dev/null 2>&1 || true
  cli 'module load cel_pgsql.so' >/dev/null
}

status_line() {
  local pid=$1 state=$2
  printf '%s: %s (pid %s, Asterisk %s) ARI %s user=%s app=%s, SIP udp:%s:%s, root %s\n' \
    "$PROG" "$state" "$pid" "$(ari_version)" "$(ari_base)" "$(tvar ARI_USER)" "$(tvar ARI_APP)" \
    "$(ari_host)" "$(tvar SB_ASTERISK_SIP_PORT)" "$ROOT"
}

# ------------------------------------------------------------------- lock

take_lock() {
  mkdir -p "$(dirname "$ROOT")"
  exec 9>"$ROOT.lock"
  if ! flock -w 600 9; then die "another $PROG is running (lock $ROOT.lock)"; fi
}

# --------------------------------------------------------------- commands

cmd_up() {
  local pid started=$SECONDS
  need_root
  take_lock
  if pid=$(running_pid) && ari_ok; then
    if install_config; then
      log "config changed, restarting Asterisk"
      stop_asterisk
      start_asterisk
      wait_ready
      pid=$(running_pid)
      status_line "$pid" "restarted with new config in $((SECONDS - started)) s:"
      check_cel_table
    else
      cel_reload || log "warning: could not reload cel_pgsql"
      status_line "$pid" "already running, config unchanged:"
      check_cel_table
    fi
    return 0
  fi
  # running but ARI not answering (or half-dead): start over
  if running_pid >/dev/null; then
    log "Asterisk is running but ARI does not answer; restarting it"
    stop_asterisk
  fi
  build_root
  install_config || true
  start_asterisk
  wait_ready
  pid=$(running_pid)
  status_line "$pid" "up in $((SECONDS - started)) s:"
  check_cel_table
}

cmd_down() {
  local pid
  need_root
  take_lock
  if pid=$(running_pid); then
    stop_asterisk
    if kill -0 "$pid" 2>/dev/null; then die "could not stop Asterisk (pid $pid)"; fi
    log "stopped (was pid $pid)"
  else
    log "not running"
  fi
  rm -f "$PIDFILE"
  [[ -d $ROOT ]] && umount_fs
  return 0
}

cmd_status() {
  local pid
  if pid=$(running_pid); then
    if ari_ok; then
      status_line "$pid" running
    else
      printf '%s: running (pid %s) but ARI at %s does not answer\n' "$PROG" "$pid" "$(ari_base)"
    fi
    return 0
  fi
  if root_ready; then
    printf '%s: stopped (root %s, Asterisk %s)\n' "$PROG" "$ROOT" "$(root_version)"
  else
    printf '%s: stopped (no root yet at %s)\n' "$PROG" "$ROOT"
  fi
  return 3
}

main() {
  local cmd=${1:-}
  shift || true
  case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    cel-reload)
      need_root
      running_pid >/dev/null || die "Asterisk is not running"
      cel_reload
      log "cel_pgsql reloaded"
      ;;
    cli)
      need_root
      running_pid >/dev/null || die "Asterisk is not running"
      cli "$@"
      ;;
    build)
      need_root
      take_lock
      build_root
      ;;
    logs) tail -n "${1:-100}" "$LOGFILE" ;;
    render)
      [[ -n ${1:-} ]] || die "usage: $0 render DIR"
      render_config "$1"
      ;;
    -h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
    *)
      echo "usage: $0 up|down|status|build|cel-reload|cli CMD...|logs [N]|render DIR" >&2
      exit 2
      ;;
  esac
}

main "$@"
