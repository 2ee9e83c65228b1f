package money

import (
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

func TestFormatWhole(t *testing.T) {
	for _, tt := range []struct {
		m             int64
		currency, loc string
		want          string
	}{
		{1500000, "RUB", "ru", "15\u00a0000\u00a0₽"},
		{35714, "RUB", "ru", "357\u00a0₽"},
		{35750, "RUB", "ru", "358\u00a0₽"},
		{-35750, "RUB", "ru", "-358\u00a0₽"},
		{120049, "USD", "en", "$1,200"},
		{99, "EUR", "en", "€1"},
	} {
		if got := FormatWhole(glassbox.Minor(tt.m), tt.currency, tt.loc); got != tt.want {
			t.Errorf("FormatWhole(%d, %s, %s) = %q, want %q", tt.m, tt.currency, tt.loc, got, tt.want)
		}
	}
}
