# Shared by eng/run.sh and eng/test.sh: checks the .NET SDK and makes Valkey 9 available.
# shellcheck shell=bash

require_dotnet() {
    local wanted
    wanted=$(sed -n 's/.*"version": *"\([0-9]*\)\..*/\1/p' "$REPO_DIR/global.json")
    if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks 2>/dev/null | grep -q "^${wanted}\."; then
        cat >&2 <<EOT
The .NET ${wanted} SDK is required (dotnet on PATH with an SDK ${wanted}.x).
  Debian/Ubuntu: see https://learn.microsoft.com/dotnet/core/install/linux (package dotnet-sdk-${wanted}.0),
  or the install script: https://dot.net/v1/dotnet-install.sh --channel ${wanted}.0
EOT
        exit 1
    fi
}

ensure_valkey() {
    local bin_dir
    bin_dir=$("$REPO_DIR/eng/get-valkey.sh" --print-bin-dir)
    # The app finds the binaries by itself (configured folder, .tools/valkey, PATH); PATH is set for valkey-cli users too.
    export PATH="$bin_dir:$PATH"
}
