#!/usr/bin/env bash
# Measures how long the README's run command (eng/run.sh) takes until the dashboard answers
# GET /health with "Healthy" (embedded 3x1 cluster at cluster_state:ok), twice:
#   cold: the first run, including getting Valkey 9 (into a fresh private folder), the build and forming the cluster;
#   warm: the second run, reusing the build, the binaries and the cluster's data.
# Run it from a clean clone for the cold figure: git clone . /tmp/bench && cd /tmp/bench && eng/bench-startup.sh
# Checks that a key set between the runs survives the restart. Uses ports 7400-7405 (+10000) and 5090, and a
# scratch data folder; stops everything it started.
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_DIR"

scratch=$(mktemp -d)
export VALKEY_TOOLS_DIR="$scratch/valkey"
url=http://127.0.0.1:5090
args=(--Urls="$url" --Valkey:Embedded:BasePort=7400 --Valkey:Embedded:DataDirectory="$scratch/data" --Dashboard:LogDirectory="$scratch/logs")
app_pid=""

stop_app() {
    [[ -n $app_pid ]] || return 0
    # SIGTERM to the run command's process group: the app shuts down as on Ctrl+C (a background job of a
    # script has SIGINT ignored, so SIGINT would not reach it here).
    kill -TERM -- "-$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
    app_pid=""
}
cleanup() { stop_app; rm -rf "$scratch"; }
trap cleanup EXIT

start_app() {
    setsid eng/run.sh "${args[@]}" >"$scratch/$1.log" 2>&1 &
    app_pid=$!
}

# Waits (at most 600 s) until /health says Healthy, failing if the dashboard exits first.
wait_healthy() {
    local log=$1 deadline=$((SECONDS + 600))
    until curl -fsS -m 2 "$url/health" 2>/dev/null | grep -q '"Healthy"'; do
        if ! kill -0 "$app_pid" 2>/dev/null; then
            echo "bench-startup: the dashboard exited; log:" >&2
            tail -20 "$scratch/$log.log" >&2
            exit 1
        fi
        if ((SECONDS > deadline)); then
            echo "bench-startup: not healthy after 600 s" >&2
            exit 1
        fi
        sleep 0.2
    done
}

run_once() {
    local label=$1 start end
    start=$(date +%s.%N)
    start_app "$label"
    wait_healthy "$label"
    end=$(date +%s.%N)
    printf '%s start: %.1f s\n' "$label" "$(echo "$end - $start" | bc)"
    stop_app
    if pgrep -f "$scratch" >/dev/null || pgrep -x valkey-server -a | grep -q ':74[0-9][0-9]'; then
        echo "bench-startup: processes left after stopping the dashboard" >&2
        exit 1
    fi
}

# The embedded cluster's password, generated at its first start (through the environment, not the command line).
cli() { VALKEYCLI_AUTH=$(cat "$scratch/data/password") "$VALKEY_TOOLS_DIR/bin/valkey-cli" -c -p 7400 "$@"; }

run_once cold
# A key set in a run of its own (so both timed runs stay pure start-ups) must be there after the warm start.
marker="bench-startup-$(date +%s)"
start_app marker
wait_healthy marker
cli set bench:marker "$marker" >/dev/null
stop_app

run_once warm
start_app check
wait_healthy check
if [[ $(cli get bench:marker) != "$marker" ]]; then
    echo "bench-startup: the key set before the restart is gone" >&2
    exit 1
fi
echo "key set before the restart: still there"
stop_app
