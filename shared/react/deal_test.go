package react_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/react"
)

const linkKey = "0123456789abcdef0123456789abcdef"

type secrets struct{}

func (secrets) Secret(context.Context, string) (string, error) { return linkKey, nil }

// flakyMailer writes to an outbox directory and fails the next fails sends.
type flakyMailer struct {
	out   *outbox.Mailer
	fails int
}

func (m *flakyMailer) Send(ctx context.Context, e glassbox.RawEmail) (string, error) {
	if m.fails > 0 {
		m.fails--
		return "", errors.New("SES throttled")
	}
	return m.out.Send(ctx, e)
}

// billedConfig has one seller keeping its books in Moscow, billing two projects that sit in other zones:
// Vladivostok, ten hours ahead of UTC, and New York, five behind.
func billedConfig() glassbox.Config {
	project := func(id, zone string) glassbox.Project {
		return glassbox.Project{ID: id, ClientID: "rom", Name: "Сайт " + id, TimeZone: zone,
			Manager: glassbox.Person{Name: "Мария Иванова", Email: "maria@studio.example"},
			Billing: glassbox.Billing{Seller: "px", Mode: glassbox.BillPostpay, Currency: "RUB", Stages: []glassbox.Stage{
				{ID: "layout", Name: "Вёрстка", Amount: 6000000}, {ID: "code", Name: "Код", Amount: 9000000}}}}
	}
	return glassbox.Config{
		// Emails go at once here; TestStageClosedInQuietHoursWaits holds one.
		Agency: glassbox.Agency{Name: "Студия", Sender: "Студия <notify@studio.example>", Locale: "ru", TimeZone: "UTC",
			QuietHours: &glassbox.QuietHours{Off: true}, Coalesce: "off"},
		Sellers: []glassbox.Seller{{ID: "px", Name: "ООО «Пиксель»", NumberPrefix: "ПК-", TimeZone: "Europe/Moscow",
			Accountant: glassbox.Person{Name: "Елена Соколова", Email: "buh@pixel.example"}}},
		Clients: []glassbox.Client{{ID: "rom", Name: "Ромашка", Contacts: []glassbox.Person{{Name: "Анна", Email: "anna@romashka.example"}},
			Buyer: glassbox.Buyer{Name: "ООО «Ромашка»"}}},
		Projects: []glassbox.Project{project("east", "Asia/Vladivostok"), project("west", "America/New_York")},
		Bindings: []glassbox.Binding{{ID: "crm", Provider: "amocrm", ExternalID: "pixel", SecretParam: "s",
			Deals:    []glassbox.DealRoute{{DealID: "1", ProjectID: "east"}, {DealID: "2", ProjectID: "west"}},
			StageMap: map[string][]string{"layout": {"142"}}}},
	}
}

type billedFixture struct {
	store  *localstore.Store
	mailer *flakyMailer
	outDir string
	clock  *clock
	proc   *react.Processor
}

func newBilledFixture(t *testing.T, now time.Time) *billedFixture {
	t.Helper()
	store, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.PutConfig(context.Background(), billedConfig()); err != nil {
		t.Fatal(err)
	}
	f := &billedFixture{store: store, outDir: t.TempDir(), clock: &clock{now: now}}
	f.mailer = &flakyMailer{out: outbox.New(f.outDir)}
	render := func(d glassbox.Document) ([]byte, error) { return []byte("%PDF-1.7 " + d.Number), nil }
	f.proc = react.NewProcessor(store, email(f.mailer), f.clock, react.Options{ClaimLease: time.Minute,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Billing: &react.Billing{Render: render, Links: &billing.Links{Secrets: secrets{}, KeyParam: "k", PublicBaseURL: "https://glassbox.example"}}})
	return f
}

// closed is an amoCRM delivery saying deal moved to the won stage at a given time.
func closed(id, deal, project string, at time.Time) glassbox.Event {
	return glassbox.Event{ID: "amocrm:" + id, ProjectID: project, BindingID: "crm", Provider: "amocrm", ProviderEventID: id,
		Kind: glassbox.EventDealStageChanged, TaskID: deal, OccurredAt: at, ReceivedAt: at,
		Deal: &glassbox.DealChange{ID: deal, StageID: "142", Won: true}}
}

func (f *billedFixture) documents(t *testing.T, project string) map[glassbox.DocumentKind]glassbox.Document {
	t.Helper()
	docs, err := f.store.DocumentsBetween(context.Background(), project, time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	out := map[glassbox.DocumentKind]glassbox.Document{}
	for _, d := range docs {
		out[d.Kind] = d
	}
	return out
}

// A redelivered or replayed delivery of May 2024 (amoCRM's last_modified) closes the stage today: the documents
// are dated today in the seller's zone, numbered in this year's series, due counting from today, and their
// links valid from today.
func TestOldEventIssuesDocumentsDatedToday(t *testing.T) {
	now := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC) // 20:00 in Moscow
	f := newBilledFixture(t, now)
	if _, err := f.proc.Process(context.Background(), closed("old", "1", "east", time.Date(2024, 5, 24, 9, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	docs := f.documents(t, "east")
	act, inv := docs[glassbox.DocumentAct], docs[glassbox.DocumentInvoice]
	for _, d := range []glassbox.Document{act, inv} {
		if d.Date != "2026-12-01" || d.Number != "ПК-2026-0001" || d.Series != "px/"+string(d.Kind)+"/2026" ||
			!d.IssuedAt.Equal(now) || d.TimeZone != "Europe/Moscow" || d.Locale != glassbox.LocaleRU {
			t.Errorf("%s = dated %s, number %s, series %s, issued %s in %s (%s); want today, ПК-2026-0001 in Moscow",
				d.Kind, d.Date, d.Number, d.Series, d.IssuedAt, d.TimeZone, d.Locale)
		}
	}
	if inv.DueDate != "2026-12-06" {
		t.Errorf("invoice due %s, want 2026-12-06 (five days from issue)", inv.DueDate)
	}
	checkLinks(t, f.outDir, now)
}

// checkLinks checks every signed link in the sent mail: genuine, and valid for its full term from sentAt.
func checkLinks(t *testing.T, dir string, sentAt time.Time) {
	t.Helper()
	mail, err := outbox.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(mail) != 2 {
		t.Fatalf("sent %d emails, want the client's and the accountant's", len(mail))
	}
	signer, _ := linksign.NewSigner([]byte(linkKey))
	found := map[linksign.Action]bool{}
	for _, m := range mail {
		for _, raw := range regexp.MustCompile(`https://glassbox\.example/\S+`).FindAllString(m.Text, -1) {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			action, ttl := linksign.ActionPay, linksign.DefaultPayLinkTTL
			if regexp.MustCompile(`^/documents/`).MatchString(u.Path) {
				action, ttl = linksign.ActionDocument, linksign.DefaultDocumentLinkTTL
			}
			found[action] = true
			doc := filepath.Base(u.Path)
			exp, sig := u.Query().Get("exp"), u.Query().Get("sig")
			if err := signer.Check(action, doc, exp, sig, sentAt); err != nil {
				t.Errorf("%s link in %q: %v", action, m.Subject, err)
			}
			if want := strconv.FormatInt(sentAt.Add(ttl).Unix(), 10); exp != want {
				t.Errorf("%s link in %q expires %s, want %s (its full term from sending)", action, m.Subject, exp, want)
			}
		}
	}
	if !found[linksign.ActionPay] || !found[linksign.ActionDocument] {
		t.Errorf("links found: %v; want a pay and a download link", found)
	}
}

// A send that fails and succeeds days later carries links valid for their full term from the later sending.
func TestLinksLastTheirTermFromSending(t *testing.T) {
	issued := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := newBilledFixture(t, issued)
	f.mailer.fails = 1
	e := closed("late", "1", "east", issued)
	if _, err := f.proc.Process(context.Background(), e); err == nil {
		t.Fatal("a failed send must be retried")
	}
	f.clock.Advance(10 * 24 * time.Hour)
	if _, err := f.proc.Process(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if inv := f.documents(t, "east")[glassbox.DocumentInvoice]; !inv.IssuedAt.Equal(issued) || inv.Date != "2026-12-01" {
		t.Errorf("retry re-issued the invoice: issued %s dated %s", inv.IssuedAt, inv.Date)
	}
	checkLinks(t, f.outDir, f.clock.Now())
}

// Late on 31 December UTC it is already 2027 in Vladivostok but still 2026 in Moscow, where the seller keeps its
// books: both projects' documents are numbered one after the other in the seller's 2026 series, and dated in
// Moscow.
func TestSeriesYearIsTheSellers(t *testing.T) {
	now := time.Date(2026, 12, 31, 15, 0, 0, 0, time.UTC) // 18:00 Moscow, 01:00 on 1 January in Vladivostok
	f := newBilledFixture(t, now)
	for i, p := range []string{"east", "west"} {
		if _, err := f.proc.Process(context.Background(), closed(p, strconv.Itoa(i+1), p, now)); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range []string{"east", "west"} {
		inv := f.documents(t, p)[glassbox.DocumentInvoice]
		if want := "ПК-2026-000" + strconv.Itoa(i+1); inv.Number != want || inv.Date != "2026-12-31" || inv.DueDate != "2027-01-05" {
			t.Errorf("%s invoice = %s dated %s due %s; want %s dated 2026-12-31 due 2027-01-05", p, inv.Number, inv.Date, inv.DueDate, want)
		}
	}
}

// The project of a deal event is decided at ingest and stored on it. When the configuration moves the deal to
// another project before React runs, React bills the stored project, where the event's history is, not the
// one the configuration names now.
func TestDealBillsTheProjectStoredOnTheEvent(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := newBilledFixture(t, now)
	e := closed("moved", "1", "east", now) // deal 1 routed to east at ingest
	cfg := billedConfig()
	cfg.Bindings[0].Deals = []glassbox.DealRoute{{DealID: "1", ProjectID: "west"}, {DealID: "2", ProjectID: "east"}}
	if err := f.store.PutConfig(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := f.proc.Process(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if east, west := f.documents(t, "east"), f.documents(t, "west"); len(east) != 2 || len(west) != 0 {
		t.Errorf("east has %d documents, west %d; want the act and invoice in east, where the event was filed", len(east), len(west))
	}
}

// withPaidStage maps amoCRM stage 143 to paid in the fixture's binding.
func (f *billedFixture) withPaidStage(t *testing.T) {
	t.Helper()
	cfg := billedConfig()
	cfg.Bindings[0].StageMap["paid"] = []string{"143"}
	if err := f.store.PutConfig(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
}

// accept stores e as ingest does, processing nothing.
func (f *billedFixture) accept(t *testing.T, e glassbox.Event) glassbox.Event {
	t.Helper()
	if err := f.store.AppendEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

// paid is an amoCRM delivery saying deal 1 of project east moved to the stage mapped to paid.
func paid(id string, at time.Time) glassbox.Event {
	e := closed(id, "1", "east", at)
	e.Deal.StageID, e.Deal.Won = "143", false
	return e
}

// TestLatePaymentDoesNotPayLaterInvoices: a CRM's "paid" is about the invoices that existed when it was said.
// A payment event processed late (stuck through an outage, then swept; or replayed from an old window) leaves
// open an invoice whose close was received after it; one received before the close marks it paid.
func TestLatePaymentDoesNotPayLaterInvoices(t *testing.T) {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := newBilledFixture(t, base)
	ctx := context.Background()
	f.withPaidStage(t)
	stuck := f.accept(t, paid("p-old", base))                              // received first, not processed in time
	closing := f.accept(t, closed("c1", "1", "east", base.Add(time.Hour))) // the close comes after it
	f.clock.Advance(time.Hour)
	if _, err := f.proc.Process(ctx, closing); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(24 * time.Hour)
	if _, err := f.proc.Process(ctx, stuck); err != nil {
		t.Fatal(err)
	}
	if inv := f.documents(t, "east")[glassbox.DocumentInvoice]; inv.State != glassbox.DocumentIssued {
		t.Fatalf("after the late, older payment the invoice is %s; want it still open", inv.State)
	}
	fresh := f.accept(t, paid("p-new", base.Add(25*time.Hour)))
	if _, err := f.proc.Process(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if inv := f.documents(t, "east")[glassbox.DocumentInvoice]; inv.State != glassbox.DocumentPaid {
		t.Errorf("after a payment received after the close the invoice is %s; want paid", inv.State)
	}
}

// TestPaymentWaitsForAnEarlierClose: a close received before a CRM payment but not processed yet (its run died)
// would issue an invoice the payment never marks; the payment fails for now, and once the close is processed it
// marks the invoice paid.
func TestPaymentWaitsForAnEarlierClose(t *testing.T) {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := newBilledFixture(t, base)
	ctx := context.Background()
	f.withPaidStage(t)
	closing := f.accept(t, closed("c1", "1", "east", base))
	payment := f.accept(t, paid("p1", base.Add(time.Hour)))
	f.clock.Advance(2 * time.Hour)
	if _, err := f.proc.Process(ctx, payment); err == nil {
		t.Fatal("the payment was processed before the earlier close")
	}
	if _, err := f.proc.Process(ctx, closing); err != nil {
		t.Fatal(err)
	}
	if _, err := f.proc.Process(ctx, payment); err != nil {
		t.Fatalf("the payment after the close: %v", err)
	}
	if inv := f.documents(t, "east")[glassbox.DocumentInvoice]; inv.State != glassbox.DocumentPaid {
		t.Errorf("invoice is %s, want paid", inv.State)
	}
}

// TestCloseNotBillableStaysUnprocessed: a close whose project names a seller the configuration no longer has is
// not dropped: the event keeps its mark, and once the configuration is fixed the next run issues it.
func TestCloseNotBillableStaysUnprocessed(t *testing.T) {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := newBilledFixture(t, base)
	ctx := context.Background()
	cfg := billedConfig()
	good := cfg
	cfg.Projects = append([]glassbox.Project(nil), cfg.Projects...)
	cfg.Projects[0].Billing.Seller = "gone"
	if err := f.store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	e := f.accept(t, closed("c1", "1", "east", base))
	if _, err := f.proc.Process(ctx, e); err == nil {
		t.Fatal("a close that cannot be billed was processed")
	}
	if evs, _ := f.store.UnprocessedEvents(ctx, base.Add(time.Hour), 10); len(evs) != 1 {
		t.Fatalf("%d unprocessed, want the close still marked", len(evs))
	}
	if err := f.store.PutConfig(ctx, good); err != nil {
		t.Fatal(err)
	}
	out, err := f.proc.Process(ctx, e)
	if err != nil || out.Issued != 2 {
		t.Fatalf("after the fix: %+v, %v; want 2 documents issued", out, err)
	}
}

// TestVoidInvoiceIsNotSent: an invoice voided before its email went out is left out of it; the act still goes.
func TestVoidInvoiceIsNotSent(t *testing.T) {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := newBilledFixture(t, base)
	ctx := context.Background()
	e := f.accept(t, closed("c1", "1", "east", base))
	f.mailer.fails = 100
	if _, err := f.proc.Process(ctx, e); err == nil {
		t.Fatal("processing with the mail down succeeded")
	}
	inv := f.documents(t, "east")[glassbox.DocumentInvoice]
	if err := f.store.VoidDocument(ctx, inv.ID, base, "wrong amount"); err != nil {
		t.Fatal(err)
	}
	f.mailer.fails = 0
	out, err := f.proc.Process(ctx, e)
	if err != nil || out.Sent != 1 {
		t.Fatalf("after voiding the invoice: %+v, %v; want only the client's email with the act", out, err)
	}
	mail, err := outbox.List(f.outDir)
	if err != nil || len(mail) != 1 || len(mail[0].Attachments) != 1 {
		t.Fatalf("mail %+v, %v; want one email with one attachment (the act)", mail, err)
	}
}
