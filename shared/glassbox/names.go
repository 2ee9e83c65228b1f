package glassbox

import (
	"fmt"
	"net/mail"
)

// Names are what a party is called in other locales than its default name's, keyed by locale:
// {en: "Pixel Studio"} for an agency named "Студия «Пиксель»". Emails and documents of a locale use that
// locale's name.
type Names map[string]string

// nameIn is the one choice of a name for a locale: the locale's entry in names, else the default name.
func nameIn(name string, names Names, locale string) string {
	if n := names[locale]; n != "" {
		return n
	}
	return name
}

// NameIn is what the agency is called in emails of a locale.
func (a Agency) NameIn(locale string) string { return nameIn(a.Name, a.Names, locale) }

// SenderIn is who emails of a locale are from: the sender's address, with the agency's name in that locale
// when it has one, else the sender's own display name, else the agency's name.
func (a Agency) SenderIn(locale string) (Person, error) {
	from, err := mail.ParseAddress(a.Sender)
	if err != nil {
		return Person{}, fmt.Errorf("agency sender %q: %w", a.Sender, err)
	}
	name := from.Name
	if _, named := a.Names[locale]; named || name == "" {
		name = a.NameIn(locale)
	}
	return Person{Name: name, Email: from.Address}, nil
}

// In returns the seller as documents of a locale print it: named in that locale.
func (s Seller) In(locale string) Seller {
	s.Name = nameIn(s.Name, s.Names, locale)
	s.Names = nil
	return s
}

// names checks a names map: known locales, no empty name.
func (v *validator) names(path string, names Names) {
	for _, l := range sortedKeys(names) {
		v.locale(path+"."+l, l, true)
		v.required(path+"."+l, names[l])
	}
}
