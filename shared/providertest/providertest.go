// Package providertest helps provider packages test what their deliveries become.
package providertest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Parser is a provider's Parse.
type Parser interface {
	Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error)
}

// Accepted is what ingest stores of a delivery (ingest.Parse): the provider's events as the binding accepts
// them (glassbox.Binding.Accept decides their project and times, and leaves out deals it does not route).
func Accepted(p Parser, d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	evs, err := p.Parse(d, b)
	if err != nil {
		return evs, err
	}
	return b.Accept(evs, d.ReceivedAt), nil
}

// Testdata reads a fixture from the calling package's testdata folder, failing the test when it cannot.
func Testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
