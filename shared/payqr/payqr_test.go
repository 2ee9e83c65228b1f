package payqr_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/payqr"
)

const ruPurpose = "Оплата по счёту № PX-2026-0015 от 23.11.2026 за этап «Программирование». НДС не облагается"

func ruDoc() glassbox.Document {
	return glassbox.Document{
		ID:       "doc-ru",
		Kind:     glassbox.DocumentInvoice,
		Number:   "PX-2026-0015",
		Currency: "RUB",
		Seller: glassbox.Seller{
			ID:   "pixel",
			Name: "ООО «Пиксель»",
			INN:  "7701234567",
			KPP:  "770101001",
			Bank: glassbox.Bank{
				Name:        "ПАО Сбербанк",
				BIC:         "044525225",
				CorrAccount: "30101810400000000225",
				Account:     "40702810938000012345",
			},
		},
		Buyer:   glassbox.Buyer{Name: "ООО «Ромашка»"},
		Net:     15000000,
		Total:   15000000,
		Purpose: ruPurpose,
	}
}

func euDoc() glassbox.Document {
	return glassbox.Document{
		ID:       "doc-eu",
		Kind:     glassbox.DocumentInvoice,
		Number:   "PXE-2026-0007",
		Currency: "EUR",
		Seller: glassbox.Seller{
			ID:   "pixel-eu",
			Name: "Pixel Studio OÜ",
			Bank: glassbox.Bank{Name: "Swedbank", IBAN: "EE382200221020145685", SWIFT: "HABAEE2X"},
		},
		Buyer:   glassbox.Buyer{Name: "Acme GmbH"},
		Net:     450000,
		Total:   450000,
		Purpose: "Invoice PXE-2026-0007, stage Design",
	}
}

const (
	ruHead = "ST00012|Name=ООО «Пиксель»|PersonalAcc=40702810938000012345|BankName=ПАО Сбербанк|BIC=044525225" +
		"|CorrespAcc=30101810400000000225|Sum=15000000"
	ruWant = ruHead + "|Purpose=" + ruPurpose + "|PayeeINN=7701234567|KPP=770101001"
	euWant = "BCD\n002\n1\nSCT\nHABAEE2X\nPixel Studio OÜ\nEE382200221020145685\nEUR4500.00\n\n\nInvoice PXE-2026-0007, stage Design"
)

func TestPayload(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Работы по этапу «Дизайн» ", 12) // 300 characters
	tests := []struct {
		name   string
		doc    func() glassbox.Document
		want   string
		wantOK bool
	}{
		{"GOST", ruDoc, ruWant, true},
		{"GOSTCurrencyCase", func() glassbox.Document { d := ruDoc(); d.Currency = " rub "; return d }, ruWant, true},
		{"GOSTSoleProprietorNoKPP", func() glassbox.Document {
			d := ruDoc()
			d.Seller.Name, d.Seller.INN, d.Seller.KPP = "ИП Иванов Иван Иванович", "500100732259", ""
			return d
		}, strings.Replace(ruHead, "ООО «Пиксель»", "ИП Иванов Иван Иванович", 1) +
			"|Purpose=" + ruPurpose + "|PayeeINN=500100732259", true},
		{"GOSTPayerINN", func() glassbox.Document { d := ruDoc(); d.Buyer.INN = "7707083893"; return d },
			ruWant + "|PayerINN=7707083893", true},
		{"GOSTNoPurpose", func() glassbox.Document { d := ruDoc(); d.Purpose = ""; return d },
			ruHead + "|PayeeINN=7701234567|KPP=770101001", true},
		{"GOSTKopecks", func() glassbox.Document { d := ruDoc(); d.Total = 149990; return d },
			strings.Replace(ruWant, "Sum=15000000", "Sum=149990", 1), true},
		{"GOSTSpacedNumbers", func() glassbox.Document {
			d := ruDoc()
			d.Seller.Bank.Account = "4070 2810 9380 0001 2345"
			d.Seller.Bank.BIC = " 044525225\u00a0"
			return d
		}, ruWant, true},
		{"GOSTSeparatorAndLineBreaksInValues", func() glassbox.Document {
			d := ruDoc()
			d.Seller.Bank.Name = "ПАО|Сбербанк"
			d.Purpose = "Оплата\r\nпо счёту|PX-2026-0015\tэтап\n"
			return d
		}, strings.Replace(ruHead, "ПАО Сбербанк", "ПАО/Сбербанк", 1) +
			"|Purpose=Оплата по счёту/PX-2026-0015 этап|PayeeINN=7701234567|KPP=770101001", true},
		{"GOSTPurposeCutTo210Characters", func() glassbox.Document { d := ruDoc(); d.Purpose = long; return d },
			ruHead + "|Purpose=" + strings.TrimRight(string([]rune(long)[:210]), " ") + "|PayeeINN=7701234567|KPP=770101001", true},
		{"GOSTKPPWithLetters", func() glassbox.Document { d := ruDoc(); d.Seller.KPP = "7701AB001"; return d },
			strings.Replace(ruWant, "KPP=770101001", "KPP=7701AB001", 1), true},

		{"EPC", euDoc, euWant, true},
		{"EPCNoBIC", func() glassbox.Document { d := euDoc(); d.Seller.Bank.SWIFT = ""; return d },
			strings.Replace(euWant, "HABAEE2X", "", 1), true},
		{"EPCSpacedLowerIBANAndBIC", func() glassbox.Document {
			d := euDoc()
			d.Seller.Bank.IBAN, d.Seller.Bank.SWIFT = "ee38 2200 2210 2014 5685", "habaee2x"
			return d
		}, euWant, true},
		{"EPCNoPurposeEndsAtAmount", func() glassbox.Document { d := euDoc(); d.Purpose = ""; return d },
			"BCD\n002\n1\nSCT\nHABAEE2X\nPixel Studio OÜ\nEE382200221020145685\nEUR4500.00", true},
		{"EPCCents", func() glassbox.Document { d := euDoc(); d.Total = 123456; return d },
			strings.Replace(euWant, "EUR4500.00", "EUR1234.56", 1), true},
		{"EPCSmallest", func() glassbox.Document { d := euDoc(); d.Total = 1; return d },
			strings.Replace(euWant, "EUR4500.00", "EUR0.01", 1), true},
		{"EPCLargest", func() glassbox.Document { d := euDoc(); d.Total = 99999999999; return d },
			strings.Replace(euWant, "EUR4500.00", "EUR999999999.99", 1), true},
		{"EPCLineBreakInPurpose", func() glassbox.Document { d := euDoc(); d.Purpose = "Invoice\nPXE-2026-0007\r\n"; return d },
			strings.Replace(euWant, "Invoice PXE-2026-0007, stage Design", "Invoice PXE-2026-0007", 1), true},
		{"EPCPurposeCutTo140Characters", func() glassbox.Document { d := euDoc(); d.Purpose = strings.Repeat("Design work ", 20); return d },
			strings.Replace(euWant, "Invoice PXE-2026-0007, stage Design",
				strings.TrimRight(strings.Repeat("Design work ", 20)[:140], " "), 1), true},

		{"USDHasNoQR", func() glassbox.Document { d := euDoc(); d.Currency = "USD"; return d }, "", false},
		{"NoCurrency", func() glassbox.Document { d := ruDoc(); d.Currency = ""; return d }, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := payqr.Payload(tt.doc())
			if err != nil {
				t.Fatalf("Payload: %v", err)
			}
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if got != tt.want {
				t.Errorf("payload:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestEPCByteLimit: 140 two-byte characters of text and a 70-character Cyrillic name would pass 331 bytes, so
// the text is cut further, on a character boundary.
func TestEPCByteLimit(t *testing.T) {
	t.Parallel()
	d := euDoc()
	d.Seller.Name = strings.Repeat("Ж", 70)
	d.Purpose = strings.Repeat("Оплата ", 30)
	got, ok, err := payqr.Payload(d)
	if err != nil || !ok {
		t.Fatalf("Payload: %v, %v", ok, err)
	}
	if len(got) > 331 || len(got) < 325 {
		t.Errorf("payload is %d bytes, want 325 to 331", len(got))
	}
	if !utf8.ValidString(got) {
		t.Errorf("payload is not valid UTF-8: %q", got)
	}
	if strings.HasSuffix(got, " ") || strings.HasSuffix(got, "\n") {
		t.Errorf("payload ends in a space or line break: %q", got)
	}
}

func TestPayloadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		doc    func() glassbox.Document
		field  string
		errStr string
	}{
		{"GOSTShortAccount", func() glassbox.Document { d := ruDoc(); d.Seller.Bank.Account = "123"; return d },
			"seller bank account", `payqr: seller bank account "123" must be 20 digits`},
		{"GOSTAccountLetters", func() glassbox.Document { d := ruDoc(); d.Seller.Bank.Account = "4070281093800001234O"; return d },
			"seller bank account", `payqr: seller bank account "4070281093800001234O" must be 20 digits`},
		{"GOSTAccountControlKey", func() glassbox.Document { d := ruDoc(); d.Seller.Bank.Account = "40702810938000012346"; return d },
			"seller bank account", `payqr: seller bank account "40702810938000012346" does not match BIC 044525225 (control key)`},
		{"GOSTShortBIC", func() glassbox.Document { d := ruDoc(); d.Seller.Bank.BIC = "04452522"; return d },
			"seller bank BIC", `payqr: seller bank BIC "04452522" must be 9 digits`},
		{"GOSTNoBIC", func() glassbox.Document { d := ruDoc(); d.Seller.Bank.BIC = ""; return d },
			"seller bank BIC", `payqr: seller bank BIC must be 9 digits`},
		{"GOSTNoCorrAccount", func() glassbox.Document { d := ruDoc(); d.Seller.Bank.CorrAccount = ""; return d },
			"seller bank corr. account", `payqr: seller bank corr. account must be 1 to 20 digits`},
		{"GOSTLongCorrAccount", func() glassbox.Document { d := ruDoc(); d.Seller.Bank.CorrAccount = "301018104000000002250"; return d },
			"seller bank corr. account", `payqr: seller bank corr. account "301018104000000002250" must be 1 to 20 digits`},
		{"GOSTCorrAccountControlKey", func() glassbox.Document { d := ruDoc(); d.Seller.Bank.CorrAccount = "30101810400000000226"; return d },
			"seller bank corr. account", `payqr: seller bank corr. account "30101810400000000226" does not match BIC 044525225 (control key)`},
		{"GOSTNoName", func() glassbox.Document { d := ruDoc(); d.Seller.Name = " \n"; return d },
			"seller name", `payqr: seller name must not be empty`},
		{"GOSTLongName", func() glassbox.Document { d := ruDoc(); d.Seller.Name = strings.Repeat("Я", 161); return d },
			"seller name", `payqr: seller name "` + strings.Repeat("Я", 161) + `" is 161 characters, at most 160 fit`},
		{"GOSTNoBankName", func() glassbox.Document { d := ruDoc(); d.Seller.Bank.Name = ""; return d },
			"seller bank name", `payqr: seller bank name must not be empty`},
		{"GOSTLongBankName", func() glassbox.Document { d := ruDoc(); d.Seller.Bank.Name = strings.Repeat("Б", 46); return d },
			"seller bank name", `payqr: seller bank name "` + strings.Repeat("Б", 46) + `" is 46 characters, at most 45 fit`},
		{"GOSTBadINN", func() glassbox.Document { d := ruDoc(); d.Seller.INN = "77012345"; return d },
			"seller INN", `payqr: seller INN "77012345" must be 10 or 12 digits`},
		{"GOSTNoINN", func() glassbox.Document { d := ruDoc(); d.Seller.INN = ""; return d },
			"seller INN", `payqr: seller INN must be 10 or 12 digits`},
		{"GOSTBadKPP", func() glassbox.Document { d := ruDoc(); d.Seller.KPP = "77010100"; return d },
			"seller KPP", `payqr: seller KPP "77010100" must be 9 characters: 4 digits, 2 digits or capital letters, 3 digits`},
		{"GOSTBadBuyerINN", func() glassbox.Document { d := ruDoc(); d.Buyer.INN = "12345"; return d },
			"buyer INN", `payqr: buyer INN "12345" must be 10 or 12 digits`},
		{"GOSTZeroTotal", func() glassbox.Document { d := ruDoc(); d.Total = 0; return d },
			"total", `payqr: total "0" must be 1 to 18 digits of kopecks`},
		{"GOSTNegativeTotal", func() glassbox.Document { d := ruDoc(); d.Total = -100; return d },
			"total", `payqr: total "-100" must be 1 to 18 digits of kopecks`},
		{"GOSTTotalOver18Digits", func() glassbox.Document { d := ruDoc(); d.Total = 1_000_000_000_000_000_000; return d },
			"total", `payqr: total "1000000000000000000" must be 1 to 18 digits of kopecks`},

		{"EPCBadIBANChecksum", func() glassbox.Document { d := euDoc(); d.Seller.Bank.IBAN = "EE382200221020145686"; return d },
			"seller IBAN", `payqr: seller IBAN "EE382200221020145686" has wrong check digits`},
		{"EPCSwappedIBANDigits", func() glassbox.Document { d := euDoc(); d.Seller.Bank.IBAN = "EE382200221020145658"; return d },
			"seller IBAN", `payqr: seller IBAN "EE382200221020145658" has wrong check digits`},
		{"EPCNoIBAN", func() glassbox.Document { d := euDoc(); d.Seller.Bank.IBAN = ""; return d },
			"seller IBAN", `payqr: seller IBAN must not be empty`},
		{"EPCShortIBAN", func() glassbox.Document { d := euDoc(); d.Seller.Bank.IBAN = "EE3822"; return d },
			"seller IBAN", `payqr: seller IBAN "EE3822" must be 15 to 34 characters`},
		{"EPCIBANNoCountry", func() glassbox.Document { d := euDoc(); d.Seller.Bank.IBAN = "38EE2200221020145685"; return d },
			"seller IBAN", `payqr: seller IBAN "38EE2200221020145685" must be a country code, two check digits and letters or digits`},
		{"EPCIBANPunctuation", func() glassbox.Document { d := euDoc(); d.Seller.Bank.IBAN = "EE38-2200-2210-2014-5685"; return d },
			"seller IBAN", `payqr: seller IBAN "EE38-2200-2210-2014-5685" must be a country code, two check digits and letters or digits`},
		{"EPCBadSWIFT", func() glassbox.Document { d := euDoc(); d.Seller.Bank.SWIFT = "HABA"; return d },
			"seller SWIFT", `payqr: seller SWIFT "HABA" must be a BIC of 8 or 11 letters and digits`},
		{"EPCNoName", func() glassbox.Document { d := euDoc(); d.Seller.Name = ""; return d },
			"seller name", `payqr: seller name must not be empty`},
		{"EPCLongName", func() glassbox.Document { d := euDoc(); d.Seller.Name = strings.Repeat("P", 71); return d },
			"seller name", `payqr: seller name "` + strings.Repeat("P", 71) + `" is 71 characters, at most 70 fit`},
		{"EPCZeroTotal", func() glassbox.Document { d := euDoc(); d.Total = 0; return d },
			"total", `payqr: total "0" must be EUR 0.01 to 999999999.99 in cents`},
		{"EPCTotalTooLarge", func() glassbox.Document { d := euDoc(); d.Total = 100000000000; return d },
			"total", `payqr: total "100000000000" must be EUR 0.01 to 999999999.99 in cents`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := payqr.Payload(tt.doc())
			if err == nil {
				t.Fatalf("Payload = %q, want error %q", got, tt.errStr)
			}
			if !ok {
				t.Errorf("ok = false, want true: the currency has a QR format")
			}
			if got != "" {
				t.Errorf("payload = %q with an error, want empty", got)
			}
			if err.Error() != tt.errStr {
				t.Errorf("error:\n got %s\nwant %s", err, tt.errStr)
			}
			var fe *payqr.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *payqr.FieldError", err)
			}
			if fe.Field != tt.field {
				t.Errorf("Field = %q, want %q", fe.Field, tt.field)
			}
		})
	}
}

func TestNormalizeIBAN(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"EE382200221020145685", "EE382200221020145685"},
		{"de89 3704 0044 0532 0130 00", "DE89370400440532013000"},
		{"GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"},
		{"FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"},
	} {
		got, err := payqr.NormalizeIBAN(tt.in)
		if err != nil {
			t.Errorf("NormalizeIBAN(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("NormalizeIBAN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestImage(t *testing.T) {
	t.Parallel()
	const scale = 3
	img, err := payqr.Image(ruWant, scale)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := img.(*image.Paletted)
	if !ok {
		t.Fatalf("Image returns %T, want *image.Paletted", img)
	}
	modules, err := payqr.Modules(ruWant)
	if err != nil {
		t.Fatal(err)
	}
	// The 352-byte payload at level M is version 14 (73 modules), plus the quiet zone on both sides.
	if modules != 73+2*payqr.QuietZone {
		t.Errorf("Modules = %d, want %d", modules, 73+2*payqr.QuietZone)
	}
	if got, want := p.Bounds(), image.Rect(0, 0, modules*scale, modules*scale); got != want {
		t.Errorf("bounds %v, want %v", got, want)
	}
	dark := func(x, y int) bool { return p.ColorIndexAt(x, y) == 1 }
	side := modules * scale
	qz := payqr.QuietZone * scale
	for i := 0; i < side; i++ {
		for j := 0; j < qz; j++ {
			if dark(i, j) || dark(j, i) || dark(i, side-1-j) || dark(side-1-j, i) {
				t.Fatalf("quiet zone has a dark pixel at distance %d from the edge", j)
			}
		}
	}
	// The finder pattern's outer ring starts right after the quiet zone, top left, top right and bottom left.
	for _, pt := range []image.Point{{qz, qz}, {side - qz - 1, qz}, {qz, side - qz - 1}, {qz + 6*scale, qz + 6*scale}} {
		if !dark(pt.X, pt.Y) {
			t.Errorf("pixel %v is light, want the dark finder ring", pt)
		}
	}
	if dark(qz+scale, qz+scale) {
		t.Errorf("pixel inside the finder ring is dark, want light")
	}
}

func TestPNG(t *testing.T) {
	t.Parallel()
	const scale = 4
	img, err := payqr.Image(ruWant, scale)
	if err != nil {
		t.Fatal(err)
	}
	b, err := payqr.PNG(ruWant, scale)
	if err != nil {
		t.Fatal(err)
	}
	// 1 bit a pixel, compressed: a few kilobytes for a 324-pixel square.
	if len(b) > 8<<10 {
		t.Errorf("PNG is %d bytes, want at most 8 KiB", len(b))
	}
	got, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	if got.Bounds() != img.Bounds() {
		t.Fatalf("PNG bounds %v, want %v", got.Bounds(), img.Bounds())
	}
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			r1, _, _, _ := got.At(x, y).RGBA()
			r2, _, _, _ := img.At(x, y).RGBA()
			if r1 != r2 {
				t.Fatalf("pixel (%d, %d) differs between PNG and Image", x, y)
			}
		}
	}
}

func TestImageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		scale   int
	}{
		{"EmptyPayload", "", 4},
		{"ZeroScale", ruWant, 0},
		{"NegativeScale", ruWant, -1},
		{"ScaleOverMax", ruWant, payqr.MaxScale + 1},
		{"TooLongForQR", strings.Repeat("Я", 1500), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if img, err := payqr.Image(tt.payload, tt.scale); err == nil {
				t.Errorf("Image = %v, want an error", img.Bounds())
			}
			if b, err := payqr.PNG(tt.payload, tt.scale); err == nil {
				t.Errorf("PNG = %d bytes, want an error", len(b))
			}
		})
	}
	if _, err := payqr.Image("", 4); !errors.Is(err, payqr.ErrEmptyPayload) {
		t.Errorf("Image(\"\") error = %v, want ErrEmptyPayload", err)
	}
}

func BenchmarkPayloadImage(b *testing.B) {
	for _, bb := range []struct {
		name string
		doc  glassbox.Document
	}{{"GOST", ruDoc()}, {"EPC", euDoc()}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, _, err := payqr.Payload(bb.doc)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := payqr.Image(p, 4); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPNG(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := payqr.PNG(ruWant, 4); err != nil {
			b.Fatal(err)
		}
	}
}
