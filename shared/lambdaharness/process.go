package lambdaharness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Process is a bootstrap binary running against a Harness.
type Process struct {
	h       *Harness
	cmd     *exec.Cmd
	started time.Time
	out     syncBuffer
	done    chan struct{}
	err     error
}

// Start runs binary as Lambda would: in its own directory, with AWS_LAMBDA_RUNTIME_API pointing at h and the
// usual Lambda variables (AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_REGION, _HANDLER,
// ...). The host's environment is not inherited, so nothing reaches real AWS by accident; env adds to or
// overrides the defaults (AWS_ENDPOINT_URL_*, credentials, TABLE_NAME). The process's output is kept (see
// Output) and also copied to logs when logs is not nil.
//
// A Harness runs one process in its life: when the process exits, Invoke fails with ErrClosed. Call Invoke
// right after Start to measure a cold start.
func (h *Harness) Start(ctx context.Context, binary string, env []string) (*Process, error) {
	return h.StartWithLogs(ctx, binary, env, nil)
}

// StartWithLogs is Start with the process's stdout and stderr also copied to logs.
func (h *Harness) StartWithLogs(ctx context.Context, binary string, env []string, logs io.Writer) (*Process, error) {
	abs, err := filepath.Abs(binary)
	if err != nil {
		return nil, fmt.Errorf("lambdaharness: %w", err)
	}
	h.mu.Lock()
	if h.proc != nil {
		h.mu.Unlock()
		return nil, errors.New("lambdaharness: a process was already started on this harness")
	}
	name := lookupEnv(env, "AWS_LAMBDA_FUNCTION_NAME", h.opts.FunctionName)
	region := lookupEnv(env, "AWS_REGION", h.opts.Region)
	h.arn = functionARN(region, name)
	p := &Process{h: h, done: make(chan struct{})}
	h.proc = p
	h.mu.Unlock()

	full := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(abs),
		"_HANDLER=bootstrap",
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + time.Now().UTC().Format("2006/01/02") + "/[$LATEST]local",
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
		// No instance metadata service here: fail fast instead of waiting for it when credentials are missing.
		"AWS_EC2_METADATA_DISABLED=true",
	}
	full = append(full, env...)
	full = append(full, "AWS_LAMBDA_RUNTIME_API="+h.URL())

	cmd := exec.CommandContext(ctx, abs)
	cmd.Dir = filepath.Dir(abs)
	cmd.Env = full
	var w io.Writer = &p.out
	if logs != nil {
		w = io.MultiWriter(&p.out, logs)
	}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.WaitDelay = 2 * time.Second
	p.cmd = cmd

	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		h.mu.Lock()
		h.proc = nil
		h.mu.Unlock()
		return nil, fmt.Errorf("lambdaharness: start %s: %w", binary, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
		h.stop()
	}()
	return p, nil
}

func lookupEnv(env []string, key, def string) string {
	v := def
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key && val != "" {
			v = val
		}
	}
	return v
}

// Pid is the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// StartedAt is when the process was started.
func (p *Process) StartedAt() time.Time { return p.started }

// ColdStart is from the process start to its first answer (a response or error post, or an init error), the
// figure the budget is about. ok is false while there has been no answer.
func (p *Process) ColdStart() (d time.Duration, ok bool) {
	at := p.h.FirstAnswerAt()
	if at.IsZero() {
		return 0, false
	}
	return at.Sub(p.started), true
}

// Init is from the process start to its first request for work on /next: what Lambda reports as Init
// Duration. ok is false while the process has not asked yet.
func (p *Process) Init() (d time.Duration, ok bool) {
	at := p.h.FirstNextAt()
	if at.IsZero() {
		return 0, false
	}
	return at.Sub(p.started), true
}

// Output is everything the process wrote to stdout and stderr so far.
func (p *Process) Output() string { return p.out.String() }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is how the process exited; nil while it runs.
func (p *Process) Err() error {
	select {
	case <-p.done:
		return p.err
	default:
		return nil
	}
}

// Stop ends the process the way Lambda's shutdown does for a runtime: /next answers 410 Gone and the runtime
// exits. A process that is still running after two seconds is killed, and Stop says so.
func (p *Process) Stop() error {
	p.h.stop()
	select {
	case <-p.done:
		return nil
	case <-time.After(2 * time.Second):
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	return fmt.Errorf("lambdaharness: process %d did not exit on 410 Gone; killed", p.cmd.Process.Pid)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of stdout and stderr and reads by tests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
