package pipeline_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// demoStore is a fresh embedded store with glassbox dev's demo agency applied, closed when the test ends.
func demoStore(t *testing.T) (*localstore.Store, glassbox.Config) {
	t.Helper()
	store, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	yaml, err := os.ReadFile("../../cmd/glassbox/demo/agency.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := agencyfile.Parse(yaml, providers.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	return store, cfg
}
