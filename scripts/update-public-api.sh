#!/usr/bin/env bash
# Rewrites every package's PublicAPI.Unshipped.txt from what the code declares now, so that a change
# to the public surface shows up as a diff of those files in review. Run it after changing a public
# API on purpose, then read the diff. (Nothing is released yet: PublicAPI.Shipped.txt stays empty
# until the first release moves the lines there.)
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for dir in src/Pki.*/; do
  printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
  [ -f "$dir/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
done

# RS0016 ("not part of the declared public API") names each undeclared symbol in the file format.
dotnet build Pki.sln -c Release --no-incremental -p:TreatWarningsAsErrors=false -p:MSBuildTreatWarningsAsErrors=false "-p:WarningsNotAsErrors=RS0016%3BRS0017" -v q -clp:NoSummary > "$log" 2>&1 || true

python3 - "$log" <<'PY'
import re, sys, collections
symbols = collections.defaultdict(lambda: collections.defaultdict(set))
pattern = re.compile(r"warning RS0016: Symbol '(.*)' is not part of the declared public API .*\[(/.*?/src/(Pki[^/]*)/[^/]*\.csproj)::TargetFramework=([^\]]+)\]")
for line in open(sys.argv[1], encoding="utf-8"):
    m = pattern.search(line)
    if m:
        symbols[m.group(3)][m.group(4)].add(m.group(1))
for project, by_tfm in sorted(symbols.items()):
    common = set.intersection(*by_tfm.values())
    extra = {tfm: sorted(s - common) for tfm, s in by_tfm.items() if s - common}
    if extra:
        sys.exit(f"{project}: the public API differs between target frameworks: {extra}")
    with open(f"src/{project}/PublicAPI.Unshipped.txt", "w", encoding="utf-8") as f:
        f.write("#nullable enable\n" + "".join(s + "\n" for s in sorted(common, key=str.lower)))
    print(f"{project}: {len(common)} public symbols")
PY
if grep -q " error " "$log"; then
  grep " error " "$log" | sort -u | head -20
  echo "The build has errors besides the public API: fix them and run again." >&2
  exit 1
fi
