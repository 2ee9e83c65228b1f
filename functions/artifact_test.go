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
//	BENCH cold_start_ms function=ReactFunction event=amocrm-stage-closed value=140.2
//
// event= names the first event when a function is cold-started by more than one test (the Trello flow and the
// CRM stage-close flow). BenchmarkColdStart reports the cold start of a cheap first call as a benchmark metric,
// for benchstat medians.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"gopkg.in/yaml.v3"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/lambdaharness"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/react"
	"github.com/glassbox-oss/glassbox/shared/remind"
	"github.com/glassbox-oss/glassbox/shared/telegram"
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
	// The demo agency's telegram_bot_param and a token for the Bot API stand-in.
	demoBotParam = "/glassbox/telegram/bot"
	demoBotToken = "7000000001:artifact-bot-token"
	demoClientID = "romashka"

	// The demo CRM binding and the link key (cmd/glassbox/dev.go seeds the same secrets for glassbox dev).
	demoAmoParam = "/glassbox/amocrm/demo-amo"
	demoAmoToken = "demo-amo-token-4f9c2b7e1a"
	linkKeyParam = "/glassbox/links/key"
	demoLinkKey  = "demo-link-key-0123456789abcdef0123456789abcdef"
	// publicBaseURL is what React and Remind put in links; the test reads links back from the emails.
	publicBaseURL = "https://api.example"
	// The demo project amoCRM's sample closes a stage of, and the seller that bills it.
	demoCRMProject = "romashka-site"
	demoSellerID   = "pixel"
)

// region and credentials the functions and the test's own client share: DynamoDB Local keeps a separate
// database per access key and region.
const (
	localRegion = "us-east-1"
	localKey    = "local"
)

// functionIDs are template.yaml's functions (TestFunctionsMatchTemplate keeps the two in step).
var functionIDs = []string{"IngestFunction", "ReactFunction", "LinkFunction", "RemindFunction", "SweepFunction", "BounceFunction", "FlushFunction", "PullFunction", "DigestFunction", "SealFunction"}

// functionEnv is the environment template.yaml gives each function, by variable name; env.value supplies the
// values for the emulators.
var functionEnv = map[string][]string{
	"IngestFunction": {"TABLE_NAME"},
	"ReactFunction":  {"TABLE_NAME", "CLAIM_LEASE", "LINK_KEY_PARAM", "PUBLIC_BASE_URL", "SES_CONFIGURATION_SET"},
	"LinkFunction":   {"TABLE_NAME", "LINK_KEY_PARAM", "SES_CONFIGURATION_SET"},
	"RemindFunction": {"TABLE_NAME", "LINK_KEY_PARAM", "PUBLIC_BASE_URL", "SES_CONFIGURATION_SET"},
	"SweepFunction":  {"TABLE_NAME", "CLAIM_LEASE", "LINK_KEY_PARAM", "PUBLIC_BASE_URL", "SWEEP_GRACE", "SES_CONFIGURATION_SET"},
	"BounceFunction": {"TABLE_NAME", "SES_CONFIGURATION_SET"},
	"FlushFunction":  {"TABLE_NAME", "CLAIM_LEASE", "LINK_KEY_PARAM", "PUBLIC_BASE_URL", "SES_CONFIGURATION_SET"},
	"PullFunction":   {"TABLE_NAME", "PULL_DAYS"},
	"DigestFunction": {"TABLE_NAME", "CLAIM_LEASE", "LINK_KEY_PARAM", "PUBLIC_BASE_URL", "SES_CONFIGURATION_SET", "DIGEST_SEND_RATE", "TSA_URL"},
	"SealFunction":   {"TABLE_NAME", "TSA_URL"},
}

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
	// botAPI stands in for the Bot API (TELEGRAM_API, as AWS_ENDPOINT_URL_* for the AWS services); telegram
	// counts the messages it accepted.
	botAPI   *httptest.Server
	telegram atomic.Int32
	table    string
	db       *dynamodb.Client
	cfg      glassbox.Config // as stored
	// Addresses unique to this run for the demo client, the romashka-site manager and the pixel accountant.
	clientEmail, managerEmail, accountantEmail string
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

// newEnv creates a fresh table holding the demo agency, with the client's contact, the romashka-site manager
// and the pixel accountant changed to addresses unique to this run: the SES emulator is shared with
// concurrently running test packages. The fake SSM holds the demo secrets and the link key.
func newEnv(t testing.TB) *env {
	t.Helper()
	dynamoEndpoint, sesEndpoint := needEmulators(t)
	suffix := randomHex(6)
	e := &env{
		dynamoEndpoint: dynamoEndpoint,
		sesEndpoint:    sesEndpoint,
		ssm: newFakeSSM(t, map[string]string{
			demoSecretParam: demoSecret,
			demoAmoParam:    demoAmoToken,
			linkKeyParam:    demoLinkKey,
			demoBotParam:    demoBotToken,
		}),
		table:           "glassbox-artifact-" + suffix,
		db:              dynamo.NewLocalClient(dynamoEndpoint),
		clientEmail:     "anna+" + suffix + "@romashka.example",
		managerEmail:    "maria+" + suffix + "@pixel.example",
		accountantEmail: "buh+" + suffix + "@pixel.example",
	}
	e.botAPI = httptest.NewServer(&telegram.StandIn{Token: demoBotToken, Post: func(context.Context, string, string) error {
		e.telegram.Add(1)
		return nil
	}})
	t.Cleanup(e.botAPI.Close)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := dynamo.CreateTable(ctx, e.db, e.table); err != nil {
		t.Fatalf("create table at %s: %v", dynamoEndpoint, err)
	}
	t.Cleanup(func() {
		_, _ = e.db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(e.table)})
	})

	cfg, err := agencyfile.Load(filepath.Join(root, demoAgencyFile), providers.Catalog())
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
	found = false
	for i := range cfg.Projects {
		if cfg.Projects[i].ID == demoCRMProject {
			cfg.Projects[i].Manager.Email = e.managerEmail
			found = true
		}
	}
	if !found {
		t.Fatalf("%s has no project %q", demoAgencyFile, demoCRMProject)
	}
	found = false
	for i := range cfg.Sellers {
		if cfg.Sellers[i].ID == demoSellerID {
			cfg.Sellers[i].Accountant.Email = e.accountantEmail
			found = true
		}
	}
	if !found {
		t.Fatalf("%s has no seller %q", demoAgencyFile, demoSellerID)
	}
	if b, ok := cfg.Binding("trello", "demo-board"); !ok || b.SecretParam != demoSecretParam {
		t.Fatalf("%s: binding trello/demo-board with secret %s not found", demoAgencyFile, demoSecretParam)
	}
	if b, ok := cfg.Binding("amocrm", "demo-amo"); !ok || b.SecretParam != demoAmoParam {
		t.Fatalf("%s: binding amocrm/demo-amo with secret %s not found", demoAgencyFile, demoAmoParam)
	}
	if err := dynamo.New(e.db, e.table).PutConfig(ctx, cfg); err != nil {
		t.Fatalf("apply demo config: %v", err)
	}
	e.cfg = cfg
	return e
}

// store is the test's own view of the table.
func (e *env) store() *dynamo.Store { return dynamo.New(e.db, e.table) }

// value is the emulator-side value of a function environment variable from functionEnv.
func (e *env) value(t testing.TB, name string) string {
	switch name {
	case "TABLE_NAME":
		return e.table
	case "CLAIM_LEASE":
		return "5m" // template.yaml's
	case "SWEEP_GRACE":
		return sweepGrace.String() // template.yaml's is 5m; the test cannot wait that long
	case "LINK_KEY_PARAM":
		return linkKeyParam
	case "PUBLIC_BASE_URL":
		return publicBaseURL
	case "SES_CONFIGURATION_SET":
		return "glassbox-mail" // the SES emulator takes any name
	case "PULL_DAYS":
		return "3" // template.yaml's default
	case "DIGEST_SEND_RATE":
		return "5" // template.yaml's
	case "TSA_URL":
		return "" // template.yaml's default: no timestamps
	}
	t.Fatalf("no test value for environment variable %s: add it to env.value", name)
	return ""
}

// processEnv is the environment a function gets under the harness: everything AWS points at the emulators,
// and the variables template.yaml sets for that function.
func (e *env) processEnv(t testing.TB, id string) []string {
	home := t.TempDir()
	vars := []string{
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
		"TELEGRAM_API=" + e.botAPI.URL,
	}
	names, ok := functionEnv[id]
	if !ok {
		t.Fatalf("no environment for %s in functionEnv", id)
	}
	for _, name := range names {
		vars = append(vars, name+"="+e.value(t, name))
	}
	return vars
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

// logColdStart logs a process's init and cold start; event, when not empty, names the first event (for a
// function that more than one test cold-starts).
func logColdStart(t *testing.T, id, event string, p *lambdaharness.Process) {
	t.Helper()
	label := "function=" + id
	if event != "" {
		label += " event=" + event
	}
	if d, ok := p.Init(); ok {
		t.Logf("BENCH init_ms %s value=%.1f", label, ms(d))
	}
	d, ok := p.ColdStart()
	if !ok {
		t.Errorf("%s never answered", id)
		return
	}
	t.Logf("BENCH cold_start_ms %s value=%.1f", label, ms(d))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// hostBuilds builds the functions for the host, in parallel, under a "HostBuild" subtest, and returns their
// binaries by id. It stops the test when a build fails.
func hostBuilds(t *testing.T, ids ...string) map[string]string {
	t.Helper()
	bins := map[string]string{}
	var mu sync.Mutex
	dirs := map[string]string{}
	for _, id := range ids {
		dirs[id] = t.TempDir() // the parent's: the binaries outlive the build subtests
	}
	t.Run("HostBuild", func(t *testing.T) {
		for _, id := range ids {
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
	return bins
}

func TestFunctionsUnderHarness(t *testing.T) {
	e := newEnv(t)
	bins := hostBuilds(t, "IngestFunction", "ReactFunction")
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
				logColdStart(t, "IngestFunction", "", p)
			}
			if resp.StatusCode != s.wantStatus {
				t.Errorf("%s (%s): status %d, want %d; body %s", s.name, s.sample, resp.StatusCode, s.wantStatus, resp.Body)
			}
			if got := e.countEvents(t); got != s.wantEvents {
				t.Errorf("%s: %d event items in the table, want %d", s.name, got, s.wantEvents)
			}
		}
		if got := e.ssm.calls(demoSecretParam); got != 1 {
			t.Errorf("SSM GetParameter called %d times, want 1 (the secret is cached per instance)", got)
		}
	})

	t.Run("ReactFunction", func(t *testing.T) {
		sample := readEvent(t, "react-stream-trello-done.json")
		since := time.Now().Add(-time.Second)
		h, p := e.run(t, "ReactFunction", bins["ReactFunction"])
		body := invoke(t, h, sample)
		logColdStart(t, "ReactFunction", "", p)
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
		// The demo project's client group got the Telegram copy, once, through TELEGRAM_API with the token
		// read from SSM.
		if got := e.telegram.Load(); got != 1 {
			t.Errorf("%d Telegram messages, want 1", got)
		}
	})
}

// TestFunctionsUnderHarnessAsanaHandshake: the built Ingest function answers Asana's subscription handshake,
// echoing X-Hook-Secret, and keeps the secret in SSM (PutParameter without Overwrite); deliveries signed with it
// are accepted; a handshake with another secret is refused 409 and the kept one stays.
func TestFunctionsUnderHarnessAsanaHandshake(t *testing.T) {
	const (
		asanaParam  = "/glassbox/hooks/demo-asana"
		asanaSecret = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81" // events/ingest-asana-handshake.json
	)
	e := newEnv(t)
	if _, ok := e.ssm.param(asanaParam); ok {
		t.Fatalf("%s is set before the handshake", asanaParam)
	}
	bins := hostBuilds(t, "IngestFunction")
	h, _ := e.run(t, "IngestFunction", bins["IngestFunction"])
	send := func(payload []byte) events.APIGatewayV2HTTPResponse {
		t.Helper()
		var resp events.APIGatewayV2HTTPResponse
		body := invoke(t, h, payload)
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatalf("response %s: %v", body, err)
		}
		return resp
	}
	handshake := readEvent(t, "ingest-asana-handshake.json")
	if resp := send(handshake); resp.StatusCode != http.StatusOK || resp.Headers["X-Hook-Secret"] != asanaSecret {
		t.Fatalf("handshake: %d %v %s, want 200 echoing X-Hook-Secret", resp.StatusCode, resp.Headers, resp.Body)
	}
	if v, ok := e.ssm.param(asanaParam); !ok || v != asanaSecret {
		t.Fatalf("SSM %s = %q (set %v) after the handshake, want the handed-over secret", asanaParam, v, ok)
	}
	if resp := send(readEvent(t, "ingest-asana-done.json")); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "accepted") {
		t.Fatalf("signed delivery: %d %s, want accepted", resp.StatusCode, resp.Body)
	}
	if resp := send(handshake); resp.StatusCode != http.StatusOK {
		t.Fatalf("the same handshake again: %d %s, want 200", resp.StatusCode, resp.Body)
	}
	other := bytes.Replace(handshake, []byte(asanaSecret), []byte(strings.Repeat("0", 64)), 1)
	if resp := send(other); resp.StatusCode != http.StatusConflict {
		t.Fatalf("handshake with another secret: %d %s, want 409", resp.StatusCode, resp.Body)
	}
	if v, _ := e.ssm.param(asanaParam); v != asanaSecret {
		t.Fatalf("SSM %s = %q after the refused handshake, want the first secret", asanaParam, v)
	}
}

// TestFunctionsMatchTemplate keeps functionIDs and functionEnv in step with template.yaml: every function the
// template deploys is built and run here, with the environment variables the template gives it.
func TestFunctionsMatchTemplate(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil || len(doc.Content) == 0 {
		t.Fatalf("template.yaml: %v", err)
	}
	// get follows mapping keys; CloudFormation's short tags (!Ref, !Sub) stay on the values' nodes.
	get := func(n *yaml.Node, keys ...string) *yaml.Node {
		for _, k := range keys {
			if n == nil || n.Kind != yaml.MappingNode {
				return nil
			}
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					next = n.Content[i+1]
				}
			}
			n = next
		}
		return n
	}
	names := func(n *yaml.Node) []string {
		var out []string
		if n != nil && n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				out = append(out, n.Content[i].Value)
			}
		}
		return out
	}
	top := doc.Content[0]
	global := names(get(top, "Globals", "Function", "Environment", "Variables"))
	want := map[string][]string{}
	resources := get(top, "Resources")
	for _, id := range names(resources) {
		if n := get(resources, id, "Type"); n == nil || n.Value != "AWS::Serverless::Function" {
			continue
		}
		vars := slices.Concat(global, names(get(resources, id, "Properties", "Environment", "Variables")))
		slices.Sort(vars)
		want[id] = slices.Compact(vars)
	}
	if got, ids := slices.Sorted(slices.Values(functionIDs)), slices.Sorted(maps.Keys(want)); !slices.Equal(got, ids) {
		t.Errorf("functionIDs = %v, template.yaml's functions are %v", got, ids)
	}
	for id, vars := range want {
		if got := slices.Sorted(slices.Values(functionEnv[id])); !slices.Equal(got, vars) {
			t.Errorf("functionEnv[%s] = %v, template.yaml sets %v", id, got, vars)
		}
	}
}

// sweepGrace is SweepFunction's SWEEP_GRACE under the harness.
const sweepGrace = 500 * time.Millisecond

// TestFunctionsUnderHarnessSweep: an amoCRM stage close that Ingest accepted but React never processed (its
// invocation died, or its batch went to the dead-letter queue) is finished by the built SweepFunction once it
// is older than the grace period: the act and the invoice are issued and each email goes out once. A second
// sweep finds nothing, and the stream record arriving late afterwards sends nothing more.
func TestFunctionsUnderHarnessSweep(t *testing.T) {
	e := newEnv(t)
	bins := hostBuilds(t, "IngestFunction", "SweepFunction", "ReactFunction")
	since := time.Now().Add(-time.Second)
	ingest, _ := e.run(t, "IngestFunction", bins["IngestFunction"])
	resp := apiResponse(t, invoke(t, ingest, readEvent(t, "ingest-amocrm-stage-closed.json")))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ingest: %d %s", resp.StatusCode, resp.Body)
	}
	items := e.eventItems(t, "")
	if len(items) != 1 {
		t.Fatalf("%d event items, want 1", len(items))
	}
	record := streamRecord(t, e.table, items[0], "100000000000000000001")

	sweep, sweepP := e.run(t, "SweepFunction", bins["SweepFunction"])
	sweepOK := func() react.SweepResult {
		t.Helper()
		body := invoke(t, sweep, []byte(`{}`))
		var res react.SweepResult
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("sweep answered %s: %v", body, err)
		}
		return res
	}
	if res := sweepOK(); res.Found != 0 {
		t.Errorf("sweep right after ingest found %d events; want 0 (younger than the grace period)", res.Found)
	}
	logColdStart(t, "SweepFunction", "", sweepP)
	time.Sleep(sweepGrace)
	if res, want := sweepOK(), (react.SweepResult{Found: 1, Finished: 1, Issued: 2, Sent: 2}); res != want {
		t.Errorf("sweep = %+v, want %+v", res, want)
	}
	act, inv := e.actAndInvoice(t, demoCRMProject)
	if act.Seq != 1 || inv.Seq != 1 {
		t.Errorf("act #%d, invoice #%d; want both #1", act.Seq, inv.Seq)
	}
	counts := func() (int, int, int) {
		return len(e.mailsTo(t, since, e.clientEmail)), len(e.mailsTo(t, since, e.accountantEmail)), len(e.mailsTo(t, since, e.managerEmail))
	}
	if c, a, m := counts(); c != 1 || a != 1 || m != 0 {
		t.Errorf("emails after the sweep: client %d, accountant %d, manager %d; want 1, 1, 0", c, a, m)
	}
	if res := sweepOK(); res.Found != 0 {
		t.Errorf("second sweep found %d events; want 0 (the first cleared the mark)", res.Found)
	}
	reactH, _ := e.run(t, "ReactFunction", bins["ReactFunction"])
	reactOK(t, reactH, record)
	if c, a, m := counts(); c != 1 || a != 1 || m != 0 {
		t.Errorf("emails after the late stream record: client %d, accountant %d, manager %d; want still 1, 1, 0", c, a, m)
	}
	if docs := e.documents(t, demoCRMProject); len(docs) != 2 {
		t.Errorf("%d documents after the late stream record, want still 2", len(docs))
	}
}

// TestFunctionsUnderHarnessCRMStageClose runs billing through all four built functions, as deployed: amoCRM
// closes a stage (Ingest stores the event); React, fed the event's stream record, issues one act and one invoice
// and mails them to the client and the accountant, exactly once; the accountant's pay link (Link) records the
// payment, and React marks the invoice paid from that event's stream record; Remind counts the open invoice and
// sends nothing before it is due. Its name starts with TestFunctionsUnderHarness so that scripts/bench.sh logs
// these cold starts too.
func TestFunctionsUnderHarnessCRMStageClose(t *testing.T) {
	e := newEnv(t)
	bins := hostBuilds(t, functionIDs...)
	ctx := context.Background()
	store := e.store()
	since := time.Now().Add(-time.Second)
	// Documents are numbered in the year they are issued in, in the seller's zone (the demo agency's, Moscow),
	// not the sample's own year.
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	year := strconv.Itoa(time.Now().In(moscow).Year())
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.FailNow()
		}
	}
	// mailCount counts this run's emails: to the client, the manager and the accountant.
	mailCount := func(t *testing.T) (client, manager, accountant []storedMail) {
		return e.mailsTo(t, since, e.clientEmail), e.mailsTo(t, since, e.managerEmail), e.mailsTo(t, since, e.accountantEmail)
	}
	var (
		closeRecord, paidRecord []byte
		act, inv                glassbox.Document
		clientMail, accMail     storedMail
	)

	// Each process starts just before its first invocation, so that its cold start is start to first answer, and
	// lives for the rest of the test, as a warm instance would.
	ingest, ingestP := e.run(t, "IngestFunction", bins["IngestFunction"])
	step("Ingest", func(t *testing.T) {
		resp := apiResponse(t, invoke(t, ingest, readEvent(t, "ingest-amocrm-stage-closed.json")))
		logColdStart(t, "IngestFunction", "amocrm-stage-closed", ingestP)
		var res struct {
			Status string   `json:"status"`
			Events []string `json:"events"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &res); err != nil || resp.StatusCode != http.StatusOK || res.Status != "accepted" || len(res.Events) != 1 {
			t.Fatalf("ingest-amocrm-stage-closed.json: %d %s (%v), want 200 accepted with one event", resp.StatusCode, resp.Body, err)
		}
		items := e.eventItems(t, "")
		if len(items) != 1 {
			t.Fatalf("%d event items in the table, want 1", len(items))
		}
		if got := stringAttr(items[0], "id"); got != res.Events[0] {
			t.Fatalf("stored event %q, ingest answered %q", got, res.Events[0])
		}
		if got := stringAttr(items[0], "kind"); got != string(glassbox.EventDealStageChanged) {
			t.Errorf("stored event kind %q, want %s", got, glassbox.EventDealStageChanged)
		}
		if got := e.ssm.calls(demoAmoParam); got != 1 {
			t.Errorf("SSM GetParameter %s called %d times, want 1", demoAmoParam, got)
		}
		closeRecord = streamRecord(t, e.table, items[0], "100000000000000000001")
	})

	react, reactP := e.run(t, "ReactFunction", bins["ReactFunction"])
	step("ReactIssuesAndMails", func(t *testing.T) {
		reactOK(t, react, closeRecord)
		logColdStart(t, "ReactFunction", "amocrm-stage-closed", reactP)
		act, inv = e.actAndInvoice(t, demoCRMProject)
		// prepay: closing "layout" acts for it and bills the next stage.
		if act.StageID != "layout" || inv.StageID != "programming" || act.Seq != 1 || inv.Seq != 1 ||
			act.Number != "ПК-"+year+"-0001" || inv.Number != "ПК-"+year+"-0001" || inv.State != glassbox.DocumentIssued {
			t.Errorf("act %s %s #%d, invoice %s %s #%d %s; want act for layout and invoice for programming, both ПК-%s-0001",
				act.StageID, act.Number, act.Seq, inv.StageID, inv.Number, inv.Seq, inv.State, year)
		}
		client, manager, acc := mailCount(t)
		if len(client) != 1 || len(acc) != 1 || len(manager) != 0 || client[0].MessageID == acc[0].MessageID {
			t.Fatalf("emails: %d to the client, %d to the accountant, %d to the manager; want 1, 1 (apart), 0", len(client), len(acc), len(manager))
		}
		clientMail, accMail = client[0], acc[0]
		t.Logf("mail to the client: %q %v; to the accountant: %q %v", clientMail.Subject, clientMail.attachmentNames(), accMail.Subject, accMail.attachmentNames())
		if got, want := clientMail.attachmentNames(), []string{"Акт ПК-" + year + "-0001.pdf", "Счёт ПК-" + year + "-0001.pdf"}; !slices.Equal(got, want) {
			t.Errorf("client's attachments %q, want %q", got, want)
		}
		if got, want := accMail.attachmentNames(), []string{"Счёт ПК-" + year + "-0001.pdf"}; !slices.Equal(got, want) {
			t.Errorf("accountant's attachments %q, want %q", got, want)
		}
		for _, m := range []storedMail{clientMail, accMail} {
			for _, a := range m.Attachments {
				if a.ContentType != "application/pdf" || !bytes.HasPrefix(a.Content, []byte("%PDF-")) {
					t.Errorf("%s: %s, %d bytes starting %q; want a PDF", a.Filename, a.ContentType, len(a.Content), a.Content[:min(8, len(a.Content))])
				}
				if strings.HasPrefix(a.Filename, "Счёт") && !sameSHA256(a.Content, inv.PDFSHA256) {
					t.Errorf("%s mailed to %v is not the stored invoice PDF (sha256 %s)", a.Filename, m.Destination.To, inv.PDFSHA256)
				}
			}
		}
		if !strings.Contains(accMail.Body.Text, publicBaseURL+"/pay/"+inv.ID+"?") {
			t.Errorf("the accountant's text has no %s/pay/%s link:\n%s", publicBaseURL, inv.ID, accMail.Body.Text)
		}
		if strings.Contains(clientMail.Body.Text, "/pay/") {
			t.Errorf("the client's text has a pay link:\n%s", clientMail.Body.Text)
		}
	})

	step("ReactRedeliveredSendsNothing", func(t *testing.T) {
		reactOK(t, react, closeRecord)
		if client, manager, acc := mailCount(t); len(client) != 1 || len(acc) != 1 || len(manager) != 0 {
			t.Errorf("after the same record again: %d, %d, %d emails to client, accountant, manager; want still 1, 1, 0", len(client), len(acc), len(manager))
		}
		if docs := e.documents(t, demoCRMProject); len(docs) != 2 {
			t.Errorf("after the same record again: %d documents, want still 2", len(docs))
		}
	})

	reminder, remindP := e.run(t, "RemindFunction", bins["RemindFunction"])
	step("RemindBeforeDue", func(t *testing.T) {
		project, _ := e.cfg.Project(demoCRMProject)
		days, zone := project.Billing.Reminders(), e.cfg.ProjectZone(project)
		dueBefore := remind.Due(inv, days, time.Now(), zone)
		res := remindOK(t, reminder)
		dueAfter := remind.Due(inv, days, time.Now(), zone)
		logColdStart(t, "RemindFunction", "", remindP)
		t.Logf("remind result %+v (invoice due %s, reminder days %v)", res, inv.DueDate, days)
		if res.Open != 1 {
			t.Errorf("open = %d, want 1 (the invoice just issued)", res.Open)
		}
		client, manager, acc := mailCount(t)
		sent := len(client) - 1 + len(manager) + len(acc) - 1
		switch {
		case dueBefore == 0 && dueAfter == 0:
			if res.Due != 0 || res.OutsideHours != 0 || res.Messages != 0 || sent != 0 {
				t.Errorf("before the first reminder day: due %d, outside hours %d, messages %d, %d emails sent; want all 0", res.Due, res.OutsideHours, res.Messages, sent)
			}
		case dueBefore != dueAfter:
			t.Logf("the run crossed midnight of a reminder day in %s; counts not checked", zone)
		default:
			// The sample's close is dated 2026-11-23: on a wall clock past the invoice's first reminder day, one
			// reminder is due now. It goes out only in the client's working hours.
			t.Logf("the invoice (due %s) has reminder %d due on this machine's clock", inv.DueDate, dueBefore)
			if res.Due != 1 || (res.OutsideHours == 1) != (sent == 0) || (res.OutsideHours == 0 && res.Messages == 0) {
				t.Errorf("reminder %d due: due %d, outside hours %d, messages %d, %d emails sent", dueBefore, res.Due, res.OutsideHours, res.Messages, sent)
			}
		}
	})

	payURL := payLink.FindString(accMail.Body.Text)
	keyReads := e.ssm.calls(linkKeyParam)
	link, linkP := e.run(t, "LinkFunction", bins["LinkFunction"])
	step("LinkConfirmsPayment", func(t *testing.T) {
		resp := apiResponse(t, invoke(t, link, apiRequest(t, http.MethodGet, payURL)))
		logColdStart(t, "LinkFunction", "", linkP)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "<form") || !strings.Contains(resp.Body, inv.Number) {
			t.Fatalf("GET %s: %d, want 200 with a form for %s:\n%s", payURL, resp.StatusCode, inv.Number, resp.Body)
		}
		if n := len(e.eventItems(t, glassbox.EventPaymentConfirmed)); n != 0 {
			t.Fatalf("GET stored %d payment events; it must only show", n)
		}
		// Confirmed twice (a double click): one event.
		for i := range 2 {
			resp = apiResponse(t, invoke(t, link, apiRequest(t, http.MethodPost, payURL)))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("POST %d %s: %d\n%s", i+1, payURL, resp.StatusCode, resp.Body)
			}
		}
		items := e.eventItems(t, glassbox.EventPaymentConfirmed)
		if len(items) != 1 {
			t.Fatalf("%d payment_confirmed events, want 1", len(items))
		}
		if got := stringAttr(items[0], "documentId"); got != inv.ID {
			t.Fatalf("payment event for %q, want the invoice %s", got, inv.ID)
		}
		if got := e.ssm.calls(linkKeyParam) - keyReads; got != 1 {
			t.Errorf("LinkFunction read the link key %d times, want 1 (kept per warm instance)", got)
		}
		if d, err := store.Document(ctx, inv.ID); err != nil || d.State != glassbox.DocumentIssued {
			t.Errorf("before React: invoice %s, %v; want still issued (React marks it paid)", d.State, err)
		}
		paidRecord = streamRecord(t, e.table, items[0], "100000000000000000002")
	})

	step("ReactMarksPaid", func(t *testing.T) {
		reactOK(t, react, paidRecord)
		d, err := store.Document(ctx, inv.ID)
		if err != nil || d.State != glassbox.DocumentPaid {
			t.Fatalf("invoice %s after the payment event: %s, %v; want paid", inv.Number, d.State, err)
		}
		if a, err := store.Document(ctx, act.ID); err != nil || a.State != glassbox.DocumentIssued {
			t.Errorf("act after the payment: %s, %v; want issued", a.State, err)
		}
		if client, manager, acc := mailCount(t); len(client) != 1 || len(acc) != 1 || len(manager) != 0 {
			t.Errorf("after the payment: %d, %d, %d emails to client, accountant, manager; want still 1, 1, 0", len(client), len(acc), len(manager))
		}
	})

	step("LinkDownloadsInvoice", func(t *testing.T) {
		dl := regexp.MustCompile(regexp.QuoteMeta(publicBaseURL+"/documents/"+inv.ID) + `\?\S+`).FindString(clientMail.Body.Text)
		if dl == "" {
			t.Fatalf("no download link for %s in the client's text:\n%s", inv.ID, clientMail.Body.Text)
		}
		resp := apiResponse(t, invoke(t, link, apiRequest(t, http.MethodGet, dl)))
		if resp.StatusCode != http.StatusOK || !resp.IsBase64Encoded || resp.Headers["Content-Type"] != "application/pdf" {
			t.Fatalf("GET %s: %d %q base64=%v", dl, resp.StatusCode, resp.Headers["Content-Type"], resp.IsBase64Encoded)
		}
		pdf, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil || !sameSHA256(pdf, inv.PDFSHA256) {
			t.Errorf("downloaded invoice (%d bytes, %v) is not the one issued", len(pdf), err)
		}
	})

	step("LinkShowsDashboard", func(t *testing.T) { linkShowsDashboard(t, store, link, inv) }) // issue 10

	step("RemindAfterPaid", func(t *testing.T) {
		if res := remindOK(t, reminder); res.Open != 0 || res.Messages != 0 {
			t.Errorf("after the payment: %+v, want no open invoice and no message", res)
		}
	})
}

// payLink finds a pay link in an email's text.
var payLink = regexp.MustCompile(`https?://\S+/pay/\S+`)

func sameSHA256(b []byte, hexSum string) bool {
	sum := sha256.Sum256(b)
	return hexSum != "" && strings.EqualFold(hex.EncodeToString(sum[:]), hexSum)
}

func apiResponse(t testing.TB, body []byte) events.APIGatewayV2HTTPResponse {
	t.Helper()
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("response %s: %v", body, err)
	}
	return resp
}

// apiRequest is the HTTP API (payload 2.0) event for a browser's request to a /pay/{doc} or /documents/{doc}
// link, as template.yaml routes them to LinkFunction.
func apiRequest(t testing.TB, method, link string) []byte {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("link %q: %v", link, err)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 {
		t.Fatalf("link %q: want /pay/{doc} or /documents/{doc}", link)
	}
	route := "ANY /pay/{doc}"
	if parts[0] == "documents" {
		route = "GET /documents/{doc}"
	}
	query := map[string]string{}
	for k, v := range u.Query() {
		query[k] = strings.Join(v, ",")
	}
	const ua = "Mozilla/5.0 (X11; Linux x86_64) Glassbox-artifact-test"
	headers := map[string]string{"accept": "text/html,application/xhtml+xml", "host": u.Host, "user-agent": ua, "x-forwarded-proto": u.Scheme}
	if method == http.MethodPost {
		headers["content-type"] = "application/x-www-form-urlencoded"
		headers["content-length"] = "0"
	}
	now := time.Now().UTC()
	req := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              route,
		RawPath:               u.EscapedPath(),
		RawQueryString:        u.RawQuery,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        map[string]string{"doc": parts[1]},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID:    "000000000000",
			APIID:        "api",
			DomainName:   u.Host,
			DomainPrefix: strings.Split(u.Host, ".")[0],
			RequestID:    randomHex(8),
			RouteKey:     route,
			Stage:        "$default",
			Time:         now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: method, Path: u.Path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7", UserAgent: ua,
			},
		},
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reactOK invokes React with a stream batch and wants no batch item failures.
func reactOK(t testing.TB, h *lambdaharness.Harness, batch []byte) {
	t.Helper()
	body := invoke(t, h, batch)
	var resp events.DynamoDBEventResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("response %s: %v", body, err)
	}
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("batchItemFailures = %+v, want none", resp.BatchItemFailures)
	}
}

// remindOK invokes Remind as its schedule does (EventBridge Scheduler passes the schedule's Input, {} here).
func remindOK(t testing.TB, h *lambdaharness.Harness) remind.Result {
	t.Helper()
	body := invoke(t, h, []byte(`{}`))
	var res remind.Result
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("response %s: %v", body, err)
	}
	return res
}

// documents lists a project's documents, all time.
func (e *env) documents(t testing.TB, project string) []glassbox.Document {
	t.Helper()
	docs, err := e.store().DocumentsBetween(context.Background(), project, time.Time{}, time.Now().AddDate(10, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// actAndInvoice returns the project's one act and one invoice.
func (e *env) actAndInvoice(t testing.TB, project string) (act, inv glassbox.Document) {
	t.Helper()
	docs := e.documents(t, project)
	for _, d := range docs {
		switch d.Kind {
		case glassbox.DocumentAct:
			act = d
		case glassbox.DocumentInvoice:
			inv = d
		}
	}
	if len(docs) != 2 || act.ID == "" || inv.ID == "" {
		t.Fatalf("%s has %d documents, want one act and one invoice: %+v", project, len(docs), docs)
	}
	return act, inv
}

// eventItems reads the table's event items, of one kind unless kind is empty. A Scan is fine on a test table.
func (e *env) eventItems(t testing.TB, kind glassbox.EventKind) []map[string]types.AttributeValue {
	t.Helper()
	filter := expression.Name(dynamo.AttrType).Equal(expression.Value(dynamo.TypeEvent))
	if kind != "" {
		filter = filter.And(expression.Name("kind").Equal(expression.Value(string(kind))))
	}
	expr, err := expression.NewBuilder().WithFilter(filter).Build()
	if err != nil {
		t.Fatal(err)
	}
	p := dynamodb.NewScanPaginator(e.db, &dynamodb.ScanInput{
		TableName:                 aws.String(e.table),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ConsistentRead:            aws.Bool(true),
	})
	var items []map[string]types.AttributeValue
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("scan events: %v", err)
		}
		items = append(items, out.Items...)
	}
	return items
}

func stringAttr(item map[string]types.AttributeValue, name string) string {
	if s, ok := item[name].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// streamRecord is the one-record DynamoDB stream batch that delivers an item's INSERT to React, the way the
// event source mapping (NEW_AND_OLD_IMAGES, filtered to inserted events) does.
func streamRecord(t testing.TB, table string, item map[string]types.AttributeValue, seq string) []byte {
	t.Helper()
	img := make(map[string]events.DynamoDBAttributeValue, len(item))
	for k, v := range item {
		img[k] = toStreamValue(t, v)
	}
	size, _ := json.Marshal(img)
	batch := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{{
		AWSRegion:      localRegion,
		EventID:        randomHex(16),
		EventName:      string(events.DynamoDBOperationTypeInsert),
		EventSource:    "aws:dynamodb",
		EventVersion:   "1.1",
		EventSourceArn: "arn:aws:dynamodb:" + localRegion + ":000000000000:table/" + table + "/stream/2026-11-23T00:00:00.000",
		Change: events.DynamoDBStreamRecord{
			ApproximateCreationDateTime: events.SecondsEpochTime{Time: time.Now().Truncate(time.Second)},
			Keys:                        map[string]events.DynamoDBAttributeValue{dynamo.AttrPK: img[dynamo.AttrPK], dynamo.AttrSK: img[dynamo.AttrSK]},
			NewImage:                    img,
			SequenceNumber:              seq,
			SizeBytes:                   int64(len(size)),
			StreamViewType:              "NEW_AND_OLD_IMAGES",
		},
	}}}
	b, err := json.Marshal(batch)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func toStreamValue(t testing.TB, v types.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	case *types.AttributeValueMemberM:
		m := make(map[string]events.DynamoDBAttributeValue, len(v.Value))
		for k, e := range v.Value {
			m[k] = toStreamValue(t, e)
		}
		return events.NewMapAttribute(m)
	case *types.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			l[i] = toStreamValue(t, e)
		}
		return events.NewListAttribute(l)
	}
	t.Fatalf("stream image: unexpected attribute value %T", v)
	return events.DynamoDBAttributeValue{}
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

// storedMail is the part of the SES emulator's GET /store answer the test reads: for SendRawEmail, what
// mailparser made of the message.
type storedMail struct {
	MessageID   string `json:"messageId"`
	From        string `json:"from"`
	Subject     string `json:"subject"`
	Destination struct {
		To  []string `json:"to"`
		Cc  []string `json:"cc"`
		Bcc []string `json:"bcc"`
	} `json:"destination"`
	Body struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	} `json:"body"`
	Attachments []struct {
		Filename    string `json:"filename"`
		ContentType string `json:"contentType"`
		Content     []byte `json:"content"` // base64 in the JSON
	} `json:"attachments"`
}

func (m storedMail) attachmentNames() []string {
	var names []string
	for _, a := range m.Attachments {
		names = append(names, a.Filename)
	}
	return names
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

// fakeSSM serves GetParameter in the SSM JSON 1.1 protocol from a map, and PutParameter without Overwrite
// (what ingest does with Asana's handshake secret) into it.
type fakeSSM struct {
	srv    *httptest.Server
	params map[string]string
	mu     sync.Mutex
	n      map[string]int // GetParameter calls by name
}

// param is a parameter's value, and whether it exists.
func (f *fakeSSM) param(name string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.params[name]
	return v, ok
}

func newFakeSSM(t testing.TB, params map[string]string) *fakeSSM {
	f := &fakeSSM{params: params, n: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// calls counts GetParameter calls for a name, from every process sharing the fake.
func (f *fakeSSM) calls(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n[name]
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
	target := r.Header.Get("X-Amz-Target")
	if target != "AmazonSSM.GetParameter" && target != "AmazonSSM.PutParameter" {
		fail(http.StatusBadRequest, "UnknownOperationException", "unsupported target "+target)
		return
	}
	var in struct {
		Name, Value, Type string
		Overwrite         bool
		WithDecryption    bool
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	if target == "AmazonSSM.PutParameter" {
		f.mu.Lock()
		_, exists := f.params[in.Name]
		if !exists || in.Overwrite {
			f.params[in.Name] = in.Value
		}
		f.mu.Unlock()
		if exists && !in.Overwrite {
			fail(http.StatusBadRequest, "ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(map[string]any{"Version": 1, "Tier": "Standard"})
		return
	}
	f.mu.Lock()
	f.n[in.Name]++
	v, ok := f.params[in.Name]
	f.mu.Unlock()
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

// BenchmarkColdStart measures, per function, process start to the first answer of a cheap first invocation.
// Host builds; emulators as for the tests; the table holds the demo agency and nothing else.
//   - Ingest: Trello's HEAD check (one GetItem for the binding).
//   - React: an empty stream batch.
//   - Link: events/link-pay-get.json, a genuinely signed pay link for an invoice this table does not hold: the
//     link key from SSM, one GetItem, 404. A real first request is such a GET; a forged one would answer 403
//     before reading the store.
//   - Remind: a scheduled run ({}) with no open invoices: a config Query and one Query of the open-invoice index.
func BenchmarkColdStart(b *testing.B) {
	e := newEnv(b)
	first := map[string]struct {
		payload []byte
		want    string // in the answer
	}{
		"IngestFunction": {readEvent(b, "ingest-trello-head-check.json"), `"statusCode":200`},
		"ReactFunction":  {[]byte(`{"Records":[]}`), `"batchItemFailures"`},
		"LinkFunction":   {readEvent(b, "link-pay-get.json"), `"statusCode":404`},
		"RemindFunction": {[]byte(`{}`), `"open":0`},
		"SweepFunction":  {[]byte(`{}`), `"found":0`},
		// An SNS delivery of a transient bounce: parsed, nothing to do, no request.
		"BounceFunction": {readEvent(b, "bounce-sns-transient.json"), `null`},
		// A scheduled pull; the demo agency has no Yandex binding: one config Query.
		"PullFunction": {readEvent(b, "pull-scheduled.json"), `"sources":0`},
		// A schedule tick with the reports off (reportsOff): the config Query, nothing due, whatever the day.
		"DigestFunction": {readEvent(b, "digest-scheduled.json"), `"projects":`},
		// An hourly seal of the demo agency's projects: the config Query, a seal chain and the project index each.
		"SealFunction": {readEvent(b, "seal-scheduled.json"), `null`},
	}
	for _, id := range functionIDs {
		b.Run(id, func(b *testing.B) {
			if id == "DigestFunction" {
				reportsOff(b, e)
			}
			bin := makeBuild(b, id, b.TempDir(), "GOARCH="+runtime.GOARCH)
			var cold, init time.Duration
			b.ResetTimer()
			for range b.N {
				c, i, err := coldStartOnce(e.processEnv(b, id), id, bin, first[id].payload, first[id].want)
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

// coldStartOnce starts a function, invokes it once and stops it; the answer must contain want.
func coldStartOnce(env []string, id, bin string, payload []byte, want string) (cold, init time.Duration, err error) {
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
	if err == nil && !bytes.Contains(r.Body, []byte(want)) {
		err = fmt.Errorf("answer %s lacks %s", r.Body, want)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w\n%s", id, err, p.Output())
	}
	cold, _ = p.ColdStart()
	init, _ = p.Init()
	return cold, init, nil
}
