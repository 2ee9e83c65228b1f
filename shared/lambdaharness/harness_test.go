package lambdaharness_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/lambdaharness"
)

// echoBinary is testdata/echo built for the host, as a Lambda bootstrap is built.
var echoBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdaharness")
	if err != nil {
		panic(err)
	}
	echoBinary = filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", echoBinary, "./testdata/echo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		panic("build testdata/echo: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// mustStart starts the echo function on a new harness and stops both when the test ends.
func mustStart(t *testing.T, env ...string) (*lambdaharness.Harness, *lambdaharness.Process) {
	t.Helper()
	h := lambdaharness.New()
	p, err := h.Start(context.Background(), echoBinary, env)
	if err != nil {
		h.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Error(err)
		}
		h.Close()
	})
	return h, p
}

func invoke(t *testing.T, h *lambdaharness.Harness, payload string) lambdaharness.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := h.Invoke(ctx, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestInvoke(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		h, p := mustStart(t)
		for _, in := range []string{`{"hello":"world"}`, `[1,2,3]`, `"third"`} {
			r := invoke(t, h, in)
			if r.Err != nil {
				t.Fatalf("Invoke(%s): function error %v", in, r.Err)
			}
			if got, want := string(r.Body), in; got != want {
				t.Errorf("Invoke(%s) = %s, want %s", in, got, want)
			}
			if r.RequestID == "" {
				t.Error("Result.RequestID is empty")
			}
		}
		cold, ok := p.ColdStart()
		if !ok || cold <= 0 {
			t.Fatalf("ColdStart() = %v, %v; want a positive duration", cold, ok)
		}
		init, ok := p.Init()
		if !ok || init <= 0 || init > cold {
			t.Errorf("Init() = %v, %v; want positive and at most the cold start %v", init, ok, cold)
		}
		t.Logf("echo: init %v, cold start %v", init, cold)
	})

	t.Run("LambdaContext", func(t *testing.T) {
		t.Parallel()
		h, _ := mustStart(t, "AWS_LAMBDA_FUNCTION_NAME=echo-fn", "AWS_REGION=eu-central-1", "EXTRA=yes")
		r := invoke(t, h, `{"describe":true}`)
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		var d struct {
			RequestID    string            `json:"requestId"`
			FunctionARN  string            `json:"functionArn"`
			DeadlineInMS int64             `json:"deadlineInMs"`
			Env          map[string]string `json:"env"`
		}
		if err := json.Unmarshal(r.Body, &d); err != nil {
			t.Fatalf("%s: %v", r.Body, err)
		}
		if got, want := d.RequestID, r.RequestID; got != want {
			t.Errorf("request id in the function = %q, harness says %q", got, want)
		}
		if got, want := d.FunctionARN, "arn:aws:lambda:eu-central-1:000000000000:function:echo-fn"; got != want {
			t.Errorf("function ARN = %q, want %q", got, want)
		}
		if d.DeadlineInMS < 20_000 || d.DeadlineInMS > 30_000 {
			t.Errorf("deadline is %d ms away, want about 30 s", d.DeadlineInMS)
		}
		for k, want := range map[string]string{
			"AWS_LAMBDA_FUNCTION_NAME": "echo-fn", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
			"AWS_REGION": "eu-central-1", "_HANDLER": "bootstrap", "EXTRA": "yes",
		} {
			if got := d.Env[k]; got != want {
				t.Errorf("env %s = %q, want %q", k, got, want)
			}
		}
	})

	t.Run("ErrHandler", func(t *testing.T) {
		t.Parallel()
		h, _ := mustStart(t)
		r := invoke(t, h, `{"fail":"no such board"}`)
		if r.Err == nil {
			t.Fatalf("Invoke = %s, want a function error", r.Body)
		}
		if got, want := r.Err.ErrorMessage, "no such board"; got != want {
			t.Errorf("ErrorMessage = %q, want %q", got, want)
		}
		if r.Err.ErrorType == "" {
			t.Error("ErrorType is empty")
		}
		// The process survives a returned error.
		if r := invoke(t, h, `{"n":2}`); string(r.Body) != `{"n":2}` {
			t.Errorf("after an error: %s, %v", r.Body, r.Err)
		}
	})

	t.Run("ErrPanic", func(t *testing.T) {
		t.Parallel()
		h, p := mustStart(t)
		r := invoke(t, h, `{"panic":"boom"}`)
		if r.Err == nil || !strings.Contains(r.Err.ErrorMessage, "boom") {
			t.Fatalf("Invoke = %s, %+v; want the panic reported", r.Body, r.Err)
		}
		// aws-lambda-go exits after a panic; further invocations must fail instead of hanging.
		select {
		case <-p.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("process still running after a panic")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := h.Invoke(ctx, []byte(`{}`)); !errors.Is(err, lambdaharness.ErrClosed) {
			t.Errorf("Invoke after exit: %v, want ErrClosed", err)
		}
	})

	t.Run("ErrInit", func(t *testing.T) {
		t.Parallel()
		h, p := mustStart(t, "ECHO_INIT_FAIL=no TABLE_NAME")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := h.Invoke(ctx, []byte(`{}`))
		if !errors.Is(err, lambdaharness.ErrClosed) || !strings.Contains(err.Error(), "no TABLE_NAME") {
			t.Errorf("Invoke = %v, want ErrClosed naming the init error", err)
		}
		if e := h.InitError(); e == nil || e.ErrorType != "InitFailed" || e.ErrorMessage != "no TABLE_NAME" {
			t.Errorf("InitError() = %+v", e)
		}
		if _, ok := p.ColdStart(); !ok {
			t.Error("an init error is an answer: ColdStart should be known")
		}
	})

	t.Run("Stop", func(t *testing.T) {
		t.Parallel()
		h := lambdaharness.New()
		defer h.Close()
		p, err := h.Start(context.Background(), echoBinary, nil)
		if err != nil {
			t.Fatal(err)
		}
		invoke(t, h, `{}`)
		// 410 on /next makes the runtime exit by itself: no kill needed.
		if err := p.Stop(); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Start(context.Background(), echoBinary, nil); err == nil {
			t.Error("second Start on one harness succeeded")
		}
	})

	t.Run("ErrNoProcess", func(t *testing.T) {
		t.Parallel()
		h := lambdaharness.New()
		defer h.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if _, err := h.Invoke(ctx, []byte(`{}`)); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Invoke with nothing running = %v, want the context's deadline", err)
		}
	})
}
