// Package lambdaharness runs a built Lambda `bootstrap` locally: a fake of the AWS Lambda Runtime API on
// loopback, a way to start the binary against it with the environment Lambda gives, and invocations that
// return what the binary answered. It measures what the deploy tests report: the process's cold start (start
// to first answer) and init time (start to its first request for work).
//
// One Harness serves one process at a time, as one Lambda execution environment does.
package lambdaharness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Runtime API header names, as the Lambda service sends and receives them.
const (
	HeaderRequestID          = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMS         = "Lambda-Runtime-Deadline-Ms"
	HeaderInvokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID            = "Lambda-Runtime-Trace-Id"
	HeaderErrorType          = "Lambda-Runtime-Function-Error-Type"
	headerErrorBody          = "Lambda-Runtime-Function-Error-Body"
)

const apiPrefix = "/2018-06-01/runtime"

// ErrClosed is returned by Invoke once the harness is closed or its process has exited.
var ErrClosed = errors.New("lambdaharness: closed")

// ErrorPayload is what a function reports on /error and /init/error.
type ErrorPayload struct {
	ErrorMessage string          `json:"errorMessage"`
	ErrorType    string          `json:"errorType"`
	StackTrace   json.RawMessage `json:"stackTrace,omitempty"`
}

func (e *ErrorPayload) Error() string { return e.ErrorType + ": " + e.ErrorMessage }

// Result is the outcome of one invocation: the response body, or the error the function reported.
type Result struct {
	RequestID string
	// Body is the response payload; empty when Err is set.
	Body []byte
	// Err is the function's error report (a handler error or panic); nil on success.
	Err *ErrorPayload
	// Duration is from the binary receiving the event on /next to its answer.
	Duration time.Duration
}

// Options tune what the fake Runtime API tells the function.
type Options struct {
	// FunctionName is used in the invoked-function ARN when Start gets no AWS_LAMBDA_FUNCTION_NAME.
	FunctionName string
	// Region is used in the ARN and as AWS_REGION when Start's env has none. Default us-east-1.
	Region string
	// Timeout sets each invocation's deadline (Lambda-Runtime-Deadline-Ms). Default 30s.
	Timeout time.Duration
}

// Harness is a fake Lambda Runtime API. Create it with New, point a process at URL, and Close it when done.
type Harness struct {
	opts  Options
	srv   *httptest.Server
	queue chan *invocation

	mu          sync.Mutex
	arn         string
	inflight    map[string]*invocation
	firstNext   time.Time
	firstAnswer time.Time
	initErr     *ErrorPayload
	stopped     chan struct{} // closed when /next must answer 410 and Invoke must give up
	stopOnce    sync.Once
	initFailed  chan struct{}
	initOnce    sync.Once
	proc        *Process
}

type invocation struct {
	id        string
	payload   []byte
	delivered time.Time
	result    chan Result
}

// New starts a fake Runtime API on a loopback port with default options.
func New() *Harness { return NewWithOptions(Options{}) }

// NewWithOptions starts a fake Runtime API on a loopback port.
func NewWithOptions(o Options) *Harness {
	if o.FunctionName == "" {
		o.FunctionName = "function"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	h := &Harness{
		opts:       o,
		queue:      make(chan *invocation),
		inflight:   map[string]*invocation{},
		stopped:    make(chan struct{}),
		initFailed: make(chan struct{}),
	}
	h.arn = functionARN(o.Region, o.FunctionName)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/invocation/next", h.next)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/response", h.response)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/error", h.invocationError)
	mux.HandleFunc("POST "+apiPrefix+"/init/error", h.initError)
	h.srv = httptest.NewServer(mux)
	return h
}

func functionARN(region, name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:000000000000:function:%s", region, name)
}

// URL is the host:port to put in AWS_LAMBDA_RUNTIME_API.
func (h *Harness) URL() string { return strings.TrimPrefix(h.srv.URL, "http://") }

// Invoke hands payload to the function and waits for its answer. A function error is a Result with Err set,
// not an error; the error is for the harness: ctx done, the harness closed, the process gone, or an init
// error reported.
func (h *Harness) Invoke(ctx context.Context, payload []byte) (Result, error) {
	inv := &invocation{id: newRequestID(), payload: payload, result: make(chan Result, 1)}
	select {
	case h.queue <- inv:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-h.stopped:
		return Result{}, h.stopErr()
	case <-h.initFailed:
		return Result{}, h.stopErr()
	}
	select {
	case r := <-inv.result:
		return r, nil
	case <-ctx.Done():
		return Result{}, fmt.Errorf("lambdaharness: invocation %s: %w", inv.id, ctx.Err())
	case <-h.stopped:
		return Result{}, fmt.Errorf("lambdaharness: invocation %s: %w", inv.id, h.stopErr())
	case <-h.initFailed:
		return Result{}, fmt.Errorf("lambdaharness: invocation %s: %w", inv.id, h.stopErr())
	}
}

// stopErr explains why invocations cannot proceed.
func (h *Harness) stopErr() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.initErr != nil {
		return fmt.Errorf("%w: init error: %w", ErrClosed, h.initErr)
	}
	if h.proc != nil {
		select {
		case <-h.proc.done:
			return fmt.Errorf("%w: process exited (%v); output:\n%s", ErrClosed, h.proc.err, h.proc.Output())
		default:
		}
	}
	return ErrClosed
}

// InitError is what the function reported on /init/error, or nil.
func (h *Harness) InitError() *ErrorPayload {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.initErr
}

// FirstNextAt is when the function first asked for work (the end of its init phase); zero before that.
func (h *Harness) FirstNextAt() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.firstNext
}

// FirstAnswerAt is when the function first posted a response or error; zero before that.
func (h *Harness) FirstAnswerAt() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.firstAnswer
}

// stop makes /next answer 410 Gone (the process then exits) and wakes waiting Invoke calls.
func (h *Harness) stop() { h.stopOnce.Do(func() { close(h.stopped) }) }

// Close stops the process started on this harness, if any, and shuts the fake API down.
func (h *Harness) Close() {
	h.mu.Lock()
	p := h.proc
	h.mu.Unlock()
	if p != nil {
		_ = p.Stop()
	}
	h.stop()
	h.srv.Close()
}

func (h *Harness) next(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	if h.firstNext.IsZero() {
		h.firstNext = time.Now()
	}
	h.mu.Unlock()

	var inv *invocation
	select {
	case inv = <-h.queue:
	case <-h.stopped:
		http.Error(w, `{"errorMessage":"harness closed","errorType":"Gone"}`, http.StatusGone)
		return
	case <-r.Context().Done():
		return
	}
	inv.delivered = time.Now()
	h.mu.Lock()
	h.inflight[inv.id] = inv
	h.mu.Unlock()

	deadline := inv.delivered.Add(h.opts.Timeout)
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set(HeaderRequestID, inv.id)
	hdr.Set(HeaderDeadlineMS, strconv.FormatInt(deadline.UnixMilli(), 10))
	hdr.Set(HeaderInvokedFunctionARN, h.functionARN())
	hdr.Set(HeaderTraceID, traceID(inv.delivered))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

func (h *Harness) functionARN() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.arn
}

// answered removes a delivered invocation and records the first answer time.
func (h *Harness) answered(id string) (*invocation, time.Time, bool) {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	inv, ok := h.inflight[id]
	if !ok {
		return nil, now, false
	}
	delete(h.inflight, id)
	if h.firstAnswer.IsZero() {
		h.firstAnswer = now
	}
	return inv, now, true
}

func (h *Harness) response(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	inv, at, ok := h.answered(r.PathValue("id"))
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or already answered request id")
		return
	}
	res := Result{RequestID: inv.id, Body: body, Duration: at.Sub(inv.delivered)}
	// A streamed response that fails midway reports the error in trailers.
	if typ := r.Trailer.Get(HeaderErrorType); typ != "" {
		res.Err = &ErrorPayload{ErrorType: typ, ErrorMessage: r.Trailer.Get(headerErrorBody)}
		res.Body = nil
	}
	inv.result <- res
	w.WriteHeader(http.StatusAccepted)
}

func (h *Harness) invocationError(w http.ResponseWriter, r *http.Request) {
	p, err := readErrorPayload(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	inv, at, ok := h.answered(r.PathValue("id"))
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or already answered request id")
		return
	}
	inv.result <- Result{RequestID: inv.id, Err: p, Duration: at.Sub(inv.delivered)}
	w.WriteHeader(http.StatusAccepted)
}

func (h *Harness) initError(w http.ResponseWriter, r *http.Request) {
	p, err := readErrorPayload(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	if h.initErr == nil {
		h.initErr = p
	}
	if h.firstAnswer.IsZero() {
		h.firstAnswer = time.Now()
	}
	h.mu.Unlock()
	h.initOnce.Do(func() { close(h.initFailed) })
	w.WriteHeader(http.StatusAccepted)
}

func readErrorPayload(r *http.Request) (*ErrorPayload, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	p := &ErrorPayload{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, p); err != nil {
			// Not JSON: keep what was said rather than lose it.
			p.ErrorMessage = string(body)
		}
	}
	if p.ErrorType == "" {
		p.ErrorType = r.Header.Get(HeaderErrorType)
	}
	return p, nil
}

func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorPayload{ErrorType: typ, ErrorMessage: msg})
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// traceID has the X-Ray shape Lambda sends: Root=1-<epoch hex>-<96-bit hex>;Parent=<64-bit hex>;Sampled=0.
func traceID(at time.Time) string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", at.Unix(), hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:]))
}
