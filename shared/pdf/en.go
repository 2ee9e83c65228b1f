package pdf

import (
	"strconv"

	"github.com/signintech/gopdf"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// reverseChargeNote is printed on English invoices when the buyer accounts for the VAT.
const reverseChargeNote = "Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC)."

// invoiceEN draws an invoice with the content EU VAT rules ask for (Directive 2006/112/EC, art. 226): dates,
// both parties with VAT ids, the lines, net, VAT and total, the reverse-charge note, and how to pay, with the
// EPC QR code for euros.
func invoiceEN(w *writer, d glassbox.Document) {
	dates := [][2]string{{"Issue date:", dateEN(d.Date)}}
	if d.DueDate != "" {
		dates = append(dates, [2]string{"Due date:", dateEN(d.DueDate)})
	}
	w.headerEN("Invoice "+clean(d.Number), "", dates)
	w.partiesEN(d, "From", "Bill to")
	w.gap(1)
	w.labeled("Date of supply:", supplyEN(d), enLabelW, false)
	w.gap(4)
	w.linesTableEN(d)
	w.gap(1.5)
	w.totalsEN(d, "Total due")
	w.vatNoteEN(d)
	w.gap(6)
	w.paymentEN(d)
}

// actEN draws a certificate of completion: the services rendered for a stage, totals, the statement that
// they were rendered in full, and both parties' signature lines.
func actEN(w *writer, d glassbox.Document) {
	sub := "Services rendered"
	if st := clean(d.StageName); st != "" {
		sub += " for stage “" + st + "”"
	}
	if p := clean(d.ProjectName); p != "" {
		sub += " of project “" + p + "”"
	}
	w.headerEN("Certificate of completion "+clean(d.Number), sub, [][2]string{{"Date:", dateEN(d.Date)}})
	w.partiesEN(d, "Contractor", "Client")
	w.gap(5)
	w.linesTableEN(d)
	w.gap(1.5)
	w.totalsEN(d, "Total")
	w.vatNoteEN(d)
	w.gap(3)
	w.para("Total services rendered: "+strconv.Itoa(len(d.Lines))+", amounting to "+w.money(d.Total)+".", false, body)
	w.gap(2)
	w.para("The services listed above have been rendered in full and on time. The Client has no claims as to "+
		"their scope, quality or timing.", false, body)
	w.gap(4)
	w.need(1)
	w.hline(left, right, w.y, 0.6)
	w.gap(5)
	w.signatures(
		signer{"CONTRACTOR", d.Seller.Name, d.Seller.Director.Title, d.Seller.Director.Name},
		signer{"CLIENT", d.Buyer.Name, d.Buyer.Signer.Title, d.Buyer.Signer.Name},
		"signature",
	)
}

// headerEN draws the title (and a subtitle) on the left and label/value pairs such as dates on the right.
func (w *writer) headerEN(t, sub string, kv [][2]string) {
	const kvW, labW = 62.0, 22.0
	w.font(true, title)
	tw := width - kvW - 4
	w.need(w.height(t, tw))
	top := w.y
	w.y += w.box(left, w.y, tw, t, gopdf.Left)
	if sub != "" {
		w.font(false, 10)
		w.gap(1)
		w.y += w.box(left, w.y, tw, sub, gopdf.Left)
	}
	w.font(false, body)
	ky := top + 1
	for _, p := range kv {
		w.font(true, body)
		w.box(right-kvW, ky, labW, p[0], gopdf.Left)
		w.font(false, body)
		ky += w.box(right-kvW+labW, ky, kvW-labW, p[1], gopdf.Right)
	}
	w.y = max(w.y, ky)
	w.gap(2)
	w.hline(left, right, w.y, 0.6)
	w.gap(4)
}

// partiesEN draws the seller and the buyer side by side, each under a small heading.
func (w *writer) partiesEN(d glassbox.Document, sellerHead, buyerHead string) {
	s, b := d.Seller, d.Buyer
	colW := (width - 8) / 2
	seller := []string{s.Address, prefixed("VAT ID: ", s.VATID), prefixed("INN: ", s.INN), prefixed("KPP: ", s.KPP)}
	buyer := []string{b.Address, prefixed("VAT ID: ", b.VATID), prefixed("INN: ", b.INN), prefixed("KPP: ", b.KPP)}
	h := max(w.partyHeight(s.Name, seller, colW), w.partyHeight(b.Name, buyer, colW))
	w.need(h)
	w.party(left, sellerHead, s.Name, seller, colW)
	w.party(left+colW+8, buyerHead, b.Name, buyer, colW)
	w.y += h
	if c := clean(d.Contract); c != "" {
		w.gap(3)
		w.labeled("Contract:", c, enLabelW, false)
	}
}

// enLabelW is the width of the labels of the contract and supply lines.
const enLabelW = 28.0

// supplyEN words when the services of an invoice are supplied (Directive 2006/112/EC art. 226(7)).
func supplyEN(d glassbox.Document) string {
	switch {
	case d.SupplyStart == "":
		return "not yet supplied (advance invoice)"
	case d.SupplyEnd == "" || d.SupplyEnd == d.SupplyStart:
		return dateEN(d.SupplyStart)
	default:
		return dateEN(d.SupplyStart) + " to " + dateEN(d.SupplyEnd)
	}
}

func (w *writer) partyHeight(name string, lines []string, colW float64) float64 {
	w.font(false, small)
	h := w.lh() + 0.5
	w.font(true, 10)
	h += w.height(name, colW)
	w.font(false, body)
	for _, l := range lines {
		if l = clean(l); l != "" {
			h += w.height(l, colW)
		}
	}
	return h
}

func (w *writer) party(x float64, head, name string, lines []string, colW float64) {
	y := w.y
	w.font(true, small)
	w.pdf.SetTextColor(90, 90, 90)
	y += w.box(x, y, colW, head, gopdf.Left) + 0.5
	w.pdf.SetTextColor(0, 0, 0)
	w.font(true, 10)
	y += w.box(x, y, colW, clean(name), gopdf.Left)
	w.font(false, body)
	for _, l := range lines {
		if l = clean(l); l != "" {
			y += w.box(x, y, colW, l, gopdf.Left)
		}
	}
}

func (w *writer) linesTableEN(d glassbox.Document) {
	cols := []column{
		{"Description", 0, gopdf.Left},
		{"Qty", 18, gopdf.Right},
		{"Unit price", 32, gopdf.Right},
		{"Amount", 32, gopdf.Right},
	}
	cols[0].w = width - 18 - 32 - 32
	rows := make([][]string, len(d.Lines))
	for i, l := range d.Lines {
		qty := strconv.FormatInt(l.Quantity, 10)
		if u := clean(l.Unit); u != "" {
			qty += " " + u
		}
		rows[i] = []string{clean(l.Name), qty, w.money(l.Price), w.money(l.Sum)}
	}
	w.table(cols, rows)
}

// vatNoteEN says why a document charges no VAT: the reverse-charge note, or the seller's exemption.
func (w *writer) vatNoteEN(d glassbox.Document) {
	note := ""
	switch {
	case d.VAT.ReverseCharge:
		note = reverseChargeNote
	case d.VAT.Exempt() && clean(d.VAT.Exemption) != "":
		note = "VAT exemption: " + clean(d.VAT.Exemption)
	}
	if note != "" {
		w.gap(2)
		w.para(note, false, body)
	}
}

func (w *writer) totalsEN(d glassbox.Document, totalLabel string) {
	vat := "VAT not charged"
	if _, ok := d.VAT.Rate.BasisPoints(); ok && !d.VAT.ReverseCharge {
		vat = "VAT " + money.Rate(d.VAT.Rate, w.locale)
		if d.VAT.Included {
			vat += " (included)"
		}
	}
	w.totals([][2]string{{"Net", w.money(d.Net)}, {vat, w.money(d.VATAmount)}, {totalLabel, w.money(d.Total)}}, 32)
}

// paymentEN draws how to pay: the seller's bank details and the reference, with the EPC QR on the right.
func (w *writer) paymentEN(d glassbox.Document) {
	bk := d.Seller.Bank
	rows := [][2]string{
		{"Bank", bk.Name}, {"IBAN", bk.IBAN}, {"SWIFT/BIC", bk.SWIFT},
		{"Account", bk.Account}, {"BIK", bk.BIC}, {"Corr. account", bk.CorrAccount},
		{"Reference", d.Number}, {"Purpose", d.Purpose},
	}
	qr := w.qr()
	tw := width
	if qr != nil {
		tw = width - qrSize - 8
	}
	const labW = 30.0
	h := 0.0
	w.font(true, 10)
	h += w.lh() + 1
	w.font(false, body)
	for _, r := range rows {
		if clean(r[1]) != "" {
			h += w.height(clean(r[1]), tw-labW)
		}
	}
	if qr != nil {
		h = max(h, qrSize+5)
	}
	w.need(h)
	top := w.y
	w.font(true, 10)
	w.y += w.box(left, w.y, tw, "Payment details", gopdf.Left) + 1
	w.font(false, body)
	for _, r := range rows {
		if v := clean(r[1]); v != "" {
			w.labeled(r[0], v, labW, false)
		}
	}
	if qr != nil {
		w.drawQR(qr, right-qrSize, top)
		w.font(false, small)
		w.box(right-qrSize, top+qrSize+0.5, qrSize, "Scan to pay", gopdf.Center)
		w.font(false, body)
	}
	w.y = top + h
}

// signer is one party's signature block; name is printed as given (Russian documents pass surname and
// initials).
type signer struct {
	head, party, title, name string
}

// signatures draws two signature blocks side by side: heading, party, job title, a line to sign on with
// the name after it, and a caption under the line.
func (w *writer) signatures(a, b signer, caption string) {
	colW := (width - 10) / 2
	h := max(w.signerHeight(a, colW), w.signerHeight(b, colW))
	w.need(h)
	w.signer(left, a, colW, caption)
	w.signer(left+colW+10, b, colW, caption)
	w.y += h
}

const signSpace, signLineW = 9.0, 38.0

func (w *writer) signerHeight(s signer, colW float64) float64 {
	w.font(true, body)
	h := w.height(s.head, colW) + 1
	w.font(false, body)
	h += w.height(clean(s.party), colW) + w.height(clean(s.title), colW)
	h += signSpace + w.height("/ "+clean(s.name)+" /", colW-signLineW-2)
	w.font(false, small)
	h += w.lh()
	w.font(false, body)
	return h
}

func (w *writer) signer(x float64, s signer, colW float64, caption string) {
	y := w.y
	w.font(true, body)
	y += w.box(x, y, colW, s.head, gopdf.Left) + 1
	w.font(false, body)
	y += w.box(x, y, colW, clean(s.party), gopdf.Left)
	y += w.box(x, y, colW, clean(s.title), gopdf.Left)
	y += signSpace
	lineY := y + w.lh()
	w.pdf.Line(x, lineY, x+signLineW, lineY)
	name := ""
	if n := clean(s.name); n != "" {
		name = "/ " + n + " /"
	}
	w.box(x+signLineW+2, y, colW-signLineW-2, name, gopdf.Left)
	w.font(false, small)
	w.box(x, lineY+0.5, signLineW, caption, gopdf.Center)
	w.font(false, body)
}
