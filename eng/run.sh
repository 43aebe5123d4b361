#!/usr/bin/env bash
# Runs ValkeyDashboard at http://127.0.0.1:5000 with its embedded Valkey 9 cluster (3 primaries, 3 replicas),
# getting Valkey 9 first when this machine has none. Ctrl+C stops the dashboard and every node it started;
# the next run brings the same cluster back from .data/cluster. Extra arguments go to the app, e.g.
#   eng/run.sh --Valkey:Mode=External --Valkey:External:Endpoints:0=10.0.0.5:6379
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=eng/common.sh
source "$REPO_DIR/eng/common.sh"
cd "$REPO_DIR"

require_dotnet
ensure_valkey
# Start the built app directly when nothing changed since it was built (saves the seconds of MSBuild's
# up-to-date check on every start); otherwise build and run.
app=src/ValkeyDashboard/bin/Release/net10.0/ValkeyDashboard.dll
if [[ -f $app ]] && [[ -z $(find src wwwroot Directory.Build.props Directory.Packages.props global.json appsettings.json \
        \( -name bin -o -name obj \) -prune -o -newer "$app" -print -quit) ]]; then
    exec dotnet "$app" "$@"
fi
exec dotnet run --project src/ValkeyDashboard -c Release -- "$@"
