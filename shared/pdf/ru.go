package pdf

import (
	"strconv"

	"github.com/signintech/gopdf"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// invoiceRU draws a "Счёт на оплату" in the customary form: the bank block (with the ГОСТ QR beside it),
// the parties, the table, totals with VAT, the total in words, the due date and signatures.
func invoiceRU(w *writer, d glassbox.Document) {
	qr := w.qr()
	bw := width
	if qr != nil {
		bw = width - qrSize - 5
		w.drawQR(qr, right-qrSize, w.y)
	}
	top := w.y
	w.bankBlock(d.Seller, bw)
	if qr != nil {
		w.y = max(w.y, top+qrSize)
	}

	w.gap(6)
	w.titleRU("Счёт на оплату № "+clean(d.Number)+" от "+dateRU(d.Date), "")
	w.partiesRU(d, "Поставщик\n(исполнитель):", "Покупатель\n(заказчик):", false)
	w.gap(3)
	w.linesTableRU(d, "Наименование товаров (работ, услуг)")
	w.gap(1.5)
	w.totalsRU(d, "Всего к оплате:")
	w.gap(2)
	w.para("Всего наименований "+strconv.Itoa(len(d.Lines))+", на сумму "+w.money(d.Total), false, body)
	w.para(money.Words(d.Total, d.Currency), true, body)
	w.gap(2)
	if d.DueDate != "" {
		w.para("Оплатить не позднее "+dateRU(d.DueDate), false, body)
	}
	if p := clean(d.Purpose); p != "" {
		w.para("Назначение платежа: "+p, false, body)
	}
	w.gap(2)
	w.need(1)
	w.hline(left, right, w.y, 0.6)
	w.gap(7)
	w.signRowRU("Руководитель", d.Seller.Director.Title, d.Seller.Director.Name)
	if d.Seller.ChiefAccountant != "" {
		w.gap(3)
		w.signRowRU("Бухгалтер", "", d.Seller.ChiefAccountant)
	}
}

// actRU draws an "Акт об оказании услуг": parties, the table, totals, the total in words, the statement of
// no claims, and both parties' signatures.
func actRU(w *writer, d glassbox.Document) {
	w.titleRU("Акт № "+clean(d.Number)+" от "+dateRU(d.Date), "об оказании услуг")
	w.partiesRU(d, "Исполнитель:", "Заказчик:", true)
	w.gap(3)
	w.linesTableRU(d, "Наименование работ, услуг")
	w.gap(1.5)
	w.totalsRU(d, "Всего:")
	w.gap(2)
	w.para("Всего оказано услуг "+strconv.Itoa(len(d.Lines))+", на сумму "+w.money(d.Total), false, body)
	w.para(money.Words(d.Total, d.Currency), true, body)
	w.gap(3)
	w.para("Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий по объему, качеству и "+
		"срокам оказания услуг не имеет.", false, body)
	w.gap(2)
	w.need(1)
	w.hline(left, right, w.y, 0.6)
	w.gap(5)
	w.signatures(
		signer{"ИСПОЛНИТЕЛЬ", d.Seller.Name, d.Seller.Director.Title, initials(d.Seller.Director.Name)},
		signer{"ЗАКАЗЧИК", d.Buyer.Name, d.Buyer.Signer.Title, initials(d.Buyer.Signer.Name)},
		"подпись",
	)
}

// titleRU draws the document's title, an optional subtitle, and the thick rule under them.
func (w *writer) titleRU(t, sub string) {
	w.para(t, true, title)
	if sub != "" {
		w.para(sub, true, 11)
	}
	w.gap(1)
	w.hline(left, right, w.y, 0.6)
	w.gap(3)
}

// partiesRU draws the seller and buyer with their requisites, and the contract. withBank adds the seller's
// bank account, as an act carries it.
func (w *writer) partiesRU(d glassbox.Document, sellerLabel, buyerLabel string, withBank bool) {
	s, b := d.Seller, d.Buyer
	seller := join(", ", s.Name, prefixed("ИНН ", s.INN), prefixed("КПП ", s.KPP), s.Address)
	if withBank {
		seller = join(", ", seller, prefixed("р/с ", s.Bank.Account), prefixed("в банке ", s.Bank.Name),
			prefixed("БИК ", s.Bank.BIC), prefixed("к/с ", s.Bank.CorrAccount))
	}
	buyer := join(", ", b.Name, prefixed("ИНН ", b.INN), prefixed("КПП ", b.KPP), b.Address)
	const lw = 28
	w.labeled(sellerLabel, seller, lw, true)
	w.gap(2)
	w.labeled(buyerLabel, buyer, lw, true)
	if c := clean(d.Contract); c != "" {
		w.gap(2)
		w.labeled("Основание:", c, lw, false)
	}
}

// bankBlock draws the classic bordered block of a Russian invoice, bw wide:
//
//	| bank name            | БИК   | bic  |
//	| Банк получателя      | Сч. № | corr |
//	| ИНН      | КПП       | Сч. № | acc  |
//	| recipient            |       |      |
//	| Получатель           |       |      |
func (w *writer) bankBlock(s glassbox.Seller, bw float64) {
	const labW, valW, p = 13.0, 46.0, cellPad
	lw := bw - labW - valW
	x0 := left
	xl, xv := x0+lw, x0+lw+labW

	// Heights first, so a long name grows its row instead of running over the next one.
	w.font(false, small)
	smallH := w.lh()
	w.font(false, body)
	bank := clean(s.Bank.Name)
	bankH := w.height(bank, lw-2*p) + smallH + 2*p
	bikH := max(w.height(s.Bank.BIC, valW-2*p), w.lh()) + 2*p
	corrH := max(w.height(s.Bank.CorrAccount, valW-2*p), w.lh()) + 2*p
	hA := max(bankH, bikH+corrH)

	inn, kpp := prefixed("ИНН ", s.INN), prefixed("КПП ", s.KPP)
	if inn == "" {
		inn = "ИНН"
	}
	half := lw / 2
	if kpp == "" {
		half = lw
	}
	hB := w.height(inn, half-2*p)
	if kpp != "" {
		hB = max(hB, w.height(kpp, lw-half-2*p))
	}
	hB += 2 * p
	name := clean(s.Name)
	hC := w.height(name, lw-2*p) + smallH + 2*p
	if accH := w.height(s.Bank.Account, valW-2*p) + 2*p; accH > hB+hC {
		hC = accH - hB
	}
	w.need(hA + hB + hC)
	y0 := w.y

	w.box(x0+p, y0+p, lw-2*p, bank, gopdf.Left)
	w.box(xl+p, y0+p, labW-2*p, "БИК", gopdf.Left)
	w.box(xv+p, y0+p, valW-2*p, s.Bank.BIC, gopdf.Left)
	w.box(xl+p, y0+bikH+p, labW-2*p, "Сч. №", gopdf.Left)
	w.box(xv+p, y0+bikH+p, valW-2*p, s.Bank.CorrAccount, gopdf.Left)
	w.box(x0+p, y0+hA+p, half-2*p, inn, gopdf.Left)
	if kpp != "" {
		w.box(x0+half+p, y0+hA+p, lw-half-2*p, kpp, gopdf.Left)
	}
	w.box(xl+p, y0+hA+p, labW-2*p, "Сч. №", gopdf.Left)
	w.box(xv+p, y0+hA+p, valW-2*p, s.Bank.Account, gopdf.Left)
	w.box(x0+p, y0+hA+hB+p, lw-2*p, name, gopdf.Left)
	w.font(false, small)
	w.box(x0+p, y0+hA-p-smallH, lw-2*p, "Банк получателя", gopdf.Left)
	w.box(x0+p, y0+hA+hB+hC-p-smallH, lw-2*p, "Получатель", gopdf.Left)
	w.font(false, body)

	total := hA + hB + hC
	w.rect(x0, y0, bw, total)
	w.pdf.Line(xl, y0, xl, y0+total)
	w.pdf.Line(xv, y0, xv, y0+total)
	w.pdf.Line(x0, y0+hA, x0+bw, y0+hA)
	w.pdf.Line(xl, y0+bikH, x0+bw, y0+bikH)
	w.pdf.Line(x0, y0+hA+hB, xl, y0+hA+hB)
	if kpp != "" {
		w.pdf.Line(x0+half, y0+hA, x0+half, y0+hA+hB)
	}
	w.y = y0 + total
}

// linesTableRU draws the document's lines as № / name / quantity / unit / price / sum.
func (w *writer) linesTableRU(d glassbox.Document, nameHead string) {
	cols := []column{
		{"№", 8, gopdf.Center},
		{nameHead, 0, gopdf.Left},
		{"Кол-во", 16, gopdf.Right},
		{"Ед.", 12, gopdf.Center},
		{"Цена", 31, gopdf.Right},
		{"Сумма", 31, gopdf.Right},
	}
	cols[1].w = width - 8 - 16 - 12 - 31 - 31
	rows := make([][]string, len(d.Lines))
	for i, l := range d.Lines {
		rows[i] = []string{strconv.Itoa(i + 1), clean(l.Name), strconv.FormatInt(l.Quantity, 10), clean(l.Unit),
			w.money(l.Price), w.money(l.Sum)}
	}
	w.table(cols, rows)
}

// totalsRU draws Итого, the VAT line and the total to pay.
func (w *writer) totalsRU(d glassbox.Document, totalLabel string) {
	sum := d.Net
	vat := [2]string{"Без налога (НДС)", "-"}
	// A reverse charge has no place on Russian documents (validation refuses it); one stored before prints
	// «Без налога (НДС)», as its purpose says «НДС не облагается», not «В том числе НДС 22%: 0,00».
	if _, ok := d.VAT.Rate.BasisPoints(); ok && !d.VAT.ReverseCharge {
		pct := money.Rate(d.VAT.Rate, w.locale) + ":"
		vat = [2]string{"НДС " + pct, w.money(d.VATAmount)}
		if d.VAT.Included {
			vat[0] = "В том числе НДС " + pct
			sum = d.Total
		}
	} else {
		sum = d.Total
	}
	w.totals([][2]string{{"Итого:", w.money(sum)}, vat, {totalLabel, w.money(d.Total)}}, 31)
}

// signRowRU draws one signature line of an invoice: role, job title, a line to sign on, and the name.
func (w *writer) signRowRU(role, jobTitle, name string) {
	const roleW, titleW, lineW = 28.0, 66.0, 32.0
	nameX := left + roleW + titleW + lineW + 3
	w.font(true, body)
	h := w.height(role, roleW-1)
	w.font(false, body)
	h = max(h, w.height(jobTitle, titleW-2), w.height(initials(name), right-nameX))
	w.font(false, small)
	h = max(h, w.lh()*2)
	w.need(h)
	w.font(true, body)
	w.box(left, w.y, roleW-1, role, gopdf.Left)
	w.font(false, body)
	w.box(left+roleW, w.y, titleW-2, jobTitle, gopdf.Left)
	w.box(nameX, w.y, right-nameX, initials(name), gopdf.Left)
	lineY := w.y + w.lh()
	w.pdf.Line(left+roleW+titleW, lineY, left+roleW+titleW+lineW, lineY)
	w.font(false, small)
	w.box(left+roleW+titleW, lineY+0.5, lineW, "подпись", gopdf.Center)
	w.font(false, body)
	w.y += h
}
