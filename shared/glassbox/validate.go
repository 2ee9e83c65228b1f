package glassbox

import (
	"fmt"
	"net/mail"
	"regexp"
	"time"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// Validate checks the configuration as a whole: required fields, formats, and that every reference points at
// something that exists. Paths in the errors follow the agency file ("projects[0].manager.email").
func (c Config) Validate() ValidationErrors {
	var errs ValidationErrors
	add := func(path, format string, args ...any) {
		errs = append(errs, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	required := func(path, v string) bool {
		if v == "" {
			add(path, "is required")
			return false
		}
		return true
	}
	email := func(path, v string) {
		if required(path, v) {
			if _, err := mail.ParseAddress(v); err != nil {
				add(path, "%q is not an email address", v)
			}
		}
	}
	locale := func(path, v string, mustHave bool) {
		if v == "" && !mustHave {
			return
		}
		if v != LocaleRU && v != LocaleEN {
			add(path, "must be %q or %q, not %q", LocaleRU, LocaleEN, v)
		}
	}
	zone := func(path, v string, mustHave bool) {
		if v == "" && !mustHave {
			return
		}
		if _, err := time.LoadLocation(v); err != nil || v == "" {
			add(path, "%q is not an IANA time zone (like Europe/Moscow)", v)
		}
	}
	id := func(path, v string, seen map[string]bool) {
		if !required(path, v) {
			return
		}
		if !idPattern.MatchString(v) {
			add(path, "%q must be letters, digits, '.', '_' or '-' (at most 64)", v)
		}
		if seen[v] {
			add(path, "%q is used twice", v)
		}
		seen[v] = true
	}

	required("agency.name", c.Agency.Name)
	email("agency.sender", c.Agency.Sender)
	locale("agency.locale", c.Agency.Locale, true)
	zone("agency.time_zone", c.Agency.TimeZone, true)

	clients := map[string]bool{}
	for i, cl := range c.Clients {
		p := fmt.Sprintf("clients[%d]", i)
		id(p+".id", cl.ID, clients)
		required(p+".name", cl.Name)
		if len(cl.Contacts) == 0 {
			add(p+".contacts", "needs at least one contact")
		}
		for j, ct := range cl.Contacts {
			cp := fmt.Sprintf("%s.contacts[%d]", p, j)
			required(cp+".name", ct.Name)
			email(cp+".email", ct.Email)
		}
	}

	projects := map[string]bool{}
	for i, pr := range c.Projects {
		p := fmt.Sprintf("projects[%d]", i)
		id(p+".id", pr.ID, projects)
		required(p+".name", pr.Name)
		if required(p+".client", pr.ClientID) && !clients[pr.ClientID] {
			add(p+".client", "no client has id %q", pr.ClientID)
		}
		required(p+".manager.name", pr.Manager.Name)
		email(p+".manager.email", pr.Manager.Email)
		locale(p+".locale", pr.Locale, false)
		zone(p+".time_zone", pr.TimeZone, false)
	}

	bindings := map[string]bool{}
	for i, b := range c.Bindings {
		p := fmt.Sprintf("bindings[%d]", i)
		if required(p+".id", b.ID) && !idPattern.MatchString(b.ID) {
			add(p+".id", "%q must be letters, digits, '.', '_' or '-' (at most 64)", b.ID)
		}
		if required(p+".provider", b.Provider) {
			key := b.Provider + "/" + b.ID
			if bindings[key] {
				add(p+".id", "%q is used twice for provider %q", b.ID, b.Provider)
			}
			bindings[key] = true
		}
		if required(p+".project", b.ProjectID) && !projects[b.ProjectID] {
			add(p+".project", "no project has id %q", b.ProjectID)
		}
		required(p+".external_id", b.ExternalID)
		required(p+".secret_param", b.SecretParam)
		if len(b.StatusMap) == 0 {
			add(p+".status_map", "is required: say which lists mean done at least")
		}
		for s := range b.StatusMap {
			if !knownStatus(s) {
				add(fmt.Sprintf("%s.status_map.%s", p, s), "unknown status; use todo, in_progress, review, done or blocked")
			}
		}
	}
	return errs
}

func knownStatus(s TaskStatus) bool {
	for _, k := range Statuses {
		if k == s {
			return true
		}
	}
	return false
}
