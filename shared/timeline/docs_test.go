package timeline_test

import (
	"os"
	"strings"
	"testing"
)

// TestDocsSayWhenSealed: the README and docs/timeline.md say what the code does (issue 10): the timeline is
// sealed hourly and at each digest, and no longer that the digest only reads the newest seal.
func TestDocsSayWhenSealed(t *testing.T) {
	for _, name := range []string{"../../README.md", "../../docs/timeline.md"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ToLower(strings.Join(strings.Fields(string(b)), " "))
		if !strings.Contains(text, "hourly and at each digest") {
			t.Errorf("%s does not say the timeline is sealed hourly and at each digest", name)
		}
		for _, stale := range []string{"digest does not seal", "timeline.checkpoints"} {
			if strings.Contains(text, stale) {
				t.Errorf("%s still says %q", name, stale)
			}
		}
	}
}
