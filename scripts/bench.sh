#!/usr/bin/env bash
# The README's performance figures. `make bench` runs this under scripts/with-emulators.sh, so DynamoDB Local is
# up. Go benchmarks run 6 times; benchstat prints the median of the runs. The machine is shared and noisy.
set -euo pipefail
export CACHE="${CACHE:-$PWD/.cache}"
BENCHSTAT="$CACHE/bin/benchstat"
[[ -x "$BENCHSTAT" ]] || GOBIN="$CACHE/bin" go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
out="$CACHE/bench"
mkdir -p "$out"

echo "== parse + verify one delivery, per provider (budget < 50 µs; the metrics hook carries up to 1,000 figures, the sample 21)"
go test -run '^$' -bench VerifyAndParse -benchtime 20000x -count 6 \
  ./shared/trello ./shared/amocrm ./shared/bitrix24 ./shared/hubspot ./shared/pipedrive \
  ./shared/kaiten ./shared/asana ./shared/jira ./shared/clickup ./shared/github ./shared/linear ./shared/generichook \
  ./shared/metrics \
  > "$out/parse.txt"
"$BENCHSTAT" "$out/parse.txt"

echo
echo "== invoice and act PDFs with the Cyrillic font, payment QR included (budget < 15 ms, < 80 KB)"
go test -run '^$' -bench Render -benchtime 200x -count 6 ./shared/pdf > "$out/pdf.txt"
"$BENCHSTAT" "$out/pdf.txt"

echo
echo "== ingest and react against DynamoDB Local (budgets: ingest < 5 ms median, 1 write per webhook; react <= 4 requests per event)"
echo "   and a closed stage: number, render and store an act and an invoice, send two emails (requests/close)"
go test -timeout 60m -run '^$' -bench 'Ingest|React' -benchtime 300x -count 6 ./bench > "$out/dynamo.txt"
"$BENCHSTAT" "$out/dynamo.txt"

echo
echo "== held notices: a held done event (requests/event, no more than a sent one) and the flush of 10 held done"
echo "   notices of one project, email and Telegram each (emails/batch, telegram/batch: one each; requests/flush)"
go test -timeout 60m -run '^$' -bench 'FlushCoalesced' -benchtime 20x -count 6 ./bench > "$out/flush.txt"
"$BENCHSTAT" "$out/flush.txt"

echo
echo "== glassbox dev: distinct signed Trello done deliveries over loopback HTTP, each stored, processed and its notice"
echo "   written to the outbox before the answer; data folder on disk, fsync on (budget >= 700 deliveries/s at concurrency 8)"
# Data folders stay until the section ends: see benchDataFolder in cmd/glassbox/dev_bench_test.go.
export GLASSBOX_BENCH_DATA="$out/dev-data"
rm -rf "$GLASSBOX_BENCH_DATA"
go test -run '^$' -bench DevDeliveries -benchtime 2000x -count 6 ./cmd/glassbox > "$out/dev.txt"
"$BENCHSTAT" "$out/dev.txt"
if command -v strace > /dev/null; then
  # One more run under strace to count the syncs: 2,001 deliveries (the benchmark's probe run of 1, then 2,000)
  # and two server starts (about 25 syncs each, which adds about 0.02 to the figure).
  go test -c -o "$out/glassbox.test" ./cmd/glassbox
  (cd cmd/glassbox && strace -f -c -e trace=fsync,fdatasync -o "$out/dev-strace.txt" "$out/glassbox.test" \
    -test.run '^$' -test.bench 'DevDeliveries/concurrency=8' -test.benchtime 2000x > /dev/null)
  awk '$NF == "fsync" || $NF == "fdatasync" { n += $4 } END { printf "   fsync + fdatasync per delivery at concurrency 8: %.2f\n", n / 2001 }' "$out/dev-strace.txt"
else
  echo "   (strace is not installed: syncs per delivery not counted)"
fi
rm -rf "$GLASSBOX_BENCH_DATA"
unset GLASSBOX_BENCH_DATA
echo "   the store's write path alone (AppendEvent, fsync on): one writer, and eight whose writes share commits"
go test -run '^$' -bench AppendEvent -benchtime 2000x -count 6 ./shared/localstore > "$out/localstore.txt"
"$BENCHSTAT" "$out/localstore.txt"

echo
echo "== scheduled reports: one weekly digest of the demo project with 1 and 10 weeks of history behind it, DynamoDB"
echo "   Local (requests/digest and read_units/digest must not grow with the history: reads follow the period's window);"
echo "   compose is digest.Composer as built, window-reads the reads its Store contract names"
go test -run '^$' -bench Digest -benchtime 20x -count 6 ./bench > "$out/digest.txt"
"$BENCHSTAT" "$out/digest.txt"

echo
echo "== the client's dashboard: GET /p/{token} of the demo project with 500 tasks and a year of history, DynamoDB Local"
echo "   (budget p50 < 20 ms; requests/view: the link, the configuration and five queries by key, read at once)"
go test -run '^$' -bench Dashboard -benchtime 50x -count 6 ./bench > "$out/dashboard.txt"
"$BENCHSTAT" "$out/dashboard.txt"
echo "   1,000 projects due at once, one tick at 250 messages/s (the test's rate; DIGEST_SEND_RATE on AWS, default 5):"
go test -count=1 -run 'TestScaleOnDynamoDBLocal/FanOut' -v ./shared/schedule | grep -o 'BENCH schedule_fanout.*'

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
