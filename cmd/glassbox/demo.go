package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/generichook"
	"github.com/glassbox-oss/glassbox/shared/hubspot"
	"github.com/glassbox-oss/glassbox/shared/linear"
)

// demoReminderTime is ten days after now, moved to the next weekday, at 11:00 in Moscow: past the due date of
// every demo invoice and within working hours.
func demoReminderTime(now time.Time) time.Time {
	msk := time.FixedZone("MSK", 3*60*60)
	d := now.In(msk).AddDate(0, 0, 10)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 11, 0, 0, 0, msk)
}

// demoOrder is the story make demo tells: a card is created, a mockup link attached, the card is done (the
// client is told), the delivery is repeated (nothing more is sent), another card is blocked (the manager is
// told), and a forged delivery is refused. Then each CRM closes a stage: the client gets the act and the
// invoice, the accountant the invoice and its "payment received" link; amoCRM delivers twice and still one
// invoice goes out; HubSpot and Pipedrive then say their deals are paid. Refused deliveries change nothing.
// Then the other trackers, each told to the same client once: Kaiten's card is done (the stand-in Kaiten API
// confirms it; Kaiten delivers twice; the card's creation arrives late and tells nobody anything; a comment is
// ignored; a wrong token is refused); a Jira issue and a ClickUp task are created and done (each done delivered
// twice), a comment is ignored and a forged delivery refused.
// GitHub then answers its ping, opens and closes an issue (the client is told once, though the close is
// delivered twice and the board's workflow moves the issue to Done as well), ignores a comment and refuses a
// forged delivery. Linear creates an issue and completes it (the client is told once, though it is delivered
// twice), ignores a comment and refuses a forged delivery. The generic hook reports a task new, then done (sent
// twice: told once), ignores a report of another project and refuses a forged one.
var demoOrder = []string{
	"ingest-trello-head-check.json",
	"ingest-trello-created.json",
	"ingest-trello-attachment.json",
	"ingest-trello-done.json",
	"ingest-trello-done.json",
	"ingest-trello-blocked.json",
	"ingest-trello-comment-ignored.json",
	"ingest-trello-forged.json",
	"ingest-amocrm-stage-closed.json",
	"ingest-amocrm-stage-closed.json",
	"ingest-amocrm-bad-token.json",
	"ingest-bitrix24-deal-updated.json",
	"ingest-bitrix24-bad-token.json",
	"ingest-hubspot-stage-closed.json",
	"ingest-hubspot-forged.json",
	"ingest-pipedrive-stage-closed.json",
	"ingest-pipedrive-bad-auth.json",
	"ingest-hubspot-paid.json",
	"ingest-pipedrive-won.json",
	"ingest-kaiten-done.json",
	"ingest-kaiten-done.json",
	"ingest-kaiten-created.json",
	"ingest-kaiten-comment-ignored.json",
	"ingest-kaiten-bad-token.json",
	"ingest-jira-created.json",
	"ingest-jira-done.json",
	"ingest-jira-done.json",
	"ingest-jira-comment-ignored.json",
	"ingest-jira-forged.json",
	"ingest-clickup-created.json",
	"ingest-clickup-done.json",
	"ingest-clickup-done.json",
	"ingest-clickup-comment-ignored.json",
	"ingest-clickup-forged.json",
	// Asana: the handshake hands over the secret the other samples are signed with (glassbox dev keeps it; a
	// second make demo repeats the same secret, which is accepted). A task is created, another moved to the
	// done section (the client is told, once), then ticked complete (nothing new); a comment and a heartbeat are
	// ignored, a forged delivery refused.
	"ingest-asana-handshake.json",
	"ingest-asana-created.json",
	"ingest-asana-done.json",
	"ingest-asana-done.json",
	"ingest-asana-completed.json",
	"ingest-asana-comment-ignored.json",
	"ingest-asana-heartbeat.json",
	"ingest-asana-forged.json",
	"ingest-github-ping.json",
	"ingest-github-created.json",
	"ingest-github-done.json",
	"ingest-github-done.json",
	"ingest-github-board-done.json",
	"ingest-github-comment-ignored.json",
	"ingest-github-forged.json",
	"ingest-linear-created.json",
	"ingest-linear-done.json",
	"ingest-linear-done.json",
	"ingest-linear-comment-ignored.json",
	"ingest-linear-forged.json",
	"ingest-hook-created.json",
	"ingest-hook-done.json",
	"ingest-hook-done.json",
	"ingest-hook-other-project-ignored.json",
	"ingest-hook-forged.json",
	"ingest-metrics-week.json",
}

// resign refreshes the timestamp and signature of a sample whose provider signs the time it sends (HubSpot,
// Linear, the generic hook): those signatures hold for minutes only, so the demo signs the samples again at the
// time it sends them. A sample not signed with the demo binding's secret (a forged one) is sent as it is.
func resign(req *events.APIGatewayV2HTTPRequest, now time.Time) {
	switch req.PathParameters["provider"] {
	case "hubspot":
		resignHubSpot(req, now)
	case "linear":
		resignLinear(req, now)
	case "hook":
		resignHook(req, now, "/glassbox/hook/demo-hook")
	case "metrics":
		resignHook(req, now, "/glassbox/metrics/demo-metrics")
	}
}

// resignHook signs a sample of one of Glassbox's own signed hooks (generic or metrics) again, with the secret
// of the demo binding's parameter.
func resignHook(req *events.APIGatewayV2HTTPRequest, now time.Time, param string) {
	secret := demoSecrets[param]
	ts, err := strconv.ParseInt(req.Headers["x-glassbox-timestamp"], 10, 64)
	if err != nil || generichook.Sign(secret, ts, []byte(req.Body)) != req.Headers["x-glassbox-signature"] {
		return
	}
	req.Headers["x-glassbox-timestamp"] = strconv.FormatInt(now.Unix(), 10)
	req.Headers["x-glassbox-signature"] = generichook.Sign(secret, now.Unix(), []byte(req.Body))
}

// linearTimestamp is the signed time in a Linear body.
var linearTimestamp = regexp.MustCompile(`"webhookTimestamp":\d+`)

func resignLinear(req *events.APIGatewayV2HTTPRequest, now time.Time) {
	secret := demoSecrets["/glassbox/linear/demo-linear"]
	if linear.Sign(secret, []byte(req.Body)) != req.Headers["linear-signature"] {
		return
	}
	req.Body = linearTimestamp.ReplaceAllString(req.Body, `"webhookTimestamp":`+strconv.FormatInt(now.UnixMilli(), 10))
	req.Headers["linear-signature"] = linear.Sign(secret, []byte(req.Body))
}

func resignHubSpot(req *events.APIGatewayV2HTTPRequest, now time.Time) {
	secret := demoSecrets["/glassbox/hubspot/demo-hubspot"]
	ts, err := strconv.ParseInt(req.Headers["x-hubspot-request-timestamp"], 10, 64)
	uri := "https://demo.glassbox.example" + req.RawPath
	if err != nil || hubspot.Sign(secret, req.RequestContext.HTTP.Method, uri, []byte(req.Body), ts) != req.Headers["x-hubspot-signature-v3"] {
		return
	}
	ts = now.UnixMilli()
	req.Headers["x-hubspot-request-timestamp"] = strconv.FormatInt(ts, 10)
	req.Headers["x-hubspot-signature-v3"] = hubspot.Sign(secret, req.RequestContext.HTTP.Method, uri, []byte(req.Body), ts)
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo [--url http://127.0.0.1:8080] [--events events]",
		"Posts the signed samples from events/ to a running glassbox dev (make dev), gives the demo project a week of\n"+
			"task history and eight weeks of ad figures (for its weekly digest), then runs a reminder pass as if ten days\n"+
			"had passed. Give --url when glassbox dev listens elsewhere (glassbox dev --addr).")
	base := fs.String("url", "http://127.0.0.1:8080", "the glassbox dev server")
	dir := fs.String("events", "events", "the folder of sample events")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	for _, name := range demoOrder {
		req, err := loadRequest(filepath.Join(*dir, name))
		if err != nil {
			return err
		}
		resign(&req, time.Now())
		status, body, err := post(ctx, http.DefaultClient, *base, req)
		if err != nil {
			return fmt.Errorf("demo: is glassbox dev running at %s? (another address: --url, or make demo URL=...) %w", *base, err)
		}
		fmt.Fprintf(stdout, "%-38s → %d %s\n", name, status, strings.TrimSpace(body))
	}
	// The demo project's week so far and eight weeks of ad figures, which a tracker and ad cabinets would have
	// sent before: the coming weekly digest has something to tell.
	status, body, err := post(ctx, http.DefaultClient, *base, events.APIGatewayV2HTTPRequest{
		RawPath:        "/dev/history",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost}},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-38s → %d %s\n", "a week of history, 8 weeks of figures", status, strings.TrimSpace(body))
	// Ten days on, at 11:00 in Moscow on a weekday, the unpaid invoices are past due: run a reminder pass then.
	at := demoReminderTime(time.Now())
	status, body, err = post(ctx, http.DefaultClient, *base, events.APIGatewayV2HTTPRequest{
		RawPath: "/admin/remind", RawQueryString: "at=" + url.QueryEscape(at.Format(time.RFC3339)),
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost}},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-38s → %d %s\n", "reminder pass at "+at.Format("2006-01-02 15:04 MST"), status, strings.TrimSpace(body))
	fmt.Fprintf(stdout, "\nOpen %s/outbox to read the notices, acts, invoices and reminders.\n", strings.TrimRight(*base, "/"))
	fmt.Fprintf(stdout, "Press \"Send the coming digest now\" at %s/ to read this week's digest as the client gets it on Friday.\n", strings.TrimRight(*base, "/"))
	// The demo project's dashboard link, as glassbox links create would print it (dev_dashboard.go).
	status, body, err = post(ctx, http.DefaultClient, *base, events.APIGatewayV2HTTPRequest{
		RawPath:        "/dev/dashboard-link",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodGet}},
	})
	if err == nil && status == http.StatusOK {
		fmt.Fprintf(stdout, "The client's dashboard of %s: %s\n", demoDashboardProject, strings.TrimSpace(body))
	}
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
