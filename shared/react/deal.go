package react

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// Secrets reads secrets by SSM parameter name.
type Secrets = billing.Secrets

// Billing is what deal and payment events need besides the store and the mailer.
type Billing struct {
	// Render renders a numbered document as PDF (pdf.Render).
	Render billing.RenderFunc
	// Links signs the download and payment links.
	Links *billing.Links
}

// processDeal acts on a CRM deal event: a stage that closes a project stage issues its act and invoice and
// sends them; a stage that means paid marks the project's open invoices paid.
func (p *Processor) processDeal(ctx context.Context, cfg glassbox.Config, e glassbox.Event, log *slog.Logger) (Outcome, error) {
	if p.issuer == nil {
		// Not a skip: the event stays unprocessed, for a processor that can bill (pipeline.New).
		return Outcome{}, errors.New("react: a deal event needs billing, and this processor was built without it")
	}
	if e.Deal == nil {
		log.Warn("deal event without a deal dropped")
		return Outcome{Dropped: "a deal event without a deal"}, nil
	}
	b, ok := cfg.Binding(e.Provider, e.BindingID)
	if !ok {
		log.Warn("deal event for a binding no longer configured dropped", "binding", e.BindingID)
		return Outcome{Dropped: "binding " + e.BindingID + " is no longer configured"}, nil
	}
	// The project was decided once, at ingest, and stored on the event (glassbox.Binding.Accept).
	project, ok := cfg.Project(e.ProjectID)
	if !ok {
		log.Warn("deal event for unknown project dropped", "deal", e.Deal.ID)
		return Outcome{Dropped: "project " + e.ProjectID + " is no longer configured"}, nil
	}
	// A thin hook's deal (Bitrix24) was read back before this (readBack), so its stage is known here.
	deal := *e.Deal
	closes, paid := b.StageMeaning(project.ID, deal)
	log = log.With("deal", deal.ID, "crm_stage", deal.StageID)
	switch {
	case paid:
		return Outcome{}, p.markProjectPaid(ctx, project, e, log)
	case closes != "":
		return p.closeStage(ctx, cfg, project, closes, e, log)
	}
	log.Info("deal stage means nothing to the stage map")
	return Outcome{}, nil
}

// closeStage issues the documents of a closed stage (once, whatever the redeliveries) and sends them.
func (p *Processor) closeStage(ctx context.Context, cfg glassbox.Config, project glassbox.Project, stageID string, e glassbox.Event, log *slog.Logger) (Outcome, error) {
	var out Outcome
	// Documents are issued now: a late redelivery or a replay of an old event must not back-date them or
	// number them in a past year. The event's own time stays on the event.
	c := glassbox.StageClose{
		ID: glassbox.StageCloseID(project.ID, stageID), ProjectID: project.ID, StageID: stageID,
		DealID: e.Deal.ID, EventID: e.ID, ClosedAt: p.clock.Now().UTC(), ReportedAt: e.OccurredAt.UTC(),
	}
	// A close issued before is sent from its stored documents whatever the configuration says now; a close that
	// cannot be billed (a stage or seller missing from the configuration) is an error, so the event keeps its
	// unprocessed mark and the sweep issues it once the configuration is fixed.
	docs, err := p.issuer.Issue(ctx, c, func() ([]glassbox.Document, error) { return billing.Plan(cfg, project, c) })
	if err != nil {
		log.Error("stage close not issued; the sweep retries it", "stage", stageID, "error", err.Error())
		return out, fmt.Errorf("react: %w", err)
	}
	s := notify.StageClosedSituation{Config: cfg, Project: project, Close: c}
	for i := range docs {
		d := docs[i].Document
		if len(docs[i].PDF) > 0 {
			out.Issued++ // Issue returns documents issued before without their PDFs
		}
		if d.State == glassbox.DocumentVoid {
			// Voided by an admin before its email went out: never sent, nor asked to be paid.
			log.Warn("void document left out of the close's emails", "document", d.ID, "number", d.Number)
			continue
		}
		switch d.Kind {
		case glassbox.DocumentAct:
			s.Act = d
		case glassbox.DocumentInvoice:
			s.Invoice = &d
		}
	}
	if s.Act.ID == "" && s.Invoice == nil {
		out.Dropped = "every document of the close is void"
		return out, nil
	}
	if s.Act.ID == "" && stageID != glassbox.StageStart {
		out.Dropped = "the close's act is void"
		return out, nil
	}
	if s.Invoice != nil {
		// The links are signed just before the messages go out, so they last their full term from sending,
		// also when a failed send is retried days later.
		sending := p.clock.Now()
		if s.InvoiceURL, err = p.opts.Billing.Links.DocumentURL(ctx, cfg, *s.Invoice, sending); err != nil {
			return out, fmt.Errorf("react: %w", err)
		}
		if s.PaidURL, s.PaidURLExpires, err = p.opts.Billing.Links.PayURL(ctx, cfg, *s.Invoice, sending); err != nil {
			return out, fmt.Errorf("react: %w", err)
		}
	}
	msgs, err := notify.StageClosed(s)
	if err != nil {
		return out, fmt.Errorf("react: decide for close %s: %w", c.ID, err)
	}
	if err := p.deliverOrHold(ctx, &out, cfg.ProjectTiming(project), glassbox.HeldTask{}, msgs, docs...); err != nil {
		return out, err
	}
	log.Info("stage closed", "stage", stageID, "documents", len(docs), "issued", out.Issued, "sent", out.Sent)
	return out, nil
}

// markProjectPaid marks every open invoice of the project paid: the CRM says the deal is paid.
func (p *Processor) markProjectPaid(ctx context.Context, project glassbox.Project, e glassbox.Event, log *slog.Logger) error {
	// A close received before this payment but not yet processed (its run died, or it sits in another stream
	// shard) would issue its invoice after the payment had passed it by, and the client would be reminded to
	// pay what was paid. The payment waits for it: retried by the stream, then by the sweep.
	earlier, err := p.store.UnprocessedEvents(ctx, e.ReceivedAt, maxEarlierDealEvents)
	if err != nil {
		return fmt.Errorf("react: list unprocessed events before payment %s: %w", e.ID, err)
	}
	for _, o := range earlier {
		if o.ID != e.ID && o.ProjectID == project.ID && o.Kind.IsDeal() {
			return fmt.Errorf("react: payment %s waits for the project's earlier deal event %s", e.ID, o.ID)
		}
	}
	open, err := p.store.OpenInvoices(ctx)
	if err != nil {
		return fmt.Errorf("react: list open invoices: %w", err)
	}
	for _, d := range open {
		if d.ProjectID != project.ID {
			continue
		}
		billed, err := p.billedBefore(ctx, d, e)
		if err != nil {
			return err
		}
		if !billed {
			log.Info("invoice of a close received after this payment left open", "document", d.ID)
			continue
		}
		if err := p.markPaid(ctx, d.ID, e.OccurredAt, e.Provider, log); err != nil {
			return err
		}
	}
	return nil
}

// maxEarlierDealEvents bounds the look for unprocessed events received before a payment.
const maxEarlierDealEvents = 1000

// billedBefore says whether the close that issued invoice d was received before the payment event: the CRM's
// "paid" is about the invoices that existed when it said so. A payment processed late (the sweep after an
// outage, an admin's replay of an old window) must not mark paid an invoice billed for later work.
func (p *Processor) billedBefore(ctx context.Context, d glassbox.Document, paid glassbox.Event) (bool, error) {
	c, err := p.store.StageClose(ctx, d.CloseID)
	if err != nil {
		return false, fmt.Errorf("react: read close %s of invoice %s: %w", d.CloseID, d.ID, err)
	}
	closing, err := p.store.Event(ctx, c.EventID)
	switch {
	case errors.Is(err, glassbox.ErrNotFound):
		return true, nil // a close without its event (issued by hand): nothing says it came later
	case err != nil:
		return false, fmt.Errorf("react: read event %s of close %s: %w", c.EventID, c.ID, err)
	}
	return !closing.ReceivedAt.After(paid.ReceivedAt), nil
}

// processPayment marks the invoice a payment link confirmed paid.
func (p *Processor) processPayment(ctx context.Context, e glassbox.Event, log *slog.Logger) error {
	return p.markPaid(ctx, e.DocumentID, e.OccurredAt, "accountant", log)
}

func (p *Processor) markPaid(ctx context.Context, id string, at time.Time, by string, log *slog.Logger) error {
	switch err := p.store.MarkPaid(ctx, id, at.UTC(), by); {
	case err == nil:
		log.Info("invoice marked paid", "document", id, "by", by)
	case errors.Is(err, glassbox.ErrAlreadyPaid):
		log.Info("invoice was paid already", "document", id)
	case errors.Is(err, glassbox.ErrNotFound), errors.Is(err, glassbox.ErrConflict):
		log.Warn("payment for an unknown or void invoice ignored", "document", id, "error", err.Error())
	default:
		return fmt.Errorf("react: mark %s paid: %w", id, err)
	}
	return nil
}
