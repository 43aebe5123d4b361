#!/usr/bin/env bash
# Runs every test of ValkeyDashboard: unit tests, and integration/API tests against real Valkey 9 clusters
# started on loopback ports 16000-17999 (+10000 for the cluster bus). Gets Valkey 9 first when missing.
# Fails if any valkey-server started by the tests is still running afterwards.
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=eng/common.sh
source "$REPO_DIR/eng/common.sh"
cd "$REPO_DIR"

require_dotnet
ensure_valkey

results="$REPO_DIR/artifacts/test-results"
rm -rf "$results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

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

status=0
dotnet test ValkeyDashboard.sln --logger "console;verbosity=normal" --logger trx --results-directory "$results" "$@" || status=$?

left=$(leftovers)
if [[ -n $left ]]; then
    echo "test.sh: valkey-server processes left running by the tests: $left (stopping them)" >&2
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
