#!/usr/bin/env bash
# Runs every test of ValkeyDashboard: unit tests, integration/API tests against real Valkey 9 clusters started on
# loopback ports 16000-18999 (+10000 for the cluster bus), and browser tests in headless Chromium whose clusters use
# 19000-21999 (+10000); the integration tests run beside the other projects, so each has its own range (TestPorts.Ranges).
# Gets Valkey 9, the older servers some integration tests run (Valkey 8.0, Redis 7.0, Redis 8.0) and Prometheus (private copies under
# .tools/ from Debian's packages, see eng/get-server.sh), Chromium and setpriv (apt-get, with sudo when not root) first when missing. The container test runs the
# dashboard as uid 1654 (like the Docker image), so the test run must be root (or have CAP_SETUID), as CI is.
# Fails if any valkey-server or Chromium started by the tests is still running afterwards.
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=eng/common.sh
source "$REPO_DIR/eng/common.sh"
cd "$REPO_DIR"

require_dotnet
ensure_valkey
ensure_test_servers
ensure_chromium
ensure_setpriv

results="$REPO_DIR/artifacts/test-results"
rm -rf "$results" "$REPO_DIR/artifacts/screenshots"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The browser tests use $CHROMIUM; Playwright must not fetch browsers of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Every process the tests start inherits this mark: how a leftover Chromium is told from the user's own browser.
test_run="$$-$(date +%s)"
export VALKEY_DASHBOARD_TEST_RUN=$test_run

# Test clusters keep their data under $TMPDIR/valkey-dashboard-tests; any valkey-server or redis-server working there afterwards is a leftover.
test_root="${TMPDIR:-/tmp}/valkey-dashboard-tests"
leftovers() {
    local pid cwd
    for pid in $({ pgrep -x valkey-server || true; pgrep -x redis-server || true; } | sort -un); do
        cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
        [[ $cwd == "$test_root"/* ]] && echo "$pid"
    done
    return 0
}
# Chromium's processes, Playwright's driver (node) and Prometheus that carry this run's mark and are not just exiting (zombies).
browser_leftovers() {
    local pid state
    for pid in $({ pgrep -x chromium || true; pgrep -x chrome_crashpad || true; pgrep -x prometheus || true; pgrep -f '/\.playwright/node/' || true; } | sort -un); do
        state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1 || true)
        [[ -n $state && $state != Z ]] || continue
        tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qxF "VALKEY_DASHBOARD_TEST_RUN=$test_run" && echo "$pid"
    done
    return 0
}

status=0
dotnet build ValkeyDashboard.sln -nologo -v:minimal
# The integration tests take longest (about three quarters of the run): they start at once and run beside the other
# three projects, which run one after another; each project has its own port range (TestPorts.Ranges), so two at a time
# never probe or bind the same ports, and two at a time is what the machine's two cores carry.
run_project() {
    local project=$1
    shift
    dotnet test "$project" --no-build --logger "console;verbosity=normal" --logger "trx;LogFileName=${project##*/}.trx" \
        --results-directory "$results" "$@"
}
run_project tests/ValkeyDashboard.IntegrationTests "$@" &
integration=$!
# A background job of a script ignores Ctrl+C: stop it (and so the clusters it started) with the run.
trap 'kill -TERM $integration 2>/dev/null; wait $integration 2>/dev/null; exit 130' INT TERM
for project in tests/ValkeyDashboard.Cluster.Tests tests/ValkeyDashboard.Components.Tests tests/ValkeyDashboard.BrowserTests; do
    run_project "$project" "$@" || status=$?
done
wait "$integration" || status=$?
trap - INT TERM

left=$(leftovers)
if [[ -n $left ]]; then
    echo "test.sh: valkey-server/redis-server processes left running by the tests: $left (stopping them)" >&2
    # shellcheck disable=SC2086
    kill $left 2>/dev/null || true
    status=1
fi
left=$(browser_leftovers)
if [[ -n $left ]]; then
    echo "test.sh: Chromium/Playwright/Prometheus processes left running by the tests: $(tr '\n' ' ' <<<"$left")(stopping them)" >&2
    # shellcheck disable=SC2086
    kill $left 2>/dev/null || true
    status=1
fi

# One plain summary line over every test project.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
    [[ -e $trx ]] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${n:-0}))
done
# The failed tests by name, last, so the end of a long log says what failed (the console logger's lines are far above).
if ((failed > 0)); then
    echo "Failed tests:"
    for trx in "$results"/*.trx; do
        [[ -e $trx ]] || continue
        # Each failed test's name, then the first line of its message (CI keeps only the log's tail).
        awk '/<UnitTestResult [^>]*outcome="Failed"/ { match($0, /testName="[^"]*"/); print "  " substr($0, RSTART + 10, RLENGTH - 11); want = 1 }
             want && /<Message>/ { line = $0; sub(/.*<Message>/, "", line); sub(/<\/Message>.*/, "", line); print "    " substr(line, 1, 400); want = 0 }' "$trx" |
            sed 's/&quot;/"/g; s/&apos;/'"'"'/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' || true
    done
fi
# Errors outside any test (a collection's clean-up that threw, a crashed test host) fail a run whose tests all passed.
for trx in "$results"/*.trx; do
    [[ -e $trx ]] || continue
    errors=$(grep -A1 '<RunInfo [^>]*outcome="Error"' "$trx" | sed -n 's/.*<Text>\(.*\)<\/Text>.*/  \1/p' || true)
    if [[ -n $errors ]]; then
        echo "Run errors in $(basename "$trx" .trx):"
        echo "$errors"
    fi
done
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if ((passed == 0)); then
    echo "test.sh: no test ran" >&2
    status=1
fi
if ((skipped > 0)); then
    echo "test.sh: $skipped test(s) were skipped; a skipped test counts as a failure here" >&2
    status=1
fi
exit "$status"
