package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// documentTests are the DocumentStore part of the contract.
var documentTests = []struct {
	name string
	fn   func(t *testing.T, s glassbox.Store)
}{
	{"EventWithDeal", testEventWithDeal},
	{"IssueDocuments", testIssueDocuments},
	{"IssueDuplicateClose", testIssueDuplicate},
	{"IssueWrongNumber", testIssueWrongNumber},
	{"NumberingPerSeries", testNumberingPerSeries},
	{"DocumentsBetween", testDocumentsBetween},
	{"OpenInvoices", testOpenInvoices},
	{"MarkPaid", testMarkPaid},
	{"VoidDocument", testVoidDocument},
	{"ConcurrentNumbering", testConcurrentNumbering},
	{"ConcurrentSameClose", testConcurrentSameClose},
}

var (
	seller = glassbox.Seller{
		ID: "px", Name: "ООО «Пиксель»", INN: "7700000000", KPP: "770001001", OGRN: "1027700000000",
		Address: "Москва, ул. Примерная, 1",
		Bank: glassbox.Bank{Name: "АО «Банк»", BIC: "044525000", CorrAccount: "30101810400000000225",
			Account: "40702810000000000001"},
		Director:   glassbox.Signer{Name: "И. И. Иванов", Title: "Генеральный директор"},
		Accountant: glassbox.Person{Name: "Ольга", Email: "books@studio.example"},
		VAT:        glassbox.VAT{Rate: "22", Included: true}, NumberPrefix: "PX-", TimeZone: "Europe/Moscow",
	}
	buyer = glassbox.Buyer{Name: "Acme", INN: "7800000000", Address: "Санкт-Петербург",
		Signer: glassbox.Signer{Name: "A. Petrov", Title: "CEO"}}
)

// closeOf returns the close of a project's stage at a time, listing docs.
func closeOf(project, stage string, at time.Time, docs ...glassbox.IssuedDocument) glassbox.StageClose {
	c := glassbox.StageClose{
		ID: glassbox.StageCloseID(project, stage), ProjectID: project, StageID: stage, DealID: "deal-1",
		EventID: "amocrm:" + stage, ClosedAt: at, ReportedAt: at.Add(-time.Hour),
	}
	for _, d := range docs {
		c.DocumentIDs = append(c.DocumentIDs, d.Document.ID)
	}
	return c
}

// doc returns a document of a close, numbered seq in the seller px's series of its kind for 2026, with a PDF
// that differs per document (and has bytes JSON or UTF-8 would mangle).
func doc(closeID string, kind glassbox.DocumentKind, project string, seq int64, issuedAt time.Time) glassbox.IssuedDocument {
	id := glassbox.DocumentID(closeID, kind)
	pdf := append([]byte("%PDF-1.7\n\x00\xff\xfe"), []byte(id)...)
	sum := sha256.Sum256(pdf)
	d := glassbox.Document{
		ID: id, Kind: kind, ProjectID: project, ClientID: "acme", CloseID: closeID, DealID: "deal-1",
		StageID: "s1", StageName: "Design", Series: glassbox.DocumentSeries("px", kind, 2026), Seq: seq,
		Number: glassbox.FormatNumber("PX-", 2026, seq), Locale: "ru", IssuedAt: issuedAt,
		Date: issuedAt.Format("2006-01-02"), TimeZone: "Europe/Moscow",
		Seller: seller, Buyer: buyer, ProjectName: "Web site", Contract: "№ 12 от 01.09.2026", Currency: "RUB",
		Lines: []glassbox.DocumentLine{{Name: "Design", Quantity: 1, Unit: "усл.", Price: 150000_00, Sum: 150000_00}},
		VAT:   seller.VAT, Net: 122950_82, VATAmount: 27049_18, Total: 150000_00,
		State: glassbox.DocumentIssued, PDFSHA256: hex.EncodeToString(sum[:]),
	}
	if kind == glassbox.DocumentInvoice {
		d.DueDate = issuedAt.AddDate(0, 0, glassbox.DefaultPaymentDays).Format("2006-01-02")
		d.Purpose = "Оплата по счёту " + d.Number
	}
	return glassbox.IssuedDocument{Document: d, PDF: pdf}
}

// closeWith returns a close with an act and an invoice numbered act and inv.
func closeWith(project, stage string, act, inv int64, at time.Time) (glassbox.StageClose, []glassbox.IssuedDocument) {
	id := glassbox.StageCloseID(project, stage)
	docs := []glassbox.IssuedDocument{
		doc(id, glassbox.DocumentAct, project, act, at),
		doc(id, glassbox.DocumentInvoice, project, inv, at),
	}
	return closeOf(project, stage, at, docs...), docs
}

var (
	actSeries     = glassbox.DocumentSeries("px", glassbox.DocumentAct, 2026)
	invoiceSeries = glassbox.DocumentSeries("px", glassbox.DocumentInvoice, 2026)
)

func testEventWithDeal(t *testing.T, s glassbox.Store) {
	e := glassbox.Event{
		ID: glassbox.EventID("amocrm", "d1-142"), ProjectID: "site", BindingID: "crm", Provider: "amocrm",
		ProviderEventID: "d1-142", Kind: glassbox.EventDealStageChanged, ProviderType: "leads[status]",
		Deal: &glassbox.DealChange{ID: "d1", Name: "Site", StageID: "142", StageName: "Успешно", PrevStageID: "7",
			PrevStageName: "Дизайн", PipelineID: "p1", Amount: 150000_00, Currency: "RUB", Won: true},
		DocumentID: "doc-1", OccurredAt: t0.In(moscow), ReceivedAt: t0.Add(time.Second),
	}
	mustAppend(t, s, e)
	got, err := s.Event(t.Context(), e.ID)
	if err != nil {
		t.Fatalf("Event: %v", err)
	}
	if diff := cmp.Diff(e, got, opts); diff != "" {
		t.Errorf("Event with a deal mismatch (-want +got):\n%s", diff)
	}
	evs := mustEvents(t, s, "site", t0, t0.Add(time.Nanosecond))
	if len(evs) != 1 {
		t.Fatalf("EventsBetween = %v, want the deal event", eventIDs(evs))
	}
	if diff := cmp.Diff(e, evs[0], opts); diff != "" {
		t.Errorf("listed event with a deal mismatch (-want +got):\n%s", diff)
	}
}

func testIssueDocuments(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	for _, series := range []string{actSeries, invoiceSeries} {
		if n := mustNextNumber(t, s, series); n != 1 {
			t.Errorf("NextNumber(%s) of an unused series = %d, want 1", series, n)
		}
	}
	c, docs := closeWith("site", "s1", 1, 1, t0.In(moscow))
	mustIssue(t, s, c, docs)

	gotClose, err := s.StageClose(ctx, c.ID)
	if err != nil {
		t.Fatalf("StageClose: %v", err)
	}
	if diff := cmp.Diff(c, gotClose, opts); diff != "" {
		t.Errorf("StageClose mismatch (-want +got):\n%s", diff)
	}
	for _, d := range docs {
		got, err := s.Document(ctx, d.Document.ID)
		if err != nil {
			t.Fatalf("Document(%s): %v", d.Document.ID, err)
		}
		if diff := cmp.Diff(d.Document, got, opts); diff != "" {
			t.Errorf("Document(%s) mismatch (-want +got):\n%s", d.Document.ID, diff)
		}
		if got.IssuedAt.Location() != time.UTC {
			t.Errorf("IssuedAt in %v, want UTC", got.IssuedAt.Location())
		}
		pdf, err := s.DocumentPDF(ctx, d.Document.ID)
		if err != nil {
			t.Fatalf("DocumentPDF(%s): %v", d.Document.ID, err)
		}
		if string(pdf) != string(d.PDF) {
			t.Errorf("DocumentPDF(%s) = %q, want the issued bytes %q", d.Document.ID, pdf, d.PDF)
		}
	}
	for _, series := range []string{actSeries, invoiceSeries} {
		if n := mustNextNumber(t, s, series); n != 2 {
			t.Errorf("NextNumber(%s) after one document = %d, want 2", series, n)
		}
	}

	if _, err := s.StageClose(ctx, "close:site:nope"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("StageClose(missing): err = %v, want ErrNotFound", err)
	}
	if _, err := s.Document(ctx, "doc-missing"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("Document(missing): err = %v, want ErrNotFound", err)
	}
	if _, err := s.DocumentPDF(ctx, "doc-missing"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("DocumentPDF(missing): err = %v, want ErrNotFound", err)
	}

	// The store fills what it derives: the issued state and the PDF's hash.
	c2 := glassbox.StageCloseID("site", "s2")
	bare := doc(c2, glassbox.DocumentAct, "site", 2, t0)
	bare.Document.State, bare.Document.PDFSHA256 = "", ""
	mustIssue(t, s, closeOf("site", "s2", t0, bare), []glassbox.IssuedDocument{bare})
	got, err := s.Document(ctx, bare.Document.ID)
	if err != nil {
		t.Fatalf("Document: %v", err)
	}
	sum := sha256.Sum256(bare.PDF)
	if got.State != glassbox.DocumentIssued || got.PDFSHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("Document given no state and hash: state %q hash %q; want issued and %x", got.State, got.PDFSHA256, sum)
	}
	// A hash that is not the PDF's is refused.
	wrong := doc(glassbox.StageCloseID("site", "s3"), glassbox.DocumentAct, "site", 3, t0)
	wrong.Document.PDFSHA256 = hex.EncodeToString(make([]byte, 32))
	if err := s.IssueDocuments(ctx, closeOf("site", "s3", t0, wrong), []glassbox.IssuedDocument{wrong}); err == nil {
		t.Error("IssueDocuments with a wrong PDFSHA256: no error")
	}
	assertNotIssued(t, s, glassbox.StageCloseID("site", "s3"), wrong)
}

func testIssueDuplicate(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	c, docs := closeWith("site", "s1", 1, 1, t0)
	mustIssue(t, s, c, docs)

	// Again with the numbers the series are at now, and other content: refused, nothing changes.
	again, againDocs := closeWith("site", "s1", 2, 2, t0.Add(time.Hour))
	again.EventID = "amocrm:redelivered"
	for i := range againDocs {
		againDocs[i].Document.Purpose = "changed"
	}
	if err := s.IssueDocuments(ctx, again, againDocs); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Fatalf("IssueDocuments of an existing close: err = %v, want ErrDuplicate", err)
	}
	// With stale numbers too: a duplicate is a duplicate, whatever the numbers.
	stale, staleDocs := closeWith("site", "s1", 1, 1, t0)
	if err := s.IssueDocuments(ctx, stale, staleDocs); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Fatalf("IssueDocuments of an existing close with stale numbers: err = %v, want ErrDuplicate", err)
	}
	// The same close id with documents of other ids: still refused, and those documents are not written.
	other := doc("close:other", glassbox.DocumentAct, "site", 2, t0)
	if err := s.IssueDocuments(ctx, closeOf("site", "s1", t0, other), []glassbox.IssuedDocument{other}); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Fatalf("IssueDocuments of an existing close with new documents: err = %v, want ErrDuplicate", err)
	}
	if _, err := s.Document(ctx, other.Document.ID); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("document of a refused close: err = %v, want ErrNotFound", err)
	}

	gotClose, err := s.StageClose(ctx, c.ID)
	if err != nil {
		t.Fatalf("StageClose: %v", err)
	}
	if diff := cmp.Diff(c, gotClose, opts); diff != "" {
		t.Errorf("refused duplicate changed the close (-want +got):\n%s", diff)
	}
	for _, d := range docs {
		got, err := s.Document(ctx, d.Document.ID)
		if err != nil {
			t.Fatalf("Document: %v", err)
		}
		if diff := cmp.Diff(d.Document, got, opts); diff != "" {
			t.Errorf("refused duplicate changed document %s (-want +got):\n%s", d.Document.ID, diff)
		}
	}
	for _, series := range []string{actSeries, invoiceSeries} {
		if n := mustNextNumber(t, s, series); n != 2 {
			t.Errorf("NextNumber(%s) after a refused duplicate = %d, want 2 (not advanced)", series, n)
		}
	}
	// A document that exists under another close is a duplicate too.
	taken := docs[0]
	if err := s.IssueDocuments(ctx, closeOf("site", "s9", t0, taken), []glassbox.IssuedDocument{{Document: withSeq(taken.Document, 2), PDF: taken.PDF}}); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Errorf("IssueDocuments of an existing document id: err = %v, want ErrDuplicate", err)
	}
	if _, err := s.StageClose(ctx, glassbox.StageCloseID("site", "s9")); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("close whose document was a duplicate: err = %v, want ErrNotFound", err)
	}
}

func withSeq(d glassbox.Document, seq int64) glassbox.Document {
	d.Seq, d.Number = seq, glassbox.FormatNumber("PX-", 2026, seq)
	return d
}

func testIssueWrongNumber(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	c, docs := closeWith("site", "s1", 1, 1, t0)
	mustIssue(t, s, c, docs)
	for _, tt := range []struct {
		name     string
		act, inv int64
	}{
		{"Reused", 1, 2},
		{"Gap", 2, 3},
		{"BothWrong", 5, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, docs := closeWith("site", "s2", tt.act, tt.inv, t0.Add(time.Hour))
			if err := s.IssueDocuments(ctx, c, docs); !errors.Is(err, glassbox.ErrConflict) {
				t.Fatalf("IssueDocuments act %d invoice %d: err = %v, want ErrConflict", tt.act, tt.inv, err)
			}
			for _, d := range docs {
				assertNotIssued(t, s, c.ID, d)
			}
			for _, series := range []string{actSeries, invoiceSeries} {
				if n := mustNextNumber(t, s, series); n != 2 {
					t.Errorf("NextNumber(%s) after a refused issue = %d, want 2", series, n)
				}
			}
		})
	}
	// A series never used starts at 1, not at 2.
	first := doc(glassbox.StageCloseID("site", "s3"), glassbox.DocumentAct, "site", 2, t0)
	first.Document.Series = glassbox.DocumentSeries("other", glassbox.DocumentAct, 2026)
	if err := s.IssueDocuments(ctx, closeOf("site", "s3", t0, first), []glassbox.IssuedDocument{first}); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("IssueDocuments numbered 2 in an unused series: err = %v, want ErrConflict", err)
	}
	assertNotIssued(t, s, glassbox.StageCloseID("site", "s3"), first)

	// Numbers must start at 1 and be consecutive within a call: refused whatever the series are at.
	for _, tt := range []struct {
		name string
		seqs []int64
	}{{"Zero", []int64{0}}, {"Twice", []int64{2, 2}}, {"NotConsecutive", []int64{2, 4}}} {
		t.Run(tt.name, func(t *testing.T) {
			closeID := glassbox.StageCloseID("site", "bad-"+tt.name)
			var docs []glassbox.IssuedDocument
			for i, seq := range tt.seqs {
				d := doc(closeID, glassbox.DocumentAct, "site", seq, t0)
				d.Document.ID = fmt.Sprintf("%s-%d", d.Document.ID, i)
				docs = append(docs, d)
			}
			if err := s.IssueDocuments(ctx, closeOf("site", "bad-"+tt.name, t0, docs...), docs); err == nil {
				t.Fatalf("IssueDocuments numbered %v: no error", tt.seqs)
			}
			for _, d := range docs {
				assertNotIssued(t, s, closeID, d)
			}
		})
	}
	if n := mustNextNumber(t, s, actSeries); n != 2 {
		t.Errorf("NextNumber(%s) after refused issues = %d, want 2", actSeries, n)
	}
}

func testNumberingPerSeries(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	c1, d1 := closeWith("site", "s1", 1, 1, t0)
	mustIssue(t, s, c1, d1)
	c2, d2 := closeWith("site", "s2", 2, 2, t0.Add(time.Hour))
	mustIssue(t, s, c2, d2)

	// Another seller's series and another year's start at 1 of their own.
	other := doc(glassbox.StageCloseID("app", "s1"), glassbox.DocumentInvoice, "app", 1, t0)
	other.Document.Series = glassbox.DocumentSeries("ip", glassbox.DocumentInvoice, 2026)
	nextYear := doc(glassbox.StageCloseID("app", "s1"), glassbox.DocumentAct, "app", 1, t0)
	nextYear.Document.Series = glassbox.DocumentSeries("px", glassbox.DocumentAct, 2027)
	mustIssue(t, s, closeOf("app", "s1", t0, other, nextYear), []glassbox.IssuedDocument{other, nextYear})

	// Several documents of one series in one close take consecutive numbers, in any order given.
	cid := glassbox.StageCloseID("site", "s3")
	a := doc(cid, glassbox.DocumentInvoice, "site", 4, t0)
	a.Document.ID += "-b"
	b := doc(cid, glassbox.DocumentInvoice, "site", 3, t0)
	mustIssue(t, s, closeOf("site", "s3", t0, a, b), []glassbox.IssuedDocument{a, b})

	for _, tt := range []struct {
		series string
		want   int64
	}{
		{actSeries, 3},
		{invoiceSeries, 5},
		{glassbox.DocumentSeries("ip", glassbox.DocumentInvoice, 2026), 2},
		{glassbox.DocumentSeries("px", glassbox.DocumentAct, 2027), 2},
		{glassbox.DocumentSeries("ip", glassbox.DocumentAct, 2026), 1},
	} {
		if n := mustNextNumber(t, s, tt.series); n != tt.want {
			t.Errorf("NextNumber(%s) = %d, want %d", tt.series, n, tt.want)
		}
	}
	for _, d := range []glassbox.IssuedDocument{a, b} {
		got, err := s.Document(ctx, d.Document.ID)
		if err != nil {
			t.Fatalf("Document: %v", err)
		}
		if got.Seq != d.Document.Seq {
			t.Errorf("Document %s numbered %d, want %d", d.Document.ID, got.Seq, d.Document.Seq)
		}
	}
}

func testDocumentsBetween(t *testing.T, s glassbox.Store) {
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	at := []struct {
		stage string
		at    time.Time
	}{
		{"after", to},
		{"last", to.Add(-time.Nanosecond)},
		{"msk", time.Date(2026, 3, 2, 11, 0, 0, 0, moscow)}, // 08:00 UTC
		{"utc", time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)},
		{"first", from},
		{"before", from.Add(-time.Nanosecond)},
	}
	var act, inv int64 = 1, 1
	want := map[string]glassbox.Document{}
	for _, a := range at {
		c, docs := closeWith("site", a.stage, act, inv, a.at)
		mustIssue(t, s, c, docs)
		act, inv = act+1, inv+1
		want[a.stage] = docs[0].Document
	}
	c, docs := closeWith("app", "other", act, inv, from.Add(time.Hour))
	mustIssue(t, s, c, docs)

	ids := func(stages ...string) []string {
		var out []string
		for _, st := range stages {
			cid := glassbox.StageCloseID("site", st)
			if st == "other" {
				cid = glassbox.StageCloseID("app", st)
			}
			// Same IssuedAt: act and invoice, ordered by id.
			pair := []string{glassbox.DocumentID(cid, glassbox.DocumentAct), glassbox.DocumentID(cid, glassbox.DocumentInvoice)}
			slices.Sort(pair)
			out = append(out, pair...)
		}
		return out
	}
	for _, tt := range []struct {
		name     string
		project  string
		from, to time.Time
		want     []string
	}{
		{"Day", "site", from, to, ids("first", "msk", "utc", "last")},
		{"NanosecondWindow", "site", to.Add(-time.Nanosecond), to, ids("last")},
		{"Wide", "site", from.Add(-time.Hour), to.Add(time.Hour), ids("before", "first", "msk", "utc", "last", "after")},
		{"EmptyWindow", "site", from, from, nil},
		{"ReversedWindow", "site", to, from, nil},
		{"OtherProject", "app", from, to, ids("other")},
		{"UnknownProject", "nope", from, to, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := s.DocumentsBetween(t.Context(), tt.project, tt.from, tt.to)
			if err != nil {
				t.Fatalf("DocumentsBetween: %v", err)
			}
			if diff := cmp.Diff(tt.want, documentIDs(ds), opts); diff != "" {
				t.Errorf("DocumentsBetween ids (-want +got):\n%s", diff)
			}
		})
	}
	ds, err := s.DocumentsBetween(t.Context(), "site", from.Add(10*time.Hour), from.Add(10*time.Hour+time.Nanosecond))
	if err != nil {
		t.Fatalf("DocumentsBetween: %v", err)
	}
	if len(ds) != 2 {
		t.Fatalf("DocumentsBetween(10:00) = %v, want the utc close's two documents", documentIDs(ds))
	}
	i := slices.IndexFunc(ds, func(d glassbox.Document) bool { return d.Kind == glassbox.DocumentAct })
	if diff := cmp.Diff(want["utc"], ds[i], opts); diff != "" {
		t.Errorf("listed document mismatch (-want +got):\n%s", diff)
	}
}

// issueInvoices issues one invoice (and one act) per due-date offset, in the given order, and returns the
// invoices.
func issueInvoices(t *testing.T, s glassbox.Store, dueInDays ...int) []glassbox.Document {
	t.Helper()
	var out []glassbox.Document
	for i, days := range dueInDays {
		c, docs := closeWith("site", fmt.Sprintf("s%d", i), int64(i+1), int64(i+1), t0.Add(time.Duration(i)*time.Hour))
		docs[1].Document.DueDate = t0.AddDate(0, 0, days).Format("2006-01-02")
		mustIssue(t, s, c, docs)
		out = append(out, docs[1].Document)
	}
	return out
}

func testOpenInvoices(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	if open := mustOpenInvoices(t, s); len(open) != 0 {
		t.Fatalf("OpenInvoices on an empty store = %v, want none", documentIDs(open))
	}
	inv := issueInvoices(t, s, 30, 5, 20, 10, 5)
	if err := s.MarkPaid(ctx, inv[2].ID, t0.Add(time.Hour), "accountant link"); err != nil {
		t.Fatalf("MarkPaid: %v", err)
	}
	if err := s.VoidDocument(ctx, inv[3].ID, t0.Add(time.Hour), "wrong amount"); err != nil {
		t.Fatalf("VoidDocument: %v", err)
	}
	open := mustOpenInvoices(t, s)
	// Earliest due first; the two due the same day by id. No acts, nothing paid or void.
	same := []string{inv[1].ID, inv[4].ID}
	slices.Sort(same)
	if diff := cmp.Diff(append(same, inv[0].ID), documentIDs(open)); diff != "" {
		t.Errorf("OpenInvoices ids (-want +got):\n%s", diff)
	}
	if i := slices.IndexFunc(open, func(d glassbox.Document) bool { return d.ID == inv[0].ID }); i >= 0 {
		if diff := cmp.Diff(inv[0], open[i], opts); diff != "" {
			t.Errorf("listed open invoice mismatch (-want +got):\n%s", diff)
		}
	}
}

func testMarkPaid(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	inv := issueInvoices(t, s, 5, 10)
	paidAt := t0.Add(48 * time.Hour).In(moscow)
	if err := s.MarkPaid(ctx, inv[0].ID, paidAt, "accountant link"); err != nil {
		t.Fatalf("MarkPaid: %v", err)
	}
	want := inv[0]
	want.State, want.PaidAt, want.PaidBy = glassbox.DocumentPaid, paidAt, "accountant link"
	assertDocument(t, s, want)
	if diff := cmp.Diff([]string{inv[1].ID}, documentIDs(mustOpenInvoices(t, s))); diff != "" {
		t.Errorf("OpenInvoices after MarkPaid (-want +got):\n%s", diff)
	}

	if err := s.MarkPaid(ctx, inv[0].ID, paidAt.Add(time.Hour), "amocrm"); !errors.Is(err, glassbox.ErrAlreadyPaid) {
		t.Errorf("MarkPaid twice: err = %v, want ErrAlreadyPaid", err)
	}
	assertDocument(t, s, want) // the first payment stays
	if err := s.MarkPaid(ctx, "doc-missing", paidAt, "amocrm"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("MarkPaid of an unknown document: err = %v, want ErrNotFound", err)
	}
	if err := s.VoidDocument(ctx, inv[1].ID, paidAt, "cancelled"); err != nil {
		t.Fatalf("VoidDocument: %v", err)
	}
	if err := s.MarkPaid(ctx, inv[1].ID, paidAt, "amocrm"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("MarkPaid of a void invoice: err = %v, want ErrConflict", err)
	}
	got, err := s.Document(ctx, inv[1].ID)
	if err != nil {
		t.Fatalf("Document: %v", err)
	}
	if got.State != glassbox.DocumentVoid || !got.PaidAt.IsZero() || got.PaidBy != "" {
		t.Errorf("void invoice after refused MarkPaid: state %q paid at %v by %q", got.State, got.PaidAt, got.PaidBy)
	}
	// An act is not paid.
	act := glassbox.DocumentID(glassbox.StageCloseID("site", "s0"), glassbox.DocumentAct)
	if err := s.MarkPaid(ctx, act, paidAt, "amocrm"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("MarkPaid of an act: err = %v, want ErrConflict", err)
	}
	if len(mustOpenInvoices(t, s)) != 0 {
		t.Errorf("OpenInvoices after paying one and voiding the other: %v, want none", documentIDs(mustOpenInvoices(t, s)))
	}
}

func testVoidDocument(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	inv := issueInvoices(t, s, 5, 10)
	voidAt := t0.Add(time.Hour)
	if err := s.VoidDocument(ctx, inv[0].ID, voidAt, "wrong amount"); err != nil {
		t.Fatalf("VoidDocument: %v", err)
	}
	want := inv[0]
	want.State, want.VoidedAt, want.VoidReason = glassbox.DocumentVoid, voidAt, "wrong amount"
	assertDocument(t, s, want)
	if diff := cmp.Diff([]string{inv[1].ID}, documentIDs(mustOpenInvoices(t, s))); diff != "" {
		t.Errorf("OpenInvoices after VoidDocument (-want +got):\n%s", diff)
	}
	// Voiding again changes nothing.
	if err := s.VoidDocument(ctx, inv[0].ID, voidAt.Add(time.Hour), "again"); err != nil {
		t.Errorf("VoidDocument of a void document: %v, want nil", err)
	}
	assertDocument(t, s, want)
	// Its number stays used, and so does its PDF.
	if n := mustNextNumber(t, s, invoiceSeries); n != 3 {
		t.Errorf("NextNumber after voiding = %d, want 3 (a void number is not reused)", n)
	}
	if _, err := s.DocumentPDF(ctx, inv[0].ID); err != nil {
		t.Errorf("DocumentPDF of a void document: %v", err)
	}
	// A paid invoice cannot be voided.
	if err := s.MarkPaid(ctx, inv[1].ID, voidAt, "amocrm"); err != nil {
		t.Fatalf("MarkPaid: %v", err)
	}
	if err := s.VoidDocument(ctx, inv[1].ID, voidAt, "late"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("VoidDocument of a paid invoice: err = %v, want ErrConflict", err)
	}
	got, err := s.Document(ctx, inv[1].ID)
	if err != nil {
		t.Fatalf("Document: %v", err)
	}
	if got.State != glassbox.DocumentPaid || !got.VoidedAt.IsZero() || got.VoidReason != "" {
		t.Errorf("paid invoice after refused void: state %q voided at %v reason %q", got.State, got.VoidedAt, got.VoidReason)
	}
	// An act can be voided.
	act := glassbox.DocumentID(glassbox.StageCloseID("site", "s0"), glassbox.DocumentAct)
	if err := s.VoidDocument(ctx, act, voidAt, "wrong stage"); err != nil {
		t.Errorf("VoidDocument of an act: %v", err)
	}
	if err := s.VoidDocument(ctx, "doc-missing", voidAt, "x"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("VoidDocument of an unknown document: err = %v, want ErrNotFound", err)
	}
}

// issueNext issues a close whose one invoice takes the series' next number, the way a caller does it: read
// the number, issue, and on ErrConflict (the series moved on, or a concurrent transaction) back off with
// jitter and read again. It returns the number of attempts.
func issueNext(ctx context.Context, s glassbox.Store, project, stage string, at time.Time, mark string) (int, error) {
	backoff := time.Millisecond
	for attempt := 1; ; attempt++ {
		n, err := s.NextNumber(ctx, invoiceSeries)
		if err != nil {
			return attempt, err
		}
		cid := glassbox.StageCloseID(project, stage)
		d := doc(cid, glassbox.DocumentInvoice, project, n, at)
		d.Document.Purpose = mark
		err = s.IssueDocuments(ctx, closeOf(project, stage, at, d), []glassbox.IssuedDocument{d})
		if !errors.Is(err, glassbox.ErrConflict) {
			return attempt, err
		}
		select {
		case <-ctx.Done():
			return attempt, ctx.Err()
		case <-time.After(backoff/2 + rand.N(backoff/2+1)):
		}
		backoff = min(2*backoff, 50*time.Millisecond)
	}
}

// testConcurrentNumbering is the gapless-numbering guarantee: concurrent closes, each retrying on conflict,
// end with numbers 1..n, each used once, and the series at n+1.
func testConcurrentNumbering(t *testing.T, s glassbox.Store) {
	const n = 100
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var attempts atomic.Int64
	start := time.Now()
	errs := concurrently(n, func(i int) error {
		a, err := issueNext(ctx, s, "site", fmt.Sprintf("s%03d", i), t0.Add(time.Duration(i)*time.Millisecond), "")
		attempts.Add(int64(a))
		return err
	})
	t.Logf("%d concurrent closes issued in %v, %d attempts", n, time.Since(start).Round(time.Millisecond), attempts.Load())
	for i, err := range errs {
		if err != nil {
			t.Errorf("close %d: %v", i, err)
		}
	}
	ds, err := s.DocumentsBetween(ctx, "site", t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatalf("DocumentsBetween: %v", err)
	}
	var seqs []int64
	for _, d := range ds {
		seqs = append(seqs, d.Seq)
	}
	slices.Sort(seqs)
	want := make([]int64, n)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if diff := cmp.Diff(want, seqs); diff != "" {
		t.Errorf("document numbers are not exactly 1..%d (-want +got):\n%s", n, diff)
	}
	if next := mustNextNumber(t, s, invoiceSeries); next != n+1 {
		t.Errorf("NextNumber = %d, want %d", next, n+1)
	}
	for i := range n {
		c, err := s.StageClose(ctx, glassbox.StageCloseID("site", fmt.Sprintf("s%03d", i)))
		if err != nil {
			t.Errorf("StageClose %d: %v", i, err)
			continue
		}
		if len(c.DocumentIDs) != 1 {
			t.Errorf("close %d lists %v, want one document", i, c.DocumentIDs)
		}
	}
}

// testConcurrentSameClose: a close delivered many times at once is issued once, and takes one number.
func testConcurrentSameClose(t *testing.T, s glassbox.Store) {
	const n = 10
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	errs := concurrently(n, func(i int) error {
		_, err := issueNext(ctx, s, "site", "s1", t0, fmt.Sprintf("writer %d", i))
		return err
	})
	winner := oneWinner(t, errs, "concurrent IssueDocuments of one close")
	got, err := s.Document(ctx, glassbox.DocumentID(glassbox.StageCloseID("site", "s1"), glassbox.DocumentInvoice))
	if err != nil {
		t.Fatalf("Document: %v", err)
	}
	if want := fmt.Sprintf("writer %d", winner); got.Purpose != want || got.Seq != 1 {
		t.Errorf("stored document by %q numbered %d, want the winner %q numbered 1", got.Purpose, got.Seq, want)
	}
	if next := mustNextNumber(t, s, invoiceSeries); next != 2 {
		t.Errorf("NextNumber = %d, want 2: one close takes one number", next)
	}
}

// assertNotIssued checks that a refused IssueDocuments wrote neither the close nor the document nor its PDF.
func assertNotIssued(t *testing.T, s glassbox.Store, closeID string, d glassbox.IssuedDocument) {
	t.Helper()
	ctx := t.Context()
	if _, err := s.StageClose(ctx, closeID); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("StageClose(%s) after a refused issue: err = %v, want ErrNotFound", closeID, err)
	}
	if _, err := s.Document(ctx, d.Document.ID); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("Document(%s) after a refused issue: err = %v, want ErrNotFound", d.Document.ID, err)
	}
	if _, err := s.DocumentPDF(ctx, d.Document.ID); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("DocumentPDF(%s) after a refused issue: err = %v, want ErrNotFound", d.Document.ID, err)
	}
}

func assertDocument(t *testing.T, s glassbox.Store, want glassbox.Document) {
	t.Helper()
	got, err := s.Document(t.Context(), want.ID)
	if err != nil {
		t.Fatalf("Document(%s): %v", want.ID, err)
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("Document(%s) mismatch (-want +got):\n%s", want.ID, diff)
	}
}

func mustIssue(t *testing.T, s glassbox.Store, c glassbox.StageClose, docs []glassbox.IssuedDocument) {
	t.Helper()
	if err := s.IssueDocuments(t.Context(), c, docs); err != nil {
		t.Fatalf("IssueDocuments(%s): %v", c.ID, err)
	}
}

func mustNextNumber(t *testing.T, s glassbox.Store, series string) int64 {
	t.Helper()
	n, err := s.NextNumber(t.Context(), series)
	if err != nil {
		t.Fatalf("NextNumber(%s): %v", series, err)
	}
	return n
}

func mustOpenInvoices(t *testing.T, s glassbox.Store) []glassbox.Document {
	t.Helper()
	ds, err := s.OpenInvoices(t.Context())
	if err != nil {
		t.Fatalf("OpenInvoices: %v", err)
	}
	return ds
}

func documentIDs(ds []glassbox.Document) []string {
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids
}
