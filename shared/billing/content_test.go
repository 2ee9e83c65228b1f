package billing

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
	"github.com/glassbox-oss/glassbox/shared/payqr"
	"github.com/glassbox-oss/glassbox/shared/pdf"
)

// ruConfig is a Russian agency billing one project; its seller's requisites make a valid ГОСТ QR code.
func ruConfig(vat glassbox.VAT, b glassbox.Billing) glassbox.Config {
	b.Seller, b.Currency = "px", "RUB"
	if b.Mode == "" {
		b.Mode = glassbox.BillPostpay
	}
	return glassbox.Config{
		Agency: glassbox.Agency{Name: "Студия", Locale: "ru", TimeZone: "Europe/Moscow"},
		Sellers: []glassbox.Seller{{ID: "px", Name: "ООО «Пиксель»", INN: "7701234560", KPP: "770101001",
			NumberPrefix: "ПК-", VAT: vat,
			Bank: glassbox.Bank{Name: "ПАО Сбербанк", BIC: "044525225", CorrAccount: "30101810400000000225",
				Account: "40702810938000012345"}}},
		Clients:  []glassbox.Client{{ID: "rom", Name: "Ромашка", Buyer: glassbox.Buyer{Name: "ООО «Ромашка»", INN: "7709876545"}}},
		Projects: []glassbox.Project{{ID: "site", ClientID: "rom", Name: "Новый сайт", Billing: b}},
	}
}

var closedAt = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// issue plans a close of stage and numbers its documents as Issuer does, the invoice last.
func issue(t *testing.T, cfg glassbox.Config, stage string) []glassbox.Document {
	t.Helper()
	docs, err := Plan(cfg, cfg.Projects[0], glassbox.StageClose{ID: "close:site:" + stage, ProjectID: "site", StageID: stage, ClosedAt: closedAt})
	if err != nil {
		t.Fatal(err)
	}
	for i := range docs {
		number(&docs[i], 15)
	}
	return docs
}

// TestContractWording: documents say «по договору № 12 от 01.09.2026» (it was «по договор № 12…», the
// free text lowercased after «по»), from contract_number and contract_date or from the older free text.
func TestContractWording(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		billing   glassbox.Billing
		locale    string
		wantLine  string
		wantTitle string
	}{
		{"NumberAndDate", glassbox.Billing{ContractNumber: "12", ContractDate: "2026-09-01"}, "ru",
			"Услуги по этапу «Дизайн» проекта «Новый сайт» по договору № 12 от 01.09.2026", "Договор № 12 от 01.09.2026"},
		{"OldFreeText", glassbox.Billing{Contract: "Договор № 12 от 01.09.2026"}, "ru",
			"Услуги по этапу «Дизайн» проекта «Новый сайт» по договору № 12 от 01.09.2026", "Договор № 12 от 01.09.2026"},
		{"OldFreeTextUnreadable", glassbox.Billing{Contract: "Договор оказания услуг"}, "ru",
			"Услуги по этапу «Дизайн» проекта «Новый сайт»", "Договор оказания услуг"},
		{"English", glassbox.Billing{ContractNumber: "NW-7", ContractDate: "2026-09-01"}, "en",
			"Stage “Дизайн” of the project “Новый сайт” under contract No. NW-7 of 1 September 2026", "Contract No. NW-7 of 1 September 2026"},
		{"EnglishFreeText", glassbox.Billing{Contract: "Agreement NW-7 of 1 September 2026"}, "en",
			"Stage “Дизайн” of the project “Новый сайт” under Agreement NW-7 of 1 September 2026", "Agreement NW-7 of 1 September 2026"},
		{"None", glassbox.Billing{}, "ru", "Услуги по этапу «Дизайн» проекта «Новый сайт»", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := tt.billing
			b.Stages = []glassbox.Stage{{ID: "design", Name: "Дизайн", Amount: 9000000}}
			cfg := ruConfig(glassbox.VAT{Rate: "22", Included: true}, b)
			cfg.Projects[0].Locale = tt.locale
			for _, d := range issue(t, cfg, "design") {
				if got := d.Lines[0].Name; got != tt.wantLine {
					t.Errorf("%s line = %q, want %q", d.Kind, got, tt.wantLine)
				}
				if d.Contract != tt.wantTitle {
					t.Errorf("%s contract = %q, want %q", d.Kind, d.Contract, tt.wantTitle)
				}
			}
		})
	}
}

// TestPurposeFitsTheQRCode: a long stage name is shortened so the purpose fits the 210 characters of the ГОСТ
// code, keeping the invoice number and the VAT phrase whole (it was cut in the middle of the VAT amount), and
// the QR code carries exactly the printed text.
func TestPurposeFitsTheQRCode(t *testing.T) {
	t.Parallel()
	long := "Разработка и интеграция модуля личного кабинета покупателя с программой лояльности, " +
		"историей заказов, подписками на рассылки | уведомлениями и синхронизацией с 1С:Предприятие"
	for _, tt := range []struct {
		name, stage string
		vat         glassbox.VAT
		wantPurpose string
	}{
		{"Short", "Дизайн", glassbox.VAT{Rate: "22", Included: true},
			"Оплата по счёту № ПК-2026-0015 от 23.11.2026 за этап «Дизайн». В т.ч. НДС 22% 16 229,51 руб."},
		{"NoVAT", "Дизайн", glassbox.VAT{Rate: glassbox.VATNone},
			"Оплата по счёту № ПК-2026-0015 от 23.11.2026 за этап «Дизайн». НДС не облагается"},
		{"LongStage", long, glassbox.VAT{Rate: "5", Included: true}, ""},
		{"LongStageVATOnTop", long, glassbox.VAT{Rate: "22"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := ruConfig(tt.vat, glassbox.Billing{Stages: []glassbox.Stage{{ID: "s", Name: tt.stage, Amount: 9000000}}})
			docs := issue(t, cfg, "s")
			inv := docs[len(docs)-1]
			if inv.Kind != glassbox.DocumentInvoice {
				t.Fatalf("last document is a %s", inv.Kind)
			}
			p := inv.Purpose
			if tt.wantPurpose != "" && p != tt.wantPurpose {
				t.Errorf("purpose = %q, want %q", p, tt.wantPurpose)
			}
			if n := utf8.RuneCountInString(p); n > glassbox.GOSTPurposeMax {
				t.Errorf("purpose is %d characters, over %d: %q", n, glassbox.GOSTPurposeMax, p)
			}
			if !strings.HasPrefix(p, "Оплата по счёту № ПК-2026-0015 от 23.11.2026 за этап «") {
				t.Errorf("purpose does not start with the number, date and stage: %q", p)
			}
			vatPhrase := ". НДС не облагается"
			if tt.vat.Rate != glassbox.VATNone {
				vatPhrase = ". В т.ч. НДС " + string(tt.vat.Rate) + "% " + money.FormatPayment(inv.VATAmount)
			}
			if !strings.HasSuffix(p, vatPhrase) {
				t.Errorf("purpose does not end with the whole VAT phrase %q: %q", vatPhrase, p)
			}
			if strings.ContainsAny(p, "₽|\u00a0") {
				t.Errorf("purpose has ₽, | or a no-break space, which a payment order cannot carry: %q", p)
			}

			payload, err := payqr.GOST(inv)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(payload, "|Purpose="+p+"|") {
				t.Errorf("QR payload does not carry the purpose as printed:\n%s\n%s", payload, p)
			}
			if printed := printedText(t, inv); !strings.Contains(printed, "Назначение платежа: "+p) {
				t.Errorf("the PDF does not print the purpose %q:\n%s", p, printed)
			}
		})
	}
}

// printedText renders a document and returns its text on one line, or skips without pdftotext.
func printedText(t *testing.T, d glassbox.Document) string {
	t.Helper()
	b, err := pdf.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (from poppler-utils, needed by this test): %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestSupplyDates: English invoices print the date of supply: the stage's planned period, else the close
// date for the stage just closed; an advance invoice of a stage without a period has none.
func TestSupplyDates(t *testing.T) {
	t.Parallel()
	stages := []glassbox.Stage{
		{ID: "a", Name: "A", Amount: 100},
		{ID: "b", Name: "B", Amount: 100, Start: "2026-12-01", End: "2026-12-18"},
		{ID: "c", Name: "C", Amount: 100},
	}
	for _, tt := range []struct {
		name       string
		mode       glassbox.BillingMode
		stage      string
		kind       glassbox.DocumentKind
		start, end string
	}{
		{"ClosedStageAct", glassbox.BillPostpay, "a", glassbox.DocumentAct, "2026-11-23", "2026-11-23"},
		{"ClosedStageInvoice", glassbox.BillPostpay, "a", glassbox.DocumentInvoice, "2026-11-23", "2026-11-23"},
		{"ClosedStageWithPeriod", glassbox.BillPostpay, "b", glassbox.DocumentInvoice, "2026-12-01", "2026-12-18"},
		{"AdvanceWithPeriod", glassbox.BillPrepay, "a", glassbox.DocumentInvoice, "2026-12-01", "2026-12-18"},
		{"AdvanceWithoutPeriod", glassbox.BillPrepay, "b", glassbox.DocumentInvoice, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := ruConfig(glassbox.VAT{}, glassbox.Billing{Mode: tt.mode, Stages: stages})
			cfg.Projects[0].Locale = "en"
			for _, d := range issue(t, cfg, tt.stage) {
				if d.Kind != tt.kind {
					continue
				}
				if d.SupplyStart != tt.start || d.SupplyEnd != tt.end {
					t.Errorf("%s supply = %q to %q, want %q to %q", d.Kind, d.SupplyStart, d.SupplyEnd, tt.start, tt.end)
				}
				return
			}
			t.Errorf("no %s", tt.kind)
		})
	}
}
