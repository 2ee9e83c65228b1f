package functions_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/dashboard"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/lambdaharness"
)

// linkShowsDashboard: the built LinkFunction answers GET /p/{token} (template.yaml's Dashboard route) with the
// project's page, listing the issued invoice with a download link that LinkFunction itself serves; a revoked
// link answers 404.
func linkShowsDashboard(t *testing.T, store *dynamo.Store, link *lambdaharness.Harness, inv glassbox.Document) {
	ctx := context.Background()
	token, l, err := dashboard.NewLink(time.Now(), inv.ProjectID, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateDashboardLink(ctx, l); err != nil {
		t.Fatal(err)
	}
	get := func(u string) (int, map[string]string, string) {
		req := apiRequest(t, http.MethodGet, u)
		if strings.Contains(u, "/p/") {
			// The Dashboard route's key and path parameter, as API Gateway sends them.
			var r map[string]any
			_ = json.Unmarshal(req, &r)
			r["routeKey"], r["pathParameters"] = "GET /p/{token}", map[string]string{"token": u[strings.LastIndex(u, "/")+1:]}
			req, _ = json.Marshal(r)
		}
		resp := apiResponse(t, invoke(t, link, req))
		return resp.StatusCode, resp.Headers, resp.Body
	}
	status, headers, page := get(publicBaseURL + "/p/" + token)
	if status != http.StatusOK || !strings.Contains(page, inv.Number) || !strings.Contains(headers["Content-Security-Policy"], "default-src 'none'") {
		t.Fatalf("dashboard: %d %v\n%s", status, headers, page)
	}
	pdf := regexp.MustCompile(`href="([^"]*/documents/` + regexp.QuoteMeta(inv.ID) + `[^"]*)"`).FindStringSubmatch(page)
	if pdf == nil {
		t.Fatalf("no download link of %s on the dashboard:\n%s", inv.ID, page)
	}
	u := strings.ReplaceAll(pdf[1], "&amp;", "&")
	if strings.HasPrefix(u, "/") {
		u = publicBaseURL + u
	}
	if status, headers, _ := get(u); status != http.StatusOK || headers["Content-Type"] != "application/pdf" {
		t.Errorf("the dashboard's PDF link %s: %d %q", u, status, headers["Content-Type"])
	}
	if err := store.RevokeDashboardLink(ctx, l.Hash, time.Now()); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := get(publicBaseURL + "/p/" + token); status != http.StatusNotFound {
		t.Errorf("a revoked link: %d, want 404", status)
	}
}
