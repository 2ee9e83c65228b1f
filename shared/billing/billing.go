// Package billing turns a closed project stage into documents: which act and which invoice, what is printed on
// them, and their numbers. Numbers are taken with the documents in one store transaction, so they are
// gapless per seller, kind and year, and a stage closed twice issues nothing the second time.
package billing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// Plan returns the documents closing a stage issues, not yet numbered: an act for the closed stage, and an
// invoice for the next stage (prepay) or for the closed one (postpay). The last stage of a prepaid project
// has no next stage, so only its act is issued. The start of a prepaid project (c.StageID is
// glassbox.StageStart) issues only the invoice of its first stage.
//
// c.ClosedAt is when the documents are issued: the caller's clock, never the time of the CRM event that closed
// the stage, so a late redelivery or a replay does not back-date a document or take a number in a past year.
// The documents are dated, fall due and are numbered in the seller's zone (Config.SellerZone), so one seller's
// series runs in one calendar whatever the zones of its projects.
func Plan(cfg glassbox.Config, p glassbox.Project, c glassbox.StageClose) ([]glassbox.Document, error) {
	b := p.Billing
	start := c.StageID == glassbox.StageStart
	if start && (b.Mode != glassbox.BillPrepay || len(b.Stages) == 0) {
		return nil, fmt.Errorf("billing: project %q is not prepaid: its start bills nothing", p.ID)
	}
	closed, i, ok := b.Stage(c.StageID)
	if start {
		i = -1
	} else if !ok {
		return nil, fmt.Errorf("billing: project %q has no stage %q", p.ID, c.StageID)
	}
	seller, ok := cfg.Seller(b.Seller)
	if !ok {
		return nil, fmt.Errorf("billing: project %q names no known seller (%q)", p.ID, b.Seller)
	}
	client, _ := cfg.Client(p.ClientID)
	zone := cfg.SellerZone(seller)
	issued := c.ClosedAt.In(zone)
	base := glassbox.Document{
		ProjectID:   p.ID,
		ClientID:    p.ClientID,
		CloseID:     c.ID,
		DealID:      c.DealID,
		Locale:      cfg.ProjectLocale(p),
		IssuedAt:    c.ClosedAt.UTC(),
		TimeZone:    zone.String(),
		Date:        issued.Format(time.DateOnly),
		Seller:      seller.In(cfg.ProjectLocale(p)), // printed as named in the document's locale
		Buyer:       client.Buyer,
		ProjectName: p.Name,
		Currency:    b.Currency,
		VAT:         seller.VAT,
		State:       glassbox.DocumentIssued,
	}
	if base.Buyer.Name == "" {
		base.Buyer.Name = client.Name
	}
	under := ""
	if contract, ok := b.ContractRef(); ok {
		base.Contract = contractTitle(contract, base.Locale)
		under = contractUnder(contract, base.Locale)
	}

	// The stage's services were supplied when the CRM says it closed, which a late or swept event puts before
	// the issue date; never after it.
	closedOn := base.Date
	if r := c.ReportedAt; !r.IsZero() && r.Before(c.ClosedAt) {
		closedOn = r.In(zone).Format(time.DateOnly)
	}
	var docs []glassbox.Document
	if !start {
		docs = append(docs, fill(base, glassbox.DocumentAct, closed, under, closedOn))
	}
	billed := closed
	if b.Mode == glassbox.BillPrepay {
		if i+1 >= len(b.Stages) {
			return docs, nil
		}
		billed = b.Stages[i+1]
	}
	postpaid := ""
	if b.Mode == glassbox.BillPostpay {
		postpaid = closedOn
	}
	inv := fill(base, glassbox.DocumentInvoice, billed, under, postpaid)
	days := billed.PaymentDays
	if days == 0 {
		days = glassbox.DefaultPaymentDays
	}
	inv.DueDate = issued.AddDate(0, 0, days).Format(time.DateOnly)
	return append(docs, inv), nil
}

// fill makes a document of a kind for stage s: its line (which quotes the contract with under, when set), VAT
// and date of supply. closedOn is the date s closed when it is the stage just closed; empty for one billed in
// advance.
func fill(d glassbox.Document, kind glassbox.DocumentKind, s glassbox.Stage, under, closedOn string) glassbox.Document {
	d.Kind = kind
	d.ID = glassbox.DocumentID(d.CloseID, kind)
	d.StageID, d.StageName = s.ID, s.Name
	d.Net, d.VATAmount, d.Total = money.SplitVAT(s.Amount, d.VAT)
	name, unit := fmt.Sprintf("Stage “%s” of the project “%s”", s.Name, d.ProjectName), "service"
	if d.Locale == glassbox.LocaleRU {
		name, unit = fmt.Sprintf("Услуги по этапу «%s» проекта «%s»", s.Name, d.ProjectName), "усл."
	}
	if under != "" {
		name += " " + under
	}
	d.Lines = []glassbox.DocumentLine{{Name: name, Quantity: 1, Unit: unit, Price: s.Amount, Sum: s.Amount}}
	supply(&d, s, closedOn)
	return d
}

// number assigns a document its number in its series and the purpose printed with it.
func number(d *glassbox.Document, seq int64) {
	d.Seq = seq
	d.Number = glassbox.FormatNumber(d.Seller.NumberPrefix, year(*d), seq)
	if d.Kind != glassbox.DocumentInvoice {
		return
	}
	if d.Locale == glassbox.LocaleRU {
		d.Purpose = purposeRU(*d)
		return
	}
	d.Purpose = "Invoice " + d.Number
}

func year(d glassbox.Document) int {
	t, err := time.Parse(time.DateOnly, d.Date)
	if err != nil {
		return d.IssuedAt.Year()
	}
	return t.Year()
}

// Series is the numbering series a planned document is numbered in.
func Series(d glassbox.Document) string {
	return glassbox.DocumentSeries(d.Seller.ID, d.Kind, year(d))
}

// Store is what issuing needs of the store.
type Store interface {
	NextNumber(ctx context.Context, series string) (int64, error)
	IssueDocuments(ctx context.Context, c glassbox.StageClose, docs []glassbox.IssuedDocument) error
	StageClose(ctx context.Context, id string) (glassbox.StageClose, error)
	Document(ctx context.Context, id string) (glassbox.Document, error)
}

// RenderFunc renders a numbered document as PDF (pdf.Render).
type RenderFunc func(glassbox.Document) ([]byte, error)

// Issuer numbers, renders and stores the documents of stage closes.
type Issuer struct {
	store  Store
	render RenderFunc
}

// NewIssuer builds an Issuer.
func NewIssuer(store Store, render RenderFunc) *Issuer {
	return &Issuer{store: store, render: render}
}

// maxAttempts bounds the retries when other closes take the same numbers first.
const maxAttempts = 50

// Issue issues the documents of close c and returns them numbered, with the PDFs just rendered. When c was
// issued before (a redelivered, swept or replayed event), nothing new is issued and the documents issued then
// are returned, without their PDFs and whatever the configuration says now, so a caller can go on to send
// them: the store's transaction makes the close, its documents and their numbers one unit. plan is called only
// for a close never issued; its error comes back wrapped.
func (is *Issuer) Issue(ctx context.Context, c glassbox.StageClose, plan func() ([]glassbox.Document, error)) ([]glassbox.IssuedDocument, error) {
	// A close issued before needs no plan, numbers or PDFs. Later, a concurrent issue of the same close shows
	// up as ErrDuplicate from the transaction, so the check is not repeated on every retry.
	if _, err := is.store.StageClose(ctx, c.ID); err == nil {
		return is.issued(ctx, c.ID)
	} else if !errors.Is(err, glassbox.ErrNotFound) {
		return nil, fmt.Errorf("billing: read close %s: %w", c.ID, err)
	}
	planned, err := plan()
	if err != nil {
		return nil, fmt.Errorf("billing: close %s cannot be billed: %w", c.ID, err)
	}
	c.DocumentIDs = c.DocumentIDs[:0]
	for _, d := range planned {
		c.DocumentIDs = append(c.DocumentIDs, d.ID)
	}
	for attempt := 0; attempt < maxAttempts; attempt++ {
		docs, err := is.numbered(ctx, planned)
		if err != nil {
			return nil, err
		}
		issued := make([]glassbox.IssuedDocument, len(docs))
		for i, d := range docs {
			pdf, err := is.render(d)
			if err != nil {
				return nil, fmt.Errorf("billing: render %s %s: %w", d.Kind, d.Number, err)
			}
			d.PDFSHA256 = sha256Hex(pdf)
			issued[i] = glassbox.IssuedDocument{Document: d, PDF: pdf}
		}
		switch err := is.store.IssueDocuments(ctx, c, issued); {
		case err == nil:
			return issued, nil
		case errors.Is(err, glassbox.ErrDuplicate):
			return is.issued(ctx, c.ID)
		case errors.Is(err, glassbox.ErrConflict):
			// Another close took a number first: wait a little, read the numbers again.
			sleep(ctx, attempt)
		default:
			return nil, fmt.Errorf("billing: issue %s: %w", c.ID, err)
		}
	}
	return nil, fmt.Errorf("billing: issue %s: numbers still contended after %d attempts", c.ID, maxAttempts)
}

// numbered gives each document the next number of its series; documents sharing a series get consecutive ones.
func (is *Issuer) numbered(ctx context.Context, planned []glassbox.Document) ([]glassbox.Document, error) {
	next := map[string]int64{}
	docs := make([]glassbox.Document, len(planned))
	for i, d := range planned {
		series := Series(d)
		if _, ok := next[series]; !ok {
			n, err := is.store.NextNumber(ctx, series)
			if err != nil {
				return nil, fmt.Errorf("billing: read series %s: %w", series, err)
			}
			next[series] = n
		}
		d.Series = series
		number(&d, next[series])
		next[series]++
		docs[i] = d
	}
	return docs, nil
}

func (is *Issuer) issued(ctx context.Context, closeID string) ([]glassbox.IssuedDocument, error) {
	c, err := is.store.StageClose(ctx, closeID)
	if err != nil {
		return nil, fmt.Errorf("billing: read close %s: %w", closeID, err)
	}
	docs := make([]glassbox.IssuedDocument, 0, len(c.DocumentIDs))
	for _, id := range c.DocumentIDs {
		d, err := is.store.Document(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("billing: read document %s of %s: %w", id, closeID, err)
		}
		docs = append(docs, glassbox.IssuedDocument{Document: d})
	}
	return docs, nil
}

func sleep(ctx context.Context, attempt int) {
	ceiling := time.Duration(1<<min(attempt, 6)) * time.Millisecond
	t := time.NewTimer(time.Duration(rand.Int64N(int64(ceiling) + 1)))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
