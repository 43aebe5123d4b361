#!/usr/bin/env bash
# Runs every test of ValkeyDashboard: unit tests, integration/API tests against real Valkey 9 clusters started on
# loopback ports 16000-18999 (+10000 for the cluster bus), and browser tests in headless Chromium whose clusters use
# 19000-21999 (+10000); dotnet test runs the projects at the same time, so each has its own range (TestPorts.Ranges).
# Gets Valkey 9, Chromium and setpriv (apt-get, with sudo when not root) first when missing. The container test runs the
# dashboard as uid 1654 (like the Docker image), so the test run must be root (or have CAP_SETUID), as CI is.
# Fails if any valkey-server or Chromium started by the tests is still running afterwards.
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=eng/common.sh
source "$REPO_DIR/eng/common.sh"
cd "$REPO_DIR"

require_dotnet
ensure_valkey
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

# Test clusters keep their data under $TMPDIR/valkey-dashboard-tests; any valkey-server working there afterwards is a leftover.
test_root="${TMPDIR:-/tmp}/valkey-dashboard-tests"
leftovers() {
    local pid cwd
    for pid in $(pgrep -x valkey-server || true); do
        cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
        [[ $cwd == "$test_root"/* ]] && echo "$pid"
    done
    return 0
}
# Chromium's processes and Playwright's driver (node) that carry this run's mark and are not just exiting (zombies).
browser_leftovers() {
    local pid state
    for pid in $({ pgrep -x chromium || true; pgrep -x chrome_crashpad || true; pgrep -f '/\.playwright/node/' || true; } | sort -un); do
        state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1 || true)
        [[ -n $state && $state != Z ]] || continue
        tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qxF "VALKEY_DASHBOARD_TEST_RUN=$test_run" && echo "$pid"
    done
    return 0
}

status=0
dotnet test ValkeyDashboard.sln --logger "console;verbosity=normal" --logger trx --results-directory "$results" "$@" || status=$?

left=$(leftovers)
if [[ -n $left ]]; then
    echo "test.sh: valkey-server processes left running by the tests: $left (stopping them)" >&2
    # shellcheck disable=SC2086
    kill $left 2>/dev/null || true
    status=1
fi
left=$(browser_leftovers)
if [[ -n $left ]]; then
    echo "test.sh: Chromium/Playwright processes left running by the tests: $(tr '\n' ' ' <<<"$left")(stopping them)" >&2
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
