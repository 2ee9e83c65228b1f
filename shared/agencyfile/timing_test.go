package agencyfile_test

import (
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// Quiet hours and the coalescing window are read from the agency and a project, and their errors name the line.
func TestQuietHoursInTheAgencyFile(t *testing.T) {
	file := `agency:
  name: Studio
  sender: notify@studio.example
  locale: ru
  time_zone: Europe/Moscow
  quiet_hours:
    from: "22:00"
    to: "8:30"
    weekends: false
  coalesce: 5m
clients:
  - id: acme
    name: Acme
    contacts: [{name: Anna, email: anna@acme.example}]
projects:
  - id: site
    client: acme
    name: Site
    manager: {name: Maria, email: maria@studio.example}
    time_zone: America/New_York
    quiet_hours: {off: true}
    coalesce: "off"
`
	cfg, err := agencyfile.Parse([]byte(file), providers.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	agency := cfg.ProjectTiming(cfg.Projects[0])
	if agency.Quiet || agency.Coalesce != 0 {
		t.Errorf("project timing = %+v, want quiet hours and coalescing off", agency)
	}
	cfg.Projects[0].QuietHours, cfg.Projects[0].Coalesce = nil, ""
	if got := cfg.ProjectTiming(cfg.Projects[0]); !got.Quiet || got.From != 22*60 || got.To != 8*60+30 || got.Weekends || got.Coalesce.Minutes() != 5 {
		t.Errorf("agency timing = %+v, want 22:00-08:30 without weekends, 5m", got)
	}

	bad := strings.Replace(strings.Replace(file, `from: "22:00"`, `from: "22h"`, 1), `coalesce: "off"`, `coalesce: "soon"`, 1)
	_, err = agencyfile.Parse([]byte(bad), providers.Catalog())
	for _, want := range []string{`line 7: agency.quiet_hours.from: "22h" is not a clock time like 21:00`,
		`line 22: projects[0].coalesce: "soon" is not a window like 10m`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v, want it to contain %q", err, want)
		}
	}
}
