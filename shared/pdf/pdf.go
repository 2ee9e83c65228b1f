// Package pdf renders issued acts and invoices as PDF: a Russian "Счёт на оплату" and "Акт об оказании
// услуг", and their English counterparts (an EU-style invoice and a certificate of completion).
//
// Every string on a document comes from the agency's configuration or a CRM. It is only ever drawn as text:
// control characters are dropped, and long text wraps to its column, so no input can break the layout.
// The same Document always renders to the same bytes.
package pdf

import (
	_ "embed"
	"fmt"
	"image"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/signintech/gopdf"

	"github.com/glassbox-oss/glassbox/shared/dates"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
	"github.com/glassbox-oss/glassbox/shared/payqr"
)

//go:embed fonts/DejaVuSans.subset.ttf
var regularTTF []byte

//go:embed fonts/DejaVuSans-Bold.subset.ttf
var boldTTF []byte

const (
	family = "dejavu"

	pageW  = 210.0 // A4, mm
	pageH  = 297.0
	margin = 15.0
	left   = margin
	right  = pageW - margin
	width  = right - left
	bottom = pageH - margin
	qrSize = 35.0 // mm, quiet zone included; a ГОСТ payload decodes reliably at this size

	body  = 9.0 // pt
	small = 7.0
	title = 14.0
)

// fonts are parsed once, on the first Render, so a cold start that renders nothing pays nothing.
var fonts struct {
	once sync.Once
	c    *gopdf.FontContainer
	err  error
}

func loadFonts() (*gopdf.FontContainer, error) {
	fonts.once.Do(func() {
		c := &gopdf.FontContainer{}
		opt := gopdf.TtfOption{OnGlyphNotFoundSubstitute: func(rune) rune { return '?' }}
		if err := c.AddTTFFontDataWithOption(family, regularTTF, opt); err != nil {
			fonts.err = fmt.Errorf("pdf: load regular font: %w", err)
			return
		}
		if err := c.AddTTFFontDataWithOption(family+"-bold", boldTTF, opt); err != nil {
			fonts.err = fmt.Errorf("pdf: load bold font: %w", err)
			return
		}
		fonts.c = c
	})
	return fonts.c, fonts.err
}

// Render draws a document: an act or an invoice by doc.Kind, in Russian when doc.Locale is "ru" and in
// English otherwise.
func Render(doc glassbox.Document) ([]byte, error) {
	ru := doc.Locale == "ru"
	var draw func(*writer, glassbox.Document)
	switch {
	case doc.Kind == glassbox.DocumentInvoice && ru:
		draw = invoiceRU
	case doc.Kind == glassbox.DocumentInvoice:
		draw = invoiceEN
	case doc.Kind == glassbox.DocumentAct && ru:
		draw = actRU
	case doc.Kind == glassbox.DocumentAct:
		draw = actEN
	default:
		return nil, fmt.Errorf("pdf: document %s: unknown kind %q", doc.ID, doc.Kind)
	}
	w, err := newWriter(doc, ru)
	if err != nil {
		return nil, err
	}
	draw(w, doc)
	if w.err != nil {
		return nil, fmt.Errorf("pdf: render %s %s: %w", doc.Kind, doc.Number, w.err)
	}
	out, err := w.pdf.GetBytesPdfReturnErr()
	if err != nil {
		return nil, fmt.Errorf("pdf: write %s %s: %w", doc.Kind, doc.Number, err)
	}
	return out, nil
}

// writer draws one document top to bottom. y is the top of free space on the current page. The first
// error sticks; drawing after it does nothing.
type writer struct {
	pdf    *gopdf.GoPdf
	doc    glassbox.Document
	locale string
	y      float64
	size   float64
	bold   bool
	err    error
}

func newWriter(doc glassbox.Document, ru bool) (*writer, error) {
	c, err := loadFonts()
	if err != nil {
		return nil, err
	}
	p := &gopdf.GoPdf{}
	p.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	w := &writer{pdf: p, doc: doc, locale: "en", y: margin}
	if ru {
		w.locale = "ru"
	}
	for _, f := range []string{family, family + "-bold"} {
		if err := p.AddTTFFontFromFontContainer(f, c); err != nil {
			return nil, fmt.Errorf("pdf: add font %s: %w", f, err)
		}
	}
	p.SetInfo(gopdf.PdfInfo{
		Title:        clean(docTitle(doc, ru)),
		Producer:     "Glassbox",
		CreationDate: doc.IssuedAt.UTC(),
	})
	p.AddPage()
	p.SetLineWidth(0.2)
	w.font(false, body)
	return w, nil
}

func docTitle(doc glassbox.Document, ru bool) string {
	switch {
	case doc.Kind == glassbox.DocumentInvoice && ru:
		return "Счёт на оплату № " + doc.Number
	case doc.Kind == glassbox.DocumentInvoice:
		return "Invoice " + doc.Number
	case ru:
		return "Акт № " + doc.Number
	default:
		return "Certificate of completion " + doc.Number
	}
}

func (w *writer) fail(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

// font selects the regular or bold face at a size in points.
func (w *writer) font(bold bool, size float64) {
	f := family
	if bold {
		f += "-bold"
	}
	w.bold, w.size = bold, size
	w.fail(w.pdf.SetFont(f, "", size))
}

// lh is the line height of the current font, mm.
func (w *writer) lh() float64 { return w.size * 0.42 }

// need starts a new page unless h mm fit above the bottom margin.
func (w *writer) need(h float64) {
	if w.y+h > bottom && w.y > margin {
		w.pdf.AddPage()
		w.pdf.SetLineWidth(0.2)
		w.font(w.bold, w.size)
		w.y = margin
	}
}

func (w *writer) measure(s string) float64 {
	if w.err != nil {
		return 0
	}
	v, err := w.pdf.MeasureTextWidth(s)
	w.fail(err)
	return v
}

// maxLines caps the lines one field takes in a box, so that no single value, however long, makes a block
// taller than a page. Real requisites take two or three.
const maxLines = 12

// wrap breaks text into lines no wider than width in the current font: at spaces where it can, inside a
// word when one word alone is too wide. Line breaks in the text start new lines. Past maxLines, the rest
// is cut and the last line ends with "…".
func (w *writer) wrap(s string, width float64) []string {
	lines := w.wrapAll(s, width)
	if len(lines) <= maxLines {
		return lines
	}
	lines = lines[:maxLines]
	last := lines[maxLines-1]
	for last != "" && w.measure(last+"…") > width {
		_, n := utf8.DecodeLastRuneInString(last)
		last = last[:len(last)-n]
	}
	lines[maxLines-1] = last + "…"
	return lines
}

// wrapAll is wrap without the cap.
func (w *writer) wrapAll(s string, width float64) []string {
	var lines []string
	for _, para := range strings.Split(cleanLines(s), "\n") {
		cur := ""
		for _, word := range strings.Fields(para) {
			cand := word
			if cur != "" {
				cand = cur + " " + word
			}
			if w.measure(cand) <= width {
				cur = cand
				continue
			}
			if cur != "" {
				lines = append(lines, cur)
				cur = ""
			}
			for w.measure(word) > width {
				n := w.fit(word, width)
				lines = append(lines, word[:n])
				word = word[n:]
			}
			cur = word
		}
		lines = append(lines, cur)
	}
	return lines
}

// fit returns how many bytes of s, at least one rune, fit in width.
func (w *writer) fit(s string, width float64) int {
	n, sum := 0, 0.0
	for i, r := range s {
		sum += w.measure(string(r))
		if sum > width && i > 0 {
			return i
		}
		n = i + utf8.RuneLen(r)
	}
	return n
}

// height is how tall text wrapped to width is in the current font.
func (w *writer) height(s string, width float64) float64 {
	return float64(len(w.wrap(s, width))) * w.lh()
}

// box draws text wrapped to width with its top-left corner at (x, y) and returns its height. align is
// gopdf.Left, gopdf.Right or gopdf.Center.
func (w *writer) box(x, y, width float64, s string, align int) float64 {
	lines := w.wrap(s, width)
	for i, l := range lines {
		if l == "" || w.err != nil {
			continue
		}
		w.pdf.SetXY(x, y+float64(i)*w.lh())
		w.fail(w.pdf.CellWithOption(&gopdf.Rect{W: width, H: w.lh()}, l, gopdf.CellOption{Align: align | gopdf.Top}))
	}
	return float64(len(lines)) * w.lh()
}

// para draws a paragraph across the page at the current y, moving y below it.
func (w *writer) para(s string, bold bool, size float64) {
	w.font(bold, size)
	for _, l := range w.wrapAll(s, width) {
		w.need(w.lh())
		w.box(left, w.y, width, l, gopdf.Left)
		w.y += w.lh()
	}
	w.font(false, body)
}

// labeled draws "label value" with the label in a column of labelW and the value wrapped beside it.
func (w *writer) labeled(label, value string, labelW float64, boldValue bool) {
	w.font(false, body)
	lh := w.height(label, labelW-1)
	w.font(boldValue, body)
	vh := w.height(value, width-labelW)
	w.need(max(lh, vh))
	w.font(false, body)
	w.box(left, w.y, labelW-1, label, gopdf.Left)
	w.font(boldValue, body)
	w.box(left+labelW, w.y, width-labelW, value, gopdf.Left)
	w.font(false, body)
	w.y += max(lh, vh)
}

func (w *writer) hline(x1, x2, y, thick float64) {
	w.pdf.SetLineWidth(thick)
	w.pdf.Line(x1, y, x2, y)
	w.pdf.SetLineWidth(0.2)
}

func (w *writer) rect(x, y, wd, h float64) {
	w.pdf.Line(x, y, x+wd, y)
	w.pdf.Line(x, y+h, x+wd, y+h)
	w.pdf.Line(x, y, x, y+h)
	w.pdf.Line(x+wd, y, x+wd, y+h)
}

func (w *writer) gap(h float64) { w.y += h }

// money formats an amount in the document's currency for the writer's locale.
func (w *writer) money(m glassbox.Minor) string {
	return money.Format(m, w.doc.Currency, w.locale)
}

// column is one column of a table: its header, width, alignment, and its text in a row.
type column struct {
	head  string
	w     float64
	align int
}

const cellPad = 1.2

// table draws a header and rows with borders. Cells wrap; a row that does not fit starts a new page, which
// repeats the header.
func (w *writer) table(cols []column, rows [][]string) {
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.head
	}
	w.row(cols, header, true)
	for _, r := range rows {
		if w.rowHeight(cols, r, false)+w.y > bottom {
			w.need(bottom)
			w.row(cols, header, true)
		}
		w.row(cols, r, false)
	}
}

func (w *writer) rowHeight(cols []column, cells []string, bold bool) float64 {
	w.font(bold, body)
	h := 0.0
	for i, c := range cols {
		h = max(h, w.height(cells[i], c.w-2*cellPad))
	}
	return h + 2*cellPad
}

func (w *writer) row(cols []column, cells []string, bold bool) {
	h := w.rowHeight(cols, cells, bold)
	w.need(h)
	w.font(bold, body)
	x := left
	for i, c := range cols {
		align := c.align
		if bold {
			align = gopdf.Center
		}
		w.box(x+cellPad, w.y+cellPad, c.w-2*cellPad, cells[i], align)
		w.rect(x, w.y, c.w, h)
		x += c.w
	}
	w.y += h
	w.font(false, body)
}

// totals draws label/amount pairs right-aligned under the table, amounts in a column of amountW.
func (w *writer) totals(rows [][2]string, amountW float64) {
	w.font(true, body)
	for _, r := range rows {
		lw := width - amountW - 2
		h := max(w.height(r[0], lw), w.height(r[1], amountW-cellPad))
		w.need(h)
		w.box(left, w.y, lw, r[0], gopdf.Right)
		w.box(right-amountW, w.y, amountW-cellPad, r[1], gopdf.Right)
		w.y += h + 0.6
	}
	w.font(false, body)
}

// qr returns the payment QR code, one pixel a module, or nil when the document's currency has none or its
// requisites do not make a valid payload.
func (w *writer) qr() image.Image {
	if w.err != nil {
		return nil
	}
	payload, ok, err := payqr.Payload(w.doc)
	if err != nil || !ok {
		// Requisites that cannot go into a payload (a name over 160 characters, an account failing its
		// control key) are refused when the configuration is applied; a document issued before that still
		// renders, without the code, and the printed requisites stay the way to pay.
		return nil
	}
	img, err := payqr.Image(payload, 1)
	if err != nil {
		w.fail(fmt.Errorf("payment QR: %w", err))
		return nil
	}
	return img
}

// drawQR draws a QR code qrSize wide and tall with its top-left corner at (x, y), as filled rectangles,
// one for each horizontal run of dark modules. Vectors stay sharp in every viewer and printer, where an
// enlarged bitmap may be smoothed into a blur that banking apps cannot read.
func (w *writer) drawQR(img image.Image, x, y float64) {
	b := img.Bounds()
	if b.Dx() == 0 || w.err != nil {
		return
	}
	m := qrSize / float64(b.Dx())
	dark := func(px, py int) bool {
		r, _, _, _ := img.At(px, py).RGBA()
		return r < 0x8000
	}
	w.pdf.SetFillColor(0, 0, 0)
	for py := b.Min.Y; py < b.Max.Y; py++ {
		run := -1
		for px := b.Min.X; px <= b.Max.X; px++ {
			on := px < b.Max.X && dark(px, py)
			switch {
			case on && run < 0:
				run = px
			case !on && run >= 0:
				// A hair taller than a module, so anti-aliasing leaves no seams between rows.
				w.pdf.RectFromUpperLeftWithStyle(x+float64(run-b.Min.X)*m, y+float64(py-b.Min.Y)*m,
					float64(px-run)*m, m+0.02, "F")
				run = -1
			}
		}
	}
}

// clean makes one line of text safe to draw: whitespace of any kind becomes one space; control and format
// characters (including bidi overrides) and invalid UTF-8 are dropped.
func clean(s string) string {
	return strings.Join(strings.Fields(cleanLines(strings.ReplaceAll(s, "\n", " "))), " ")
}

// cleanLines is clean that keeps line breaks.
func cleanLines(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == utf8.RuneError:
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// join joins the non-empty parts with sep.
func join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = clean(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// prefixed returns prefix+value, or "" when value is empty.
func prefixed(prefix, value string) string {
	if clean(value) == "" {
		return ""
	}
	return prefix + value
}

// dateRU prints a civil date "2026-11-23" as "23 ноября 2026 г."; anything else as it is.
func dateRU(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return clean(s)
	}
	return dates.Long(t, glassbox.LocaleRU) + " г."
}

// dateEN prints a civil date "2026-11-23" as "23 November 2026"; anything else as it is.
func dateEN(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return clean(s)
	}
	return dates.Long(t, glassbox.LocaleEN)
}

// initials shortens "Петров Иван Сергеевич" to "Петров И. С." for a signature; other names stay as they are.
func initials(name string) string {
	f := strings.Fields(clean(name))
	if len(f) < 2 || len(f) > 3 {
		return clean(name)
	}
	out := f[0]
	for _, p := range f[1:] {
		r, _ := utf8.DecodeRuneInString(p)
		if !unicode.IsUpper(r) {
			return clean(name)
		}
		out += " " + string(r) + "."
	}
	return out
}
