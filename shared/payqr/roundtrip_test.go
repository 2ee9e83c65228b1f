// The round trip decodes with github.com/makiuchi-d/gozxing, a QR reader independent of the encoder.

package payqr_test

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/payqr"
)

// decode reads a QR code back the way a scanner would: no hints, whole image.
func decode(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(gozxing.NewLuminanceSourceFromImage(img)))
	if err != nil {
		t.Fatalf("bitmap: %v", err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText()
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	// About 320 bytes of UTF-8, like a real invoice's payload.
	long := ruDoc()
	long.Purpose = "Оплата по счёту № PX-2026-0015 от 23.11.2026, этап «Программирование»"
	// The largest GOST payload Payload makes: 160 + 45 + 210 Cyrillic characters, version 26.
	largest := ruDoc()
	largest.Seller.Name = strings.Repeat("Щ", 160)
	largest.Seller.Bank.Name = strings.Repeat("Б", 45)
	largest.Purpose = strings.Repeat("Ё", 300)
	largest.Buyer.INN = "500100732259"
	maxEPC := euDoc()
	maxEPC.Seller.Name = "Pixel Studio OÜ – Digitalagentur für Web- und App-Entwicklung, Tallinn"
	maxEPC.Purpose = strings.Repeat("Rechnung PXE-2026-0007 für Gestaltung und Prüfung der Benutzeroberfläche; ", 3)

	tests := []struct {
		name           string
		doc            glassbox.Document
		minLen, maxLen int
		scale          int
	}{
		{"GOST", ruDoc(), 352, 352, 4},
		{"GOST320Bytes", long, 310, 330, 4},
		{"GOSTLargest", largest, 1000, 1020, 3},
		{"EPC", euDoc(), 80, 120, 4},
		{"EPCLongest", maxEPC, 270, 331, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			payload, _, err := payqr.Payload(tt.doc)
			if err != nil {
				t.Fatalf("Payload: %v", err)
			}
			if n := len(payload); n < tt.minLen || n > tt.maxLen {
				t.Fatalf("payload is %d bytes, want %d to %d", n, tt.minLen, tt.maxLen)
			}
			img, err := payqr.Image(payload, tt.scale)
			if err != nil {
				t.Fatalf("Image: %v", err)
			}
			if got := decode(t, img); got != payload {
				t.Errorf("decoded:\n got %q\nwant %q", got, payload)
			}

			b, err := payqr.PNG(payload, tt.scale)
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			fromPNG, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("png.Decode: %v", err)
			}
			if fromPNG.Bounds() != img.Bounds() {
				t.Errorf("PNG bounds %v, image bounds %v", fromPNG.Bounds(), img.Bounds())
			}
			if got := decode(t, fromPNG); got != payload {
				t.Errorf("decoded from PNG:\n got %q\nwant %q", got, payload)
			}
		})
	}
}
