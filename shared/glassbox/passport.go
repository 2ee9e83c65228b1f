package glassbox

import (
	"fmt"
	"strings"
)

// Passport is what a project is for, as the client's dashboard shows it beside the roadmap: its goals, the
// figures that say whether they are met, and who to talk to. The project's manager is the single window: every
// question goes to them first.
type Passport struct {
	Goals    []string  `json:"goals,omitempty" yaml:"goals,omitempty" dynamodbav:"goals,omitempty"`
	KPIs     []KPI     `json:"kpis,omitempty" yaml:"kpis,omitempty" dynamodbav:"kpis,omitempty"`
	Contacts []Contact `json:"contacts,omitempty" yaml:"contacts,omitempty" dynamodbav:"contacts,omitempty"`
}

// KPI is one figure the project is judged by: "Leads a month", target "120".
type KPI struct {
	Name   string `json:"name" yaml:"name" dynamodbav:"name"`
	Target string `json:"target,omitempty" yaml:"target,omitempty" dynamodbav:"target,omitempty"`
}

// Contact is someone on the project: a name, what they do on it, and how to reach them.
type Contact struct {
	Name  string `json:"name" yaml:"name" dynamodbav:"name"`
	Role  string `json:"role,omitempty" yaml:"role,omitempty" dynamodbav:"role,omitempty"`
	Email string `json:"email,omitempty" yaml:"email,omitempty" dynamodbav:"email,omitempty"`
	Phone string `json:"phone,omitempty" yaml:"phone,omitempty" dynamodbav:"phone,omitempty"`
}

// passportTextMax bounds each passport text: it is shown on one line of a page.
const passportTextMax = 300

// passport checks a project's passport at path: every goal, KPI name and contact name is given, texts are
// short, and emails are addresses.
func (v *validator) passport(path string, p *Passport) {
	if p == nil {
		return
	}
	path += ".passport"
	text := func(at, s string, required bool) {
		switch {
		case required && strings.TrimSpace(s) == "":
			v.add(at, "is required")
		case len([]rune(s)) > passportTextMax:
			v.add(at, "is longer than %d characters", passportTextMax)
		}
	}
	for i, g := range p.Goals {
		text(fmt.Sprintf("%s.goals[%d]", path, i), g, true)
	}
	for i, k := range p.KPIs {
		at := fmt.Sprintf("%s.kpis[%d]", path, i)
		text(at+".name", k.Name, true)
		text(at+".target", k.Target, false)
	}
	for i, c := range p.Contacts {
		at := fmt.Sprintf("%s.contacts[%d]", path, i)
		text(at+".name", c.Name, true)
		text(at+".role", c.Role, false)
		text(at+".phone", c.Phone, false)
		if c.Email != "" {
			v.email(at+".email", c.Email)
		}
	}
}
