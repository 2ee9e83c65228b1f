package notify_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

func billedConfig(locale string) glassbox.Config {
	c := config(locale)
	c.Clients[0].Buyer = glassbox.Buyer{Name: "ООО «Акме»", Address: "Москва"}
	c.Sellers = []glassbox.Seller{{ID: "studio", Name: "ООО «Студия»", Accountant: glassbox.Person{Name: "Елена Соколова", Email: "buh@studio.example"}}}
	c.Projects[0].Billing = glassbox.Billing{Seller: "studio", Mode: glassbox.BillPrepay, Currency: "RUB", Stages: []glassbox.Stage{
		{ID: "layout", Name: "Вёрстка", Amount: 6000000}, {ID: "code", Name: "Программирование", Amount: 15000000}}}
	return c
}

func stageDocs(postpay bool) (glassbox.Document, glassbox.Document) {
	act := glassbox.Document{ID: "doc-act", Kind: glassbox.DocumentAct, StageID: "layout", StageName: "Вёрстка", Number: "ПК-2026-0007"}
	inv := glassbox.Document{ID: "doc-inv", Kind: glassbox.DocumentInvoice, StageID: "code", StageName: "Программирование",
		Number: "ПК-2026-0015", Total: 15000000, Currency: "RUB", DueDate: "2026-11-25", IssuedAt: t0, State: glassbox.DocumentIssued}
	if postpay {
		inv.StageID, inv.StageName, inv.Total = "layout", "Вёрстка", 6000000
	}
	return act, inv
}

func closed(locale string, inv *glassbox.Document, act glassbox.Document) notify.StageClosedSituation {
	c := billedConfig(locale)
	return notify.StageClosedSituation{Config: c, Project: c.Projects[0], Act: act, Invoice: inv,
		Close:      glassbox.StageClose{ID: glassbox.StageCloseID("site", "layout"), ProjectID: "site", StageID: "layout"},
		InvoiceURL: "https://hooks.example/documents/doc-inv?exp=1&sig=x", PaidURL: "https://hooks.example/pay/doc-inv?exp=1&sig=y",
		PaidURLExpires: t0.Add(30 * 24 * time.Hour)}
}

func TestStageClosedTellsClientAndAccountant(t *testing.T) {
	act, inv := stageDocs(false)
	msgs, err := notify.StageClosed(closed("ru", &inv, act))
	if err != nil || len(msgs) != 2 {
		t.Fatalf("StageClosed = %d messages, %v; want 2", len(msgs), err)
	}
	client, acc := msgs[0], msgs[1]
	if client.Audience != glassbox.AudienceClient || client.To[0].Email != "anna@acme.example" || client.ReplyTo.Email != "maria@studio.example" {
		t.Errorf("client message = %+v", client)
	}
	if got := strings.Join(client.Attachments, ","); got != "doc-act,doc-inv" {
		t.Errorf("client attachments = %s, want act and invoice", got)
	}
	if !strings.Contains(client.Text, "Анна, этап «Вёрстка» закрыт, акт во вложении.") ||
		!strings.Contains(client.Text, "Система уже сформировала счёт на следующий этап «Программирование», отправляю его вам, чтобы мы не останавливали работу.") ||
		!strings.Contains(client.Text, "Хорошего дня!") {
		t.Errorf("client text lacks the house wording:\n%s", client.Text)
	}
	if strings.Contains(client.Text, "/pay/") {
		t.Errorf("the client got the payment-received link:\n%s", client.Text)
	}
	if acc.Audience != glassbox.AudienceAccountant || acc.To[0].Email != "buh@studio.example" || strings.Join(acc.Attachments, ",") != "doc-inv" {
		t.Errorf("accountant message = %+v", acc)
	}
	if !strings.Contains(acc.HTML, `href="https://hooks.example/pay/doc-inv?exp=1&amp;sig=y"`) {
		t.Errorf("accountant HTML lacks the paid link:\n%s", acc.HTML)
	}
	again, _ := notify.StageClosed(closed("ru", &inv, act))
	if again[0].ID != client.ID || again[1].ID != acc.ID || client.ID == acc.ID {
		t.Errorf("message ids are not deterministic and distinct: %s %s / %s %s", client.ID, acc.ID, again[0].ID, again[1].ID)
	}
}

func TestLastPrepaidStageSendsActOnly(t *testing.T) {
	act, _ := stageDocs(false)
	msgs, err := notify.StageClosed(closed("en", nil, act))
	if err != nil || len(msgs) != 1 {
		t.Fatalf("StageClosed = %d messages, %v; want the client's only", len(msgs), err)
	}
	if strings.Join(msgs[0].Attachments, ",") != "doc-act" || !strings.Contains(msgs[0].Text, "last stage") {
		t.Errorf("message = %+v", msgs[0])
	}
}

func TestReminders(t *testing.T) {
	_, inv := stageDocs(false)
	c := billedConfig("ru")
	for n := 1; n <= 3; n++ {
		msgs, err := notify.Reminder(notify.ReminderSituation{Config: c, Project: c.Projects[0], Invoice: inv, N: n, Last: n == 3})
		if err != nil {
			t.Fatal(err)
		}
		wantN := 1
		if n == 3 {
			wantN = 2
		}
		if len(msgs) != wantN || msgs[0].Audience != glassbox.AudienceClient || msgs[0].Kind != glassbox.MessageInvoiceReminder {
			t.Fatalf("reminder %d = %+v", n, msgs)
		}
		if n == 3 && (msgs[1].Audience != glassbox.AudienceManager || msgs[1].To[0].Email != "maria@studio.example") {
			t.Errorf("after the last reminder the manager is not told: %+v", msgs[1])
		}
	}
	inv.State = glassbox.DocumentPaid
	if msgs, _ := notify.Reminder(notify.ReminderSituation{Config: c, Project: c.Projects[0], Invoice: inv, N: 1}); len(msgs) != 0 {
		t.Errorf("a paid invoice got a reminder: %+v", msgs)
	}
}

func TestBillingTextIsEscapedInHTML(t *testing.T) {
	act, inv := stageDocs(false)
	act.StageName = `<img src=x onerror=alert(1)>`
	s := closed("en", &inv, act)
	s.InvoiceURL = "javascript:alert(1)"
	msgs, err := notify.StageClosed(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(msgs[0].HTML, "<img") || strings.Contains(msgs[0].HTML, "javascript:") {
		t.Fatalf("CRM text reached HTML unescaped:\n%s", msgs[0].HTML)
	}
}

// TestBillingGolden pins the wording of the billing messages; run with -update after a deliberate change.
func TestBillingGolden(t *testing.T) {
	for _, locale := range []string{"ru", "en"} {
		act, inv := stageDocs(false)
		_, post := stageDocs(true)
		c := billedConfig(locale)
		cases := map[string]func() ([]glassbox.Message, error){
			"stage_closed_prepay":  func() ([]glassbox.Message, error) { return notify.StageClosed(closed(locale, &inv, act)) },
			"stage_closed_postpay": func() ([]glassbox.Message, error) { return notify.StageClosed(closed(locale, &post, act)) },
			"stage_closed_last":    func() ([]glassbox.Message, error) { return notify.StageClosed(closed(locale, nil, act)) },
			"project_started": func() ([]glassbox.Message, error) {
				first := inv
				first.StageID, first.StageName = "layout", "Вёрстка"
				return notify.StageClosed(closed(locale, &first, glassbox.Document{}))
			},
			"invoice_reminders": func() ([]glassbox.Message, error) {
				var all []glassbox.Message
				for n := 1; n <= 3; n++ {
					m, err := notify.Reminder(notify.ReminderSituation{Config: c, Project: c.Projects[0], Invoice: inv, N: n, Last: n == 3,
						InvoiceURL: "https://hooks.example/documents/doc-inv?exp=1&sig=x"})
					if err != nil {
						return nil, err
					}
					all = append(all, m...)
				}
				return all, nil
			},
		}
		for name, f := range cases {
			t.Run(locale+"_"+name, func(t *testing.T) {
				msgs, err := f()
				if err != nil {
					t.Fatal(err)
				}
				var got strings.Builder
				for _, m := range msgs {
					got.WriteString("To: " + m.To[0].Email + " (" + string(m.Audience) + ")\nSubject: " + m.Subject +
						"\nAttachments: " + strings.Join(m.Attachments, ", ") + "\n\n" + m.Text + "\n----\n" + m.HTML + "\n====\n")
				}
				path := filepath.Join("testdata", locale+"_"+name+".golden")
				if *update {
					if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if got.String() != string(want) {
					t.Errorf("%s differs from golden:\n%s", path, got.String())
				}
			})
		}
	}
}

// TestEmailsUseTheAgencyNameOfTheirLocale: English emails were sent and signed as "Студия «Пиксель»". With
// agency.names.en they are from and signed by the English name; Russian ones keep the default.
func TestEmailsUseTheAgencyNameOfTheirLocale(t *testing.T) {
	for _, tt := range []struct{ locale, want, notWant string }{
		{"en", "Pixel Studio", "Пиксель"},
		{"ru", "Студия «Пиксель»", "Pixel Studio"},
	} {
		t.Run(tt.locale, func(t *testing.T) {
			s := closed(tt.locale, nil, glassbox.Document{})
			s.Config.Agency.Name, s.Config.Agency.Sender = "Студия «Пиксель»", "Студия «Пиксель» <notify@pixel.example>"
			s.Config.Agency.Names = glassbox.Names{"en": "Pixel Studio"}
			act, inv := stageDocs(false)
			s.Act, s.Invoice = act, &inv
			billed, err := notify.StageClosed(s)
			if err != nil {
				t.Fatal(err)
			}
			done, err := notify.Decide(notify.Situation{Config: s.Config, Project: s.Project,
				Event: moved(glassbox.StatusInProgress, glassbox.StatusDone, "Done")})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range append(billed, done...) {
				if m.From.Name != tt.want || m.From.Email != "notify@pixel.example" {
					t.Errorf("%s from %+v, want %q", m.Kind, m.From, tt.want)
				}
				if m.Audience == glassbox.AudienceClient && !strings.HasSuffix(m.Text, "\n"+tt.want+"\n") {
					t.Errorf("%s is not signed %q:\n%s", m.Kind, tt.want, m.Text)
				}
				if strings.Contains(m.Text+m.HTML, tt.notWant) {
					t.Errorf("%s names the agency %q:\n%s", m.Kind, tt.notWant, m.Text)
				}
			}
		})
	}
}

// Messages about documents speak the documents' locale and date in their zone, both decided at issue and stored
// on them: a message sent or re-sent after the project switched to English still speaks the documents'
// Russian, and the pay link's expiry is the date in the seller's zone, not the project's.
func TestBillingMessagesUseTheDocumentsLocaleAndZone(t *testing.T) {
	act, inv := stageDocs(false)
	for _, d := range []*glassbox.Document{&act, &inv} {
		d.Locale, d.TimeZone = glassbox.LocaleRU, "Asia/Vladivostok"
	}
	s := closed("en", &inv, act)
	s.Project.TimeZone = "America/New_York"
	s.PaidURLExpires = time.Date(2026, 12, 20, 15, 0, 0, 0, time.UTC) // 21 December in Vladivostok, 20th in New York
	msgs, err := notify.StageClosed(s)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("StageClosed = %d messages, %v; want 2", len(msgs), err)
	}
	if !strings.Contains(msgs[0].Text, "этап «Вёрстка» закрыт") {
		t.Errorf("client text is not in the documents' Russian:\n%s", msgs[0].Text)
	}
	if !strings.Contains(msgs[1].Text, "Ссылка действует до 21 декабря 2026.") {
		t.Errorf("accountant text lacks the expiry in the documents' zone:\n%s", msgs[1].Text)
	}
	r, err := notify.Reminder(notify.ReminderSituation{Config: s.Config, Project: s.Project, Invoice: inv, N: 1})
	if err != nil || len(r) != 1 || !strings.Contains(r[0].Text, "Напоминаю про счёт") {
		t.Errorf("reminder = %+v, %v; want it in the invoice's Russian", r, err)
	}
}
