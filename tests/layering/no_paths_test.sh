#!/usr/bin/env bash
# Fails, naming the path, when any of the given query results is not empty.
set -euo pipefail
failed=0
for result in "$@"; do
  if [[ -s "$result" ]]; then
    echo "a logic library links gRPC ($(basename "$result")):" >&2
    cat "$result" >&2
    echo "  see the path with: bazel query 'somepath(LIBRARY, //third_party/system:grpc)'" >&2
    failed=1
  fi
done
if [[ $failed -eq 0 ]]; then echo "no logic library links gRPC ($# checked)"; fi
exit $failed
