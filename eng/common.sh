# Shared by eng/run.sh and eng/test.sh: checks the .NET SDK and makes Valkey 9 (and, for the tests, the older servers,
# Chromium and setpriv) available.
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

# The older servers the tests run clusters of (Valkey 8.0, Redis 7.0, Redis 8.0), and Prometheus (which the metrics
# tests let scrape the dashboard; with promtool), private copies under .tools/ made by eng/get-server.sh (cached: only
# the first run downloads). Their bin folders are exported as VALKEY8_BIN_DIR, REDIS7_BIN_DIR, REDIS8_BIN_DIR and
# PROMETHEUS_BIN_DIR (the tests look in .tools/<kind>/bin themselves when these are unset).
ensure_test_servers() {
    local kind bin_dir
    for kind in valkey8 redis7 redis8 prometheus; do
        bin_dir=$("$REPO_DIR/eng/get-server.sh" "$kind" --print-bin-dir)
        export "${kind^^}_BIN_DIR=$bin_dir"
    done
}

# The browser tests drive the system's Chromium, headless; Playwright's own browser downloads are never used.
CHROMIUM=/usr/bin/chromium

ensure_chromium() {
    [[ -x $CHROMIUM ]] && return 0
    local as_root=()
    if ((EUID != 0)); then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "The browser tests need Chromium at $CHROMIUM; install it as root (Debian/Ubuntu: apt-get install chromium)." >&2
            exit 1
        fi
        as_root=(sudo)
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "The browser tests need Chromium at $CHROMIUM; install your distribution's chromium package." >&2
        exit 1
    fi
    echo "Installing Chromium for the browser tests (apt-get install chromium)..." >&2
    if ! "${as_root[@]}" apt-get update -q ||
        ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; then
        echo "Could not install the chromium package (above); the browser tests need Chromium at $CHROMIUM." >&2
        exit 1
    fi
    if [[ ! -x $CHROMIUM ]]; then
        echo "The chromium package is installed but $CHROMIUM is missing; the browser tests need Chromium there." >&2
        exit 1
    fi
}

# The container test (ContainerImageTests) runs the published dashboard as the image's non-root user (uid 1654) through
# setpriv, from util-linux (its own package "setpriv" on Debian releases that split it out).
SETPRIV=/usr/bin/setpriv

ensure_setpriv() {
    [[ -x $SETPRIV ]] && return 0
    local as_root=()
    if ((EUID != 0)); then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "The container test needs $SETPRIV; install it as root (Debian/Ubuntu: apt-get install util-linux, or setpriv)." >&2
            exit 1
        fi
        as_root=(sudo)
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "The container test needs $SETPRIV (util-linux); install your distribution's package." >&2
        exit 1
    fi
    echo "Installing setpriv for the container test..." >&2
    local package=util-linux
    "${as_root[@]}" apt-get update -q || true
    if apt-cache show setpriv >/dev/null 2>&1; then
        package=setpriv
    fi
    if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$package" || [[ ! -x $SETPRIV ]]; then
        echo "Could not install $package (above); the container test needs $SETPRIV." >&2
        exit 1
    fi
}
