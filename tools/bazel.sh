# Sourced by the tools/ scripts: runs Bazel with the project's settings. The
# Bazel server exits after a short idle time so nothing outlives a CI run.
BAZEL_STARTUP=(--max_idle_secs=60)
bazel_run() { bazel "${BAZEL_STARTUP[@]}" "$@"; }
