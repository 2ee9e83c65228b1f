package metrics_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/generichook"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/metrics"
)

// Whatever the body, ParseMetrics either refuses it as malformed or returns figures that keep the rules: a
// bounded source, a real date, no negative amount, a known currency with spend.
func FuzzParseMetrics(f *testing.F) {
	f.Add([]byte(oneDay))
	f.Add([]byte(figures(`,"spend":15000.5,"leads":"42"`)))
	f.Add([]byte(`{"figures":[{"date":"2026-11-30","source":"a","spend":"1 000,5","currency":"jpy"}]}`))
	f.Add([]byte(`{"figures":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d := glassbox.Delivery{Method: http.MethodPost, Body: body, ReceivedAt: received}
		ms, err := metrics.New().ParseMetrics(d, binding)
		if err != nil {
			if !errors.Is(err, glassbox.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if len(ms) == 0 || len(ms) > metrics.MaxFigures {
			t.Fatalf("%d figures accepted", len(ms))
		}
		for _, m := range ms {
			if m.ProjectID != "site" || m.Spend < 0 || m.Spend > metrics.MaxSpend || m.Leads < 0 || m.Minutes < 0 || len(m.Source) == 0 || len(m.Source) > 40 {
				t.Fatalf("accepted %+v", m)
			}
			if _, ok := glassbox.CurrencyDigits(m.Currency); m.Spend > 0 && !ok {
				t.Fatalf("spend without a currency: %+v", m)
			}
		}
	})
}

// BenchmarkVerifyAndParse is what one delivery of a week of three sources costs before the store: the
// signature check and the parse with every rule.
func BenchmarkVerifyAndParse(b *testing.B) {
	body := []byte(`{"figures":[`)
	for day := 1; day <= 7; day++ {
		for i, src := range []string{"vk_ads", "yandex_direct", "timesheet"} {
			if day > 1 || i > 0 {
				body = append(body, ',')
			}
			body = append(body, `{"date":"2026-11-2`+strconv.Itoa(day)+`","source":"`+src+`","spend":"15000.50","currency":"RUB","impressions":12000,"clicks":340,"leads":42,"conversions":3}`...)
		}
	}
	body = append(body, "]}"...)
	d := glassbox.Delivery{Method: http.MethodPost, Body: body, ReceivedAt: received, Header: http.Header{}}
	d.Header.Set(generichook.TimestampHeader, strconv.FormatInt(received.Unix(), 10))
	d.Header.Set(generichook.SignatureHeader, metrics.Sign(secret, received.Unix(), body))
	p := metrics.New()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := p.Verify(d, secret); err != nil {
			b.Fatal(err)
		}
		if ms, err := p.ParseMetrics(d, binding); err != nil || len(ms) != 21 {
			b.Fatal(len(ms), err)
		}
	}
}

// Whatever the file, ReadCSV refuses it as malformed or returns figures within the rules.
func FuzzReadCSV(f *testing.F) {
	f.Add("date,source,spend,currency,leads\n2026-11-26,vk_ads,15000.50,RUB,42\n")
	f.Add("\ufeffdate;spend;currency\r\n2026-11-26;15 000,50;RUB\r\n")
	f.Add("date\n\"2026-11-26\n")
	f.Fuzz(func(t *testing.T, file string) {
		ms, err := metrics.ReadCSV(strings.NewReader(file), metrics.CSVOptions{ProjectID: "site", Source: "vk_ads", Now: received})
		if err != nil {
			if !errors.Is(err, glassbox.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		for _, m := range ms {
			if m.Spend < 0 || m.Clicks < 0 || len(m.Source) == 0 || len(m.Source) > 40 || m.Date == "" {
				t.Fatalf("accepted %+v", m)
			}
		}
	})
}
