# shellcheck shell=bash
# Berth and Docker for a container benchmark: the build, the two daemons on
# a busybox image, the helpers to drive and clean them. Source it after
# common.sh; the caller sets REPO and TMP (a fresh temp dir, short: unix
# socket paths are limited to 108 bytes) and calls engines_cleanup from its
# EXIT trap.
#
#   engines_build                  build -c opt (unless BENCH_SKIP_BUILD) and
#                                  copy berth, berthd, berth-shim to TMP/bin;
#                                  sets BERTH_BIN, BERTHD_BIN, BENCH_REV
#   engines_start_berthd           its own berthd on TMP/root, TMP/run
#                                  (cgroup parent berth-bench); BERTHD_PID
#   engines_start_docker           the running dockerd, or a private one on
#                                  TMP/docker.sock; DOCKER_ARGS, DOCKERD_PID,
#                                  DOCKER_VERSION, DOCKER_DRIVER, DOCKER_WHERE
#   engines_busybox_image          a static busybox rootfs (TMP/rootfs, its tar
#                                  TMP/rootfs.tar) imported as `busybox` into
#                                  Berth and as $DOCKER_IMG into Docker
#   berth ARGS / docker ARGS       the CLIs against those daemons
#   berth_rm_all / docker_rm_all   remove every Berth container / every Docker
#                                  container labelled $DOCKER_LABEL
#   engines_cleanup                containers, daemons, shims, cgroups, mounts
#
# With ENGINES_NETNS set (a bound network namespace), both daemons run in
# it: Docker always privately and with its default bridge (10.213.0.1/24,
# no iptables, no masquerade), Berth without masquerade, so every bridge,
# veth and packet of the run stays in that namespace.

BAZEL=(bazel --output_base=/root/.cache/bazel-bench2)
BAZEL_STARTED=""
BERTHD_PID=""
DOCKERD_PID=""
BERTH_UP=""
DOCKER_UP=""
DOCKER_ARGS=()
DOCKER_IMG=berth-bench/busybox:b$$
DOCKER_LABEL=berth-bench.run=$$

berth() { "$BERTH_BIN" --run-root "$TMP/run" "$@"; }
docker() { "$DOCKER_BIN" "${DOCKER_ARGS[@]}" "$@"; }

engines_build() {
  mkdir -p "$TMP/bin"
  # Other Bazel servers repoint bazel-bin at any time: take the binaries from
  # this script's own output base and copy them before measuring anything.
  local bin_dir=/root/.cache/bazel-bench2/execroot/berth/bazel-out/k8-opt/bin b
  # The revision measured: taken when the build starts (the tree may move on
  # while the benchmark runs).
  BENCH_REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')
  if [[ -n $(git -C "$REPO" status --porcelain --untracked-files=no -- . ':!bench' 2>/dev/null) ]]; then
    BENCH_REV+="+uncommitted changes"
  fi
  if [[ -n ${BENCH_SKIP_BUILD:-} ]]; then
    BENCH_REV="(last build; tree now at $BENCH_REV)"
    [[ -x $bin_dir/ctl/berth ]] || bin_dir=$REPO/bazel-bin
  else
    log "building //ctl:berth //services/berthd //services/containerd/shim:berth-shim"
    BAZEL_STARTED=1
    (cd "$REPO" && "${BAZEL[@]}" build -c opt //ctl:berth //services/berthd \
      //services/containerd/shim:berth-shim >&2)
    bin_dir=$(cd "$REPO" && "${BAZEL[@]}" info -c opt bazel-bin 2>/dev/null)
    # Free the Bazel server's memory before measuring anything.
    (cd "$REPO" && "${BAZEL[@]}" shutdown >&2)
    BAZEL_STARTED=""
  fi
  for b in ctl/berth services/berthd/berthd services/containerd/shim/berth-shim; do
    [[ -x $bin_dir/$b ]] || die "no $b in $bin_dir"
    cp "$bin_dir/$b" "$TMP/bin/"
  done
  BERTH_BIN=$TMP/bin/berth
  BERTHD_BIN=$TMP/bin/berthd
}

# Starts a daemon, in ENGINES_NETNS when set. Only ever run in the
# background (`engines_exec_daemon ... &`): it execs, so $! is the daemon's
# pid (nsenter execs the command after joining the namespace).
engines_exec_daemon() {
  if [[ -n ${ENGINES_NETNS:-} ]]; then
    exec nsenter --net="$ENGINES_NETNS" -- "$@"
  fi
  exec "$@"
}

engines_start_berthd() {
  mkdir -p "$TMP/root" "$TMP/run"
  printf '{"runtime": {"shimPath": "%s", "cgroupParent": "berth-bench"}, "netd": {"masquerade": false}}\n' \
    "$TMP/bin/berth-shim" >"$TMP/berthd.json"
  log "starting berthd"
  engines_exec_daemon "$BERTHD_BIN" --config "$TMP/berthd.json" --root "$TMP/root" --run-root "$TMP/run" \
    --log-file "$TMP/berthd.log" >>"$TMP/berthd.out" 2>&1 &
  BERTHD_PID=$!
  wait_for 30 berthd berth info
  kill -0 "$BERTHD_PID" || die "berthd exited: $(tail -5 "$TMP/berthd.out")"
  BERTH_UP=1
}

engines_start_docker() {
  ensure_dockerd_installed
  DOCKERD_BIN=$(command -v dockerd)
  DOCKER_BIN=$(docker_client_for "$DOCKERD_BIN")
  DOCKER_ARGS=()
  local bridge=(--bridge none)
  [[ -n ${ENGINES_NETNS:-} ]] && bridge=(--bip 10.213.0.1/24)
  if [[ -z ${ENGINES_NETNS:-} ]] && "$DOCKER_BIN" version >/dev/null 2>&1; then
    log "using the running dockerd ($("$DOCKER_BIN" version --format '{{.Server.Version}}'))"
    DOCKER_WHERE="running dockerd"
  else
    log "starting a private dockerd ($("$DOCKERD_BIN" --version))"
    mkdir -p "$TMP/docker" "$TMP/dx"
    DOCKER_ARGS=(-H "unix://$TMP/docker.sock")
    engines_exec_daemon "$DOCKERD_BIN" --data-root "$TMP/docker" --exec-root "$TMP/dx" \
      --pidfile "$TMP/docker.pid" -H "unix://$TMP/docker.sock" \
      "${bridge[@]}" --iptables=false --ip6tables=false --ip-masq=false \
      --ip-forward=false --userland-proxy=false --storage-driver overlay2 \
      --log-level warn >>"$TMP/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    DOCKER_WHERE="private dockerd"
    wait_for 60 dockerd docker version
    kill -0 "$DOCKERD_PID" || die "dockerd exited: $(tail -5 "$TMP/dockerd.log")"
  fi
  DOCKER_UP=1
  DOCKER_VERSION=$(docker version --format '{{.Server.Version}}')
  DOCKER_DRIVER=$(docker info --format '{{.Driver}}')
}

engines_busybox_image() {
  BUSYBOX=$(find_static_busybox)
  make_busybox_rootfs "$BUSYBOX" "$TMP/rootfs"
  ROOTFS_TAR=$TMP/rootfs.tar
  tar -C "$TMP/rootfs" --numeric-owner --owner=0 --group=0 -cf "$ROOTFS_TAR" .
  log "busybox rootfs: $(stat -c %s "$ROOTFS_TAR") bytes, $(find "$TMP/rootfs" | wc -l) entries"
  berth import --change 'CMD ["sh"]' "$ROOTFS_TAR" busybox >>"$TMP/run.log" 2>&1
  docker import --change 'CMD ["sh"]' "$ROOTFS_TAR" "$DOCKER_IMG" >>"$TMP/run.log" 2>&1
  # Sanity: each engine really runs the image.
  [[ $(berth run --rm busybox echo ok) == ok ]] || die "berth run does not work"
  [[ $(docker run --rm --network none --pull never "$DOCKER_IMG" echo ok) == ok ]] ||
    die "docker run does not work"
}

# All Berth containers (berthd is ours: every container in it is ours).
berth_rm_all() {
  local ids
  ids=$(berth ps -aq 2>/dev/null) || return 1
  [[ -z $ids ]] && return 0
  printf '%s\n' $ids | xargs -r -P 4 -n 25 "$BERTH_BIN" --run-root "$TMP/run" rm -f >/dev/null
}
# Docker containers this run made (labelled), never anyone else's.
docker_rm_all() {
  local ids
  ids=$(docker ps -aq --filter "label=$DOCKER_LABEL" 2>/dev/null) || return 1
  [[ -z $ids ]] && return 0
  printf '%s\n' $ids | xargs -r -P 4 -n 25 "$DOCKER_BIN" "${DOCKER_ARGS[@]}" rm -f >/dev/null
}
# berth-shim processes of this run's binary (they outlive berthd by design).
my_shims() { pids_of_exe "$TMP/bin/berth-shim"; }

engines_cleanup() {
  if [[ -n $BERTH_UP ]]; then
    berth_rm_all || log "could not remove every berth container"
  fi
  if [[ -n $DOCKER_UP ]]; then
    docker_rm_all || log "could not remove every docker container"
    docker rmi -f "$DOCKER_IMG" >/dev/null 2>&1
  fi
  [[ -n $BERTHD_PID ]] && stop_pid "$BERTHD_PID" berthd
  [[ -n $DOCKERD_PID ]] && stop_pid "$DOCKERD_PID" dockerd
  if [[ -n $TMP ]]; then
    # Shims whose containers could not be removed: ours (our binary), by pid.
    local p
    for p in $(my_shims); do
      log "killing leftover berth-shim pid $p"
      kill -KILL "$p" 2>/dev/null
    done
  fi
  if [[ -n $BAZEL_STARTED ]]; then
    (cd "$REPO" && "${BAZEL[@]}" shutdown >/dev/null 2>&1)
  fi
  # The cgroup parent of this run's containers, if now empty.
  local d
  for d in /sys/fs/cgroup/*/berth-bench /sys/fs/cgroup/berth-bench; do
    [[ -d $d ]] || continue
    rmdir "$d" 2>/dev/null ||
      log "left $d (not empty: $(find "$d" -mindepth 1 -type d | wc -l) cgroups below)"
  done
  if [[ -n $TMP && -d $TMP ]]; then
    # Anything left mounted beneath TMP (overlays, dockerd's), deepest first.
    findmnt -rn -o TARGET | grep -F "$TMP/" | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null; done
    if [[ -n ${BENCH_KEEP:-} ]]; then
      log "kept $TMP"
    else
      rm -rf "$TMP"
    fi
  fi
  return 0
}

# The machine's state line for a report, from PSI0/WALL0 taken before the
# measurements: load and how long tasks waited for a CPU.
engines_machine_report() {
  local psi1 wall1 stall
  psi1=$(psi_cpu_us)
  wall1=$(now_us)
  stall=$(awk -v p=$((psi1 - PSI0)) -v w=$((wall1 - WALL0)) 'BEGIN {printf "%.0f", 100 * p / w}')
  local cgroups=hybrid
  [[ -e /sys/fs/cgroup/cgroup.controllers ]] && cgroups=v2
  findmnt -n /sys/fs/cgroup/unified >/dev/null 2>&1 || [[ $cgroups == v2 ]] || cgroups=v1
  echo "berth $BENCH_REV; docker $DOCKER_VERSION ($DOCKER_DRIVER, $DOCKER_WHERE)"
  echo "$(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r), cgroups $cgroups"
  echo "machine: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; some task waited for a CPU ${stall}% of the measuring time"
  if ((stall > 20)); then
    echo "WARNING: the machine was busy with other work; these numbers are not reliable"
  fi
}

# verdict VALUE OP LIMIT -> PASS | BELOW TARGET | n/a
verdict() {
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (v == "n/a") { print "n/a"; exit }
    ok = (op == "<=") ? (v <= l) : (v < l)
    print ok ? "PASS" : "BELOW TARGET" }'
}
