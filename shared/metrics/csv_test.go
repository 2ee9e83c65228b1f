package metrics_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/metrics"
)

func csvOptions() metrics.CSVOptions {
	return metrics.CSVOptions{ProjectID: "site", Source: "vk_ads", Now: received}
}

// The same figures, however the spreadsheet wrote them: commas or semicolons, a BOM, decimal commas, grouped
// thousands, columns in any order and case, blank trailing rows; the source and currency from the options
// where the file has none.
func TestReadCSV(t *testing.T) {
	t.Parallel()
	want := []glassbox.Metric{
		{ProjectID: "site", Date: "2026-11-26", Source: "vk_ads", Spend: 1500050, Currency: "RUB", Impressions: 48210, Clicks: 912, Leads: 42, Origin: "import", UpdatedAt: received},
		{ProjectID: "site", Date: "2026-11-27", Source: "vk_ads", Spend: 1240000, Currency: "RUB", Impressions: 40115, Clicks: 804, Leads: 35, Origin: "import", UpdatedAt: received},
	}
	tests := []struct {
		name, file, currency string
	}{
		{"Comma", "date,source,spend,currency,impressions,clicks,leads\n2026-11-26,vk_ads,15000.50,RUB,48210,912,42\n2026-11-27,vk_ads,12400,RUB,40115,804,35\n", ""},
		{"SemicolonBOMDecimalComma", "\ufeffdate;source;spend;currency;impressions;clicks;leads\r\n2026-11-26;vk_ads;15 000,50;RUB;48 210;912;42\r\n2026-11-27;vk_ads;12400,00;RUB;40\u00a0115;804;35\r\n;;;;;;\r\n", ""},
		{"QuotedDecimalCommaInCommaFile", "Date,Spend,Impressions,Clicks,Leads\n2026-11-26,\"15000,50\",48210,912,42\n2026-11-27,12400,40115,804,35\n", "RUB"},
		{"OtherOrderDefaults", "leads;Clicks;DATE;spend;impressions;source\n42;912;2026-11-26;15000.5;48210;\n35;804;2026-11-27;12400;40115;VK_Ads\n", "RUB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := csvOptions()
			opts.Currency = tt.currency
			got, err := metrics.ReadCSV(strings.NewReader(tt.file), opts)
			if err != nil || !equal(got, want) {
				t.Fatalf("ReadCSV =\n%+v, %v\nwant\n%+v", got, err, want)
			}
		})
	}
}

// A wrong file is refused as a whole, naming the line, with the hook's rules.
func TestReadCSVRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, word string
		noSource         bool
	}{
		{"ErrEmpty", "", "empty", false},
		{"ErrNoRows", "date,source\n", "no figures", false},
		{"ErrUnknownColumn", "date,cost\n2026-11-26,5\n", `unknown column "cost"`, false},
		{"ErrColumnTwice", "date,Date\n2026-11-26,2026-11-26\n", "twice", false},
		{"ErrNoDate", "source,leads\nvk,1\n", "no date column", false},
		{"ErrNoSource", "date,leads\n2026-11-26,1\n", "no source", true},
		{"ErrDate", "date,leads\n2026-11-26,1\n26.11.2026,1\n", "line 3: date", false},
		{"ErrCount", "date,leads\n2026-11-26,many\n", "line 2: leads", false},
		{"ErrNegative", "date,clicks\n2026-11-26,-3\n", "line 2: clicks -3", false},
		{"ErrFraction", "date,leads\n2026-11-26,2.5\n", "whole number", false},
		{"ErrCurrency", "date,spend,currency\n2026-11-26,5,RUR\n", "ISO 4217", false},
		{"ErrSpendWithoutCurrency", "date,spend\n2026-11-26,5\n", "currency is required", false},
		{"ErrTooManyDecimals", "date,spend,currency\n2026-11-26,5.123,RUB\n", "decimals", false},
		{"ErrSource", "date,source\n2026-11-26,vk ads\n", "line 2: source", false},
		{"ErrSameDayTwice", "date,leads\n2026-11-26,1\n2026-11-26,2\n", "line 3", false},
		{"ErrRagged", "date,leads\n2026-11-26,1,3\n", "fields", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := csvOptions()
			if tt.noSource {
				opts.Source = ""
			}
			got, err := metrics.ReadCSV(strings.NewReader(tt.file), opts)
			if err == nil || !errors.Is(err, glassbox.ErrMalformed) || !strings.Contains(err.Error(), tt.word) {
				t.Fatalf("ReadCSV = %+v, %v; want ErrMalformed naming %q", got, err, tt.word)
			}
		})
	}
}
