package tsa_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/timeline"
	"github.com/glassbox-oss/glassbox/shared/tsa"
)

const tsaConfig = `
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = %DIR%
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ tsa_ext ]
extendedKeyUsage = critical,timeStamping
basicConstraints = CA:FALSE
`

func openssl(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "openssl", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// localAuthority is a timestamp authority made with openssl ts: a CA, a TSA certificate it signed (critical
// timeStamping usage), and an HTTP endpoint that answers each query with openssl ts -reply.
func localAuthority(t *testing.T) (url, dir string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("openssl is needed for the local timestamp authority: install it")
	}
	dir = t.TempDir()
	cnf := filepath.Join(dir, "tsa.cnf")
	if err := os.WriteFile(cnf, []byte(strings.ReplaceAll(tsaConfig, "%DIR%", dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	openssl(t, dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Test Root")
	openssl(t, dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=Test TSA")
	openssl(t, dir, "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tsa.pem",
		"-days", "2", "-extfile", cnf, "-extensions", "tsa_ext")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/timestamp-query" {
			http.Error(w, "not a timestamp query", http.StatusBadRequest)
			return
		}
		q, _ := io.ReadAll(r.Body)
		f, err := os.CreateTemp(dir, "q-*.tsq")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		f.Write(q)
		f.Close()
		out, err := exec.Command("openssl", "ts", "-reply", "-config", cnf, "-queryfile", f.Name(), "-out", "-").Output()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, dir
}

// TestStampLocalAuthority: a seal hash stamped by a local openssl authority comes back as a token that says
// this digest and about now, and that openssl ts -verify accepts against the authority's CA, for this digest
// only.
func TestStampLocalAuthority(t *testing.T) {
	url, dir := localAuthority(t)
	digest := sha256.Sum256([]byte("seal"))
	token, at, err := tsa.Client{URL: url}.Stamp(t.Context(), digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(at); d < -time.Minute || d > time.Minute {
		t.Errorf("stamped at %s, want about now", at)
	}
	info, err := tsa.ParseToken(token)
	if err != nil || hex.EncodeToString(info.MessageImprint.HashedMessage) != hex.EncodeToString(digest[:]) {
		t.Errorf("ParseToken: %v, %x", err, info.MessageImprint.HashedMessage)
	}
	tok := filepath.Join(dir, "token.der")
	if err := os.WriteFile(tok, token, 0o600); err != nil {
		t.Fatal(err)
	}
	verify := func(d []byte) (string, error) {
		out, err := exec.CommandContext(t.Context(), "openssl", "ts", "-verify", "-digest", hex.EncodeToString(d), "-token_in", "-in", tok,
			"-CAfile", filepath.Join(dir, "ca.pem"), "-untrusted", filepath.Join(dir, "tsa.pem")).CombinedOutput()
		return string(out), err
	}
	if out, err := verify(digest[:]); err != nil || !strings.Contains(out, "Verification: OK") {
		t.Errorf("openssl ts -verify: %v\n%s", err, out)
	}
	other := sha256.Sum256([]byte("another seal"))
	if out, err := verify(other[:]); err == nil {
		t.Errorf("the token verifies for another digest:\n%s", out)
	}
}

// TestStampRefusals: an authority that answers with an error, or with something not a timestamp, fails.
func TestStampRefusals(t *testing.T) {
	digest := sha256.Sum256([]byte("seal"))
	for name, h := range map[string]http.HandlerFunc{
		"HTTP error": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) },
		"garbage":    func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>hello</html>")) },
		// TimeStampResp { status { rejection(2) } }
		"rejected": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte{0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02})
		},
	} {
		srv := httptest.NewServer(h)
		if _, _, err := (tsa.Client{URL: srv.URL}).Stamp(t.Context(), digest[:]); err == nil {
			t.Errorf("%s: no error", name)
		}
		srv.Close()
	}
}

type clock time.Time

func (c clock) Now() time.Time { return time.Time(c) }

// TestSealsTimestamped: a sealer with the local authority stores each seal with a token over its hash, which
// Verify counts and openssl accepts for the seal hash; with the authority down, the seal is stored without one.
func TestSealsTimestamped(t *testing.T) {
	url, dir := localAuthority(t)
	s, err := localstore.Open(filepath.Join(t.TempDir(), "glassbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	add := func(id string, at time.Time) {
		if err := s.AppendEvent(t.Context(), glassbox.Event{ID: "trello:" + id, ProjectID: "p", ReceivedAt: at, OccurredAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	add("a", t0)
	made, err := (timeline.Sealer{Store: s, Clock: clock(t0.Add(time.Hour)), Stamper: tsa.Client{URL: url}}).Seal(t.Context(), "p")
	if err != nil || len(made) != 1 || len(made[0].Timestamp) == 0 {
		t.Fatalf("Seal: %v, %v", made, err)
	}
	tok := filepath.Join(dir, "seal.der")
	if err := os.WriteFile(tok, made[0].Timestamp, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), "openssl", "ts", "-verify", "-digest", made[0].Hash, "-token_in", "-in", tok,
		"-CAfile", filepath.Join(dir, "ca.pem"), "-untrusted", filepath.Join(dir, "tsa.pem")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Errorf("openssl ts -verify of the seal's token: %v\n%s", err, out)
	}

	add("b", t0.Add(time.Hour))
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }))
	defer down.Close()
	made, err = (timeline.Sealer{Store: s, Clock: clock(t0.Add(2 * time.Hour)), Stamper: tsa.Client{URL: down.URL},
		Logger: slog.New(slog.DiscardHandler)}).Seal(t.Context(), "p")
	if err != nil || len(made) != 1 || len(made[0].Timestamp) != 0 {
		t.Fatalf("Seal with the authority down: %v, %v", made, err)
	}
	rep, err := timeline.Verify(t.Context(), s, "p", "")
	if err != nil || !rep.OK() || rep.Timestamped != 1 || rep.Seals != 2 {
		t.Errorf("Verify: %+v, %v", rep, err)
	}
}
