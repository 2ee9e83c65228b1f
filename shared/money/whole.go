package money

import (
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// FormatWhole prints an amount rounded to whole units (half away from zero), as Format does but without the
// fraction: "15 000 ₽", "$1,200". Reports use it, where kopecks would only be noise.
func FormatWhole(m glassbox.Minor, currency, locale string) string {
	r := m / 100 * 100
	if rem := m % 100; rem >= 50 {
		r += 100
	} else if rem <= -50 {
		r -= 100
	}
	s := Format(r, currency, locale)
	if isRussian(locale) {
		return strings.Replace(s, ",00", "", 1)
	}
	return strings.Replace(s, ".00", "", 1)
}
