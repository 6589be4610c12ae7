#!/bin/sh
# Builds the load tool (bench/load, a Go module of its own that talks to the
# server over HTTP only) and runs it against an already running server with
# the arguments given. See docs/PERFORMANCE.md.
#
#   bench/load.sh -url http://127.0.0.1:8080 -data-dir ./data -dist worst -load api
#   bench/load.sh -h        # every flag
set -eu
dir=$(cd "$(dirname "$0")/load" && pwd)
bin=${AVATARCRM_LOAD_BIN:-${TMPDIR:-/tmp}/avatarcrm-load}
(cd "$dir" && go build -o "$bin" .)
exec "$bin" "$@"
