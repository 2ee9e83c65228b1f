#!/usr/bin/env bash
# The README's performance figures. `make bench` runs this under scripts/with-emulators.sh, so DynamoDB Local is
# up. Go benchmarks run 5 times; benchstat prints the median of the runs. The machine is shared and noisy.
set -euo pipefail
export CACHE="${CACHE:-$PWD/.cache}"
BENCHSTAT="$CACHE/bin/benchstat"
[[ -x "$BENCHSTAT" ]] || GOBIN="$CACHE/bin" go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
out="$CACHE/bench"
mkdir -p "$out"

echo "== parse + verify one Trello delivery (budget < 50 µs)"
go test -run '^$' -bench VerifyAndParse -benchtime 20000x -count 5 ./shared/trello > "$out/parse.txt"
"$BENCHSTAT" "$out/parse.txt"

echo
echo "== ingest and react against DynamoDB Local (budgets: ingest < 5 ms median, 1 write per webhook; react <= 4 requests per event)"
go test -run '^$' -bench . -benchtime 1000x -count 5 ./bench > "$out/dynamo.txt"
"$BENCHSTAT" "$out/dynamo.txt"

echo
echo "== Lambda artifacts: stripped linux/arm64 size (budget < 12 MB) and cold start under the Runtime API harness (budget < 40 ms)"
go test -count=1 -run TestArtifacts -v ./functions | grep '^ *BENCH' | sed 's/^ *//'
