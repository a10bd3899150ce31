# shellcheck shell=bash
# Helpers shared by benchmarks (source it; bash only). Nothing here starts a
# process by itself: the callers record the pids they start and stop them by
# pid on exit.
#
#   log MSG / die MSG              timestamped line on stderr / and exit 1
#   stop_pid PID NAME              SIGTERM, wait up to 20 s, then SIGKILL
#   wait_for SECS NAME CMD...      retry CMD every 0.1 s until it succeeds
#   now_us                         wall clock in microseconds (no fork)
#   median_ms US...                median of microsecond values, in ms (x.y)
#   ms US                          microseconds -> "x.y" ms
#   ratio A B                      A/B with 2 decimals ("n/a" if B is 0)
#   psi_cpu_us                     total CPU stall of the machine (PSI some)
#   meminfo_kb FIELD               a /proc/meminfo field in kB
#   ensure_dockerd_installed       Debian's docker.io, never starting its service
#   docker_client_for DOCKERD      the docker CLI from the same package
#   find_static_busybox            path of a static busybox (installs busybox-static)
#   make_busybox_rootfs BUSYBOX DIR   DIR/bin/busybox + one symlink per applet
#   mem_snapshot FILE              median of 5 samples of $MEM_FIELDS (kB)
#   smaps_sum PID...               "count rss pss private_dirty private_clean" (kB)
#   children_of PID...             their direct children
#   pids_of_exe PATH               processes running the executable PATH

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

stop_pid() {
  local pid=$1 name=$2 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  log "$name (pid $pid) did not stop in 20 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

wait_for() {
  local secs=$1 name=$2 i
  shift 2
  for ((i = 0; i < secs * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "$name did not come up in $secs s"
}

# EPOCHREALTIME always has 6 decimals: dropping the dot gives microseconds.
now_us() { echo "${EPOCHREALTIME/./}"; }

median_ms() {
  printf '%s\n' "$@" | sort -n |
    awk '{a[NR] = $1} END {
      if (NR == 0) { print "n/a"; exit }
      m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
      printf "%.1f\n", m / 1000 }'
}

ms() { awk -v u="$1" 'BEGIN {printf "%.1f\n", u / 1000}'; }

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"
    else printf "%.2f\n", a / b }'
}

psi_cpu_us() {
  awk '/^some/ {sub("total=", "", $5); print $5}' /proc/pressure/cpu 2>/dev/null || echo 0
}

meminfo_kb() { awk -v f="$1:" '$1 == f {print $2}' /proc/meminfo; }

ensure_dockerd_installed() {
  command -v dockerd >/dev/null && return 0
  log "installing Debian's docker.io"
  # Never let the package start the system's docker service: a policy-rc.d
  # that denies every start, unless the machine already has one.
  local own_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    docker.io >&2 || {
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      docker.io >&2
  }
  [[ -n $own_policy ]] && rm -f /usr/sbin/policy-rc.d
  return 0
}

docker_client_for() {
  local dir
  dir=$(dirname "$(readlink -f "$1")")
  if [[ -x $dir/../bin/docker ]]; then
    readlink -f "$dir/../bin/docker"
  else
    command -v docker
  fi
}

find_static_busybox() {
  local b
  for b in /bin/busybox /usr/bin/busybox; do
    if [[ -x $b ]] && file -L "$b" 2>/dev/null | grep -q 'statically linked'; then
      echo "$b"
      return 0
    fi
  done
  DEBIAN_FRONTEND=noninteractive apt-get install -y busybox-static >&2 || {
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y busybox-static >&2
  }
  echo /bin/busybox
}

make_busybox_rootfs() {
  local busybox=$1 dir=$2 applet
  mkdir -p "$dir"/{bin,dev,etc,proc,sys,tmp,root}
  chmod 1777 "$dir/tmp"
  cp "$busybox" "$dir/bin/busybox"
  for applet in $("$busybox" --list); do
    [[ $applet == busybox || -e $dir/bin/$applet ]] || ln -s busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
}

mem_snapshot() {
  local i f
  for ((i = 0; i < 5; i++)); do
    for f in "${MEM_FIELDS[@]}"; do echo "$f $(meminfo_kb "$f")"; done
    sleep 0.2
  done | sort -k1,1 -k2,2n | awk '{v[$1] = v[$1] " " $2} END {
      for (f in v) { n = split(v[f], a, " "); print f, a[int((n + 1) / 2)] } }' |
    sort >"$1"
}

smaps_sum() {
  local p
  { for p in "$@"; do cat "/proc/$p/smaps_rollup" 2>/dev/null && echo '#'; done; } |
    awk '/^#/ {n++} /^Rss:/ {r += $2} /^Pss:/ {p += $2}
         /^Private_Dirty:/ {d += $2} /^Private_Clean:/ {c += $2}
         END {printf "%d %d %d %d %d\n", n, r, p, d, c}'
}

children_of() {
  local want=" $* " p ppid
  for p in /proc/[0-9]*; do
    ppid=$(awk '{print $4}' "$p/stat" 2>/dev/null) || continue
    [[ $want == *" $ppid "* ]] && echo "${p#/proc/}"
  done
  return 0
}

pids_of_exe() {
  local p exe
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    [[ $exe == "$1" ]] && echo "${p#/proc/}"
  done
  return 0
}
