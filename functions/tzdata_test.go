package functions_test

import (
	"bytes"
	"os"
	"testing"
)

// TestZonesEmbedded: provided.al2023 has no time zone database, so a function that works in a project's or a
// seller's zone (quiet hours, coalescing, reminders' working hours) must carry its own, or every zone silently
// becomes UTC there. An obscure zone name, which only the database's index holds, shows it is in the binary.
func TestZonesEmbedded(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"ReactFunction", "SweepFunction", "FlushFunction", "RemindFunction", "PullFunction", "DigestFunction"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(makeBuild(t, id, t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte("America/Argentina/ComodRivadavia")) {
				t.Errorf("%s carries no time zone database (import _ \"time/tzdata\"): its zones would be UTC on Lambda", id)
			}
		})
	}
}
