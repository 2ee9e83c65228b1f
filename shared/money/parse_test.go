package money_test

import (
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// Amounts in major units become minor units exactly, by the currency's own minor digits.
func TestParseAmount(t *testing.T) {
	tests := []struct {
		name, in, currency string
		want               glassbox.Minor
		wantErr            string // a word the error names
	}{
		{"OK", "15000.50", "RUB", 1500050, ""},
		{"OneDecimal", "15000.5", "RUB", 1500050, ""},
		{"Whole", "15000", "EUR", 1500000, ""},
		{"Zero", "0", "RUB", 0, ""},
		{"DecimalComma", "15000,50", "RUB", 1500050, ""},
		{"GroupedSpaces", "15 000,50", "RUB", 1500050, ""},
		{"GroupedNoBreak", "15\u00a0000.50", "RUB", 1500050, ""},
		{"Yen", "1500", "JPY", 1500, ""},
		{"Dinar", "1.234", "KWD", 1234, ""},
		{"Negative", "-5.00", "USD", -500, ""},
		{"Largest", "999999999999999.99", "RUB", 99999999999999999, ""},
		{"ErrTooManyDecimals", "15000.505", "RUB", 0, "decimals"},
		{"ErrYenDecimals", "1500.5", "JPY", 0, "decimals"},
		{"ErrTwoSeparators", "15,000.50", "USD", 0, "separator"},
		{"ErrExponent", "1e3", "USD", 0, "amount"},
		{"ErrEmpty", "", "USD", 0, "amount"},
		{"ErrTrailingPoint", "15.", "USD", 0, "amount"},
		{"ErrLeadingPoint", ".5", "USD", 0, "amount"},
		{"ErrSign", "+5", "USD", 0, "amount"},
		{"ErrSymbol", "$5", "USD", 0, "amount"},
		{"ErrTooLarge", "1000000000000000", "USD", 0, "amount"},
		{"ErrCurrency", "5", "RUR", 0, "ISO 4217"},
		{"ErrLowerCaseCurrency", "5", "rub", 0, "ISO 4217"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := money.ParseAmount(tt.in, tt.currency)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseAmount(%q, %s) = %d, %v; want an error naming %q", tt.in, tt.currency, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseAmount(%q, %s) = %d, %v; want %d", tt.in, tt.currency, got, err, tt.want)
			}
		})
	}
}
