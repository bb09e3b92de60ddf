#!/usr/bin/env bash
# Runs every test suite of the repository, as CI does:
#   1. makes sure the real peers the suites start are installed (Pebble, Knot DNS, ...),
#   2. builds the solution in Release (warnings are errors, see Directory.Build.props),
#   3. runs all test projects on net10.0 and on the self-contained net8.0 leg, writing TRX files,
#   4. prints one closing line "N passed, N failed[, N skipped]" counted from those TRX files.
# Exits non-zero when anything failed or when no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the suites need, as "command:package". A command with a slash is a path (a glob
# is allowed: PostgreSQL's server binaries live in a versioned directory off PATH).
peers=(pebble:pebble pebble-challtestsrv:pebble knotd:knot python3:python3 openssl:openssl redis-server:redis-server
       certbot:certbot lego:lego '/usr/lib/postgresql/*/bin/initdb:postgresql')
missing=()
have_peer() {
  if [[ $1 == */* ]]; then
    local path
    for path in $1; do [ -x "$path" ] && return 0; done
    return 1
  fi
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]
}
for entry in "${peers[@]}"; do
  cmd=${entry%%:*}; pkg=${entry#*:}
  if ! have_peer "$cmd"; then
    [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing test peers: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "The test suites need these Debian packages: ${missing[*]}" >&2
    echo "Install them first:  sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet build Pki.sln -c Release -warnaserror -nologo -v minimal

set +e
dotnet test Pki.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory "$results" -- RunConfiguration.TestSessionTimeout=1500000
test_exit=$?
set -e

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted); n=$(get notExecuted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${n:-0}))
done

if [ "$files" -eq 0 ] || [ "$((passed + failed))" -eq 0 ]; then
  echo "No test results were written (dotnet test exit code $test_exit)." >&2
  failed=$((failed > 0 ? failed : 1))
fi
# A test host that crashed writes no counters for its tests: trust dotnet test's exit code too.
if [ "$test_exit" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $test_exit although the TRX files report no failure." >&2
  failed=1
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
