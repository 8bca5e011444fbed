# shellcheck shell=bash
# Shared helpers for the scripts in this folder. Sourced, never run:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Sets ROOT (the repository root) and cds there, puts the project's tools on PATH for this
# process only (node_modules/.bin for sass, wasm-opt and playwright; cargo's bin folder for
# cargo-leptos and wasm-bindgen), and defines the helpers below.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$ROOT/node_modules/.bin:$CARGO_BIN:$PATH"

# The cfg that keeps debug builds fast. cargo-leptos adds it by itself to debug builds (on top of
# whatever RUSTFLAGS holds), so plain cargo commands get "$RUSTFLAGS --cfg erase_components" and
# cargo-leptos gets the caller's RUSTFLAGS untouched: both end up with identical flags and share
# one build cache. (Setting RUSTFLAGS="--cfg erase_components" for cargo-leptos too would hand
# cargo "--cfg erase_components --cfg erase_components" and rebuild everything.)
# shellcheck disable=SC2034 # used by the scripts that source this file
DEV_RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg erase_components"

# cargo-leptos sets LEPTOS_OUTPUT_NAME when it builds; leptos and leptos_config read it at compile
# time (option_env!), so cargo test/clippy must see the same value or they rebuild those crates
# and everything above them. The value is the project name in [[workspace.metadata.leptos]].
leptos_output_name() {
    awk '
        /^\[\[workspace\.metadata\.leptos\]\]/ { in_leptos = 1; next }
        /^\[/ { in_leptos = 0 }
        in_leptos && /^(output-)?name *=/ { gsub(/"/, "", $3); name = $3; if ($1 == "output-name") { print name; exit } }
        END { if (name != "") print name }
    ' "$ROOT/Cargo.toml" | head -n 1
}

# The exact wasm-bindgen version in Cargo.lock (wasm-bindgen-cli must match it).
locked_wasm_bindgen_version() {
    awk '
        /^\[\[package\]\]/ { in_wb = 0; next }
        /^name = "wasm-bindgen"$/ { in_wb = 1; next }
        in_wb && /^version = / { gsub(/"/, "", $3); print $3; exit }
    ' "$ROOT/Cargo.lock"
}

# Progress line: "==> <prefix>: <message>".
say() { printf '==> %s\n' "$*"; }
# A fresh random secret (64 hex characters) for a test or bench run: nothing fixed is committed.
random_secret() { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; }
die() {
    printf '==> error: %s\n' "$*" >&2
    exit 1
}

# 75 -> "1m15s", 9 -> "9s".
human_duration() {
    local s=$1
    if ((s >= 60)); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

# 1536 -> "1.5 KiB"; bytes to a human-readable size.
human_bytes() {
    awk -v b="$1" 'BEGIN {
        split("B KiB MiB GiB", u, " "); i = 1
        while (b >= 1024 && i < 4) { b /= 1024; i++ }
        if (i == 1) printf "%d %s", b, u[i]; else printf "%.1f %s", b, u[i]
    }'
}

# Runs a command as root: directly when we are root, through sudo when it exists.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root for: $* (run as root or install sudo)"
    fi
}

# apt-get update, once per script run.
APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand"
    if [ "$APT_UPDATED" -eq 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# PIDs of the processes whose environment holds exactly the line $1 (e.g. "DATABASE_URL=<a path
# unique to this run>"): every process a run started, children and grandchildren included, even
# those that moved to their own process group, and nothing else.
pids_with_env() {
    local file
    grep -lzxF -- "$1" /proc/[0-9]*/environ 2>/dev/null | while IFS= read -r file; do
        file="${file#/proc/}"
        printf '%s\n' "${file%/environ}"
    done || true # grep finds nothing: no PIDs, not an error
}

# Stops the given PIDs: SIGTERM, up to 5 s grace, then SIGKILL.
stop_pids() {
    local pid alive
    [ "$#" -gt 0 ] || return 0
    kill -TERM "$@" 2>/dev/null || true
    for _ in $(seq 1 50); do
        alive=0
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" -eq 0 ] && return 0
        sleep 0.1
    done
    kill -KILL "$@" 2>/dev/null || true
}
