package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// demoOrder is the story make demo tells: a card is created, a mockup link attached, the card is done (the
// client is told), the delivery is repeated (nothing more is sent), another card is blocked (the manager is
// told), and a forged delivery is refused.
var demoOrder = []string{
	"ingest-trello-head-check.json",
	"ingest-trello-created.json",
	"ingest-trello-attachment.json",
	"ingest-trello-done.json",
	"ingest-trello-done.json",
	"ingest-trello-blocked.json",
	"ingest-trello-comment-ignored.json",
	"ingest-trello-forged.json",
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "the glassbox dev server")
	dir := fs.String("events", "events", "the folder of sample events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, name := range demoOrder {
		req, err := loadRequest(filepath.Join(*dir, name))
		if err != nil {
			return err
		}
		status, body, err := post(ctx, http.DefaultClient, *base, req)
		if err != nil {
			return fmt.Errorf("demo: is `make dev` running at %s? %w", *base, err)
		}
		fmt.Fprintf(stdout, "%-38s → %d %s\n", name, status, strings.TrimSpace(body))
	}
	fmt.Fprintf(stdout, "\nOpen %s/outbox to read the notices.\n", strings.TrimRight(*base, "/"))
	return nil
}

// loadRequest reads an API Gateway HTTP API event from events/.
func loadRequest(path string) (events.APIGatewayV2HTTPRequest, error) {
	var req events.APIGatewayV2HTTPRequest
	data, err := os.ReadFile(path)
	if err != nil {
		return req, err
	}
	if err := json.Unmarshal(data, &req); err != nil {
		return req, fmt.Errorf("%s: %w", path, err)
	}
	return req, nil
}

// post sends an API Gateway event to a server as the HTTP request it describes.
func post(ctx context.Context, client *http.Client, base string, req events.APIGatewayV2HTTPRequest) (int, string, error) {
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return 0, "", err
		}
	}
	u := strings.TrimRight(base, "/") + req.RawPath
	if req.RawQueryString != "" {
		u += "?" + req.RawQueryString
	}
	r, err := http.NewRequestWithContext(ctx, req.RequestContext.HTTP.Method, u, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	for k, v := range req.Headers {
		if k == "host" || k == "content-length" {
			continue
		}
		r.Header.Set(k, v)
	}
	resp, err := client.Do(r)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
