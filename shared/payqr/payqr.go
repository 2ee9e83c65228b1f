// Package payqr builds the payment QR codes printed on invoices: ГОСТ Р 56042-2014 ("ST00012") for rubles and
// EPC "BCD" (SEPA credit transfer) for euros, and renders them as images.
package payqr

import (
	"image"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Payload returns the QR payload for paying an invoice, and false when its currency has no QR format (only
// RUB and EUR do).
func Payload(doc glassbox.Document) (string, bool, error) {
	panic("payqr.Payload: not written yet")
}

// Image renders a payload as a QR code with its quiet zone, each module scale pixels wide.
func Image(payload string, scale int) (image.Image, error) {
	panic("payqr.Image: not written yet")
}
