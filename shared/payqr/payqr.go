// Package payqr builds the payment QR codes printed on invoices: ГОСТ Р 56042-2014 ("ST00012") for rubles and
// EPC "BCD" (SEPA credit transfer) for euros, and renders them as images.
//
// Both payloads are built and checked here; rsc.io/qr only draws the symbol.
package payqr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	"rsc.io/qr"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Payload returns the QR payload for paying an invoice, and false when its currency has no QR format (only
// RUB and EUR do). An error names the document field that cannot go into the payload.
func Payload(doc glassbox.Document) (string, bool, error) {
	switch strings.ToUpper(strings.TrimSpace(doc.Currency)) {
	case "RUB":
		p, err := GOST(doc)
		return p, true, err
	case "EUR":
		p, err := EPC(doc)
		return p, true, err
	}
	return "", false, nil
}

// QuietZone is the white border around the symbol, in modules. ISO/IEC 18004 asks for 4.
const QuietZone = 4

// MaxScale is the largest module size Image accepts, in pixels: a version 40 symbol at this scale is 5,920
// pixels square.
const MaxScale = 32

// ErrEmptyPayload is returned by Image and PNG for an empty payload.
var ErrEmptyPayload = errors.New("payqr: empty payload")

// Image renders a payload as a QR code with its quiet zone, each module scale pixels wide: black on white,
// error correction level M (EPC069-12 requires M; ГОСТ payloads use it too), byte mode holding the payload's
// UTF-8 bytes as they are (no ECI header, which many banking apps do not read). The result is an
// *image.Paletted with two colours, white at index 0.
func Image(payload string, scale int) (image.Image, error) {
	return render(payload, scale)
}

// PNG renders a payload like Image and encodes it as a 1-bit PNG.
func PNG(payload string, scale int) ([]byte, error) {
	img, err := render(payload, scale)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("payqr: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// Modules returns how many modules wide a payload's symbol is, quiet zone included: the image Image draws is
// Modules × scale pixels square. A caller placing the code at a physical size divides by it.
func Modules(payload string) (int, error) {
	code, err := encode(payload)
	if err != nil {
		return 0, err
	}
	return code.Size + 2*QuietZone, nil
}

var palette = color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0}}

// encode makes the symbol with rsc.io/qr, which takes about 0.5 ms for a ГОСТ payload where
// boombuler/barcode took 8 ms (most of an invoice PDF's budget). rsc.io/qr picks byte mode for anything
// that is not all digits or upper-case alphanumerics, which payment payloads never are.
func encode(payload string) (*qr.Code, error) {
	if payload == "" {
		return nil, ErrEmptyPayload
	}
	code, err := qr.Encode(payload, qr.M)
	if err != nil {
		return nil, fmt.Errorf("payqr: encode %d-byte payload: %w", len(payload), err)
	}
	return code, nil
}

func render(payload string, scale int) (*image.Paletted, error) {
	if scale < 1 || scale > MaxScale {
		return nil, fmt.Errorf("payqr: scale %d must be 1 to %d pixels per module", scale, MaxScale)
	}
	code, err := encode(payload)
	if err != nil {
		return nil, err
	}
	n := code.Size
	side := (n + 2*QuietZone) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), palette) // all index 0: white
	dark := code.Black
	row := make([]uint8, side)
	for y := 0; y < n; y++ {
		clear(row)
		for x := 0; x < n; x++ {
			if dark(x, y) {
				px := (QuietZone + x) * scale
				for i := range scale {
					row[px+i] = 1
				}
			}
		}
		for i := range scale {
			off := img.PixOffset(0, (QuietZone+y)*scale+i)
			copy(img.Pix[off:off+side], row)
		}
	}
	return img, nil
}
