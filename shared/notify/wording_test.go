package notify

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

var updateWords = flag.Bool("update-words", false, "rewrite testdata/words golden files (go test -update also does)")

func sampleConfig(locale string) (glassbox.Config, glassbox.Project) {
	c := glassbox.Config{
		Agency: glassbox.Agency{Name: "Студия Пример", Names: glassbox.Names{"en": "Example Studio"}, Sender: "notify@studio.example", Locale: "ru"},
		Clients: []glassbox.Client{{ID: "acme", Name: "ООО Акме", Contacts: []glassbox.Person{
			{Name: "Анна Смирнова", Email: "anna@acme.example"}}}},
		Projects: []glassbox.Project{{ID: "site", ClientID: "acme", Name: "Сайт Акме", Locale: locale,
			Manager: glassbox.Person{Name: "Мария Иванова", Email: "maria@studio.example"}}},
	}
	return c, c.Projects[0]
}

// sampleView fills every variable any kind has, with tracker text that must be escaped.
func sampleView(locale string) view {
	return view{
		Greeting: "Анна", Agency: "Студия Пример", Project: "Сайт Акме", Manager: "Мария Иванова",
		Title: `Макет <главной> & "меню"`, List: "Готово", Actor: "Иван Петров", Link: "https://trello.com/c/Ab3dEf9h?a=1&b=2",
		Client: "ООО «Акме»", Stage: "Вёрстка", BilledStage: "Программирование", Invoice: "ПК-2026-0015",
		Amount: "150\u00a0000,00\u00a0₽", Due: "25 ноября 2026", Expires: "20 декабря 2026", Reminder: 2, Reminders: 3,
		Tasks: []taskItem{
			{Title: "Макет главной", Link: "https://trello.com/c/1", Accept: "https://glassbox.example/a/t1-accept", Changes: "https://glassbox.example/a/t1-changes"},
			{Title: "Текст <о нас>", Link: "https://trello.com/c/2"}, {Title: "Логотип", Link: "javascript:alert(1)"},
		},
		Accept: "https://glassbox.example/a/accept?x=1&y=2", Changes: "https://glassbox.example/a/changes",
		Address: "anna@acme.example", Reason: "Письмо клиенту не дошло: адрес не существует", Recipient: "anna@acme.example", Channel: "email",
		Subject: "Готово: «Макет главной» — Сайт Акме", Chat: "-1001111111111", NewChat: "-1002222222222",
		Resubscribe: "glassbox reports resubscribe --project site --email anna@acme.example",
		Prepay:      true,
		Comment:     "Кнопку <сделать> синей & крупнее", Score: 2, ChangesRequested: true,
	}
}

// TestBuiltinWordingCoversEveryKind: every message kind has its wording in both locales, both locales word the
// same kinds and variants, and every built-in template parses against its kind's variables.
func TestBuiltinWordingCoversEveryKind(t *testing.T) {
	for _, locale := range []string{glassbox.LocaleRU, glassbox.LocaleEN} {
		for _, k := range glassbox.MessageKinds() {
			if _, ok := builtin[locale][string(k)]; !ok {
				t.Errorf("%s: no built-in wording of %s", locale, k)
			}
		}
		for _, name := range builtinNames(locale) {
			tmpl := builtin[locale][name]
			if tmpl.Subject == "" || tmpl.Body == "" {
				t.Errorf("%s %s: a built-in needs a subject and a body", locale, name)
			}
			for _, part := range tmpl.Parts() {
				if _, err := glassbox.ParsePart(kindOf(name), part, tmpl.Part(part), locale); err != nil {
					t.Errorf("%s %s %s: %v", locale, name, part, err)
				}
			}
		}
	}
	ru, en := builtinNames("ru"), builtinNames("en")
	sort.Strings(ru)
	sort.Strings(en)
	if strings.Join(ru, ",") != strings.Join(en, ",") {
		t.Errorf("ru words %v, en words %v", ru, en)
	}
}

// TestWordsGolden pins every built-in wording in every medium (email subject, text and HTML; Telegram).
func TestWordsGolden(t *testing.T) {
	for _, locale := range []string{glassbox.LocaleRU, glassbox.LocaleEN} {
		for _, name := range builtinNames(locale) {
			t.Run(locale+"_"+strings.ReplaceAll(name, "/", "_"), func(t *testing.T) {
				c, p := sampleConfig(locale)
				k, variant, _ := strings.Cut(name, "/")
				w, err := word(c, p, locale, glassbox.MessageKind(k), variant, sampleView(locale).bounded())
				if err != nil {
					t.Fatal(err)
				}
				got := "Subject: " + w.Subject + "\n\n" + w.Text + "\n---- html\n" + w.HTML + "\n---- telegram\n" + w.Telegram + "\n"
				path := filepath.Join("testdata", "words", locale+"_"+strings.ReplaceAll(name, "/", "_")+".golden")
				if *updateWords || updateFlag() {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from golden:\n%s", path, got)
				}
				for _, s := range []string{w.HTML, w.Telegram} {
					if strings.Contains(s, "<главной>") || strings.Contains(s, "<о нас>") || strings.Contains(s, "javascript:") {
						t.Errorf("tracker text reached HTML unescaped:\n%s", s)
					}
				}
			})
		}
	}
}

// updateFlag is the package's -update flag (declared by the external tests).
func updateFlag() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestTasksDonePlurals(t *testing.T) {
	for _, tt := range []struct {
		locale string
		n      int
		want   string
	}{
		{"ru", 1, "Готово: 1 задача"}, {"ru", 3, "Готово: 3 задачи"}, {"ru", 5, "Готово: 5 задач"}, {"ru", 11, "Готово: 11 задач"},
		{"ru", 21, "Готово: 21 задача"}, {"ru", 22, "Готово: 22 задачи"}, {"en", 1, "Done: 1 task"}, {"en", 2, "Done: 2 tasks"},
	} {
		c, p := sampleConfig(tt.locale)
		v := sampleView(tt.locale)
		v.Tasks = make([]taskItem, tt.n)
		w, err := word(c, p, tt.locale, glassbox.MessageTasksDone, "", v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(w.Subject, tt.want+" ") {
			t.Errorf("%s %d: subject %q, want %q…", tt.locale, tt.n, w.Subject, tt.want)
		}
	}
}

// TestOverridesFallBackPartByPart: each part comes from the project's template, else the agency's in the
// message's locale, else the built-in; a project's template speaks only the project's locale.
func TestOverridesFallBackPartByPart(t *testing.T) {
	c, p := sampleConfig("ru")
	c.Agency.Templates = map[string]glassbox.MessageTemplates{
		"ru": {glassbox.MessageTaskDone: {Subject: "Агентство: {{title}}", Body: "Агентство говорит: {{title}}.\n\n{{button \"Смотреть\"}}"}},
		"en": {glassbox.MessageTaskDone: {Subject: "Agency: {{title}}"}},
	}
	p.Templates = glassbox.MessageTemplates{
		glassbox.MessageTaskDone: {Telegram: "<b>{{title}}</b> готово: {{link \"смотреть\"}}"},
	}
	v := sampleView("ru")
	w, err := word(c, p, "ru", glassbox.MessageTaskDone, "", v)
	if err != nil {
		t.Fatal(err)
	}
	if w.Subject != `Агентство: Макет <главной> & "меню"` {
		t.Errorf("subject = %q, want the agency's", w.Subject)
	}
	if w.Text != "Агентство говорит: Макет <главной> & \"меню\".\n\nhttps://trello.com/c/Ab3dEf9h?a=1&b=2\n" {
		t.Errorf("text = %q, want the agency's body", w.Text)
	}
	if !strings.Contains(w.HTML, "<p>Агентство говорит: Макет &lt;главной&gt; &amp; &#34;меню&#34;.</p>") || !strings.Contains(w.HTML, buttonStyleForTest) {
		t.Errorf("html = %q, want the agency's body, escaped, with a button", w.HTML)
	}
	if w.Telegram != `<b>Макет &lt;главной&gt; &amp; &#34;меню&#34;</b> готово: <a href="https://trello.com/c/Ab3dEf9h?a=1&amp;b=2">смотреть</a>` {
		t.Errorf("telegram = %q, want the project's markup with the title escaped", w.Telegram)
	}

	// An English message of the same project (documents issued before its locale changed): the project's
	// Russian template does not apply; the agency's English subject does, and the built-in English body.
	en, err := word(c, p, "en", glassbox.MessageTaskDone, "", v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(en.Subject, "Agency: ") || !strings.Contains(en.Text, "The team has finished") || strings.Contains(en.Telegram, "готово") {
		t.Errorf("English message = %+v", en)
	}
}

const buttonStyleForTest = `style="display:inline-block;padding:10px 18px`

// TestDecideUsesTheProjectsTemplate runs an override through Decide, email and Telegram copy alike.
func TestDecideUsesTheProjectsTemplate(t *testing.T) {
	c, p := sampleConfig("ru")
	c.Clients[0].TelegramChatID = "-100123"
	p.Templates = glassbox.MessageTemplates{glassbox.MessageTaskDone: {Subject: "{{project}}: готово «{{title}}»", Body: "{{greeting}}, готово: «{{title}}». {{link \"Смотреть\"}}"}}
	c.Projects[0] = p
	e := glassbox.Event{ID: "trello:a1", ProjectID: "site", Kind: glassbox.EventTaskMoved, TaskID: "c1", Title: "Макет",
		URL: "https://trello.com/c/1", Status: glassbox.StatusDone, PrevStatus: glassbox.StatusInProgress}
	msgs, err := Decide(Situation{Config: c, Project: p, Event: e})
	if err != nil || len(msgs) != 2 {
		t.Fatalf("Decide = %v, %v", msgs, err)
	}
	if msgs[0].Subject != "Сайт Акме: готово «Макет»" || msgs[0].Text != "Анна, готово: «Макет». https://trello.com/c/1\n" {
		t.Errorf("email = %q / %q", msgs[0].Subject, msgs[0].Text)
	}
	if msgs[1].HTML != `Анна, готово: «Макет». <a href="https://trello.com/c/1">Смотреть</a>` {
		t.Errorf("telegram = %q", msgs[1].HTML)
	}
}

// An override stored by an older version that no longer parses gives way to the built-in wording: the client
// still hears, in the house words.
func TestBrokenOverrideFallsBackToTheBuiltin(t *testing.T) {
	c, p := sampleConfig("ru")
	p.Templates = glassbox.MessageTemplates{glassbox.MessageTaskDone: {Subject: "{{renamed_variable}}", Body: "{{if title}}"}}
	w, err := word(c, p, "ru", glassbox.MessageTaskDone, "", sampleView("ru"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(w.Subject, "Готово: «") || !strings.Contains(w.Text, "Это умный помощник агентства") {
		t.Errorf("got %+v, want the built-in wording", w)
	}
}
