package glassbox_test

import (
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

func TestValidatePassport(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(c *glassbox.Config)
		wants []string
	}{
		{"none", func(*glassbox.Config) {}, nil},
		{"all set", func(c *glassbox.Config) {
			c.Projects[0].Passport = &glassbox.Passport{Goals: []string{"120 leads a month"},
				KPIs:     []glassbox.KPI{{Name: "Cost per lead", Target: "≤ 1 500 ₽"}},
				Contacts: []glassbox.Contact{{Name: "Anna", Role: "marketing", Email: "anna@client.example", Phone: "+7 900 000-00-00"}}}
		}, nil},
		{"empty and bad fields", func(c *glassbox.Config) {
			c.Projects[0].Passport = &glassbox.Passport{Goals: []string{" "},
				KPIs:     []glassbox.KPI{{Target: "10"}},
				Contacts: []glassbox.Contact{{Role: strings.Repeat("x", 301), Email: "anna at client"}}}
		}, []string{
			"projects[0].passport.goals[0]: is required",
			"projects[0].passport.kpis[0].name: is required",
			"projects[0].passport.contacts[0].name: is required",
			"projects[0].passport.contacts[0].role: is longer than 300 characters",
			`projects[0].passport.contacts[0].email: "anna at client" is not an email address`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.edit(&c)
			errs := c.Validate(providers.Catalog())
			if len(errs) != len(tt.wants) {
				t.Fatalf("errors = %v, want %d: %v", errs, len(tt.wants), tt.wants)
			}
			for i, want := range tt.wants {
				if !strings.Contains(errs[i].Error(), want) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i].Error(), want)
				}
			}
		})
	}
}
