package glassbox_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

func TestParseMinor(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want glassbox.Minor
	}{
		{"150000", 15000000},
		{"1 499.90", 149990},
		{"0.5", 50},
		{"150 000,50", 15000050},
		{"-3", -300},
		{"1499.9", 149990},
		{"90\u00a0000", 9000000},
		{"1_000.01", 100001},
		{" 7 ", 700},
	} {
		got, err := glassbox.ParseMinor(tt.in)
		if err != nil {
			t.Errorf("ParseMinor(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseMinor(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"", "1.234", "abc", "1e5", ".5", "1.2.3", "12 руб."} {
		if got, err := glassbox.ParseMinor(in); err == nil {
			t.Errorf("ParseMinor(%q) = %d, want an error", in, got)
		}
	}
}

func TestMinorUnmarshalText(t *testing.T) {
	t.Parallel()
	var m glassbox.Minor
	if err := m.UnmarshalText([]byte("60 000")); err != nil || m != 6000000 {
		t.Fatalf("UnmarshalText(60 000) = %d, %v", m, err)
	}
	if err := m.UnmarshalText([]byte("6.000")); err == nil {
		t.Fatal("UnmarshalText(6.000) accepted three decimals")
	}
}

func TestVATRateBasisPoints(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		rate   glassbox.VATRate
		want   int64
		wantOK bool
	}{
		{"22", 2200, true},
		{"10", 1000, true},
		{"0", 0, true},
		{"25.5", 2550, true},
		{"13.5", 1350, true},
		{"5.55", 555, true},
		{"5.", 0, false},
		{"5.555", 0, false},
		{"25,5", 0, false},
		{"-5", 0, false},
		{glassbox.VATNone, 0, false},
		{"", 0, false},
		{"twenty", 0, false},
	} {
		got, ok := tt.rate.BasisPoints()
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("VATRate(%q).BasisPoints() = %d, %v; want %d, %v", tt.rate, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestBindingStageMeaning(t *testing.T) {
	t.Parallel()
	b := glassbox.Binding{
		Provider: "amocrm",
		Deals: []glassbox.DealRoute{
			{DealID: "1", ProjectID: "site"},
			{DealID: "2", ProjectID: "shop", StageMap: map[string][]string{"catalog": {"77"}, glassbox.StagePaid: {"Оплачено"}}},
		},
		StageMap: map[string][]string{
			"design":           {"41893096", "Дизайн согласован"},
			"launch":           {glassbox.StageWon},
			glassbox.StagePaid: {"142"},
		},
	}
	for _, tt := range []struct {
		name       string
		project    string
		change     glassbox.DealChange
		wantCloses string
		wantPaid   bool
	}{
		{"ByID", "site", glassbox.DealChange{ID: "1", StageID: "41893096"}, "design", false},
		{"ByNameIgnoringCase", "site", glassbox.DealChange{ID: "1", StageID: "999", StageName: "ДИЗАЙН СОГЛАСОВАН"}, "design", false},
		{"Won", "site", glassbox.DealChange{ID: "1", StageID: "555", StageName: "Успешно", Won: true}, "launch", false},
		{"StageNamedWonAlsoMatches", "site", glassbox.DealChange{ID: "1", StageID: "555", StageName: "won"}, "launch", false},
		{"Paid", "site", glassbox.DealChange{ID: "1", StageID: "142"}, "", true},
		{"PerDealOverride", "shop", glassbox.DealChange{ID: "2", StageID: "77"}, "catalog", false},
		{"PerDealOverridePaidByName", "shop", glassbox.DealChange{ID: "2", StageName: "оплачено"}, "", true},
		{"PerDealOverrideHidesBindingMap", "shop", glassbox.DealChange{ID: "2", StageID: "41893096"}, "", false},
		{"UnknownStage", "site", glassbox.DealChange{ID: "1", StageID: "123", StageName: "Переговоры"}, "", false},
		{"UnknownDealUsesBindingMap", "site", glassbox.DealChange{ID: "9", StageID: "142"}, "", true},
		{"EmptyMatchesNothing", "site", glassbox.DealChange{ID: "1"}, "", false},
		// Deal 2 was filed under "site" before the configuration moved it to "shop": shop's stage map is not
		// site's, so the binding's applies.
		{"PerDealMapOnlyForItsProject", "site", glassbox.DealChange{ID: "2", StageID: "41893096"}, "design", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			closes, paid := b.StageMeaning(tt.project, tt.change)
			if closes != tt.wantCloses || paid != tt.wantPaid {
				t.Errorf("StageMeaning(%+v) = (%q, %v), want (%q, %v)", tt.change, closes, paid, tt.wantCloses, tt.wantPaid)
			}
		})
	}
}

func TestWorkingHoursContains(t *testing.T) {
	t.Parallel()
	msk := time.FixedZone("MSK", 3*60*60)
	// 2026-11-23 is a Monday.
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, msk) }
	custom := glassbox.WorkingHours{From: 9, To: 20}
	for _, tt := range []struct {
		name string
		w    glassbox.WorkingHours
		t    time.Time
		want bool
	}{
		{"DefaultWeekdayMorning", glassbox.WorkingHours{}, at(23, 11, 30), true},
		{"DefaultOpens", glassbox.WorkingHours{}, at(23, 10, 0), true},
		{"DefaultBeforeOpening", glassbox.WorkingHours{}, at(23, 9, 59), false},
		{"DefaultLastMinute", glassbox.WorkingHours{}, at(27, 17, 59), true},
		{"DefaultCloses", glassbox.WorkingHours{}, at(27, 18, 0), false},
		{"Saturday", glassbox.WorkingHours{}, at(28, 12, 0), false},
		{"Sunday", glassbox.WorkingHours{}, at(29, 12, 0), false},
		{"CustomEarly", custom, at(24, 9, 0), true},
		{"CustomLate", custom, at(24, 19, 59), true},
		{"CustomClosed", custom, at(24, 20, 0), false},
		{"CustomWeekend", custom, at(28, 12, 0), false},
		{"AllDay", glassbox.WorkingHours{From: 0, To: 24}, at(25, 0, 0), true},
	} {
		if got := tt.w.Contains(tt.t); got != tt.want {
			t.Errorf("%s: %+v.Contains(%s) = %v, want %v", tt.name, tt.w, tt.t.Format(time.RFC1123), got, tt.want)
		}
	}
	if got, want := glassbox.DefaultWorkingHours, (glassbox.WorkingHours{From: 10, To: 18}); got != want {
		t.Errorf("DefaultWorkingHours = %+v, want %+v", got, want)
	}
}

func TestBillingStage(t *testing.T) {
	t.Parallel()
	b := glassbox.Billing{Stages: []glassbox.Stage{{ID: "design", Name: "Дизайн"}, {ID: "build", Name: "Build"}}}
	if s, i, ok := b.Stage("build"); !ok || i != 1 || s.Name != "Build" {
		t.Errorf("Stage(build) = %+v, %d, %v", s, i, ok)
	}
	if s, i, ok := b.Stage("Build"); ok || i != -1 || s.ID != "" {
		t.Errorf("Stage(Build) = %+v, %d, %v; ids are case-sensitive", s, i, ok)
	}
	if got := b.Reminders(); !equalInts(got, []int{3, 7, 14}) || !equalInts(got, glassbox.DefaultReminderDays) {
		t.Errorf("default Reminders() = %v", got)
	}
	b.ReminderDays = []int{1, 10}
	if got := b.Reminders(); !equalInts(got, []int{1, 10}) {
		t.Errorf("Reminders() = %v, want [1 10]", got)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDocumentIDs(t *testing.T) {
	t.Parallel()
	closeID := glassbox.StageCloseID("romashka-site", "design")
	if got, want := closeID, "close:romashka-site:design"; got != want {
		t.Errorf("StageCloseID = %q, want %q", got, want)
	}
	if glassbox.StageCloseID("romashka-site", "design") != closeID {
		t.Error("StageCloseID is not deterministic")
	}
	act := glassbox.DocumentID(closeID, glassbox.DocumentAct)
	invoice := glassbox.DocumentID(closeID, glassbox.DocumentInvoice)
	if act != glassbox.DocumentID(closeID, glassbox.DocumentAct) {
		t.Error("DocumentID is not deterministic")
	}
	if act == invoice {
		t.Errorf("act and invoice share id %q", act)
	}
	if other := glassbox.DocumentID(glassbox.StageCloseID("romashka-site", "layout"), glassbox.DocumentAct); other == act {
		t.Errorf("two closes share act id %q", act)
	}
	if !strings.HasPrefix(act, "doc-") || len(act) != len("doc-")+20 {
		t.Errorf("DocumentID = %q, want doc- and 20 hex digits", act)
	}
	if got, want := glassbox.DocumentSeries("pixel", glassbox.DocumentInvoice, 2026), "pixel/invoice/2026"; got != want {
		t.Errorf("DocumentSeries = %q, want %q", got, want)
	}
}

func TestFormatNumber(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		prefix string
		year   int
		seq    int64
		want   string
	}{
		{"PX-", 2026, 15, "PX-2026-0015"},
		{"", 2026, 1, "2026-0001"},
		{"ПК-", 2027, 12345, "ПК-2027-12345"},
	} {
		if got := glassbox.FormatNumber(tt.prefix, tt.year, tt.seq); got != tt.want {
			t.Errorf("FormatNumber(%q, %d, %d) = %q, want %q", tt.prefix, tt.year, tt.seq, got, tt.want)
		}
	}
}

func TestMinorJSONRoundTrip(t *testing.T) {
	type doc struct {
		Total glassbox.Minor `json:"total"`
	}
	data, err := json.Marshal(doc{Total: 15000050})
	if err != nil {
		t.Fatal(err)
	}
	var back doc
	if err := json.Unmarshal(data, &back); err != nil || back.Total != 15000050 {
		t.Fatalf("round trip of %s = %d, %v", data, back.Total, err)
	}
	if err := json.Unmarshal([]byte(`{"total":"1 499.90"}`), &back); err != nil || back.Total != 149990 {
		t.Fatalf("decimal string = %d, %v", back.Total, err)
	}
	if err := json.Unmarshal([]byte(`{"total":1.5}`), &back); err == nil {
		t.Fatal("a fractional number of minor units was accepted")
	}
}

func TestDocumentFileName(t *testing.T) {
	tests := []struct {
		name       string
		doc        glassbox.Document
		utf, ascii string
	}{
		{"RussianInvoice", glassbox.Document{Kind: glassbox.DocumentInvoice, Locale: "ru", Number: "ПК-2026-0015"},
			"Счёт ПК-2026-0015.pdf", "Schet PK-2026-0015.pdf"},
		{"RussianActRuRU", glassbox.Document{Kind: glassbox.DocumentAct, Locale: "ru-RU", Number: "ЩЁ/2026/7"},
			"Акт ЩЁ-2026-7.pdf", "Akt ShchE-2026-7.pdf"},
		{"EnglishInvoice", glassbox.Document{Kind: glassbox.DocumentInvoice, Locale: "en", Number: "PX-2026-0001"},
			"Invoice PX-2026-0001.pdf", "Invoice PX-2026-0001.pdf"},
		{"EnglishWithCyrillicPrefix", glassbox.Document{Kind: glassbox.DocumentInvoice, Locale: "en", Number: "ПК-2026-0002"},
			"Invoice ПК-2026-0002.pdf", "Invoice PK-2026-0002.pdf"},
		{"UnsafeCharacters", glassbox.Document{Kind: glassbox.DocumentAct, Locale: "en", Number: "A\"B:C\\D\r"},
			"Act A-B-C-D-.pdf", "Act A-B-C-D-.pdf"},
		{"NoNumberYet", glassbox.Document{ID: "doc-1", Kind: glassbox.DocumentInvoice, Locale: "ru"},
			"Счёт doc-1.pdf", "Schet doc-1.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.doc.FileName(); got != tt.utf {
				t.Errorf("FileName() = %q, want %q", got, tt.utf)
			}
			if got := tt.doc.ASCIIFileName(); got != tt.ascii {
				t.Errorf("ASCIIFileName() = %q, want %q", got, tt.ascii)
			}
		})
	}
}

func TestLocale(t *testing.T) {
	for in, want := range map[string]string{"ru": "ru", "ru-RU": "ru", "RU": "ru", " ru_ru ": "ru", "en": "en",
		"en-GB": "en", "": "en", "de": "en", "rus": "en"} {
		if got := glassbox.Locale(in); got != want {
			t.Errorf("Locale(%q) = %q, want %q", in, got, want)
		}
	}
}

// An invoice is overdue from the day after its due date in its own zone, and only while issued.
func TestDocumentOverdue(t *testing.T) {
	d := glassbox.Document{DueDate: "2026-12-01", State: glassbox.DocumentIssued, TimeZone: "Europe/Moscow"}
	for _, tt := range []struct {
		name string
		doc  func(glassbox.Document) glassbox.Document
		now  time.Time
		want bool
	}{
		{"due day, late evening Moscow", func(d glassbox.Document) glassbox.Document { return d }, time.Date(2026, 12, 1, 20, 59, 0, 0, time.UTC), false},
		{"next day in Moscow, still the due day in UTC", func(d glassbox.Document) glassbox.Document { return d }, time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC), true},
		{"paid", func(d glassbox.Document) glassbox.Document { d.State = glassbox.DocumentPaid; return d }, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), false},
		{"void", func(d glassbox.Document) glassbox.Document { d.State = glassbox.DocumentVoid; return d }, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), false},
		{"no due date", func(d glassbox.Document) glassbox.Document { d.DueDate = ""; return d }, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		if got := tt.doc(d).Overdue(tt.now); got != tt.want {
			t.Errorf("%s: Overdue = %v, want %v", tt.name, got, tt.want)
		}
	}
}
