#!/usr/bin/env bash
# The README's performance figures. `make bench` runs this under scripts/with-emulators.sh, so DynamoDB Local is
# up. Go benchmarks run 6 times; benchstat prints the median of the runs. The machine is shared and noisy.
set -euo pipefail
export CACHE="${CACHE:-$PWD/.cache}"
BENCHSTAT="$CACHE/bin/benchstat"
[[ -x "$BENCHSTAT" ]] || GOBIN="$CACHE/bin" go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
out="$CACHE/bench"
mkdir -p "$out"

echo "== parse + verify one Trello delivery (budget < 50 µs)"
go test -run '^$' -bench VerifyAndParse -benchtime 20000x -count 6 ./shared/trello > "$out/parse.txt"
"$BENCHSTAT" "$out/parse.txt"

echo
echo "== ingest and react against DynamoDB Local (budgets: ingest < 5 ms median, 1 write per webhook; react <= 4 requests per event)"
go test -run '^$' -bench . -benchtime 300x -count 6 ./bench > "$out/dynamo.txt"
"$BENCHSTAT" "$out/dynamo.txt"

echo
echo "== Lambda artifacts: stripped linux/arm64 size, what sam build ships (budget < 12 MB)"
go test -count=1 -run TestArtifacts -v ./functions | grep -o 'BENCH binary_bytes.*'

echo
echo "== cold start, process start to first answer under the Runtime API harness (budget < 40 ms)"
echo "   cheap first invocation (ingest: Trello's HEAD check; react: an empty batch), host build:"
go test -run '^$' -bench ColdStart -benchtime 10x -count 6 ./functions > "$out/cold.txt"
"$BENCHSTAT" "$out/cold.txt"
echo "   first real event (ingest: signed done delivery with SSM + DynamoDB; react: stream record to sent email):"
go test -count=1 -run TestFunctionsUnderHarness -v ./functions | grep -o 'BENCH [a-z_]*ms.*'
