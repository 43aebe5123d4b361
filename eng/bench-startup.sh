#!/usr/bin/env bash
# Measures how long the README's run command (eng/run.sh) takes until the dashboard answers
# GET /health with "Healthy" (embedded 3x1 cluster at cluster_state:ok), twice:
#   cold: the first run, including getting Valkey 9 (into a fresh private folder), the build and forming the cluster;
#   warm: the second run, reusing the build, the binaries and the cluster's data.
# Run it from a clean clone for the cold figure: git clone . /tmp/bench && cd /tmp/bench && eng/bench-startup.sh
# Uses ports 7400-7405 (+10000) and 5090, and a scratch data folder; stops everything it started.
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

run_once() {
    local label=$1 start end
    start=$(date +%s.%N)
    setsid eng/run.sh "${args[@]}" >"$scratch/$label.log" 2>&1 &
    app_pid=$!
    until curl -fsS -m 2 "$url/health" 2>/dev/null | grep -q '"Healthy"'; do
        if ! kill -0 "$app_pid" 2>/dev/null; then
            echo "bench-startup: the dashboard exited; log:" >&2
            tail -20 "$scratch/$label.log" >&2
            exit 1
        fi
        if (($(date +%s) - ${start%.*} > 600)); then
            echo "bench-startup: not healthy after 600 s" >&2
            exit 1
        fi
        sleep 0.2
    done
    end=$(date +%s.%N)
    printf '%s start: %.1f s\n' "$label" "$(echo "$end - $start" | bc)"
    stop_app
    if pgrep -f "$scratch" >/dev/null || pgrep -x valkey-server -a | grep -q ':74[0-9][0-9]'; then
        echo "bench-startup: processes left after Ctrl+C" >&2
        exit 1
    fi
}

run_once cold
run_once warm
