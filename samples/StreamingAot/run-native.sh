#!/usr/bin/env bash
# Publishes the StreamingAot sample as a NativeAOT executable (linux-x64, warnings as errors) and runs it: first
# --verify (the compiled-in model against PyTorch's outputs), then the first 1000 samples of each machine of the demo
# input through standard input. Fails on a publish warning, on a failed check, and when the hot path allocated (the
# program exits 1 then). Part of .ci/run.
#
# Needs the .NET 10 SDK, NuGet (the ILCompiler packages) and, for NativeAOT, clang and zlib1g-dev: on Debian/Ubuntu
# the missing ones are installed with apt-get when running as root (or with password-less sudo), as
# tests/PackageConsumer/run.sh does. STREAMING_AOT_OUT=dir keeps the published files in dir.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

started=$SECONDS
step() { printf '\n=== [%3ds] StreamingAot: %s\n' "$((SECONDS - started))" "$*"; }
fail() { echo "StreamingAot sample FAILED: $*" >&2; exit 1; }

if [[ -n ${STREAMING_AOT_OUT:-} ]]; then
    out="$STREAMING_AOT_OUT"
else
    out="$(mktemp -d "${TMPDIR:-/tmp}/streaming-aot.XXXXXX")"
    trap 'rm -rf "$out"' EXIT
fi

step "tools"
missing=()
command -v clang >/dev/null || missing+=(clang)
if command -v dpkg-query >/dev/null && ! dpkg-query -W -f='${Status}' zlib1g-dev 2>/dev/null | grep -q 'install ok installed'; then
    missing+=(zlib1g-dev)
fi
if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    if [[ $(id -u) == 0 ]]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else
        fail "missing ${missing[*]} (NativeAOT needs clang and zlib1g-dev); install them or run as root"
    fi
    command -v apt-get >/dev/null || fail "missing ${missing[*]} and no apt-get to install them"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
clang --version | head -n 1

step "publish with NativeAOT (linux-x64, warnings as errors) into $out"
# PublishAot is set in StreamingAot.csproj. (Not -p:PublishAot=true here: in this repository that global property
# would also reach the netstandard2.0 generator project, which cannot be published with NativeAOT.)
dotnet publish "$here/StreamingAot.csproj" -c Release -r linux-x64 -warnaserror -nologo -o "$out"
binary="$out/StreamingAot"
[[ -x $binary && ! -e $out/StreamingAot.dll ]] || fail "no native StreamingAot executable in $out"
echo "native executable: $(stat -c %s "$binary") bytes"

# Runs the binary (a command line, with standard input from the caller), shows and keeps what it printed.
run() {
    local status
    set +e
    printed="$("$@" 2>&1)"
    status=$?
    set -e
    echo "$printed" | sed 's/^/  /'
    [[ $status == 0 ]] || fail "'$*' exited with $status"
    grep -q '^runtime: NativeAOT' <<<"$printed" || fail "the program did not run as NativeAOT code"
}

step "verify the compiled-in weights against PyTorch"
run "$binary" --verify </dev/null
grep -q '^verify: .*: OK$' <<<"$printed" || fail "--verify did not report OK"

step "stream the first 1000 samples of each machine through standard input"
run "$binary" - < <(head -n 8002 "$here/data/sensors.csv")
grep -qE '^streams: +8 \(8 independent states\), 8,000 samples read' <<<"$printed" || fail "expected 8 streams and 8,000 samples"
grep -qE '^machine +1 +sample +600 +ALERT' <<<"$printed" || fail "the spike in machine 1 at sample 600 was not flagged"
grep -qE '^allocated: +0 bytes on the hot path' <<<"$printed" || fail "the hot path allocated"

step "passed"
