// Package dates words calendar dates for people: "28 ноября 2026" in Russian (the month in the genitive, as a
// date is read), "28 November 2026" in English. Documents and emails print dates the same way through it.
package dates

import (
	"fmt"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

var monthsRU = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
	"октября", "ноября", "декабря"}

// Long words the date of t (in t's own zone) for a locale: Russian (glassbox.Locale) gives "28 ноября 2026",
// anything else "28 November 2026".
func Long(t time.Time, locale string) string {
	if glassbox.Locale(locale) == glassbox.LocaleRU {
		return fmt.Sprintf("%d %s %d", t.Day(), monthsRU[t.Month()-1], t.Year())
	}
	return t.Format("2 January 2006")
}
