package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/remind"
)

// issueYear is the year documents issued now are numbered in: the demo's sellers keep their books in the
// agency's zone, Moscow. Documents are dated when issued, never at the sample's own time.
func issueYear() string {
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return strconv.Itoa(time.Now().In(moscow).Year())
}

// crmCases are the demo's CRM samples that close a stage, with what the client and the accountant must get.
var crmCases = []struct {
	sample, project         string
	clientTo, accountantTo  string
	subject                 string
	actFile, invoiceFile    string
	invoiceStage            string
	invoiceTotal, totalText string
}{
	{"ingest-amocrm-stage-closed.json", "romashka-site", "anna@romashka.example", "buh@pixel.example",
		"Этап «Вёрстка» закрыт — Новый сайт", "Акт ПК-" + issueYear() + "-0001.pdf", "Счёт ПК-" + issueYear() + "-0001.pdf", "programming", "", "150\u00a0000,00\u00a0₽"},
	{"ingest-bitrix24-deal-updated.json", "romashka-shop", "anna@romashka.example", "buh@pixel.example",
		"Этап «Каталог» закрыт — Интернет-магазин", "Акт ПК-" + issueYear() + "-0001.pdf", "Счёт ПК-" + issueYear() + "-0001.pdf", "catalog", "", "120\u00a0000,00\u00a0₽"},
	{"ingest-hubspot-stage-closed.json", "northwind-app", "john@northwind.example", "accounting@pixel.example",
		"Stage “Discovery” is closed — Northwind mobile app", "Act PX-" + issueYear() + "-0001.pdf", "Invoice PX-" + issueYear() + "-0001.pdf", "build", "", "€18,000.00"},
	{"ingest-pipedrive-stage-closed.json", "northwind-ads", "john@northwind.example", "accounting@pixel.example",
		"Stage “Campaign setup” is closed — Northwind ads", "Act PX-" + issueYear() + "-0001.pdf", "Invoice PX-" + issueYear() + "-0001.pdf", "setup", "", "€2,000.00"},
}

// sendCRM posts a sample; HubSpot samples are signed again first, as make demo does, since their signatures
// last five minutes.
func (h *devHarness) sendCRM(name string) (int, string) {
	h.t.Helper()
	req := mustLoad(h.t, name)
	resign(&req, time.Now())
	return h.send(req)
}

func byRecipient(mail []outbox.Summary, email string) []outbox.Summary {
	var out []outbox.Summary
	for _, m := range mail {
		if strings.Contains(strings.Join(m.To, ","), email) {
			out = append(out, m)
		}
	}
	return out
}

func attachmentNames(m outbox.Summary) string {
	var names []string
	for _, a := range m.Attachments {
		names = append(names, a.Name)
	}
	return strings.Join(names, ",")
}

func TestEachCRMClosesAStageEndToEnd(t *testing.T) {
	for _, tc := range crmCases {
		t.Run(tc.sample, func(t *testing.T) {
			h := newDevHarness(t)
			// Delivered twice: the second is a duplicate (or, for Bitrix24's thin hook, the same close again).
			for i := 0; i < 2; i++ {
				if status, body := h.sendCRM(tc.sample); status != http.StatusOK {
					t.Fatalf("delivery %d: %d %s", i, status, body)
				}
			}
			mail := h.mail()
			if len(mail) != 2 {
				t.Fatalf("got %d emails, want one to the client and one to the accountant: %+v", len(mail), mail)
			}
			client, acc := byRecipient(mail, tc.clientTo), byRecipient(mail, tc.accountantTo)
			if len(client) != 1 || len(acc) != 1 {
				t.Fatalf("client got %d, accountant %d emails", len(client), len(acc))
			}
			if client[0].Subject != tc.subject {
				t.Errorf("client subject = %q, want %q", client[0].Subject, tc.subject)
			}
			if got, want := attachmentNames(client[0]), tc.actFile+","+tc.invoiceFile; got != want {
				t.Errorf("client attachments = %s, want %s", got, want)
			}
			if got := attachmentNames(acc[0]); got != tc.invoiceFile {
				t.Errorf("accountant attachments = %s, want the invoice only", got)
			}
			if !strings.Contains(client[0].Text, tc.totalText) || strings.Contains(client[0].Text, "/pay/") {
				t.Errorf("client text (want %s, no pay link):\n%s", tc.totalText, client[0].Text)
			}
			if !strings.Contains(acc[0].Text, "/pay/") {
				t.Errorf("accountant text lacks the payment link:\n%s", acc[0].Text)
			}
			act, inv := h.actAndInvoice(tc.project)
			if inv.StageID != tc.invoiceStage || act.Seq != 1 || inv.Seq != 1 {
				t.Fatalf("act %s #%d, invoice for %s #%d", act.StageID, act.Seq, inv.StageID, inv.Seq)
			}
		})
	}
}

func (h *devHarness) documents(project string) []glassbox.Document {
	h.t.Helper()
	docs, err := h.dev.store.DocumentsBetween(context.Background(), project, time.Time{}, time.Now().Add(24*time.Hour*3650))
	if err != nil {
		h.t.Fatal(err)
	}
	return docs
}

// actAndInvoice returns the project's one act and one invoice.
func (h *devHarness) actAndInvoice(project string) (act, inv glassbox.Document) {
	h.t.Helper()
	docs := h.documents(project)
	if len(docs) != 2 {
		h.t.Fatalf("%s has %d documents, want an act and an invoice", project, len(docs))
	}
	for _, d := range docs {
		if d.Kind == glassbox.DocumentAct {
			act = d
		} else {
			inv = d
		}
	}
	if act.ID == "" || inv.ID == "" {
		h.t.Fatalf("%s documents = %+v", project, docs)
	}
	return act, inv
}

func TestConcurrentCRMDeliveriesIssueOneInvoiceAndOneEmail(t *testing.T) {
	h := newDevHarness(t)
	req := mustLoad(t, "ingest-amocrm-stage-closed.json")
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, body, err := post(context.Background(), h.srv.Client(), h.srv.URL, req); err != nil || status != http.StatusOK {
				t.Errorf("%d %s %v", status, body, err)
			}
		}()
	}
	wg.Wait()
	if n := len(h.documents("romashka-site")); n != 2 {
		t.Errorf("%d documents issued, want an act and an invoice", n)
	}
	if n := len(h.mail()); n != 2 {
		t.Errorf("%d emails, want 2", n)
	}
}

func TestRefusedCRMDeliveriesChangeNothing(t *testing.T) {
	h := newDevHarness(t)
	for _, name := range []string{"ingest-amocrm-bad-token.json", "ingest-bitrix24-bad-token.json", "ingest-hubspot-forged.json", "ingest-pipedrive-bad-auth.json"} {
		if status, body := h.sendCRM(name); status != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401", name, status, body)
		}
	}
	for _, p := range []string{"romashka-site", "romashka-shop", "northwind-app", "northwind-ads"} {
		if n := len(h.documents(p)); n != 0 {
			t.Errorf("%s: %d documents after refused deliveries", p, n)
		}
	}
	if n := len(h.mail()); n != 0 {
		t.Errorf("%d emails after refused deliveries", n)
	}
}

var payLink = regexp.MustCompile(`https?://\S+/pay/\S+`)

func TestPaymentLinkMarksInvoicePaidAndStopsReminders(t *testing.T) {
	h := newDevHarness(t)
	h.sendCRM("ingest-amocrm-stage-closed.json")
	acc := byRecipient(h.mail(), "buh@pixel.example")
	if len(acc) != 1 {
		t.Fatalf("accountant emails: %d", len(acc))
	}
	link := payLink.FindString(acc[0].Text)
	if link == "" {
		t.Fatalf("no pay link in:\n%s", acc[0].Text)
	}
	_, invoice := h.actAndInvoice("romashka-site")

	// GET shows the page and changes nothing: mail scanners open links.
	resp, err := h.srv.Client().Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), invoice.Number) || !strings.Contains(string(page), "<form") {
		t.Fatalf("GET %s: %d\n%s", link, resp.StatusCode, page)
	}
	if d, _ := h.dev.store.Document(context.Background(), invoice.ID); d.State != glassbox.DocumentIssued {
		t.Fatalf("GET changed the invoice to %s", d.State)
	}

	tampered := strings.Replace(link, "sig=", "sig=x", 1)
	if resp, err := h.srv.Client().Post(tampered, "application/x-www-form-urlencoded", nil); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST of a tampered link: %v %v", resp.StatusCode, err)
	}
	for i := 0; i < 2; i++ {
		resp, err := h.srv.Client().Post(link, "application/x-www-form-urlencoded", nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %d: %v %v", i, resp.StatusCode, err)
		}
		resp.Body.Close()
	}
	d, err := h.dev.store.Document(context.Background(), invoice.ID)
	if err != nil || d.State != glassbox.DocumentPaid {
		t.Fatalf("invoice after the link = %s, %v; want paid", d.State, err)
	}
	before := len(h.mail())
	h.remindAt(t, dueDay(t, invoice, 20, 11))
	if n := len(h.mail()); n != before {
		t.Errorf("a paid invoice got %d reminders", n-before)
	}
}

func TestCRMPaidStageMarksInvoicePaid(t *testing.T) {
	for _, tc := range []struct{ closeSample, paidSample, project string }{
		{"ingest-amocrm-stage-closed.json", "ingest-amocrm-paid.json", "romashka-site"},
		{"ingest-hubspot-stage-closed.json", "ingest-hubspot-paid.json", "northwind-app"},
		{"ingest-pipedrive-stage-closed.json", "ingest-pipedrive-won.json", "northwind-ads"},
	} {
		t.Run(tc.paidSample, func(t *testing.T) {
			h := newDevHarness(t)
			h.sendCRM(tc.closeSample)
			if status, body := h.sendCRM(tc.paidSample); status != http.StatusOK {
				t.Fatalf("%d %s", status, body)
			}
			act, inv := h.actAndInvoice(tc.project)
			if inv.State != glassbox.DocumentPaid || act.State != glassbox.DocumentIssued {
				t.Fatalf("after paid: act %s, invoice %s", act.State, inv.State)
			}
		})
	}
}

// dueDay is days after the invoice's due date at hour o'clock in the project's zone (Moscow for the demo).
func dueDay(t *testing.T, inv glassbox.Document, days, hour int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(inv.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	due, err := time.ParseInLocation(time.DateOnly, inv.DueDate, loc)
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(due.Year(), due.Month(), due.Day()+days, hour, 0, 0, 0, loc)
}

func (h *devHarness) remindAt(t *testing.T, at time.Time) remind.Result {
	t.Helper()
	res, err := h.dev.remind(at.UTC()).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRemindersGoOutOnScheduleInWorkingHoursThenTheManager(t *testing.T) {
	h := newDevHarness(t)
	h.sendCRM("ingest-amocrm-stage-closed.json")
	_, inv := h.actAndInvoice("romashka-site")
	weekday := func(days, hour int) time.Time {
		at := dueDay(t, inv, days, hour)
		for at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
			at = at.AddDate(0, 0, 1)
		}
		return at
	}
	client := func() int { return len(byRecipient(h.mail(), "anna@romashka.example")) }
	manager := func() int { return len(byRecipient(h.mail(), "maria@pixel.example")) }
	base := client() // the stage-closed email

	steps := []struct {
		name         string
		at           time.Time
		client, mngr int
		outsideHours int
	}{
		{"BeforeDay3Nothing", dueDay(t, inv, 1, 11), 0, 0, 0},
		{"Day3AtNightWaits", weekday(3, 3), 0, 0, 1},
		{"Day3InHours", weekday(3, 11), 1, 0, 0},
		{"Day3Again", weekday(3, 15), 1, 0, 0},
		{"Day7", weekday(7, 11), 2, 0, 0},
		{"Day14LastThenManager", weekday(14, 11), 3, 1, 0},
		{"Day30NothingMore", weekday(30, 11), 3, 1, 0},
	}
	for _, s := range steps {
		res := h.remindAt(t, s.at)
		if got := client() - base; got != s.client {
			t.Errorf("%s: client has %d reminders, want %d", s.name, got, s.client)
		}
		if got := manager(); got != s.mngr {
			t.Errorf("%s: manager has %d emails, want %d", s.name, got, s.mngr)
		}
		if res.OutsideHours != s.outsideHours {
			t.Errorf("%s: outside hours = %d, want %d", s.name, res.OutsideHours, s.outsideHours)
		}
	}
}

func TestDocumentLinkDownloadsTheIssuedPDF(t *testing.T) {
	h := newDevHarness(t)
	h.sendCRM("ingest-hubspot-stage-closed.json")
	client := byRecipient(h.mail(), "john@northwind.example")
	link := regexp.MustCompile(`https?://\S+/documents/\S+`).FindString(client[0].Text)
	if link == "" {
		t.Fatalf("no download link in:\n%s", client[0].Text)
	}
	if _, err := url.Parse(link); err != nil {
		t.Fatal(err)
	}
	resp, err := h.srv.Client().Get(link)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, inv := h.actAndInvoice("northwind-app")
	want, err := h.dev.store.DocumentPDF(context.Background(), inv.ID)
	if err != nil || resp.StatusCode != http.StatusOK || string(got) != string(want) {
		t.Fatalf("download: %d, %d bytes, want the %d stored bytes (%v)", resp.StatusCode, len(got), len(want), err)
	}
	if resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("Content-Type = %s", resp.Header.Get("Content-Type"))
	}
	index, err := h.srv.Client().Get(h.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(index.Body)
	index.Body.Close()
	if !strings.Contains(string(page), "invoice "+inv.Number) || !strings.Contains(string(page), "/documents/"+inv.ID+"?") {
		t.Errorf("the dev index page does not list the invoice with its download link:\n%s", page)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		cmd := exec.Command("pdftotext", "-", "-")
		cmd.Stdin = strings.NewReader(string(got))
		text, err := cmd.Output()
		if err != nil || !strings.Contains(string(text), "EE382200221020145685") || !strings.Contains(string(text), "Reverse charge") {
			t.Errorf("downloaded invoice text (%v):\n%s", err, text)
		}
	}
}
