package billing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

func config(mode glassbox.BillingMode) glassbox.Config {
	return glassbox.Config{
		Agency:  glassbox.Agency{Name: "Студия", Locale: "ru", TimeZone: "Europe/Moscow"},
		Sellers: []glassbox.Seller{{ID: "px", Name: "ООО «Пиксель»", NumberPrefix: "ПК-", VAT: glassbox.VAT{Rate: "22", Included: true}}},
		Clients: []glassbox.Client{{ID: "rom", Name: "Ромашка", Buyer: glassbox.Buyer{Name: "ООО «Ромашка»", INN: "7709876543"}}},
		Projects: []glassbox.Project{{ID: "site", ClientID: "rom", Name: "Новый сайт", Billing: glassbox.Billing{
			Seller: "px", Mode: mode, Currency: "RUB", Contract: "Договор № 12 от 01.09.2026",
			Stages: []glassbox.Stage{
				{ID: "layout", Name: "Вёрстка", Amount: 6000000},
				{ID: "code", Name: "Программирование", Amount: 15000000, PaymentDays: 10},
			}}}},
	}
}

// 2026-12-31 22:30 UTC is already 2027-01-01 in Moscow: documents are dated, numbered and due in the
// seller's zone (here the agency's, Moscow).
var newYearInMoscow = time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC)

func TestPlan(t *testing.T) {
	tests := []struct {
		name        string
		mode        glassbox.BillingMode
		stage       string
		wantKinds   string
		wantBilled  string
		wantTotal   glassbox.Minor
		wantDueDate string
	}{
		{"PrepayBillsNext", glassbox.BillPrepay, "layout", "act,invoice", "code", 15000000, "2027-01-11"},
		{"PostpayBillsClosed", glassbox.BillPostpay, "layout", "act,invoice", "layout", 6000000, "2027-01-06"},
		{"LastPrepaidStageActOnly", glassbox.BillPrepay, "code", "act", "", 0, ""},
		{"LastPostpaidStageBillsIt", glassbox.BillPostpay, "code", "act,invoice", "code", 15000000, "2027-01-11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(tt.mode)
			c := glassbox.StageClose{ID: glassbox.StageCloseID("site", tt.stage), ProjectID: "site", StageID: tt.stage, ClosedAt: newYearInMoscow}
			docs, err := billing.Plan(cfg, cfg.Projects[0], c)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, d := range docs {
				kinds = append(kinds, string(d.Kind))
				if d.Date != "2027-01-01" || d.Seller.Name != "ООО «Пиксель»" || d.Buyer.INN != "7709876543" || d.CloseID != c.ID {
					t.Errorf("%s snapshot = date %s seller %q buyer %q close %q", d.Kind, d.Date, d.Seller.Name, d.Buyer.INN, d.CloseID)
				}
				if d.Net+d.VATAmount != d.Total || len(d.Lines) != 1 || d.Lines[0].Sum != d.Total {
					t.Errorf("%s totals = net %d vat %d total %d lines %+v", d.Kind, d.Net, d.VATAmount, d.Total, d.Lines)
				}
			}
			if got := strings.Join(kinds, ","); got != tt.wantKinds {
				t.Fatalf("kinds = %s, want %s", got, tt.wantKinds)
			}
			if docs[0].StageID != tt.stage {
				t.Errorf("act is for %s, want %s", docs[0].StageID, tt.stage)
			}
			if len(docs) == 2 {
				inv := docs[1]
				if inv.StageID != tt.wantBilled || inv.Total != tt.wantTotal || inv.DueDate != tt.wantDueDate {
					t.Errorf("invoice = stage %s total %d due %s; want %s %d %s", inv.StageID, inv.Total, inv.DueDate, tt.wantBilled, tt.wantTotal, tt.wantDueDate)
				}
				if inv.ID == docs[0].ID {
					t.Error("act and invoice share an id")
				}
			}
		})
	}
}

func TestPlanStartBillsTheFirstStageOfAPrepaidProject(t *testing.T) {
	cfg := config(glassbox.BillPrepay)
	c := glassbox.StageClose{ID: glassbox.StageCloseID("site", glassbox.StageStart), StageID: glassbox.StageStart, ClosedAt: newYearInMoscow}
	docs, err := billing.Plan(cfg, cfg.Projects[0], c)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Kind != glassbox.DocumentInvoice || docs[0].StageID != "layout" || docs[0].Total != 6000000 {
		t.Fatalf("start planned %+v; want one invoice for the first stage", docs)
	}
	post := config(glassbox.BillPostpay)
	if _, err := billing.Plan(post, post.Projects[0], c); err == nil {
		t.Error("the start of a postpaid project billed something")
	}
}

func TestPlanVATIncluded(t *testing.T) {
	cfg := config(glassbox.BillPostpay)
	docs, err := billing.Plan(cfg, cfg.Projects[0], glassbox.StageClose{ID: "c", StageID: "code", ClosedAt: newYearInMoscow})
	if err != nil {
		t.Fatal(err)
	}
	// 150 000,00 including 22 %: VAT = 150 000 × 22 / 122 = 27 049,18.
	if inv := docs[1]; inv.Total != 15000000 || inv.VATAmount != 2704918 || inv.Net != 12295082 {
		t.Errorf("invoice = net %d vat %d total %d", inv.Net, inv.VATAmount, inv.Total)
	}
}

func TestPlanRefusesUnknownStageOrSeller(t *testing.T) {
	cfg := config(glassbox.BillPrepay)
	if _, err := billing.Plan(cfg, cfg.Projects[0], glassbox.StageClose{StageID: "nope"}); err == nil {
		t.Error("an unknown stage was planned")
	}
	cfg.Projects[0].Billing.Seller = "ghost"
	if _, err := billing.Plan(cfg, cfg.Projects[0], glassbox.StageClose{StageID: "layout"}); err == nil {
		t.Error("a project with an unknown seller was planned")
	}
}

func TestSeriesIsPerSellerKindAndYearOfTheDocumentDate(t *testing.T) {
	cfg := config(glassbox.BillPrepay)
	docs, _ := billing.Plan(cfg, cfg.Projects[0], glassbox.StageClose{ID: "c", StageID: "layout", ClosedAt: newYearInMoscow})
	if got := billing.Series(docs[0]); got != "px/act/2027" {
		t.Errorf("act series = %s", got)
	}
	if got := billing.Series(docs[1]); got != "px/invoice/2027" {
		t.Errorf("invoice series = %s", got)
	}
}

// TestPlanPrintsTheSellerNameOfTheDocumentLocale: a seller with names.en is named so on English documents, and
// by its default name on Russian ones.
func TestPlanPrintsTheSellerNameOfTheDocumentLocale(t *testing.T) {
	for _, tt := range []struct{ locale, want string }{{"en", "Pixel LLC"}, {"ru", "ООО «Пиксель»"}} {
		t.Run(tt.locale, func(t *testing.T) {
			cfg := config(glassbox.BillPostpay)
			cfg.Sellers[0].Names = glassbox.Names{"en": "Pixel LLC"}
			cfg.Projects[0].Locale = tt.locale
			c := glassbox.StageClose{ID: glassbox.StageCloseID("site", "layout"), ProjectID: "site", StageID: "layout", ClosedAt: newYearInMoscow}
			docs, err := billing.Plan(cfg, cfg.Projects[0], c)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range docs {
				if d.Seller.Name != tt.want {
					t.Errorf("%s seller = %q, want %q", d.Kind, d.Seller.Name, tt.want)
				}
			}
		})
	}
}

// The seller's zone dates and numbers its documents, not the project's: at 22:30 UTC on 31 December a project
// in Vladivostok is already in 2027, a seller in Moscow is too, a seller in London is not.
func TestPlanDatesInTheSellersZone(t *testing.T) {
	tests := []struct {
		sellerZone, date, due, series string
	}{
		{"", "2027-01-01", "2027-01-06", "px/invoice/2027"}, // the agency's zone, Moscow
		{"Europe/London", "2026-12-31", "2027-01-05", "px/invoice/2026"},
		{"Asia/Vladivostok", "2027-01-01", "2027-01-06", "px/invoice/2027"},
	}
	for _, tt := range tests {
		t.Run("Seller"+tt.sellerZone, func(t *testing.T) {
			cfg := config(glassbox.BillPostpay)
			cfg.Sellers[0].TimeZone = tt.sellerZone
			cfg.Projects[0].TimeZone = "Asia/Vladivostok"
			docs, err := billing.Plan(cfg, cfg.Projects[0], glassbox.StageClose{ID: "c", StageID: "layout", ClosedAt: newYearInMoscow})
			if err != nil {
				t.Fatal(err)
			}
			inv := docs[1]
			if inv.Date != tt.date || inv.DueDate != tt.due || billing.Series(inv) != tt.series {
				t.Errorf("invoice dated %s due %s in %s; want %s, %s, %s", inv.Date, inv.DueDate, billing.Series(inv), tt.date, tt.due, tt.series)
			}
			if want := cfg.SellerZone(cfg.Sellers[0]).String(); inv.TimeZone != want {
				t.Errorf("invoice zone = %s, want the seller's %s", inv.TimeZone, want)
			}
		})
	}
}

// TestSupplyDateIsWhenTheCRMClosedTheStage: a close processed late (swept after an outage) is dated and numbered
// when issued, but its services were supplied when the CRM says the stage closed: the act and a postpaid
// invoice carry that date of supply. A reported time after the issue (clock skew) is not believed.
func TestSupplyDateIsWhenTheCRMClosedTheStage(t *testing.T) {
	issued := time.Date(2027, 1, 3, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name     string
		reported time.Time
		want     string
	}{
		{"late", time.Date(2026, 12, 30, 15, 0, 0, 0, time.UTC), "2026-12-30"},
		{"unknown", time.Time{}, "2027-01-03"},
		{"after the issue", issued.Add(time.Hour), "2027-01-03"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(glassbox.BillPostpay)
			c := glassbox.StageClose{ID: "c", StageID: "layout", ClosedAt: issued, ReportedAt: tt.reported}
			docs, err := billing.Plan(cfg, cfg.Projects[0], c)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range docs {
				if d.Date != "2027-01-03" || d.SupplyStart != tt.want || d.SupplyEnd != tt.want {
					t.Errorf("%s dated %s, supplied %s–%s; want dated 2027-01-03, supplied %s", d.Kind, d.Date, d.SupplyStart, d.SupplyEnd, tt.want)
				}
			}
		})
	}
}
