#!/usr/bin/env bash
# Makes one kind of server (server, cli and benchmark tools) available, as a private copy when needed.
#
#   eng/get-server.sh KIND                  # ensure it; last line: "KIND: <bin dir> (vX.Y.Z)"
#   eng/get-server.sh KIND --print-bin-dir  # same, but stdout is only the bin directory:
#                                           #   PATH="$(eng/get-server.sh valkey9 --print-bin-dir):$PATH"
#   eng/get-server.sh KIND --force          # rebuild the private copy even if one is usable
#
# KIND        tools                                   versions  Debian suites (first that has it)   private copy
# valkey9     valkey-server, valkey-cli, -benchmark    >= 9      forky, sid                          .tools/valkey
# valkey8     valkey-server, valkey-cli, -benchmark    8.x       bookworm-backports(+bookworm)       .tools/valkey8
# redis7      redis-server, redis-cli, redis-benchmark 7.x       bookworm                            .tools/redis7
# redis8      redis-server, redis-cli, redis-benchmark 8.x       forky, sid                          .tools/redis8
# prometheus  prometheus, promtool                     2.x       bookworm                            .tools/prometheus
# (eng/get-valkey.sh is "eng/get-server.sh valkey9": the one the dashboard itself needs.)
#
# Order of preference:
#   1. valkey9 only: the tools on PATH, all >= 9.0. The older kinds are test targets of an exact
#      release line, so they always come from the private copy (a PATH redis-server may be any build).
#   2. The private copy in <repo>/.tools/<dir> (or $<KIND>_TOOLS_DIR), if its tools are in range.
#   3. On Debian/Ubuntu: build that private copy. The .debs of the server and of every library
#      it links (glibc included) are fetched from the kind's Debian suite with a throwaway apt
#      configuration (nothing is installed or changed system-wide), unpacked with dpkg -x, and
#      <dir>/bin/ gets small wrappers that exec each binary through the unpacked glibc's own
#      loader (Debian testing's binaries need a newer glibc than Debian 12 has). Works without root.
#   4. Otherwise: print how to install it and exit 1.
#
# Environment (KIND upper-cased, e.g. REDIS7_TOOLS_DIR; valkey9 keeps its old names VALKEY_*):
#   <KIND>_TOOLS_DIR        private copy location (default: <repo>/.tools/<dir>, see the table)
#   <KIND>_DEBIAN_SUITES    Debian suites to try, in order (default: see the table; a+b = both together)
#   <KIND>_EXTRA_PACKAGES   extra Debian packages to unpack, if a library turns up missing
set -euo pipefail

KIND=${1:-}
case $KIND in
    valkey9) PRODUCT=Valkey PKG=valkey MIN_MAJOR=9 MAX_MAJOR="" DIR=valkey SUITES="forky sid" VAR=VALKEY ;;
    valkey8) PRODUCT=Valkey PKG=valkey MIN_MAJOR=8 MAX_MAJOR=8 DIR=valkey8 SUITES="bookworm-backports+bookworm" VAR=VALKEY8 ;;
    redis7) PRODUCT=Redis PKG=redis MIN_MAJOR=7 MAX_MAJOR=7 DIR=redis7 SUITES="bookworm" VAR=REDIS7 ;;
    redis8) PRODUCT=Redis PKG=redis MIN_MAJOR=8 MAX_MAJOR=8 DIR=redis8 SUITES="forky sid" VAR=REDIS8 ;;
    # Not a Valkey server: the metrics tests scrape the dashboard with it and lint its exposition with promtool.
    prometheus) PRODUCT=Prometheus PKG=prometheus MIN_MAJOR=2 MAX_MAJOR=2 DIR=prometheus SUITES="bookworm" VAR=PROMETHEUS ;;
    -h | --help)
        sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *)
        printf 'get-server: the first argument must be the kind: valkey9, valkey8, redis7, redis8 or prometheus (got "%s")\n' "$KIND" >&2
        exit 2
        ;;
esac
shift
readonly KIND PRODUCT PKG MIN_MAJOR MAX_MAJOR
if [[ $KIND == prometheus ]]; then
    # One package with both programs; Go binaries that need no more than the unpacked glibc.
    readonly TOOLS=(prometheus promtool) MAIN_PACKAGE=prometheus
    readonly BASE_PACKAGES=(prometheus libc6)
else
    readonly TOOLS=("$PKG-server" "$PKG-cli" "$PKG-benchmark") MAIN_PACKAGE=$PKG-server
    # The server and the libraries its binaries link (checked after unpacking with ld.so --list; the
    # library dependencies the packages declare are added automatically; names a suite lacks, such as
    # libssl3t64 in Debian 12, are left out and the declared dependency (libssl3) is used).
    readonly BASE_PACKAGES=("$PKG-server" "$PKG-tools" libc6 libgcc-s1 libstdc++6 libatomic1
        libjemalloc2 liblzf1 libssl3t64 libsystemd0 libcap2 zlib1g libzstd1)
fi
readonly DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
TOOLS_DIR_VAR=${VAR}_TOOLS_DIR SUITES_VAR=${VAR}_DEBIAN_SUITES EXTRA_VAR=${VAR}_EXTRA_PACKAGES
EXTRA_PACKAGES=${!EXTRA_VAR:-}
DEBIAN_SUITES=${!SUITES_VAR:-$SUITES}
VERSION_RANGE=">= $MIN_MAJOR.0"
[[ -z $MAX_MAJOR ]] || VERSION_RANGE="$MIN_MAJOR.x"

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_DIR=$(dirname "$SCRIPT_DIR")
TOOLS_DIR=${!TOOLS_DIR_VAR:-$REPO_DIR/.tools/$DIR}
[[ $TOOLS_DIR == /* ]] || TOOLS_DIR=$PWD/$TOOLS_DIR
TOOLS_DIR=${TOOLS_DIR%/}

PRINT_BIN_DIR=0
FORCE=0

say() { printf 'get-server %s: %s\n' "$KIND" "$*" >&2; }
info() { ((PRINT_BIN_DIR)) || say "$@"; }

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

how_to_install() {
    if [[ $KIND != valkey9 ]]; then
        say "$PRODUCT $VERSION_RANGE ($(printf '%s ' "${TOOLS[@]}")) is fetched from Debian ($DEBIAN_SUITES) for the tests;"
        say "elsewhere, build $PRODUCT $MIN_MAJOR from source and set $TOOLS_DIR_VAR to a folder whose bin/ has those tools."
        return 0
    fi
    cat >&2 <<'EOF'
get-server valkey9: Valkey >= 9.0 is required (valkey-server, valkey-cli and valkey-benchmark).
  Ways to get it:
    - a distribution or vendor package of Valkey 9 (https://valkey.io/download/),
      e.g. Debian testing/unstable (valkey-server + valkey-tools), or 'brew install valkey';
    - build from source: git clone -b 9.1.2 https://github.com/valkey-io/valkey &&
      make -C valkey -j && make -C valkey install PREFIX="$HOME/valkey";
  then put its bin directory on PATH, or point the dashboard at it with the setting
  Valkey:BinaryDirectory (environment: Valkey__BinaryDirectory=/path/to/bin).
EOF
}

# Prints the version (x.y.z) that "<binary> --version" reports, e.g. from
# "Valkey server v=9.1.2 sha=..." or "valkey-cli 9.1.2". Fails if there is none.
version_of() {
    local out
    if command -v timeout >/dev/null 2>&1; then
        out=$(timeout 20 "$1" --version 2>/dev/null) || return 1
    else
        out=$("$1" --version 2>/dev/null) || return 1
    fi
    [[ $out =~ (^|[^0-9.])([0-9]+\.[0-9]+(\.[0-9]+)?) ]] || return 1
    printf '%s\n' "${BASH_REMATCH[2]}"
}

in_range() {
    [[ $1 =~ ^[0-9]+ ]] || return 1
    local major=${BASH_REMATCH[0]}
    ((major >= MIN_MAJOR)) && { [[ -z $MAX_MAJOR ]] || ((major <= MAX_MAJOR)); }
}

# check_tools <label> <path>...: all given tools run and report >= 9.0. Sets FOUND_VERSION
# (the server's version) and FOUND_DESC; explains a failure on stderr unless told QUIET_CHECK=1.
FOUND_VERSION=""
FOUND_DESC=""
check_tools() {
    local label=$1 path v versions=()
    shift
    FOUND_VERSION=""
    for path in "$@"; do
        if [[ -z $path || ! -x $path ]]; then
            ((QUIET_CHECK)) || info "$label: $(basename "${path:-?}") not found"
            return 1
        fi
        if ! v=$(version_of "$path"); then
            ((QUIET_CHECK)) || info "$label: '$path --version' failed"
            return 1
        fi
        if ! in_range "$v"; then
            ((QUIET_CHECK)) || info "$label: $path is v$v, need $VERSION_RANGE"
            return 1
        fi
        [[ -n $FOUND_VERSION ]] || FOUND_VERSION=$v
        versions+=("$path (v$v)")
    done
    FOUND_DESC=$(printf '%s, ' "${versions[@]}")
    FOUND_DESC=${FOUND_DESC%, }
}
QUIET_CHECK=0

finish() { # <bin dir> <version>
    if ((PRINT_BIN_DIR)); then
        printf '%s\n' "$1"
    else
        printf '%s: %s (v%s)\n' "$KIND" "$1" "$2"
    fi
    exit 0
}

check_path() {
    [[ $KIND == valkey9 ]] || return 1
    local p paths=()
    for p in "${TOOLS[@]}"; do paths+=("$(command -v "$p" 2>/dev/null || true)"); done
    [[ -n ${paths[0]} ]] || return 1
    QUIET_CHECK=0 check_tools "PATH" "${paths[@]}" || return 1
    info "using $PRODUCT from PATH: $FOUND_DESC"
    finish "$(dirname "${paths[0]}")" "$FOUND_VERSION"
}

check_private() {
    [[ -d $TOOLS_DIR/bin ]] || return 1
    local p paths=()
    for p in "${TOOLS[@]}"; do paths+=("$TOOLS_DIR/bin/$p"); done
    check_tools "private copy" "${paths[@]}" || return 1
    info "using the private copy in $TOOLS_DIR${SOURCE_NOTE:+ ($SOURCE_NOTE)}"
    finish "$TOOLS_DIR/bin" "$FOUND_VERSION"
}

# ---------------------------------------------------------------------------------------------
# Building the private copy from Debian packages

STAGE=""
LOG=""
ROOT_LOADER=""
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    if [[ -n $STAGE && -d $STAGE ]]; then rm -rf -- "$STAGE"; fi
}

show_log_tail() {
    [[ -s $LOG ]] || return 0
    say "last lines of the apt/dpkg output:"
    tail -n 12 "$LOG" | sed 's/^/    /' >&2
}

is_debian_like() {
    [[ -r /etc/os-release ]] || return 1
    local ids
    # shellcheck source=/dev/null
    ids=$(. /etc/os-release && printf '%s %s' "${ID:-}" "${ID_LIKE:-}")
    [[ " $ids " == *" debian "* || " $ids " == *" ubuntu "* ]] || return 1
    command -v apt-get >/dev/null 2>&1 && command -v apt-cache >/dev/null 2>&1 \
        && command -v dpkg >/dev/null 2>&1
}

# Debian archive URIs from this machine's apt sources (deb822 and one-line formats), then
# deb.debian.org as a fallback.
debian_uris() {
    {
        local f
        for f in /etc/apt/sources.list.d/*.sources; do
            [[ -r $f ]] || continue
            sed -n 's/^[[:space:]]*URIs:[[:space:]]*//Ip' "$f"
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [[ -r $f ]] || continue
            awk '$1 == "deb" { i = 2
                     if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                     if (i <= NF) print $i }' "$f"
        done
    } | tr -s '[:blank:]' '\n' | grep -E '^[a-z0-9+]+://[^[:space:]]+/debian/?$' | sed 's:/*$::' || true
    echo "http://deb.debian.org/debian"
}

# Per-architecture names: multiarch triplet and glibc loader.
arch_names() {
    case $1 in
        amd64) TRIPLET=x86_64-linux-gnu LOADER_NAME=ld-linux-x86-64.so.2 ;;
        arm64) TRIPLET=aarch64-linux-gnu LOADER_NAME=ld-linux-aarch64.so.1 ;;
        *) return 1 ;;
    esac
}

# write_apt_conf <dir> <uri> <suite>: a private apt configuration under <dir>; the machine's own
# apt.conf.d (proxies etc.) still applies, but its sources, lists, caches, pins and dpkg status
# are not used or touched.
write_apt_conf() {
    local a=$1 uri=$2 suite=$3 t
    mkdir -p "$a/empty" "$a/lists/partial" "$a/cache/archives/partial" "$a/debs"
    : >"$a/status"
    # "bookworm-backports+bookworm": a backports suite holds only the backported packages; the libraries come from the release.
    for t in ${suite//+/ }; do
        printf 'deb [signed-by=%s] %s %s main\n' "$DEBIAN_KEYRING" "$uri" "$t"
    done >"$a/sources.list"
    {
        printf 'Dir::Etc::sourcelist "%s";\n' "$a/sources.list"
        printf 'Dir::Etc::sourceparts "%s";\n' "$a/empty"
        printf 'Dir::Etc::preferences "%s";\n' "$a/empty/preferences"
        printf 'Dir::Etc::preferencesparts "%s";\n' "$a/empty"
        printf 'Dir::State::Lists "%s";\n' "$a/lists"
        printf 'Dir::State::status "%s";\n' "$a/status"
        printf 'Dir::State::extended_states "%s";\n' "$a/extended_states"
        printf 'Dir::Cache "%s";\n' "$a/cache"
        printf 'Dir::Cache::archives "%s";\n' "$a/cache/archives"
        printf 'Dir::Cache::pkgcache "pkgcache.bin";\n'
        printf 'Dir::Cache::srcpkgcache "srcpkgcache.bin";\n'
        printf 'Acquire::Languages "none";\n'
        # Only the Packages index is needed: skip DEP-11 (appstream), Contents, ... targets.
        apt-config dump 2>/dev/null \
            | sed -n 's/^Acquire::IndexTargets::deb::\([^:]*\)::MetaKey .*/\1/p' | sort -u \
            | while read -r t; do
                [[ $t == Packages ]] || printf 'Acquire::IndexTargets::deb::%s::DefaultEnabled "false";\n' "$t"
            done
        # No hooks meant for the system's own apt runs (e.g. appstream cache refresh).
        printf '#clear APT::Update::Pre-Invoke;\n#clear APT::Update::Post-Invoke;\n'
        printf '#clear APT::Update::Post-Invoke-Success;\n'
        # As root apt downloads as user _apt, which cannot write into this private folder.
        if ((EUID == 0)); then printf 'APT::Sandbox::User "root";\n'; fi
    } >"$a/apt.conf"
}

# lib_closure <apt.conf> <package>...: the packages plus every lib* package they depend on.
lib_closure() {
    local conf=$1 line name p re='^[|]?(Pre)?Depends: ([^<[:space:]][^[:space:]]*)$'
    shift
    local -A seen=()
    local -a queue=("$@") next
    for p in "$@"; do seen[$p]=1; done
    while ((${#queue[@]})); do
        next=()
        while read -r line; do
            [[ $line =~ $re ]] || continue
            name=${BASH_REMATCH[2]%%:*}
            [[ $name == lib* || $name == zlib1g ]] || continue
            # iconv modules only (libc6 depends on them); the servers do not use iconv.
            [[ $name != libc-gconv-modules-extra ]] || continue
            [[ -z ${seen[$name]:-} ]] || continue
            seen[$name]=1
            next+=("$name")
        done < <(apt-cache -q -c "$conf" depends --no-recommends --no-suggests --no-conflicts \
            --no-breaks --no-replaces --no-enhances "${queue[@]}" 2>>"$LOG")
        queue=("${next[@]}")
    done
    printf '%s\n' "${!seen[@]}" | sort
}

# check_libs <root> <library path>: every library each binary links resolves inside <root>.
check_libs() {
    local root=$1 libpath=$2 loader=$ROOT_LOADER tool out line lib target bad=0
    for tool in "${TOOLS[@]}"; do
        if [[ ! -f $root/usr/bin/$tool ]]; then
            say "the packages contain no usr/bin/$tool"
            bad=1
            continue
        fi
        out=$("$loader" --library-path "$libpath" --list "$root/usr/bin/$tool" 2>&1) || true
        while IFS= read -r line; do
            line=${line#"${line%%[![:space:]]*}"}
            case $line in
                *"not found"*)
                    say "$tool: library missing: $line"
                    bad=1
                    ;;
                *" => "*)
                    lib=${line%% => *}
                    target=${line#* => }
                    target=${target% (0x*}
                    if [[ $target != "$root"/* ]]; then
                        say "$tool: $lib resolves outside the private folder: $target"
                        bad=1
                    fi
                    ;;
                *"error"* | *"cannot"* | *"No such"*)
                    say "$tool: $line"
                    bad=1
                    ;;
            esac
        done <<<"$out"
    done
    ((bad == 0))
}

# try_source <uri> <suite>: fetch, unpack and verify into $STAGE/root. Fails with a message.
# Runs in a subshell (see build_private), so set -e holds inside it.
try_source() {
    local uri=$1 suite=$2 a=$STAGE/apt root=$STAGE/root
    local conf=$STAGE/apt/apt.conf version p loader_rel="" cand wrapper tool v
    local abs_libpath="" wrapper_libpath=""
    local -a wanted=() available=() packages=()
    rm -rf -- "$a" "$root"
    : >"$LOG"
    : >"$STAGE/packages.txt"
    write_apt_conf "$a" "$uri" "$suite"

    say "fetching the package index of Debian '$suite' from $uri ..."
    if ! apt-get -q -c "$conf" update >>"$LOG" 2>&1; then
        say "apt-get update failed for $uri $suite"
        show_log_tail
        ((EUID == 0)) || say "(running without root: apt-get uses only private folders here, so this is not a permissions problem unless the log says so)"
        return 1
    fi

    version=$(apt-cache -q -c "$conf" show --no-all-versions "$MAIN_PACKAGE" 2>>"$LOG" \
        | sed -n 's/^Version: //p' | head -n 1) || true
    version=${version#*:}
    if [[ -z $version ]]; then
        say "Debian '$suite' has no $MAIN_PACKAGE package"
        return 1
    fi
    if ! in_range "$version"; then
        say "Debian '$suite' has $MAIN_PACKAGE $version, need $VERSION_RANGE"
        return 1
    fi

    # shellcheck disable=SC2206 # word splitting of the package list is intended
    wanted=("${BASE_PACKAGES[@]}" $EXTRA_PACKAGES)
    for p in "${wanted[@]}"; do
        if apt-cache -q=2 -c "$conf" show --no-all-versions "$p" >/dev/null 2>>"$LOG"; then
            available+=("$p")
        elif [[ $p == "$PKG"-* || $p == "$MAIN_PACKAGE" ]]; then
            say "Debian '$suite' has no $p package"
            return 1
        fi
    done
    mapfile -t packages < <(lib_closure "$conf" "${available[@]}")

    say "downloading $MAIN_PACKAGE $version and ${#packages[@]} packages in all ..."
    if ! (cd "$a/debs" && apt-get -q -c "$conf" download "${packages[@]}") >>"$LOG" 2>&1; then
        say "apt-get download failed"
        show_log_tail
        return 1
    fi

    mkdir -p "$root"
    for p in "$a"/debs/*.deb; do
        if ! dpkg-deb -x "$p" "$root" >>"$LOG" 2>&1; then
            say "could not unpack $(basename "$p")"
            show_log_tail
            return 1
        fi
        # shellcheck disable=SC2016 # a dpkg-query format, not shell expansions
        dpkg-deb -W --showformat='${Package} ${Version}\n' "$p" >>"$STAGE/packages.txt"
    done

    for cand in "usr/lib/$TRIPLET/$LOADER_NAME" "lib/$TRIPLET/$LOADER_NAME" \
        "usr/lib64/$LOADER_NAME" "lib64/$LOADER_NAME"; do
        if [[ -f $root/$cand ]]; then
            loader_rel=$cand
            break
        fi
    done
    if [[ -z $loader_rel ]]; then
        say "the unpacked libc6 has no $LOADER_NAME"
        return 1
    fi
    ROOT_LOADER=$root/$loader_rel
    for cand in "usr/lib/$TRIPLET" "lib/$TRIPLET"; do
        if [[ -d $root/$cand ]]; then
            abs_libpath+="${abs_libpath:+:}$root/$cand"
            wrapper_libpath+="${wrapper_libpath:+:}\$d/$cand"
        fi
    done

    say "checking that every library the binaries link is in the unpacked packages ..."
    if ! check_libs "$root" "$abs_libpath"; then
        say "Debian '$suite' now needs libraries this script does not fetch; add their packages to"
        say "BASE_PACKAGES in eng/get-server.sh (or try: $EXTRA_VAR='<package> ...')"
        return 1
    fi

    # Wrappers: bin/<tool> execs libexec/<tool>, a symlink to the unpacked loader (so the process
    # is named <tool>, not ld-linux-...), which loads usr/bin/<tool> with the unpacked libraries.
    # Paths are computed from the wrapper's own location, so the folder can move.
    mkdir -p "$root/bin" "$root/libexec"
    for tool in "${TOOLS[@]}"; do
        ln -s "../$loader_rel" "$root/libexec/$tool"
        wrapper=$root/bin/$tool
        {
            printf '#!/bin/sh\n'
            printf '# Generated by eng/get-server.sh: runs Debian %s'"'"'s %s %s with the glibc and\n' "$suite" "$tool" "$version"
            printf '# libraries unpacked next to it (nothing is installed system-wide). exec keeps the pid.\n'
            # shellcheck disable=SC2016 # $d and $0 are for the wrapper to expand
            printf 'd=$(dirname "$(dirname "$(readlink -f "$0")")") || exit 127\n'
            # shellcheck disable=SC2016
            printf 'exec "$d/libexec/%s" --library-path "%s" "$d/usr/bin/%s" "$@"\n' \
                "$tool" "$wrapper_libpath" "$tool"
        } >"$wrapper"
        chmod 755 "$wrapper"
        if ! v=$(version_of "$wrapper"); then
            say "$tool does not run through the unpacked loader:"
            "$wrapper" --version 2>&1 | head -n 5 | sed 's/^/    /' >&2 || true
            return 1
        fi
        if ! in_range "$v"; then
            say "the unpacked $tool reports v$v, need $VERSION_RANGE"
            return 1
        fi
    done

    {
        printf 'Made by eng/get-server.sh %s on %s from: deb %s %s main\n' "$KIND" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$uri" "$suite"
        printf 'Unpacked packages:\n'
        sed 's/^/  /' "$STAGE/packages.txt"
    } >"$root/SOURCE.txt"
}

read_source_note() {
    SOURCE_NOTE=""
    if [[ -r $TOOLS_DIR/SOURCE.txt ]]; then
        SOURCE_NOTE=$(sed -n '1s/.*from: deb [^ ]* \([^ ]*\) .*/Debian \1/p' "$TOOLS_DIR/SOURCE.txt")
    fi
}

build_private() {
    local arch parent base uri suite rc
    local -a uris suites

    if ! is_debian_like; then
        say "no $PRODUCT $VERSION_RANGE found, and this is not Debian/Ubuntu with apt-get (cannot build a private copy)."
        how_to_install
        exit 1
    fi
    arch=$(dpkg --print-architecture)
    if ! arch_names "$arch"; then
        say "building a private copy is only supported on amd64 and arm64 (this is $arch)."
        how_to_install
        exit 1
    fi
    if [[ ! -r $DEBIAN_KEYRING ]]; then
        say "$DEBIAN_KEYRING is missing (package debian-archive-keyring): cannot verify Debian's packages."
        how_to_install
        exit 1
    fi

    parent=$(dirname "$TOOLS_DIR")
    base=$(basename "$TOOLS_DIR")
    if ! mkdir -p "$parent" 2>/dev/null || [[ ! -w $parent ]]; then
        say "cannot write to $parent (set $TOOLS_DIR_VAR to a writable place)."
        exit 1
    fi

    # One build at a time; whoever waited re-uses the copy the other one made.
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$parent/.$base.lock"
        if ! flock -n 9; then
            say "another get-server.sh is building $TOOLS_DIR; waiting ..."
            flock -w 900 9 || { say "gave up waiting for the lock $parent/.$base.lock"; exit 1; }
            if ((!FORCE)); then
                read_source_note
                QUIET_CHECK=1 check_private || true
            fi
        fi
    fi

    STAGE=$(mktemp -d "$parent/.$base.tmp.XXXXXX")
    LOG=$STAGE/log.txt
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    mapfile -t uris < <(debian_uris | awk '!seen[$0]++')
    read -r -a suites <<<"$DEBIAN_SUITES"
    ((EUID == 0)) || say "not running as root: that is fine, apt-get only uses private folders here."
    say "building a private $PRODUCT in $TOOLS_DIR from Debian packages (nothing is installed system-wide)"

    for suite in "${suites[@]}"; do
        for uri in "${uris[@]}"; do
            # A subshell outside any if/&&/|| so that set -e (and the ERR report) stay active
            # in try_source; any unexpected failure just moves on to the next source.
            set +e
            (
                set -eE
                trap '[[ $BASH_COMMAND == return* ]] ||
                    { say "unexpected failure (line $LINENO): $BASH_COMMAND"; show_log_tail; }' ERR
                try_source "$uri" "$suite"
            )
            rc=$?
            set -e
            if ((rc == 0)); then
                # Move into place: the final path never holds a half-built copy.
                if [[ -e $TOOLS_DIR || -L $TOOLS_DIR ]]; then
                    mv -- "$TOOLS_DIR" "$STAGE/old"
                fi
                mv -- "$STAGE/root" "$TOOLS_DIR"
                read_source_note
                QUIET_CHECK=0 check_private
                say "the private copy in $TOOLS_DIR does not work after moving it into place"
                exit 1
            fi
        done
    done

    say "could not build a private $PRODUCT $VERSION_RANGE from Debian ${suites[*]} (see the messages above)."
    how_to_install
    exit 1
}

# ---------------------------------------------------------------------------------------------

while (($#)); do
    case $1 in
        --print-bin-dir) PRINT_BIN_DIR=1 ;;
        --force) FORCE=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            say "unknown argument: $1"
            usage >&2
            exit 2
            ;;
    esac
    shift
done

SOURCE_NOTE=""
if ((!FORCE)); then
    check_path || true
    read_source_note
    QUIET_CHECK=1 check_private || true
    if [[ -e $TOOLS_DIR ]]; then
        say "the private copy in $TOOLS_DIR is missing tools or too old; rebuilding it"
    fi
fi
build_private
