package functions_test

// The deploy-artifact test: build each function exactly as `sam build` does, check the binary Lambda would
// get, then run a host build of it under the Runtime API harness against DynamoDB Local, a fake SSM and the SES
// emulator.
//
// Figures for scripts/bench.sh, one per line in the test log (go test -v or -json):
//
//	BENCH binary_bytes function=IngestFunction arch=arm64 value=8290304
//	BENCH init_ms function=IngestFunction value=3.1
//	BENCH cold_start_ms function=IngestFunction value=12.3
//
// BenchmarkColdStart reports the same cold start as a benchmark metric, for benchstat medians.

import (
	"bytes"
	"context"
	"crypto/rand"
	"debug/buildinfo"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/lambdaharness"
)

// root is the repository root, seen from this package's directory.
const root = ".."

// maxBinaryBytes is the budget for each function binary (docs: budgets, "< 12 MB").
const maxBinaryBytes = 12_000_000

// The demo binding the samples in events/ were signed for (cmd/glassbox/demo/agency.yaml, events/README.md).
const (
	demoAgencyFile  = "cmd/glassbox/demo/agency.yaml"
	demoSecretParam = "/glassbox/trello/demo-board"
	demoSecret      = "demo-trello-secret"
	demoClientID    = "romashka"
)

// region and credentials the functions and the test's own client share: DynamoDB Local keeps a separate
// database per access key and region.
const (
	localRegion = "us-east-1"
	localKey    = "local"
)

var functionIDs = []string{"IngestFunction", "ReactFunction"}

// makeBuild runs the Makefile target SAM runs for a function, under SAM's contract (aws-lambda-builders'
// CustomMakeAction): `make --makefile Makefile build-<Id>` with ARTIFACTS_DIR in the environment and no
// GOOS/GOARCH (SAM passes none). Make variables of an outer `make test` (MAKEFLAGS) are dropped too. extra are
// make variable overrides, like GOARCH=amd64 for a host build.
func makeBuild(t testing.TB, id, artifacts string, extra ...string) string {
	t.Helper()
	args := append([]string{"--no-print-directory", "--makefile", "Makefile", "build-" + id}, extra...)
	cmd := exec.Command("make", args...)
	cmd.Dir = root
	drop := []string{"GOOS", "GOARCH", "CGO_ENABLED", "ARTIFACTS_DIR", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !slices.Contains(drop, k) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "ARTIFACTS_DIR="+artifacts)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make build-%s %s: %v\n%s", id, strings.Join(extra, " "), err, out)
	}
	bin := filepath.Join(artifacts, "bootstrap")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("make build-%s left no bootstrap in ARTIFACTS_DIR: %v", id, err)
	}
	return bin
}

// TestArtifacts checks what `sam build` would upload for each function.
func TestArtifacts(t *testing.T) {
	t.Parallel()
	for _, id := range functionIDs {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			bin := makeBuild(t, id, t.TempDir())
			checkLambdaBinary(t, bin)
			if fi, err := os.Stat(bin); err == nil {
				t.Logf("BENCH binary_bytes function=%s arch=arm64 value=%d", id, fi.Size())
			}
		})
	}
}

func checkLambdaBinary(t *testing.T, bin string) {
	t.Helper()
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&0o111 == 0 {
		t.Errorf("bootstrap is not executable: %v", fi.Mode())
	}
	if fi.Size() >= maxBinaryBytes {
		t.Errorf("bootstrap is %d bytes, budget is under %d", fi.Size(), maxBinaryBytes)
	}

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("bootstrap is not ELF: %v", err)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_AARCH64 {
		t.Errorf("bootstrap is %v %v, want ELFCLASS64 EM_AARCH64 (Architectures: [arm64])", f.Class, f.Machine)
	}
	if f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
		t.Errorf("bootstrap OS ABI is %v, want Linux", f.OSABI)
	}
	// Statically linked: no interpreter, no dynamic section, no shared libraries.
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("bootstrap has a %v program header: it is dynamically linked (CGO_ENABLED=0?)", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("bootstrap needs shared libraries %v", libs)
	}
	// Stripped (-ldflags='-s -w'): no symbol table, no DWARF.
	for _, s := range f.Sections {
		if s.Name == ".symtab" || s.Name == ".strtab" || strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			t.Errorf("bootstrap is not stripped: it has section %s", s.Name)
		}
	}

	// The flags sam.md asks for, as the Go toolchain recorded them.
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatalf("bootstrap has no Go build info: %v", err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for k, want := range map[string]string{"GOOS": "linux", "GOARCH": "arm64", "CGO_ENABLED": "0", "-trimpath": "true"} {
		if got := settings[k]; got != want {
			t.Errorf("build setting %s = %q, want %q", k, got, want)
		}
	}
	if tags := strings.Split(settings["-tags"], ","); !slices.Contains(tags, "lambda.norpc") {
		t.Errorf("build tags %q lack lambda.norpc (the old RPC path costs about 6 MiB)", settings["-tags"])
	}
}

// env is the integration environment: emulators from `make test`, a fake SSM, a fresh seeded table.
type env struct {
	dynamoEndpoint string
	sesEndpoint    string
	ssm            *fakeSSM
	table          string
	db             *dynamodb.Client
	clientEmail    string
}

func needEmulators(t testing.TB) (dynamoEndpoint, sesEndpoint string) {
	t.Helper()
	dynamoEndpoint, sesEndpoint = os.Getenv("DYNAMODB_ENDPOINT"), os.Getenv("SES_ENDPOINT")
	if dynamoEndpoint == "" || sesEndpoint == "" {
		t.Fatal("DYNAMODB_ENDPOINT and SES_ENDPOINT are not set: run `make test` (scripts/with-emulators.sh starts " +
			"DynamoDB Local and the SES emulator), or `scripts/dynamodb-local.sh start && scripts/ses-local.sh start` " +
			"and source .cache/dynamodb.env and .cache/ses.env")
	}
	return dynamoEndpoint, sesEndpoint
}

// newEnv creates a fresh table holding the demo agency, with the client's contact changed to an address unique
// to this run: the SES emulator is shared with concurrently running test packages.
func newEnv(t testing.TB) *env {
	t.Helper()
	dynamoEndpoint, sesEndpoint := needEmulators(t)
	suffix := randomHex(6)
	e := &env{
		dynamoEndpoint: dynamoEndpoint,
		sesEndpoint:    sesEndpoint,
		ssm:            newFakeSSM(t, map[string]string{demoSecretParam: demoSecret}),
		table:          "glassbox-artifact-" + suffix,
		db:             dynamo.NewLocalClient(dynamoEndpoint),
		clientEmail:    "anna+" + suffix + "@romashka.example",
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := dynamo.CreateTable(ctx, e.db, e.table); err != nil {
		t.Fatalf("create table at %s: %v", dynamoEndpoint, err)
	}
	t.Cleanup(func() {
		_, _ = e.db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(e.table)})
	})

	cfg, err := agencyfile.Load(filepath.Join(root, demoAgencyFile))
	if err != nil {
		t.Fatalf("demo agency: %v", err)
	}
	found := false
	for i := range cfg.Clients {
		if cfg.Clients[i].ID == demoClientID && len(cfg.Clients[i].Contacts) > 0 {
			cfg.Clients[i].Contacts = cfg.Clients[i].Contacts[:1]
			cfg.Clients[i].Contacts[0].Email = e.clientEmail
			found = true
		}
	}
	if !found {
		t.Fatalf("%s has no client %q with a contact", demoAgencyFile, demoClientID)
	}
	if b, ok := cfg.Binding("trello", "demo-board"); !ok || b.SecretParam != demoSecretParam {
		t.Fatalf("%s: binding trello/demo-board with secret %s not found", demoAgencyFile, demoSecretParam)
	}
	if err := dynamo.New(e.db, e.table).PutConfig(ctx, cfg); err != nil {
		t.Fatalf("apply demo config: %v", err)
	}
	return e
}

// processEnv is the environment a function gets under the harness: everything AWS points at the emulators.
func (e *env) processEnv(t testing.TB, id string) []string {
	home := t.TempDir()
	return []string{
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_LAMBDA_FUNCTION_NAME=" + id,
		"AWS_REGION=" + localRegion,
		"AWS_ACCESS_KEY_ID=" + localKey,
		"AWS_SECRET_ACCESS_KEY=" + localKey,
		"AWS_ENDPOINT_URL_DYNAMODB=" + e.dynamoEndpoint,
		"AWS_ENDPOINT_URL_SSM=" + e.ssm.srv.URL,
		"AWS_ENDPOINT_URL_SES=" + e.sesEndpoint,
		"TABLE_NAME=" + e.table,
		"CLAIM_LEASE=2m",
	}
}

// run starts a host build of a function under a new harness; the caller should Invoke at once so that the
// cold start is process start to first answer.
func (e *env) run(t testing.TB, id, bin string) (*lambdaharness.Harness, *lambdaharness.Process) {
	t.Helper()
	h := lambdaharness.NewWithOptions(lambdaharness.Options{FunctionName: id, Region: localRegion})
	p, err := h.Start(context.Background(), bin, e.processEnv(t, id))
	if err != nil {
		h.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Error(err)
		}
		h.Close()
		if t.Failed() {
			t.Logf("%s output:\n%s", id, p.Output())
		}
	})
	return h, p
}

func invoke(t testing.TB, h *lambdaharness.Harness, payload []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := h.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	if r.Err != nil {
		t.Fatalf("function error: %v", r.Err)
	}
	return r.Body
}

func readEvent(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "events", name))
	if err != nil {
		t.Fatalf("sample event: %v", err)
	}
	return b
}

func logColdStart(t *testing.T, id string, p *lambdaharness.Process) {
	t.Helper()
	if d, ok := p.Init(); ok {
		t.Logf("BENCH init_ms function=%s value=%.1f", id, ms(d))
	}
	d, ok := p.ColdStart()
	if !ok {
		t.Errorf("%s never answered", id)
		return
	}
	t.Logf("BENCH cold_start_ms function=%s value=%.1f", id, ms(d))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func TestFunctionsUnderHarness(t *testing.T) {
	e := newEnv(t)
	bins := map[string]string{}
	var mu sync.Mutex
	dirs := map[string]string{}
	for _, id := range functionIDs {
		dirs[id] = t.TempDir() // the parent's: the binaries outlive the build subtests
	}
	t.Run("HostBuild", func(t *testing.T) {
		for _, id := range functionIDs {
			t.Run(id, func(t *testing.T) {
				t.Parallel()
				bin := makeBuild(t, id, dirs[id], "GOARCH="+runtime.GOARCH)
				mu.Lock()
				bins[id] = bin
				mu.Unlock()
			})
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	for id, bin := range bins {
		if fi, err := os.Stat(bin); err == nil {
			t.Logf("BENCH binary_bytes function=%s arch=%s value=%d", id, runtime.GOARCH, fi.Size())
		}
	}

	// Ingest first: the react step reads the configuration the same table holds.
	t.Run("IngestFunction", func(t *testing.T) {
		h, p := e.run(t, "IngestFunction", bins["IngestFunction"])
		done := readEvent(t, "ingest-trello-done.json")
		steps := []struct {
			name, sample string
			payload      []byte
			wantStatus   int
			wantEvents   int
		}{
			{"Done", "ingest-trello-done.json", done, http.StatusOK, 1},
			{"Forged", "ingest-trello-forged.json", nil, http.StatusUnauthorized, 1},
			{"HeadCheck", "ingest-trello-head-check.json", nil, http.StatusOK, 1},
			{"DoneRedelivered", "ingest-trello-done.json", done, http.StatusOK, 1},
		}
		for i, s := range steps {
			payload := s.payload
			if payload == nil {
				payload = readEvent(t, s.sample)
			}
			var resp events.APIGatewayV2HTTPResponse
			body := invoke(t, h, payload)
			if err := json.Unmarshal(body, &resp); err != nil {
				t.Fatalf("%s: response %s: %v", s.name, body, err)
			}
			if i == 0 {
				logColdStart(t, "IngestFunction", p)
			}
			if resp.StatusCode != s.wantStatus {
				t.Errorf("%s (%s): status %d, want %d; body %s", s.name, s.sample, resp.StatusCode, s.wantStatus, resp.Body)
			}
			if got := e.countEvents(t); got != s.wantEvents {
				t.Errorf("%s: %d event items in the table, want %d", s.name, got, s.wantEvents)
			}
		}
		if got := e.ssm.calls(); got != 1 {
			t.Errorf("SSM GetParameter called %d times, want 1 (the secret is cached per instance)", got)
		}
	})

	t.Run("ReactFunction", func(t *testing.T) {
		sample := readEvent(t, "react-stream-trello-done.json")
		since := time.Now().Add(-time.Second)
		h, p := e.run(t, "ReactFunction", bins["ReactFunction"])
		body := invoke(t, h, sample)
		logColdStart(t, "ReactFunction", p)
		var resp events.DynamoDBEventResponse
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatalf("response %s: %v", body, err)
		}
		if len(resp.BatchItemFailures) != 0 {
			t.Fatalf("batchItemFailures = %+v, want none", resp.BatchItemFailures)
		}
		mails := e.mailsTo(t, since, e.clientEmail)
		if len(mails) != 1 {
			t.Fatalf("%d emails to %s in the SES emulator, want 1: %+v", len(mails), e.clientEmail, mails)
		}
		t.Logf("mail to %s: %q", e.clientEmail, mails[0].Subject)

		// The same record again (a retried batch) must not send a second notice.
		body = invoke(t, h, sample)
		if err := json.Unmarshal(body, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("redelivered batch: %s, %v", body, err)
		}
		if mails := e.mailsTo(t, since, e.clientEmail); len(mails) != 1 {
			t.Errorf("after a redelivered batch: %d emails, want still 1", len(mails))
		}
	})
}

// countEvents counts the table's event items. A Scan is fine here: it is a test table.
func (e *env) countEvents(t testing.TB) int {
	t.Helper()
	expr, err := expression.NewBuilder().WithFilter(expression.Name(dynamo.AttrType).Equal(expression.Value(dynamo.TypeEvent))).Build()
	if err != nil {
		t.Fatal(err)
	}
	in := &dynamodb.ScanInput{
		TableName:                 aws.String(e.table),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		Select:                    "COUNT",
		ConsistentRead:            aws.Bool(true),
	}
	n := 0
	p := dynamodb.NewScanPaginator(e.db, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("count events: %v", err)
		}
		n += int(out.Count)
	}
	return n
}

// storedMail is the part of the SES emulator's GET /store answer the test reads.
type storedMail struct {
	MessageID   string `json:"messageId"`
	From        string `json:"from"`
	Subject     string `json:"subject"`
	Destination struct {
		To  []string `json:"to"`
		Cc  []string `json:"cc"`
		Bcc []string `json:"bcc"`
	} `json:"destination"`
}

// mailsTo lists the emails the SES emulator got since a time with addr among the recipients.
func (e *env) mailsTo(t testing.TB, since time.Time, addr string) []storedMail {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("%s/store?since=%d", e.sesEndpoint, since.Unix()))
	if err != nil {
		t.Fatalf("SES emulator store: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("SES emulator store: %s: %s", resp.Status, b)
	}
	var store struct {
		Emails []storedMail `json:"emails"`
	}
	if err := json.Unmarshal(b, &store); err != nil {
		t.Fatalf("SES emulator store: %v: %s", err, b)
	}
	var out []storedMail
	for _, m := range store.Emails {
		for _, to := range slices.Concat(m.Destination.To, m.Destination.Cc, m.Destination.Bcc) {
			if strings.Contains(strings.ToLower(to), strings.ToLower(addr)) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// fakeSSM serves GetParameter in the SSM JSON 1.1 protocol from a fixed map.
type fakeSSM struct {
	srv    *httptest.Server
	params map[string]string
	mu     sync.Mutex
	n      int
}

func newFakeSSM(t testing.TB, params map[string]string) *fakeSSM {
	f := &fakeSSM{params: params}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSSM) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func (f *fakeSSM) serve(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, typ, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		fail(http.StatusBadRequest, "UnknownOperationException", r.Method+" "+r.URL.Path)
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "AmazonSSM.GetParameter" {
		fail(http.StatusBadRequest, "UnknownOperationException", "unsupported target "+target)
		return
	}
	var in struct {
		Name           string
		WithDecryption bool
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
	v, ok := f.params[in.Name]
	if !ok {
		fail(http.StatusBadRequest, "ParameterNotFound", "")
		return
	}
	if !in.WithDecryption {
		v = "(encrypted)"
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
		"Name": in.Name, "Type": "SecureString", "Value": v, "Version": 1,
		"ARN": "arn:aws:ssm:" + localRegion + ":000000000000:parameter" + in.Name,
	}})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// BenchmarkColdStart measures, per function, process start to the first answer of a cheap first invocation
// (ingest: Trello's HEAD check; react: an empty stream batch). Host builds; emulators as for the tests.
func BenchmarkColdStart(b *testing.B) {
	e := newEnv(b)
	first := map[string][]byte{
		"IngestFunction": readEvent(b, "ingest-trello-head-check.json"),
		"ReactFunction":  []byte(`{"Records":[]}`),
	}
	for _, id := range functionIDs {
		b.Run(id, func(b *testing.B) {
			bin := makeBuild(b, id, b.TempDir(), "GOARCH="+runtime.GOARCH)
			var cold, init time.Duration
			b.ResetTimer()
			for range b.N {
				c, i, err := coldStartOnce(e.processEnv(b, id), id, bin, first[id])
				if err != nil {
					b.Fatal(err)
				}
				cold += c
				init += i
			}
			b.ReportMetric(ms(cold)/float64(b.N), "cold_ms")
			b.ReportMetric(ms(init)/float64(b.N), "init_ms")
			if fi, err := os.Stat(bin); err == nil {
				b.ReportMetric(float64(fi.Size()), "binary_bytes")
			}
		})
	}
}

func coldStartOnce(env []string, id, bin string, payload []byte) (cold, init time.Duration, err error) {
	h := lambdaharness.NewWithOptions(lambdaharness.Options{FunctionName: id, Region: localRegion})
	defer h.Close()
	p, err := h.Start(context.Background(), bin, env)
	if err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := h.Invoke(ctx, payload)
	if err == nil && r.Err != nil {
		err = r.Err
	}
	if err == nil && bytes.Contains(r.Body, []byte(`"statusCode":5`)) {
		err = errors.New("server error: " + string(r.Body))
	}
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w\n%s", id, err, p.Output())
	}
	cold, _ = p.ColdStart()
	init, _ = p.Init()
	return cold, init, nil
}
