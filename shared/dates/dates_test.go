package dates_test

import (
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/dates"
)

func TestLong(t *testing.T) {
	tests := []struct {
		date   time.Time
		locale string
		want   string
	}{
		{time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), "ru", "28 ноября 2026"},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "ru", "1 января 2027"},
		{time.Date(2026, 5, 9, 0, 0, 0, 0, time.UTC), "ru", "9 мая 2026"},
		{time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), "en", "28 November 2026"},
		{time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), "de", "3 December 2026"},
	}
	for _, tt := range tests {
		if got := dates.Long(tt.date, tt.locale); got != tt.want {
			t.Errorf("Long(%s, %s) = %q, want %q", tt.date.Format(time.DateOnly), tt.locale, got, tt.want)
		}
	}
}
