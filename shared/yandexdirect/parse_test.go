package yandexdirect

import (
	"os"
	"strings"
	"testing"
)

func TestParseReportSamples(t *testing.T) {
	t.Parallel()
	// The two documented forms of one report: the default (title row, column header, summary, money in micros)
	// and the plain one (money as decimals). They must sum to the same figures.
	want := map[string]dayTotals{
		"2025-05-01": {impressions: 10452 + 88210, clicks: 287 + 341, costMicros: 8934560000 + 3120440000, goalConversions: 12},
		"2025-05-02": {impressions: 9876, clicks: 254, costMicros: 7811230000, goalConversions: 9},
	}
	for _, tt := range []struct {
		file   string
		micros bool
	}{
		{"testdata/report-micros.tsv", true},
		{"testdata/report-plain.tsv", false},
	} {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := parseReport(f, nil, tt.micros)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("days = %v, want %v", got, want)
			}
			for d, w := range want {
				if got[d] != w {
					t.Errorf("%s = %+v, want %+v", d, got[d], w)
				}
			}
		})
	}
}

func TestParseReportForms(t *testing.T) {
	t.Parallel()
	cols := []string{"Date", "CampaignId", "Impressions", "Clicks", "Cost", "Conversions"}
	tests := []struct {
		name    string
		tsv     string
		want    dayTotals // of 2026-11-30
		wantErr string
	}{
		{"NullsAreZero", "Date\tCampaignId\tImpressions\tClicks\tCost\tConversions\n2026-11-30\t1\t--\t--\t--\t--\n2026-11-30\t2\t10\t1\t990000\t--\n",
			dayTotals{impressions: 10, clicks: 1, costMicros: 990000}, ""},
		{"NoColumnHeaderUsesFieldNames", "2026-11-30\t1\t5\t2\t20000\t3\n", dayTotals{impressions: 5, clicks: 2, costMicros: 20000, conversions: 3}, ""},
		{"CRLFAndBlankLines", "\"r (2026-11-30 - 2026-11-30)\"\r\nDate\tCampaignId\tImpressions\tClicks\tCost\tConversions\r\n\r\n2026-11-30\t1\t5\t2\t20000\t3\r\nTotal rows: 1\r\n",
			dayTotals{impressions: 5, clicks: 2, costMicros: 20000, conversions: 3}, ""},
		{"ColumnsByName", "Cost\tDate\tClicks\n10000\t2026-11-30\t4\n", dayTotals{clicks: 4, costMicros: 10000}, ""},
		{"SeveralGoalColumnsSum", "Date\tCost\tConversions_1_LSC\tConversions_2_LSC\n2026-11-30\t0\t2\t--\n2026-11-30\t0\t1\t4\n",
			dayTotals{goalConversions: 7}, ""},
		{"Empty", "", dayTotals{}, ""},
		{"HeaderOnly", "Date\tCampaignId\tImpressions\tClicks\tCost\tConversions\n", dayTotals{}, ""},
		{"SummaryMismatch", "Date\tCost\n2026-11-30\t1\nTotal rows: 2\n", dayTotals{}, "cut short"},
		{"RaggedRow", "Date\tCost\n2026-11-30\n", dayTotals{}, "1 cells"},
		{"BadCount", "Date\tCost\tClicks\n2026-11-30\t1\tmany\n", dayTotals{}, "Clicks"},
		{"BadDate", "Date\tCost\n30.11.2026\t1\n", dayTotals{}, "is not one"},
		{"NoCost", "Date\tClicks\n2026-11-30\t1\n", dayTotals{}, "no Date or no Cost"},
		{"Garbage", "<html>oops</html>\tx\n", dayTotals{}, "neither a column header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseReport(strings.NewReader(tt.tsv), cols, true)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got["2026-11-30"] != tt.want {
				t.Errorf("2026-11-30 = %+v, want %+v", got["2026-11-30"], tt.want)
			}
		})
	}
}

func TestMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		micros  bool
		want    int64
		wantErr bool
	}{
		{"8934560000", true, 8934560000, false},
		{"8934.56", false, 8934560000, false},
		{"8934.56", true, 8934560000, false}, // a point is a decimal whatever was asked
		{"8934", false, 8934000000, false},
		{"0.000001", false, 1, false},
		{"-12.5", false, -12500000, false},
		{"--", true, 0, false},
		{"", false, 0, false},
		{"1.2345678", false, 0, true},
		{"1,5", false, 0, true},
		{"1e6", true, 0, true},
		{".5", false, 0, true},
		{"5.", false, 0, true},
		{"9223372036854.775808", false, 0, true},
		{"9223372036854.775807", false, 9223372036854775807, false},
	}
	for _, tt := range tests {
		got, err := money(tt.in, tt.micros)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("money(%q, %t) = %d, %v; want %d, error %t", tt.in, tt.micros, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestMicrosToMinor(t *testing.T) {
	t.Parallel()
	tests := []struct{ micros, want int64 }{
		{8934560000, 893456},
		{10000, 1},
		{4999, 0},
		{5000, 1}, // half away from zero
		{14999, 1},
		{-5000, -1},
		{-4999, 0},
		{0, 0},
	}
	for _, tt := range tests {
		if got := microsToMinor(tt.micros); got != tt.want {
			t.Errorf("microsToMinor(%d) = %d, want %d", tt.micros, got, tt.want)
		}
	}
}

func TestReportName(t *testing.T) {
	t.Parallel()
	c, plain := New(), New(WithPlainMoney())
	a := c.reportName(definition(nil, "2026-11-28", "2026-11-30"), "acme")
	if again := c.reportName(definition(nil, "2026-11-28", "2026-11-30"), "acme"); again != a {
		t.Errorf("same report named %q then %q", a, again)
	}
	for name, other := range map[string]string{
		"OtherDates":  c.reportName(definition(nil, "2026-11-29", "2026-11-30"), "acme"),
		"OtherLogin":  c.reportName(definition(nil, "2026-11-28", "2026-11-30"), "beta"),
		"OtherGoals":  c.reportName(definition([]string{"1"}, "2026-11-28", "2026-11-30"), "acme"),
		"PlainMoney":  plain.reportName(definition(nil, "2026-11-28", "2026-11-30"), "acme"),
		"SameAsFirst": a,
	} {
		if (other == a) != (name == "SameAsFirst") {
			t.Errorf("%s: name %q vs %q", name, other, a)
		}
	}
}
