package ssm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Client makes the two SSM calls Glassbox needs, GetParameter and PutParameter, over SSM's JSON 1.1 protocol with SigV4.
//
// It replaces the SDK's service/ssm client, whose generated schemas and types added about 0.6 MB to every
// function binary for these calls.
type Client struct {
	endpoint string // with a trailing slash
	region   string
	creds    aws.CredentialsProvider
	http     aws.HTTPClient
	signer   *v4.Signer
	now      func() time.Time
}

var _ ParameterReader = (*Client)(nil)

const (
	signingName = "ssm"
	targetGet   = "AmazonSSM.GetParameter"
	targetPut   = "AmazonSSM.PutParameter"
	contentType = "application/x-amz-json-1.1"

	maxAttempts  = 3
	retryBase    = 50 * time.Millisecond
	httpTimeout  = 10 * time.Second
	maxRespBytes = 1 << 20 // a parameter value is at most 8 KB; the rest is metadata
)

// NewClient builds a client from the SDK config: Region, Credentials (retrieved per call; the SDK's provider
// caches them) and HTTPClient (a client with a 10 s timeout when unset).
//
// The endpoint is AWS_ENDPOINT_URL_SSM if set, else AWS_ENDPOINT_URL, else cfg.BaseEndpoint, else the regional
// endpoint in the region's partition, as the SDK resolves it. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the
// variables and cfg.BaseEndpoint, as in the SDK.
func NewClient(cfg aws.Config) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: httpTimeout}
	}
	return &Client{
		endpoint: strings.TrimRight(resolveEndpoint(cfg), "/") + "/",
		region:   cfg.Region,
		creds:    cfg.Credentials,
		http:     hc,
		signer:   v4.NewSigner(),
		now:      time.Now,
	}
}

// Endpoint returns the URL requests are sent to.
func (c *Client) Endpoint() string { return c.endpoint }

func resolveEndpoint(cfg aws.Config) string {
	if !strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		if ep := os.Getenv("AWS_ENDPOINT_URL_SSM"); ep != "" {
			return ep
		}
		if ep := os.Getenv("AWS_ENDPOINT_URL"); ep != "" {
			return ep
		}
		if cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != "" {
			return *cfg.BaseEndpoint
		}
	}
	return "https://ssm." + cfg.Region + "." + dnsSuffix(cfg.Region)
}

// dnsSuffix is the partition's DNS suffix for a region, from the SDK's partitions.json
// (internal/endpoints/awsrulesfn); SSM uses the standard ssm.{region}.{suffix} hostname in every partition.
func dnsSuffix(region string) string {
	for _, p := range []struct{ prefix, suffix string }{
		{"cn-", "amazonaws.com.cn"},
		{"eusc-", "amazonaws.eu"},
		{"us-isob-", "sc2s.sgov.gov"},
		{"us-isof-", "csp.hci.ic.gov"},
		{"us-iso-", "c2s.ic.gov"},
		{"eu-isoe-", "cloud.adc-e.uk"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.suffix
		}
	}
	return "amazonaws.com"
}

// APIError is an error answer from SSM. It unwraps to glassbox.ErrNotFound for ParameterNotFound.
type APIError struct {
	Op         string // "GetParameter" or "PutParameter"
	Name       string // the parameter asked for
	StatusCode int
	Code       string // e.g. "ParameterNotFound", "AccessDeniedException"; empty if the body had none
	Message    string
}

func (e *APIError) Error() string {
	code := e.Code
	if code == "" {
		code = http.StatusText(e.StatusCode)
	}
	s := fmt.Sprintf("ssm: %s %s: %s (HTTP %d)", e.Op, e.Name, code, e.StatusCode)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap lets callers test errors.Is(err, glassbox.ErrNotFound).
func (e *APIError) Unwrap() error {
	if e.Code == "ParameterNotFound" {
		return glassbox.ErrNotFound
	}
	return nil
}

// retryable reports whether SSM asked us to slow down or failed on its side.
func (e *APIError) retryable() bool {
	switch e.Code {
	case "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
		"RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "InternalServerError":
		return true
	}
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// Parameter returns the decrypted value of a parameter (GetParameter with WithDecryption). Throttling, 5xx and
// transport errors are retried twice with a short backoff while ctx allows. Errors name the parameter, never
// its value.
func (c *Client) Parameter(ctx context.Context, name string) (string, error) {
	raw, status, err := c.call(ctx, targetGet, name, struct {
		Name           string
		WithDecryption bool
	}{name, true})
	if err != nil {
		return "", err
	}
	var out struct {
		Parameter *struct {
			Value *string
		}
	}
	// The JSON error would quote bytes of the body, which holds the secret: say only that it failed.
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("ssm: GetParameter %s: malformed response (HTTP %d, %d bytes)", name, status, len(raw))
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", fmt.Errorf("ssm: GetParameter %s: response has no value", name)
	}
	return *out.Parameter.Value, nil
}

// KeepParameter stores value as a new SecureString parameter (PutParameter without Overwrite). A parameter
// that exists with the same value is nil; with another value, glassbox.ErrConflict. Retried like Parameter.
func (c *Client) KeepParameter(ctx context.Context, name, value string) error {
	_, _, err := c.call(ctx, targetPut, name, struct {
		Name      string
		Value     string
		Type      string
		Overwrite bool
	}{name, value, "SecureString", false})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "ParameterAlreadyExists" {
		return err
	}
	old, err := c.Parameter(ctx, name)
	if err != nil {
		return err
	}
	if old != value {
		return fmt.Errorf("ssm: PutParameter %s: a different value is kept: %w", name, glassbox.ErrConflict)
	}
	return nil
}

// call makes one SSM request, retrying throttling, 5xx and transport errors, and returns the answer's body.
func (c *Client) call(ctx context.Context, target, name string, in any) ([]byte, int, error) {
	op := strings.TrimPrefix(target, "AmazonSSM.")
	if c.region == "" {
		return nil, 0, fmt.Errorf("ssm: %s %s: no AWS region configured", op, name)
	}
	if c.creds == nil {
		return nil, 0, fmt.Errorf("ssm: %s %s: no AWS credentials configured", op, name)
	}
	body, err := json.Marshal(in)
	if err != nil {
		return nil, 0, fmt.Errorf("ssm: %s %s: %w", op, name, err)
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])

	for attempt := 1; ; attempt++ {
		raw, status, err := c.try(ctx, target, op, name, body, payloadHash)
		if err == nil {
			return raw, status, nil
		}
		var apiErr *APIError
		retry := errors.As(err, &apiErr) && apiErr.retryable() || errors.Is(err, errTransport)
		if retry && attempt < maxAttempts && ctx.Err() != nil {
			// It would be retried, but the caller has given up: say so, as a cancelled backoff does.
			return nil, status, fmt.Errorf("ssm: %s %s: %w (after %v)", op, name, context.Cause(ctx), err)
		}
		if !retry || attempt == maxAttempts {
			return nil, status, err
		}
		// Full jitter over [d/2, d): 50 ms, then 100 ms.
		d := retryBase << (attempt - 1)
		d = d/2 + rand.N(d/2)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, status, fmt.Errorf("ssm: %s %s: %w (after %v)", op, name, context.Cause(ctx), err)
		case <-t.C:
		}
	}
}

// errTransport marks a request that got no HTTP answer.
var errTransport = errors.New("transport error")

func (c *Client) try(ctx context.Context, target, op, name string, body []byte, payloadHash string) ([]byte, int, error) {
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("ssm: %s %s: credentials: %w", op, name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("ssm: %s %s: %w", op, name, err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Amz-Target", target)
	if err := c.signer.SignHTTP(ctx, creds, req, payloadHash, signingName, c.region, c.now()); err != nil {
		return nil, 0, fmt.Errorf("ssm: %s %s: sign: %w", op, name, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, fmt.Errorf("ssm: %s %s: %w", op, name, context.Cause(ctx))
		}
		return nil, 0, fmt.Errorf("ssm: %s %s: %w: %w", op, name, errTransport, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxRespBytes))
	if err != nil {
		if ctx.Err() != nil {
			return nil, resp.StatusCode, fmt.Errorf("ssm: %s %s: %w", op, name, context.Cause(ctx))
		}
		return nil, resp.StatusCode, fmt.Errorf("ssm: %s %s: read response: %w: %w", op, name, errTransport, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, resp.StatusCode, parseError(op, name, resp, raw)
	}
	return raw, resp.StatusCode, nil
}

// parseError reads an AWS JSON error: the code from X-Amzn-ErrorType or the body's __type or code, trimmed of
// its namespace ("com.amazonaws.ssm#ParameterNotFound") and any ":..." suffix, as the SDK does.
func parseError(op, name string, resp *http.Response, raw []byte) error {
	var body struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	_ = json.Unmarshal(raw, &body) // a non-JSON body (a proxy's HTML page) leaves the status only
	code := resp.Header.Get("X-Amzn-ErrorType")
	if code == "" {
		code = body.Code
	}
	if code == "" {
		code = body.Type
	}
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	msg := body.Message
	if msg == "" {
		msg = body.Message2
	}
	return &APIError{Op: op, Name: name, StatusCode: resp.StatusCode, Code: code, Message: msg}
}
