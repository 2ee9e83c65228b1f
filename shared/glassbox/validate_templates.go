package glassbox

import (
	"errors"
	"fmt"
	"sort"
)

// templates checks every template override: the agency's per locale, each project's in the project's locale.
// A template that does not parse, or uses a variable its message kind does not have, is an error naming the
// line within the template.
func (v *validator) templates(c Config) {
	locales := make([]string, 0, len(c.Agency.Templates))
	for l := range c.Agency.Templates {
		locales = append(locales, l)
	}
	sort.Strings(locales)
	for _, l := range locales {
		path := "agency.templates." + l
		if l != LocaleRU && l != LocaleEN {
			v.add(path, "templates are per locale: %q or %q", LocaleRU, LocaleEN)
			continue
		}
		v.templateSet(path, c.Agency.Templates[l], l)
	}
	for i, p := range c.Projects {
		v.templateSet(fmt.Sprintf("projects[%d].templates", i), p.Templates, c.ProjectLocale(p))
	}
}

func (v *validator) templateSet(path string, ts MessageTemplates, locale string) {
	kinds := make([]MessageKind, 0, len(ts))
	for k := range ts {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	for _, k := range kinds {
		kp := path + "." + string(k)
		if _, ok := MessageVars[k]; !ok {
			v.add(kp, "no message kind %q (there are %s)", k, kindList())
			continue
		}
		t := ts[k]
		if len(t.Parts()) == 0 {
			v.add(kp, "names no part: subject, body, text, html or telegram")
		}
		for _, part := range t.Parts() {
			if _, err := ParsePart(k, part, t.Part(part), locale); err != nil {
				fe := FieldError{Path: kp + "." + string(part), Msg: err.Error()}
				var te TemplateError
				if errors.As(err, &te) {
					fe.TextLine, fe.Msg = te.Line, te.Msg
				}
				v.errs = append(v.errs, fe)
			}
		}
	}
}

func kindList() string {
	s := ""
	for i, k := range MessageKinds() {
		if i > 0 {
			s += ", "
		}
		s += string(k)
	}
	return s
}
