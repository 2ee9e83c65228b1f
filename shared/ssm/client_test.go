package ssm_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ssm"
)

const testRegion = "eu-central-1"

var testCreds = aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", SessionToken: "token"}

func testConfig() aws.Config {
	return aws.Config{
		Region: testRegion,
		Credentials: credentials.NewStaticCredentialsProvider(
			testCreds.AccessKeyID, testCreds.SecretAccessKey, testCreds.SessionToken),
	}
}

// newServer starts h and points AWS_ENDPOINT_URL_SSM at it, so tests using it cannot run in parallel.
func newServer(t *testing.T, h http.HandlerFunc) (*ssm.Client, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL_SSM", srv.URL)
	return ssm.NewClient(testConfig()), &calls
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeValue(w http.ResponseWriter, name, value string) {
	writeJSON(w, http.StatusOK, map[string]any{"Parameter": map[string]any{
		"Name": name, "Type": "SecureString", "Value": value, "Version": 3,
		"ARN": "arn:aws:ssm:" + testRegion + ":000000000000:parameter" + name}})
}

func TestClientRequest(t *testing.T) {
	c, calls := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		if got, want := r.Method+" "+r.URL.Path, "POST /"; got != want {
			t.Errorf("request = %q, want %q", got, want)
		}
		for k, want := range map[string]string{
			"Content-Type":         "application/x-amz-json-1.1",
			"X-Amz-Target":         "AmazonSSM.GetParameter",
			"X-Amz-Security-Token": "token",
		} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if got, want := string(body), `{"Name":"/glassbox/trello/board","WithDecryption":true}`; got != want {
			t.Errorf("body = %s, want %s", got, want)
		}
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") ||
			!strings.Contains(auth, "/"+testRegion+"/ssm/aws4_request") {
			t.Errorf("Authorization = %q", auth)
		}
		date := r.Header.Get("X-Amz-Date")
		at, err := time.Parse("20060102T150405Z", date)
		if err != nil {
			t.Errorf("X-Amz-Date = %q: %v", date, err)
		}
		// The signature itself: sign the same request independently and compare.
		want, _ := http.NewRequest(http.MethodPost, "http://"+r.Host+"/", bytes.NewReader(body))
		want.Header.Set("Content-Type", r.Header.Get("Content-Type"))
		want.Header.Set("X-Amz-Target", r.Header.Get("X-Amz-Target"))
		if err := v4.NewSigner().SignHTTP(context.Background(), testCreds, want,
			sha256Hex(body), "ssm", testRegion, at); err != nil {
			t.Error(err)
		}
		if got, want := auth, want.Header.Get("Authorization"); got != want {
			t.Errorf("Authorization = %q,\nwant %q", got, want)
		}
		writeValue(w, "/glassbox/trello/board", "s3cret")
	})
	got, err := c.Parameter(context.Background(), "/glassbox/trello/board")
	if err != nil {
		t.Fatal(err)
	}
	if want := "s3cret"; got != want {
		t.Fatalf("Parameter = %q, want %q", got, want)
	}
	if got, want := calls.Load(), int32(1); got != want {
		t.Fatalf("%d requests, want %d", got, want)
	}
}

func TestClientErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		header    string // X-Amzn-ErrorType
		body      string
		code      string
		notFound  bool
		wantCalls int32
	}{
		{name: "ParameterNotFound", status: 400, body: `{"__type":"ParameterNotFound","message":""}`,
			code: "ParameterNotFound", notFound: true, wantCalls: 1},
		{name: "ParameterNotFoundNamespaced", status: 400,
			body: `{"__type":"com.amazonaws.ssm#ParameterNotFound","message":"Parameter /x not found."}`,
			code: "ParameterNotFound", notFound: true, wantCalls: 1},
		{name: "AccessDenied", status: 400, header: "AccessDeniedException:http://internal.amazon.com/",
			body: `{"message":"User is not authorized to perform: ssm:GetParameter"}`,
			code: "AccessDeniedException", wantCalls: 1},
		{name: "ThrottlingExhausted", status: 400, body: `{"__type":"ThrottlingException","message":"Rate exceeded"}`,
			code: "ThrottlingException", wantCalls: 3},
		{name: "ServerErrorHTML", status: 502, body: `<html>bad gateway</html>`, code: "", wantCalls: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, calls := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.header != "" {
					w.Header().Set("X-Amzn-ErrorType", tc.header)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			_, err := c.Parameter(context.Background(), "/x")
			var apiErr *ssm.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an *ssm.APIError", err)
			}
			if got, want := apiErr.Code, tc.code; got != want {
				t.Errorf("Code = %q, want %q", got, want)
			}
			if got, want := apiErr.StatusCode, tc.status; got != want {
				t.Errorf("StatusCode = %d, want %d", got, want)
			}
			if got, want := errors.Is(err, glassbox.ErrNotFound), tc.notFound; got != want {
				t.Errorf("errors.Is(err, ErrNotFound) = %v, want %v", got, want)
			}
			if tc.code != "" && !strings.Contains(err.Error(), tc.code) {
				t.Errorf("error %q does not name the type", err)
			}
			if !strings.Contains(err.Error(), "/x") {
				t.Errorf("error %q does not name the parameter", err)
			}
			if got, want := calls.Load(), tc.wantCalls; got != want {
				t.Errorf("%d requests, want %d", got, want)
			}
		})
	}
}

func TestClientErrorMessage(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, map[string]string{"__type": "com.amazonaws.ssm#ParameterNotFound", "message": "gone"})
	})
	_, err := c.Parameter(context.Background(), "/glassbox/missing")
	if got, want := err.Error(), "ssm: GetParameter /glassbox/missing: ParameterNotFound (HTTP 400): gone"; got != want {
		t.Fatalf("err = %q, want %q", got, want)
	}
}

func TestClientThrottledThenOK(t *testing.T) {
	var n atomic.Int32
	c, calls := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			writeJSON(w, 400, map[string]string{"__type": "ThrottlingException", "message": "Rate exceeded"})
		case 2:
			writeJSON(w, 503, map[string]string{"__type": "InternalServerError", "message": "try again"})
		default:
			writeValue(w, "/p", "v")
		}
	})
	got, err := c.Parameter(context.Background(), "/p")
	if err != nil {
		t.Fatal(err)
	}
	if got != "v" {
		t.Fatalf("Parameter = %q, want %q", got, "v")
	}
	if got, want := calls.Load(), int32(3); got != want {
		t.Fatalf("%d requests, want %d", got, want)
	}
}

func TestClientContext(t *testing.T) {
	t.Run("CancelledBefore", func(t *testing.T) {
		c, calls := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeValue(w, "/p", "v") })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Parameter(ctx, "/p")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if got := calls.Load(); got != 0 {
			t.Fatalf("%d requests after cancel, want 0", got)
		}
	})
	t.Run("CancelledDuringBackoff", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c, calls := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, map[string]string{"__type": "ThrottlingException", "message": "Rate exceeded"})
			cancel()
		})
		_, err := c.Parameter(ctx, "/p")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if got, want := calls.Load(), int32(1); got != want {
			t.Fatalf("%d requests, want %d (no retry after cancel)", got, want)
		}
	})
	t.Run("DeadlineDuringRequest", func(t *testing.T) {
		release := make(chan struct{})
		c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			select { // hang until the client gives up, or the test ends
			case <-r.Context().Done():
			case <-release:
			}
		})
		defer close(release)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Parameter(ctx, "/p")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("returned after %v", d)
		}
	})
}

func TestClientValueNeverInErrors(t *testing.T) {
	const secret = "hunter2-very-secret"
	for _, body := range []string{
		`{"Parameter":{"Value":"` + secret + `"`,          // truncated
		`{"Parameter":{"Value":"` + secret + `"}}garbage`, // trailing bytes
		`{"Parameter":{"Value":["` + secret + `"]}}`,      // wrong type
	} {
		c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = w.Write([]byte(body))
		})
		_, err := c.Parameter(context.Background(), "/p")
		if err == nil {
			t.Fatalf("body %s: no error", body)
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "secret") {
			t.Fatalf("error %q contains the value", err)
		}
	}
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"Parameter": map[string]any{"Name": "/p"}})
	})
	if _, err := c.Parameter(context.Background(), "/p"); err == nil {
		t.Fatal("response without a value gave no error")
	}
}

// countingClient checks that cfg.HTTPClient is used when set.
type countingClient struct{ n atomic.Int32 }

func (c *countingClient) Do(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultClient.Do(r)
}

func TestClientUsesConfigHTTPClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeValue(w, "/p", "v") }))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL_SSM", srv.URL)
	hc := &countingClient{}
	cfg := testConfig()
	cfg.HTTPClient = hc
	if _, err := ssm.NewClient(cfg).Parameter(context.Background(), "/p"); err != nil {
		t.Fatal(err)
	}
	if got := hc.n.Load(); got != 1 {
		t.Fatalf("cfg.HTTPClient used %d times, want 1", got)
	}
}

func TestClientEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name              string
		ssmURL, globalURL string
		ignore            string
		base              string
		region            string
		want              string
	}{
		{name: "ServiceVar", ssmURL: "http://127.0.0.1:4566", globalURL: "http://127.0.0.1:9999",
			base: "http://base", region: testRegion, want: "http://127.0.0.1:4566/"},
		{name: "GlobalVar", globalURL: "http://127.0.0.1:9999/", base: "http://base", region: testRegion,
			want: "http://127.0.0.1:9999/"},
		{name: "BaseEndpoint", base: "http://base:1234", region: testRegion, want: "http://base:1234/"},
		{name: "Regional", region: testRegion, want: "https://ssm.eu-central-1.amazonaws.com/"},
		{name: "GovCloud", region: "us-gov-west-1", want: "https://ssm.us-gov-west-1.amazonaws.com/"},
		{name: "China", region: "cn-north-1", want: "https://ssm.cn-north-1.amazonaws.com.cn/"},
		{name: "Ignored", ssmURL: "http://127.0.0.1:4566", globalURL: "http://127.0.0.1:9999", ignore: "true",
			base: "http://base", region: "cn-northwest-1", want: "https://ssm.cn-northwest-1.amazonaws.com.cn/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL_SSM", tc.ssmURL)
			t.Setenv("AWS_ENDPOINT_URL", tc.globalURL)
			t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", tc.ignore)
			cfg := testConfig()
			cfg.Region = tc.region
			if tc.base != "" {
				cfg.BaseEndpoint = aws.String(tc.base)
			}
			if got := ssm.NewClient(cfg).Endpoint(); got != tc.want {
				t.Fatalf("Endpoint = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestClientKeepParameter: KeepParameter is PutParameter without Overwrite. A new parameter is created; one
// that exists with the same value is fine (a repeated handshake), with another value glassbox.ErrConflict, and
// the value kept is never overwritten.
func TestClientKeepParameter(t *testing.T) {
	const name = "/glassbox/hooks/site-asana"
	for _, tc := range []struct {
		name     string
		existing string // "" for none
		value    string
		conflict bool
		wantPuts int32
		wantGets int32
	}{
		{"NewParameter", "", "s3cret", false, 1, 0},
		{"SameValueExists", "s3cret", "s3cret", false, 1, 1},
		{"DifferentValueExists", "s3cret", "another", true, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stored := tc.existing
			var puts, gets atomic.Int32
			c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				var in struct {
					Name, Value, Type string
					Overwrite         *bool
					WithDecryption    bool
				}
				if err := json.Unmarshal(body, &in); err != nil || in.Name != name {
					t.Errorf("request body %s", body)
				}
				switch target := r.Header.Get("X-Amz-Target"); target {
				case "AmazonSSM.PutParameter":
					puts.Add(1)
					if in.Type != "SecureString" || in.Overwrite == nil || *in.Overwrite {
						t.Errorf("PutParameter %s: want Type SecureString and Overwrite false", body)
					}
					if stored != "" {
						writeJSON(w, 400, map[string]string{"__type": "ParameterAlreadyExists",
							"message": "The parameter already exists. To overwrite this value, set the overwrite option in the request to true."})
						return
					}
					stored = in.Value
					writeJSON(w, 200, map[string]any{"Version": 1, "Tier": "Standard"})
				case "AmazonSSM.GetParameter":
					gets.Add(1)
					if !in.WithDecryption {
						t.Errorf("GetParameter without decryption: %s", body)
					}
					writeValue(w, name, stored)
				default:
					t.Errorf("unexpected call %s", target)
					w.WriteHeader(400)
				}
			})
			err := c.KeepParameter(context.Background(), name, tc.value)
			if got := errors.Is(err, glassbox.ErrConflict); got != tc.conflict || (err != nil && !tc.conflict) {
				t.Fatalf("KeepParameter = %v, want conflict %v", err, tc.conflict)
			}
			if err != nil && (strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "another")) {
				t.Errorf("error %q contains a value", err)
			}
			if want := tc.existing; want == "" {
				want = tc.value
				if stored != want {
					t.Errorf("stored %q, want %q", stored, want)
				}
			} else if stored != tc.existing {
				t.Errorf("stored %q, want the existing %q kept", stored, tc.existing)
			}
			if puts.Load() != tc.wantPuts || gets.Load() != tc.wantGets {
				t.Errorf("%d PutParameter and %d GetParameter calls, want %d and %d", puts.Load(), gets.Load(), tc.wantPuts, tc.wantGets)
			}
		})
	}
}

// TestClientKeepParameterErrors: an answer that is neither success nor "already exists" (no permission,
// throttling to the end) is an error that is not a conflict, so ingest answers 500 and Asana retries.
func TestClientKeepParameterErrors(t *testing.T) {
	for _, tc := range []struct {
		name, typ string
		status    int
	}{
		{"AccessDenied", "AccessDeniedException", 400},
		{"Throttled", "ThrottlingException", 400},
		{"ServerError", "InternalServerError", 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tc.status, map[string]string{"__type": tc.typ, "message": "no"})
			})
			err := c.KeepParameter(context.Background(), "/p", "v")
			var apiErr *ssm.APIError
			if !errors.As(err, &apiErr) || apiErr.Code != tc.typ || errors.Is(err, glassbox.ErrConflict) {
				t.Fatalf("KeepParameter = %v, want an %s APIError, not a conflict", err, tc.typ)
			}
			if !strings.HasPrefix(err.Error(), "ssm: PutParameter /p: "+tc.typ) {
				t.Errorf("error %q, want it to name PutParameter", err)
			}
		})
	}
}
