package timeline_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// standalone runs scripts/timeline-verify.py, the check that needs no Glassbox, on an export.
func standalone(t *testing.T, x timeline.Export, args ...string) (string, bool) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is needed to run the standalone timeline check: install it")
	}
	f := filepath.Join(t.TempDir(), "export.json")
	raw, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), py, append([]string{"../../scripts/timeline-verify.py", f}, args...)...).CombinedOutput()
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		t.Fatal(err)
	}
	return string(out), err == nil
}

// TestStandaloneCheck: the export of three seals verifies whole, one event's inclusion under the last
// checkpoint, and consistency from the first checkpoint to the last; a changed entry, a false proof and a
// checkpoint pair in the wrong order fail.
func TestStandaloneCheck(t *testing.T) {
	s := openStore(t, path(t))
	c := newClock(t0.Add(time.Hour))
	sealer := timeline.Sealer{Store: s, Clock: c}
	var heads []string
	for i, ids := range [][]string{{"a", "b", "c"}, {"d"}, {"e", "f", "g", "h", "i"}} {
		for j, id := range ids {
			appendEvents(t, s, event("p", id, t0.Add(time.Duration(i)*time.Hour+time.Duration(j)*time.Minute)))
		}
		sendMessage(t, s, "p", "m"+ids[0], t0.Add(time.Duration(i)*time.Hour+30*time.Minute))
		c.Set(t0.Add(time.Duration(i+1) * time.Hour))
		made, err := sealer.Seal(t.Context(), "p")
		if err != nil || len(made) != 1 {
			t.Fatal(made, err)
		}
		heads = append(heads, made[0].Hash)
	}
	appendEvents(t, s, event("p", "unsealed", c.Now()))
	x, err := timeline.MakeExport(t.Context(), s, "p")
	if err != nil {
		t.Fatal(err)
	}
	if x.Head != heads[2] || len(x.Seals) != 3 || len(x.Entries) != 12 || len(x.Unsealed) != 1 {
		t.Fatalf("export: head %s, %d seals, %d entries, %d unsealed", x.Head, len(x.Seals), len(x.Entries), len(x.Unsealed))
	}
	for _, tt := range []struct {
		name   string
		args   []string
		ok     bool
		output string
	}{
		{"whole", []string{"--checkpoint", heads[1]}, true, "OK: 3 seals, 12 sealed entries, head " + heads[2]},
		{"checkpoint in capitals", []string{"--checkpoint", " " + strings.ToUpper(heads[1])}, true, "OK: 3 seals"},
		{"inclusion", []string{"--entry", "event:trello:g", "--checkpoint", heads[2]}, true, "is leaf 2 of seal 3"},
		{"inclusion under an earlier checkpoint", []string{"--entry", "event:trello:b", "--checkpoint", heads[2]}, true, "seal 1"},
		{"not included before it was sealed", []string{"--entry", "event:trello:g", "--checkpoint", heads[0]}, false, "does not lead to"},
		{"consistency", []string{"--from", heads[0], "--to", heads[2]}, true, "extends"},
		{"consistency backwards", []string{"--from", heads[2], "--to", heads[0]}, false, "does not follow"},
		{"unknown checkpoint", []string{"--checkpoint", strings.Repeat("0", 64)}, false, "not one of the chain's"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, ok := standalone(t, x, tt.args...)
			if ok != tt.ok || !strings.Contains(out, tt.output) {
				t.Errorf("ok %v (want %v), output %q (want %q)", ok, tt.ok, out, tt.output)
			}
		})
	}

	changed := x
	changed.Entries = append([]timeline.ExportEntry(nil), x.Entries...)
	data := strings.Replace(*changed.Entries[4].Data, `"title":"`, `"title":"X`, 1)
	changed.Entries[4].Data = &data
	out, ok := standalone(t, changed)
	if ok || !strings.Contains(out, "seal 2: event:trello:d: changed since it was sealed") {
		t.Errorf("a changed entry: ok %v, %q", ok, out)
	}
	if out, ok := standalone(t, changed, "--entry", "event:trello:d", "--checkpoint", heads[2]); ok || !strings.Contains(out, "does not hash") {
		t.Errorf("inclusion of a changed entry: ok %v, %q", ok, out)
	}
	// An export is not trusted: another entry's data, leaf and proof under the asked id must not prove the id.
	relabelled := x
	relabelled.Entries = append([]timeline.ExportEntry(nil), x.Entries...)
	relabelled.Entries[1].ID = "event:trello:never-happened"
	if out, ok := standalone(t, relabelled, "--entry", "event:trello:never-happened", "--checkpoint", heads[2]); ok || !strings.Contains(out, "is not the data of") {
		t.Errorf("another entry's data under the asked id: ok %v, %q", ok, out)
	}
	// A seal whose window does not start where the one before ends, its hashes recomputed: Verify names it, and
	// so must the standalone check.
	window := x
	window.Seals = append([]timeline.ExportSeal(nil), x.Seals...)
	window.Seals[1].From = window.Seals[0].From
	rehash(t, window.Seals)
	if out, ok := standalone(t, window); ok || !strings.Contains(out, "seal 2: its window does not start where the seal before ends") {
		t.Errorf("a window that does not follow: ok %v, %q", ok, out)
	}
	// An unsealed entry with a time deep inside the sealed history (added after sealing): named, as Verify does.
	backdated := x
	backdated.Unsealed = append(append([]timeline.ExportEntry(nil), x.Unsealed...), timeline.ExportEntry{ID: "event:trello:forged",
		At: t0.AddDate(0, 0, -8).Format(timeline.TimeFormat), Data: x.Unsealed[0].Data, Leaf: x.Unsealed[0].Leaf})
	if out, ok := standalone(t, backdated); ok || !strings.Contains(out, "seal 1: event:trello:forged: arrived inside the sealed history") {
		t.Errorf("a backdated unsealed entry: ok %v, %q", ok, out)
	}
	proof := x
	proof.Entries = append([]timeline.ExportEntry(nil), x.Entries...)
	proof.Entries[8].Proof = proof.Entries[9].Proof
	if out, ok := standalone(t, proof, "--entry", proof.Entries[8].ID, "--checkpoint", heads[2]); ok || !strings.Contains(out, "inclusion proof") {
		t.Errorf("a false proof: ok %v, %q", ok, out)
	}
}

// rehash recomputes each seal's prev and hash from its header, as someone rewriting the chain would.
func rehash(t *testing.T, seals []timeline.ExportSeal) {
	t.Helper()
	var prev timeline.Hash
	for i := range seals {
		var root timeline.Hash
		if _, err := hex.Decode(root[:], []byte(seals[i].Root)); err != nil {
			t.Fatal(err)
		}
		from, err1 := time.Parse(timeline.TimeFormat, seals[i].From)
		to, err2 := time.Parse(timeline.TimeFormat, seals[i].To)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		seals[i].Prev = hex.EncodeToString(prev[:])
		prev = timeline.SealHash(prev, root, seals[i].Count, from, to)
		seals[i].Hash = hex.EncodeToString(prev[:])
	}
}
