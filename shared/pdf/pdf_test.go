package pdf_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
	"github.com/glassbox-oss/glassbox/shared/pdf"
)

var update = flag.Bool("update", false, "rewrite testdata/*.txt goldens and testdata/golden/*.png previews")

var issuedAt = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

func ruSeller() glassbox.Seller {
	return glassbox.Seller{
		ID: "pixel", Name: "ООО «Пиксель»", INN: "7701234560", KPP: "770101001", OGRN: "1027700132195",
		Address: "125009, г. Москва, ул. Тверская, д. 1, офис 15",
		Bank: glassbox.Bank{Name: "ПАО Сбербанк", BIC: "044525225", CorrAccount: "30101810400000000225",
			Account: "40702810938000012345"},
		Director:        glassbox.Signer{Title: "Генеральный директор", Name: "Петров Иван Сергеевич"},
		ChiefAccountant: "Сидорова Анна Павловна",
		VAT:             glassbox.VAT{Rate: "22", Included: true},
		NumberPrefix:    "PX-",
	}
}

// ruDoc is a Russian act or invoice for one stage of 150 000,00 ₽ including VAT 22%.
func ruDoc(kind glassbox.DocumentKind) glassbox.Document {
	s := ruSeller()
	d := glassbox.Document{
		ID: "doc-ru-" + string(kind), Kind: kind, ProjectID: "site", ClientID: "romashka", StageID: "dev",
		StageName: "Программирование", Number: "PX-2026-0015", Locale: "ru", IssuedAt: issuedAt,
		Date: "2026-11-23", DueDate: "2026-11-28", TimeZone: "Europe/Moscow",
		Seller: s,
		Buyer: glassbox.Buyer{Name: "ООО «Ромашка»", INN: "7709876545", KPP: "770901001",
			Address: "119021, г. Москва, ул. Льва Толстого, д. 16",
			Signer:  glassbox.Signer{Title: "Директор", Name: "Смирнова Ольга Викторовна"}},
		ProjectName: "Сайт «Ромашки»",
		Contract:    "Договор № 12 от 01.09.2026",
		Currency:    "RUB",
		// The line and the purpose as billing words them.
		Lines: []glassbox.DocumentLine{{Name: "Услуги по этапу «Программирование» проекта «Сайт «Ромашки»» по договору № 12 от 01.09.2026",
			Quantity: 1, Unit: "усл.", Price: 15000000, Sum: 15000000}},
		VAT:     s.VAT,
		Purpose: "Оплата по счёту № PX-2026-0015 от 23.11.2026 за этап «Программирование». В т.ч. НДС 22% 27 049,18 руб.",
	}
	d.Net, d.VATAmount, d.Total = money.SplitVAT(15000000, d.VAT)
	if kind == glassbox.DocumentAct {
		d.DueDate, d.Purpose = "", ""
	}
	return d
}

// enDoc is an English act or invoice of €4,500.00 to a German business, reverse charge.
func enDoc(kind glassbox.DocumentKind) glassbox.Document {
	d := glassbox.Document{
		ID: "doc-en-" + string(kind), Kind: kind, ProjectID: "shop", ClientID: "northwind", StageID: "design",
		StageName: "Design", Number: "PX-2026-0016", Locale: "en", IssuedAt: issuedAt,
		Date: "2026-11-23", DueDate: "2026-11-28", TimeZone: "Europe/Tallinn",
		SupplyStart: "2026-11-02", SupplyEnd: "2026-11-20",
		Seller: glassbox.Seller{
			ID: "pixel-ee", Name: "Pixel Studio OÜ", VATID: "EE102030405",
			Address:  "Narva mnt 5, 10117 Tallinn, Estonia",
			Bank:     glassbox.Bank{Name: "Swedbank AS", IBAN: "EE382200221020145685", SWIFT: "HABAEE2X"},
			Director: glassbox.Signer{Title: "Management Board Member", Name: "Mari Tamm"},
			VAT:      glassbox.VAT{Rate: "24", ReverseCharge: true},
		},
		Buyer: glassbox.Buyer{Name: "Northwind GmbH", VATID: "DE123456789",
			Address: "Friedrichstraße 68, 10117 Berlin, Germany",
			Signer:  glassbox.Signer{Title: "Managing Director", Name: "Jonas Weber"}},
		ProjectName: "Northwind shop",
		Contract:    "Contract No. NW-7 of 1 September 2026",
		Currency:    "EUR",
		Lines: []glassbox.DocumentLine{{Name: "Stage “Design” of the project “Northwind shop” under contract No. NW-7 of 1 September 2026", Quantity: 1, Unit: "",
			Price: 450000, Sum: 450000}},
		VAT: glassbox.VAT{Rate: "24", ReverseCharge: true},
	}
	d.Net, d.VATAmount, d.Total = money.SplitVAT(450000, d.VAT)
	if kind == glassbox.DocumentAct {
		d.DueDate = ""
	}
	return d
}

func mustRender(tb testing.TB, d glassbox.Document) []byte {
	tb.Helper()
	b, err := pdf.Render(d)
	if err != nil {
		tb.Fatalf("Render(%s %s): %v", d.Locale, d.Kind, err)
	}
	return b
}

// pdftotext extracts a PDF's text with its layout kept.
func pdftotext(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (from poppler-utils, needed by these tests): %v", err)
	}
	return string(out)
}

// pdftoppm renders page 1 as a PNG at 60 dpi and returns its bytes.
func pdftoppm(t *testing.T, b []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "page")
	if msg, err := exec.Command("pdftoppm", "-png", "-r", "60", "-singlefile", path, out).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm (from poppler-utils, needed by these tests): %v: %s", err, msg)
	}
	png, err := os.ReadFile(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	return png
}

// squash collapses runs of spaces, since pdftotext -layout pads columns.
func squash(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func TestRender(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		doc  glassbox.Document
		want []string
	}{
		{"invoice-ru", ruDoc(glassbox.DocumentInvoice), []string{
			"Счёт на оплату № PX-2026-0015 от 23 ноября 2026 г.",
			"ПАО Сбербанк", "БИК", "044525225", "30101810400000000225", "40702810938000012345",
			"Банк получателя", "Получатель", "ИНН 7701234560", "КПП 770101001",
			"Поставщик", "(исполнитель):", "ООО «Пиксель», ИНН 7701234560, КПП 770101001, 125009, г. Москва",
			"Покупатель", "(заказчик):", "ООО «Ромашка», ИНН 7709876545, КПП 770901001",
			"Основание:", "Договор № 12 от 01.09.2026",
			"Услуги по этапу «Программирование» проекта", "«Сайт «Ромашки»» по договору № 12 от 01.09.2026", "усл.", "150 000,00 ₽",
			"Итого: 150 000,00 ₽", "В том числе НДС 22%: 27 049,18 ₽", "Всего к оплате: 150 000,00 ₽",
			"Всего наименований 1, на сумму 150 000,00 ₽", "Сто пятьдесят тысяч рублей 00 копеек",
			"Оплатить не позднее 28 ноября 2026 г.",
			"Назначение платежа: Оплата по счёту № PX-2026-0015 от 23.11.2026 за этап «Программирование». В т.ч. НДС 22% 27 049,18 руб.",
			"Руководитель", "Генеральный директор", "Петров И. С.", "Бухгалтер", "Сидорова А. П.",
		}},
		{"act-ru", ruDoc(glassbox.DocumentAct), []string{
			"Акт № PX-2026-0015 от 23 ноября 2026 г.", "об оказании услуг",
			"Исполнитель:", "ООО «Пиксель», ИНН 7701234560, КПП 770101001",
			"р/с 40702810938000012345, в банке ПАО Сбербанк, БИК 044525225, к/с 30101810400000000225",
			"Заказчик:", "ООО «Ромашка», ИНН 7709876545, КПП 770901001",
			"Основание:", "Договор № 12 от 01.09.2026", "по договору № 12 от 01.09.2026",
			"Итого: 150 000,00 ₽", "В том числе НДС 22%: 27 049,18 ₽", "Всего: 150 000,00 ₽",
			"Всего оказано услуг 1, на сумму 150 000,00 ₽", "Сто пятьдесят тысяч рублей 00 копеек",
			"Вышеперечисленные услуги выполнены полностью и в срок.",
			"Заказчик претензий по объему, качеству и срокам оказания услуг не имеет.",
			"ИСПОЛНИТЕЛЬ", "ЗАКАЗЧИК", "Генеральный директор", "/ Петров И. С. /", "Директор", "/ Смирнова О. В. /",
		}},
		{"invoice-en", enDoc(glassbox.DocumentInvoice), []string{
			"Invoice PX-2026-0016", "Issue date: 23 November 2026", "Due date: 28 November 2026",
			"From", "Pixel Studio OÜ", "VAT ID: EE102030405", "Narva mnt 5, 10117 Tallinn, Estonia",
			"Bill to", "Northwind GmbH", "VAT ID: DE123456789", "Friedrichstraße 68",
			"Contract: Contract No. NW-7 of 1 September 2026", "Date of supply: 2 November 2026 to 20 November 2026",
			"Description", "Qty", "Unit price", "Amount", "Stage “Design” of the project “Northwind shop” under", "contract No. NW-7 of 1 September 2026", "€4,500.00",
			"Net €4,500.00", "VAT not charged €0.00", "Total due €4,500.00",
			"Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC).",
			"Payment details", "Bank Swedbank AS", "IBAN EE382200221020145685", "SWIFT/BIC HABAEE2X",
			"Reference PX-2026-0016", "Scan to pay",
		}},
		{"act-en", enDoc(glassbox.DocumentAct), []string{
			"Certificate of completion PX-2026-0016", "Date: 23 November 2026",
			"Services rendered for stage “Design” of project “Northwind shop”",
			"Contractor", "Pixel Studio OÜ", "VAT ID: EE102030405", "Client", "Northwind GmbH", "VAT ID: DE123456789",
			"Net €4,500.00", "VAT not charged €0.00", "Total €4,500.00",
			"Total services rendered: 1, amounting to €4,500.00.",
			"The services listed above have been rendered in full and on time.",
			"CONTRACTOR", "CLIENT", "Management Board Member", "/ Mari Tamm /", "Managing Director", "/ Jonas Weber /",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := mustRender(t, tt.doc)
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatalf("output starts %q, not %%PDF-", b[:min(len(b), 16)])
			}
			if n := len(b); n >= 80*1024 {
				t.Errorf("PDF is %d bytes, budget is under 80 KB", n)
			}
			if again := mustRender(t, tt.doc); !bytes.Equal(b, again) {
				t.Errorf("a second render differs: %d and %d bytes", len(b), len(again))
			}

			text := pdftotext(t, b)
			flat := squash(text)
			for _, w := range tt.want {
				if !strings.Contains(flat, squash(w)) {
					t.Errorf("text lacks %q", w)
				}
			}

			golden := filepath.Join("testdata", tt.name+".txt")
			png := pdftoppm(t, b)
			if *update {
				if err := os.MkdirAll(filepath.Join("testdata", "golden"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join("testdata", "golden", tt.name+".png"), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./shared/pdf/ -update to write it)", err)
			}
			if text != string(want) {
				t.Errorf("pdftotext -layout output differs from %s (run with -update and review the diff):\n%s",
					golden, text)
			}
		})
	}
}

// TestRenderQR checks that invoices in rubles and euros carry their payment QR code, by comparing the size
// with the same invoice in a currency that has none.
func TestRenderQR(t *testing.T) {
	t.Parallel()
	for _, d := range []glassbox.Document{ruDoc(glassbox.DocumentInvoice), enDoc(glassbox.DocumentInvoice)} {
		with := mustRender(t, d)
		d.Currency = "USD"
		without := mustRender(t, d)
		if len(with) < len(without)+300 {
			t.Errorf("%s invoice: %d bytes in %s and %d in USD; the QR code seems missing", d.Locale, len(with),
				"RUB/EUR", len(without))
		}
	}
}

func TestRenderVATLines(t *testing.T) {
	t.Parallel()
	onTop := ruDoc(glassbox.DocumentInvoice)
	onTop.VAT = glassbox.VAT{Rate: "22"}
	onTop.Net, onTop.VATAmount, onTop.Total = money.SplitVAT(15000000, onTop.VAT)
	none := ruDoc(glassbox.DocumentInvoice)
	none.VAT = glassbox.VAT{Rate: glassbox.VATNone}
	none.Purpose = "Оплата по счёту № PX-2026-0015 от 23.11.2026 за этап «Программирование». НДС не облагается"
	none.Net, none.VATAmount, none.Total = money.SplitVAT(15000000, none.VAT)
	ruReverse := ruDoc(glassbox.DocumentInvoice)
	ruReverse.VAT = glassbox.VAT{Rate: "22", Included: true, ReverseCharge: true}
	ruReverse.Net, ruReverse.VATAmount, ruReverse.Total = money.SplitVAT(15000000, ruReverse.VAT)
	enVAT := enDoc(glassbox.DocumentInvoice)
	enVAT.VAT = glassbox.VAT{Rate: "24"}
	enVAT.Net, enVAT.VATAmount, enVAT.Total = money.SplitVAT(450000, enVAT.VAT)
	finnish := enDoc(glassbox.DocumentInvoice)
	finnish.VAT = glassbox.VAT{Rate: "25.5"}
	finnish.Net, finnish.VATAmount, finnish.Total = money.SplitVAT(450000, finnish.VAT)
	exempt := enDoc(glassbox.DocumentInvoice)
	exempt.VAT = glassbox.VAT{Rate: glassbox.VATNone, Exemption: "Exempt under Article 132(1)(i) of Directive 2006/112/EC (education)"}
	exempt.Net, exempt.VATAmount, exempt.Total = money.SplitVAT(450000, exempt.VAT)
	reverse := enDoc(glassbox.DocumentInvoice)
	reverse.VAT.Exemption = "not printed: the reverse-charge note says why"
	oneDay := enDoc(glassbox.DocumentInvoice)
	oneDay.SupplyStart, oneDay.SupplyEnd = "2026-11-23", "2026-11-23"
	advance := enDoc(glassbox.DocumentInvoice)
	advance.SupplyStart, advance.SupplyEnd = "", ""
	for _, tt := range []struct {
		name     string
		doc      glassbox.Document
		want     []string
		wantNone []string
	}{
		{"OnTop", onTop, []string{"Итого: 150 000,00 ₽", "НДС 22%: 33 000,00 ₽", "Всего к оплате: 183 000,00 ₽",
			"Сто восемьдесят три тысячи рублей 00 копеек"}, []string{"В том числе"}},
		{"None", none, []string{"Итого: 150 000,00 ₽", "Без налога (НДС)", "Всего к оплате: 150 000,00 ₽"},
			[]string{"НДС 22%"}},
		{"RussianReverseCharge", ruReverse, []string{"Без налога (НДС)", "Всего к оплате: 150 000,00 ₽"},
			[]string{"В том числе НДС"}},
		{"EnglishVAT", enVAT, []string{"Net €4,500.00", "VAT 24% €1,080.00", "Total due €5,580.00"},
			[]string{"Reverse charge", "VAT not charged", "VAT exemption"}},
		{"FractionalRate", finnish, []string{"Net €4,500.00", "VAT 25.5% €1,147.50", "Total due €5,647.50"},
			[]string{"Reverse charge", "VAT not charged"}},
		{"Exempt", exempt, []string{"VAT not charged €0.00", "Total due €4,500.00",
			"VAT exemption: Exempt under Article 132(1)(i) of Directive 2006/112/EC (education)"},
			[]string{"Reverse charge"}},
		{"ReverseChargeHasNoExemption", reverse, []string{"Reverse charge"}, []string{"VAT exemption"}},
		{"SupplyDay", oneDay, []string{"Date of supply: 23 November 2026"}, []string{"2026 to"}},
		{"AdvanceInvoice", advance, []string{"Date of supply: not yet supplied (advance invoice)"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			flat := squash(pdftotext(t, mustRender(t, tt.doc)))
			for _, w := range tt.want {
				if !strings.Contains(flat, w) {
					t.Errorf("text lacks %q:\n%s", w, flat)
				}
			}
			for _, w := range tt.wantNone {
				if strings.Contains(flat, w) {
					t.Errorf("text has %q", w)
				}
			}
		})
	}
}

// TestRenderSoleProprietor covers a seller with a 12-digit ИНН and no КПП or chief accountant, and a buyer
// with no signer: the missing parts are left out, not printed empty.
func TestRenderSoleProprietor(t *testing.T) {
	t.Parallel()
	for _, kind := range []glassbox.DocumentKind{glassbox.DocumentInvoice, glassbox.DocumentAct} {
		d := ruDoc(kind)
		d.Seller.Name, d.Seller.INN, d.Seller.KPP = "ИП Петров Иван Сергеевич", "770123456782", ""
		d.Seller.Director = glassbox.Signer{Title: "Индивидуальный предприниматель", Name: "Петров Иван Сергеевич"}
		d.Seller.ChiefAccountant = ""
		d.Buyer.Signer = glassbox.Signer{}
		flat := squash(pdftotext(t, mustRender(t, d)))
		for _, w := range []string{"ИП Петров Иван Сергеевич, ИНН 770123456782, 125009", "Индивидуальный предприниматель"} {
			if !strings.Contains(flat, w) {
				t.Errorf("%s lacks %q:\n%s", kind, w, flat)
			}
		}
		for _, w := range []string{"КПП 770101001", "Бухгалтер", "/ /"} {
			if strings.Contains(flat, w) {
				t.Errorf("%s has %q:\n%s", kind, w, flat)
			}
		}
	}
}

func TestRenderLocaleAndKind(t *testing.T) {
	t.Parallel()
	d := ruDoc(glassbox.DocumentInvoice)
	d.Locale = "de"
	if flat := squash(pdftotext(t, mustRender(t, d))); !strings.Contains(flat, "Invoice PX-2026-0015") {
		t.Errorf("locale de did not render English: %s", flat)
	}
	d.Kind = "receipt"
	if _, err := pdf.Render(d); err == nil {
		t.Error("Render of an unknown kind succeeded")
	}
}

// TestRenderHostile feeds every text field long, marked-up, multi-line and control-laden strings: the
// document renders, keeps its text, and nothing is drawn outside the page.
func TestRenderHostile(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Ш", 500)
	words := strings.Repeat("очень длинное название ", 25)
	nasty := "<script>alert(1)</script>\nвторая строка\r\n\t\x00\x07\x1b[31m\u202eевил\u200b конец"
	for _, base := range []glassbox.Document{
		ruDoc(glassbox.DocumentInvoice), ruDoc(glassbox.DocumentAct),
		enDoc(glassbox.DocumentInvoice), enDoc(glassbox.DocumentAct),
	} {
		d := base
		d.Number = nasty
		d.Seller.Name = long
		d.Seller.Address = words
		d.Seller.Bank.Name = nasty + long
		d.Seller.Bank.Account = long
		d.Seller.Bank.IBAN = long
		d.Seller.INN = long
		d.Seller.VATID = nasty
		d.Seller.Director = glassbox.Signer{Title: words, Name: long}
		d.Seller.ChiefAccountant = nasty
		d.Buyer = glassbox.Buyer{Name: nasty, INN: long, KPP: nasty, VATID: long, Address: words + long,
			Signer: glassbox.Signer{Title: nasty, Name: words}}
		d.Contract = long + nasty
		d.StageName, d.ProjectName, d.Purpose = long, nasty, words
		d.Date, d.DueDate = "<b>tomorrow</b>", long
		lines := []glassbox.DocumentLine{{Name: long, Quantity: 1, Unit: nasty, Price: 100, Sum: 100}}
		for i := 0; i < 30; i++ {
			lines = append(lines, glassbox.DocumentLine{Name: words + nasty, Quantity: 123456789, Unit: "шт",
				Price: 99999999999, Sum: 99999999999})
		}
		d.Lines = lines
		t.Run(d.Locale+"-"+string(d.Kind), func(t *testing.T) {
			t.Parallel()
			b := mustRender(t, d)
			text := pdftotext(t, b)
			for _, w := range []string{"<script>alert(1)</script>", "ШШШШШШШШШШ", "очень длинное название"} {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q", w)
				}
			}
			if strings.ContainsAny(text, "\x00\x07\x1b\u202e") {
				t.Error("control characters reached the page")
			}
			checkInsidePage(t, b)
			png := pdftoppm(t, b)
			if *update {
				name := filepath.Join("testdata", "golden", "hostile-"+d.Locale+"-"+string(d.Kind)+".png")
				if err := os.WriteFile(name, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// checkInsidePage asks pdftotext for each word's box and fails if any lies outside the page's margins.
func checkInsidePage(t *testing.T, b []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-bbox", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	const pageW, pageH, margin = 595.28, 841.89, 15 * 72 / 25.4
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "<word ") {
			continue
		}
		n++
		var xMin, yMin, xMax, yMax float64
		if _, err := fmt.Sscanf(line, `<word xMin="%f" yMin="%f" xMax="%f" yMax="%f">`, &xMin, &yMin, &xMax, &yMax); err != nil {
			t.Fatalf("parse %q: %v", line, err)
		}
		if xMin < margin-1 || xMax > pageW-margin+1 || yMin < margin-3 || yMax > pageH-margin+3 {
			t.Errorf("word outside the margins: %s", line)
		}
	}
	if n == 0 {
		t.Error("pdftotext -bbox found no words")
	}
}

var renderOnce sync.Once

func benchmark(b *testing.B, d glassbox.Document) {
	var out []byte
	renderOnce.Do(func() { mustRender(b, d) }) // fonts load on the first Render; keep that out of the timing
	b.ReportAllocs()
	for b.Loop() {
		out = mustRender(b, d)
	}
	b.ReportMetric(float64(len(out))/1024, "KB/pdf")
}

func BenchmarkRenderInvoiceRU(b *testing.B) { benchmark(b, ruDoc(glassbox.DocumentInvoice)) }
func BenchmarkRenderActRU(b *testing.B)     { benchmark(b, ruDoc(glassbox.DocumentAct)) }
func BenchmarkRenderInvoiceEN(b *testing.B) { benchmark(b, enDoc(glassbox.DocumentInvoice)) }
