package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/glassbox-oss/glassbox/shared/dashboard"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/httpapi"
	"github.com/glassbox-oss/glassbox/shared/links"
)

// demoDashboardProject is the project whose dashboard link the index page and make demo show.
const demoDashboardProject = "romashka-site"

// serveDashboards adds the dashboard (GET /p/{token}, as LinkFunction serves it) and GET /dev/dashboard-link,
// which make demo reads the demo project's link from.
func (d *devServer) serveDashboards(dash *dashboard.Handler) {
	d.mux.Handle("GET /p/{token}", httpapi.Handler(dash.Handle, []string{"token"}, links.MaxBodyBytes))
	d.mux.HandleFunc("GET /dev/dashboard-link", func(w http.ResponseWriter, r *http.Request) {
		project := r.URL.Query().Get("project")
		if project == "" {
			project = demoDashboardProject
		}
		u, err := d.dashboardURL(r.Context(), project)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, u)
	})
}

// dashboardURL is a project's dashboard link in glassbox dev, made on first use. A real link's token is random
// and shown once; here it is derived from the dev server's link key and the project, so the same link works
// after a restart and the index page can show it. Deployments never make links this way (glassbox links create).
func (d *devServer) dashboardURL(ctx context.Context, projectID string) (string, error) {
	cfg, err := d.store.Config(ctx)
	if err != nil {
		return "", err
	}
	if _, ok := cfg.Project(projectID); !ok {
		return "", fmt.Errorf("no project %q", projectID)
	}
	key, err := d.store.Secret(ctx, demoLinkKeyParam)
	if err != nil {
		return "", fmt.Errorf("link key: %w", err)
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte("glassbox dev dashboard\x00" + projectID))
	token := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	l := glassbox.DashboardLink{Hash: dashboard.Hash(token), ProjectID: projectID, CreatedAt: glassbox.SystemClock{}.Now()}
	if err := d.store.CreateDashboardLink(ctx, l); err != nil && !errors.Is(err, glassbox.ErrDuplicate) {
		return "", err
	}
	return dashboard.URL(d.links.PublicBaseURL, token), nil
}
