package payqr

import "strconv"

// FieldError says which document field cannot go into a payment QR code, and why.
type FieldError struct {
	// Field names the field in words: "seller bank account", "seller IBAN", "total".
	Field string
	// Value is the offending value; empty when the problem is that it is empty.
	Value  string
	Reason string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return "payqr: " + e.Field + " " + e.Reason
	}
	return "payqr: " + e.Field + " " + strconv.Quote(e.Value) + " " + e.Reason
}
