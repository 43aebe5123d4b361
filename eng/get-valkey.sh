#!/usr/bin/env bash
# Makes valkey-server, valkey-cli and valkey-benchmark >= 9.0 available (what the dashboard itself runs):
#
#   eng/get-valkey.sh                  # ensure Valkey 9; last line: "valkey9: <bin dir> (v9.x.y)"
#   eng/get-valkey.sh --print-bin-dir  # same, but stdout is only the bin directory:
#                                      #   PATH="$(eng/get-valkey.sh --print-bin-dir):$PATH"
#   eng/get-valkey.sh --force          # rebuild the private copy even if one is usable
#
# The same as "eng/get-server.sh valkey9 ..."; see there for where it comes from (PATH, <repo>/.tools/valkey,
# or a private copy built from Debian testing's packages) and the environment it reads (VALKEY_TOOLS_DIR, ...).
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/get-server.sh" valkey9 "$@"
