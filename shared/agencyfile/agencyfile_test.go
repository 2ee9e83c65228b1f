package agencyfile_test

import (
	"os"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

func TestDemoAgencyFileIsValid(t *testing.T) {
	cfg, err := agencyfile.Load("../../cmd/glassbox/demo/agency.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, ok := cfg.Binding("trello", "demo-board")
	if !ok {
		t.Fatal("demo binding trello/demo-board missing")
	}
	if got := b.StatusOf("", "Done"); got != glassbox.StatusDone {
		t.Fatalf("Done list maps to %q", got)
	}
}

func TestDocsExampleIsValid(t *testing.T) {
	data, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	// The complete example is the first ```yaml block of the schema document.
	_, rest, ok := strings.Cut(string(data), "```yaml\n")
	if !ok {
		t.Fatal("docs/config.md has no yaml block")
	}
	example, _, _ := strings.Cut(rest, "```")
	if _, err := agencyfile.Parse([]byte(example)); err != nil {
		t.Fatalf("docs/config.md example does not load: %v", err)
	}
}

func TestErrorsNameLineAndField(t *testing.T) {
	const file = `agency:
  name: Studio
  sender: not-an-address
  locale: ru
  time_zone: Europe/Moscow
clients:
  - id: acme
    name: Acme
    contacts:
      - name: Anna
        email: anna@acme.example
projects:
  - id: site
    client: nobody
    name: Site
    manager:
      name: Maria
      email: maria@studio.example
    locale: de
bindings:
  - id: board
    provider: trello
    project: site
    external_id: b1
    secret_param: /glassbox/trello/board
    status_map:
      finished: [Done]
`
	_, err := agencyfile.Parse([]byte(file))
	if !agencyfile.IsValidation(err) {
		t.Fatalf("Parse error = %v, want validation errors", err)
	}
	for _, want := range []string{
		`line 3: agency.sender: "not-an-address" is not an email address`,
		`line 14: projects[0].client: no client has id "nobody"`,
		`line 19: projects[0].locale: must be "ru" or "en", not "de"`,
		`line 27: bindings[0].status_map.finished: unknown status`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}

func TestUnknownFieldIsAnError(t *testing.T) {
	_, err := agencyfile.Parse([]byte("agency:\n  name: Studio\n  sendr: x@y.z\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "sendr") {
		t.Fatalf("Parse error = %v, want unknown field sendr at line 3", err)
	}
}
