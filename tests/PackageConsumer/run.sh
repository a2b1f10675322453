#!/usr/bin/env bash
# Package consumer test: uses RnnGen the way a user installs it, as a NuGet package, never as a ProjectReference.
#
#  1. `dotnet pack` src/RnnGen (Release, warnings as errors: the runtime library's trim/AOT analyzers, both TFMs) into
#     a temporary folder feed, and checks the .nupkg/.snupkg layout (generator only under analyzers/dotnet/cs).
#  2. Copies template/ to a temporary directory with a nuget.config whose sources are that folder feed (the only
#     source RnnGen may come from, by package source mapping) and this machine's own NuGet sources (for
#     System.Numerics.Tensors and the ILCompiler packages), and an empty packages folder of its own, so no RnnGen
#     cached from an earlier run can be used.
#  3. Builds it with warnings as errors (net10.0; then net8.0, run on the installed runtime with roll-forward),
#     checks that the generator ran from the package (obj/**/generated/**/*.g.cs with EmitCompilerGeneratedFiles,
#     stamped with this version) and runs the program, which checks its models against values it computes itself.
#  4. Publishes it with NativeAOT for linux-x64, warnings as errors, and runs the native binary the same way.
#
# Needs the .NET 10 SDK, NuGet, unzip, and clang and zlib1g-dev for NativeAOT; on Debian/Ubuntu the missing ones are
# installed with apt-get when running as root (or with password-less sudo). RNNGEN_CONSUMER_KEEP=1 keeps the
# temporary directory; it is also kept when a step fails.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
template="$repo/tests/PackageConsumer/template"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work="$(mktemp -d "${TMPDIR:-/tmp}/rnngen-consumer.XXXXXX")"
feed="$work/feed"
packages="$work/packages"
ok=0
finish() {
    if [[ $ok == 1 && "${RNNGEN_CONSUMER_KEEP:-0}" != 1 ]]; then
        rm -rf "$work"
    else
        echo "package consumer test: files kept in $work" >&2
    fi
}
trap finish EXIT

started=$SECONDS
step() { printf '\n=== [%3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() { echo "package consumer test FAILED: $*" >&2; exit 1; }

# ── Tools ────────────────────────────────────────────────────────────────────────────────────────────────────────
step "tools"
missing=()
command -v unzip >/dev/null || missing+=(unzip)
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
dotnet --version
clang --version | head -n 1

# ── 1. Pack ──────────────────────────────────────────────────────────────────────────────────────────────────────
step "pack src/RnnGen (Release, warnings as errors) into $feed"
# The trim and AOT analyzers must actually be on for both TFMs, or "no warnings" would prove nothing.
for tfm in net8.0 net10.0; do
    flags="$(dotnet msbuild "$repo/src/RnnGen/RnnGen.csproj" -p:TargetFramework=$tfm \
               -getProperty:IsAotCompatible -getProperty:IsTrimmable -getProperty:EnableTrimAnalyzer \
               -getProperty:EnableAotAnalyzer -getProperty:EnableSingleFileAnalyzer)"
    [[ $(grep -c '"true"' <<<"$flags") == 5 ]] || fail "RnnGen ($tfm) does not enable every trim/AOT analyzer: $flags"
done
dotnet pack "$repo/src/RnnGen/RnnGen.csproj" -c Release -o "$feed" -warnaserror -nologo

nupkg="$(find "$feed" -maxdepth 1 -name 'RnnGen.*.nupkg' ! -name '*.snupkg' -print)"
[[ -n $nupkg && $(wc -l <<<"$nupkg") == 1 ]] || fail "expected one RnnGen.<version>.nupkg in $feed, found: $nupkg"
version="$(basename "$nupkg" .nupkg)"; version="${version#RnnGen.}"
snupkg="$feed/RnnGen.$version.snupkg"
echo "packed RnnGen $version"

step "check the package layout"
entries="$(unzip -Z1 "$nupkg")"
echo "$entries" | sed 's/^/  /'
for f in README.md LICENSE analyzers/dotnet/cs/RnnGen.Generator.dll \
         lib/net8.0/RnnGen.dll lib/net8.0/RnnGen.xml lib/net10.0/RnnGen.dll lib/net10.0/RnnGen.xml; do
    grep -qxF "$f" <<<"$entries" || fail "the package has no $f"
done
generators="$(grep -F 'RnnGen.Generator.dll' <<<"$entries")"
[[ $generators == analyzers/dotnet/cs/RnnGen.Generator.dll ]] || fail "the generator must be only in analyzers/dotnet/cs, found: $generators"
! grep -E '^lib/' <<<"$entries" | grep -vE '^lib/net(8|10)\.0/RnnGen\.(dll|xml)$' || fail "unexpected files in lib/"
nuspec="$(unzip -p "$nupkg" RnnGen.nuspec)"
for pattern in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<group targetFramework="net8.0">' \
               '<group targetFramework="net10.0">' '<dependency id="System.Numerics.Tensors"'; do
    grep -qF "$pattern" <<<"$nuspec" || fail "RnnGen.nuspec has no $pattern"
done
! grep -qi 'RnnGen.Generator' <<<"$nuspec" || fail "RnnGen.nuspec depends on the generator project"
[[ -f $snupkg ]] || fail "no symbols package $snupkg"
symbols="$(unzip -Z1 "$snupkg")"
for f in lib/net8.0/RnnGen.pdb lib/net10.0/RnnGen.pdb; do
    grep -qxF "$f" <<<"$symbols" || fail "the symbols package has no $f"
done

# ── 2. A fresh consumer project ──────────────────────────────────────────────────────────────────────────────────
step "write the consumer project"
# This machine's enabled NuGet sources (user and machine configuration; $work is outside the repository).
mapfile -t sources < <(cd "$work" && dotnet nuget list source --format detailed | awk '
    /^ *[0-9]+\. .* \[Enabled\]$/ { sub(/^ *[0-9]+\. +/, ""); sub(/ \[Enabled\]$/, ""); name = $0; next }
    name != "" { gsub(/^ +| +$/, ""); print name "\t" $0; name = "" }')
((${#sources[@]})) || fail "no enabled NuGet source on this machine (dotnet nuget list source)"

xml() { local s="${1//&/&amp;}"; s="${s//</&lt;}"; s="${s//>/&gt;}"; printf '%s' "${s//\"/&quot;}"; }
write_consumer() {
    local dir="$1" tfm="$2"
    mkdir -p "$dir"
    cp "$template/Program.cs" "$dir/"
    sed -e "s/@RNNGEN_VERSION@/$version/" -e "s|<TargetFramework>net10.0</TargetFramework>|<TargetFramework>$tfm</TargetFramework>|" \
        "$template/PackageConsumer.csproj" >"$dir/PackageConsumer.csproj"
    grep -qF "<TargetFramework>$tfm</TargetFramework>" "$dir/PackageConsumer.csproj" || fail "could not target $tfm"
    {
        echo '<?xml version="1.0" encoding="utf-8"?>'
        echo '<configuration>'
        echo '  <config>'
        echo "    <add key=\"globalPackagesFolder\" value=\"$(xml "$packages")\" />"
        echo '  </config>'
        echo '  <packageSources>'
        echo '    <clear />'
        echo "    <add key=\"rnngen-local-feed\" value=\"$(xml "$feed")\" />"
        for s in "${sources[@]}"; do echo "    <add key=\"$(xml "${s%%$'\t'*}")\" value=\"$(xml "${s#*$'\t'}")\" />"; done
        echo '  </packageSources>'
        echo '  <!-- RnnGen only from the folder feed; everything else from the machine'"'"'s sources. -->'
        echo '  <packageSourceMapping>'
        echo '    <packageSource key="rnngen-local-feed"><package pattern="RnnGen" /></packageSource>'
        for s in "${sources[@]}"; do echo "    <packageSource key=\"$(xml "${s%%$'\t'*}")\"><package pattern=\"*\" /></packageSource>"; done
        echo '  </packageSourceMapping>'
        echo '</configuration>'
    } >"$dir/nuget.config"
}
consumer="$work/consumer"
write_consumer "$consumer" net10.0
! grep -q ProjectReference "$consumer/PackageConsumer.csproj" || fail "the consumer must use RnnGen as a package only"
# NUGET_PACKAGES would override the nuget.config's globalPackagesFolder (CI caches often set it).
export NUGET_PACKAGES="$packages"
sed 's/^/  /' "$consumer/nuget.config"

# Runs the program (a command line) and checks what it printed.
check_run() {
    local what="$1" output status
    shift
    set +e
    output="$("$@" 2>&1)"
    status=$?
    set -e
    echo "$output" | sed 's/^/  /'
    [[ $status == 0 ]] || fail "$what exited with $status"
    grep -qxF 'ok   running sum, Forward: 3 7 13 21' <<<"$output" || fail "$what: wrong running sum"
    grep -qxF 'PackageConsumer: OK' <<<"$output" || fail "$what: did not report OK"
}

# ── 3. Build and run ─────────────────────────────────────────────────────────────────────────────────────────────
step "build the consumer (net10.0, warnings as errors)"
(cd "$consumer" && dotnet build -c Release -warnaserror -nologo)

extracted="$packages/rnngen/$version"
[[ -f $extracted/analyzers/dotnet/cs/RnnGen.Generator.dll ]] || fail "RnnGen $version was not restored from the folder feed into $packages"
cmp -s "$nupkg" "$extracted/rnngen.$version.nupkg" || fail "the restored RnnGen is not the package just packed"

generated="$(cd "$consumer" && find obj -path '*/generated/RnnGen.Generator/*' -name '*.g.cs' | sort)"
echo "generated sources:"; echo "$generated" | sed 's/^/  /'
[[ $(grep -c 'RunningSum' <<<"$generated") == 1 && $(grep -c 'LstmGru' <<<"$generated") == 1 ]] \
    || fail "the generator's sources for RunningSum and LstmGru are not under obj/**/generated (analyzer not loaded?)"
while read -r file; do
    grep -qF "GeneratedCode(\"RnnGen.Generator\", \"${version%%-*}." "$consumer/$file" || fail "$file was not written by RnnGen.Generator $version"
done <<<"$generated"
out="$consumer/bin/Release/net10.0"
[[ -f $out/RnnGen.dll ]] || fail "RnnGen.dll is not in the build output"
[[ ! -e $out/RnnGen.Generator.dll ]] || fail "the generator was copied to the build output as a runtime dependency"

step "run the consumer (net10.0)"
check_run "the net10.0 program" dotnet "$out/PackageConsumer.dll"

step "build and run the consumer on net8.0 (lib/net8.0, run on the .NET $(dotnet --list-runtimes | awk '/NETCore.App/ {v=$2} END {print v}') runtime)"
# The same project targeting net8.0: restores lib/net8.0 and compiles the generated code against .NET 8's reference
# assemblies (and .NET 8's trim/AOT analyzers). NativeAOT is only published for net10.0 below.
write_consumer "$work/consumer-net8" net8.0
(cd "$work/consumer-net8" && dotnet build -c Release -warnaserror -nologo)
cmp -s "$extracted/lib/net8.0/RnnGen.dll" "$work/consumer-net8/bin/Release/net8.0/RnnGen.dll" \
    || fail "the net8.0 build does not use lib/net8.0/RnnGen.dll"
DOTNET_ROLL_FORWARD=Major check_run "the net8.0 program" dotnet "$work/consumer-net8/bin/Release/net8.0/PackageConsumer.dll"

# ── 4. NativeAOT ─────────────────────────────────────────────────────────────────────────────────────────────────
step "publish the consumer with NativeAOT (linux-x64, warnings as errors)"
(cd "$consumer" && dotnet publish -c Release -r linux-x64 -p:PublishAot=true -warnaserror -nologo -o "$work/aot")
[[ -x $work/aot/PackageConsumer && ! -e $work/aot/PackageConsumer.dll ]] || fail "no native PackageConsumer executable in $work/aot"

step "run the native binary"
check_run "the NativeAOT program" "$work/aot/PackageConsumer"

ok=1
step "package consumer test passed: RnnGen $version from $(basename "$nupkg")"
