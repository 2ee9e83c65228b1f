package glassbox_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

func TestPluralRussianAndEnglish(t *testing.T) {
	ru := []string{"задача", "задачи", "задач"}
	for _, tt := range []struct {
		n    int
		want string
	}{
		{0, "задач"}, {1, "задача"}, {2, "задачи"}, {3, "задачи"}, {4, "задачи"}, {5, "задач"}, {10, "задач"},
		{11, "задач"}, {12, "задач"}, {13, "задач"}, {14, "задач"}, {15, "задач"}, {21, "задача"}, {22, "задачи"},
		{25, "задач"}, {101, "задача"}, {111, "задач"}, {112, "задач"}, {122, "задачи"}, {1001, "задача"},
	} {
		if got := glassbox.Plural("ru", tt.n, ru...); got != tt.want {
			t.Errorf("ru %d: %s, want %s", tt.n, got, tt.want)
		}
	}
	for n, want := range map[int]string{0: "tasks", 1: "task", 2: "tasks", 11: "tasks", 21: "tasks"} {
		if got := glassbox.Plural("en", n, "task", "tasks"); got != want {
			t.Errorf("en %d: %s, want %s", n, got, want)
		}
	}
}

var listVars = glassbox.TemplateVars{
	Vars:  map[string]glassbox.VarKind{"title": glassbox.VarText, "link": glassbox.VarText, "count": glassbox.VarNumber, "tasks": glassbox.VarList, "late": glassbox.VarFlag},
	Items: map[string]glassbox.TemplateVars{"tasks": {Vars: map[string]glassbox.VarKind{"title": glassbox.VarText, "link": glassbox.VarText}}},
}

func mustParse(t *testing.T, src string) *glassbox.Template {
	t.Helper()
	tp, err := glassbox.ParseTemplate(src, listVars, "ru")
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestTemplateRendersEachMedium(t *testing.T) {
	tp := mustParse(t, `Готово {{count}} {{plural count "задача" "задачи" "задач"}} & всё:
{{range tasks}}
— {{title}} {{link}}
{{end}}

{{if late}}
Поздно.
{{else}}
Вовремя.
{{end}}

{{button "Открыть"}}`)
	v := glassbox.Vars{"count": 3, "link": "https://a.example/x?a=1&b=2", "tasks": []glassbox.Vars{
		{"title": `<b>Макет</b>`, "link": "https://t.example/1"}, {"title": "Текст\n\nс абзацем", "link": "javascript:alert(1)"}}}
	tests := []struct {
		m    glassbox.Medium
		want string
	}{
		{glassbox.MediumText, "Готово 3 задачи & всё:\n— <b>Макет</b> https://t.example/1\n— Текст\n\nс абзацем javascript:alert(1)\n\nВовремя.\n\nhttps://a.example/x?a=1&b=2\n"},
		{glassbox.MediumHTML, "<p>Готово 3 задачи &amp; всё:<br>— &lt;b&gt;Макет&lt;/b&gt; https://t.example/1<br>— Текст с абзацем javascript:alert(1)</p>\n<p>Вовремя.</p>\n" +
			`<p><a href="https://a.example/x?a=1&amp;b=2" style="display:inline-block;padding:10px 18px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">Открыть</a></p>`},
		{glassbox.MediumTelegram, "Готово 3 задачи &amp; всё:\n— &lt;b&gt;Макет&lt;/b&gt; https://t.example/1\n— Текст с абзацем javascript:alert(1)\n\nВовремя.\n\n" +
			`<a href="https://a.example/x?a=1&amp;b=2">Открыть</a>`},
		{glassbox.MediumLine, "Готово 3 задачи & всё: — <b>Макет</b> https://t.example/1 — Текст с абзацем javascript:alert(1) Вовремя. https://a.example/x?a=1&b=2"},
	}
	for _, tt := range tests {
		if got := tp.Render(v, tt.m); got != tt.want {
			t.Errorf("medium %d:\n got %q\nwant %q", tt.m, got, tt.want)
		}
	}
}

func TestTemplateLinkIsSafe(t *testing.T) {
	tp := mustParse(t, `{{link "open"}}`)
	for _, m := range []glassbox.Medium{glassbox.MediumHTML, glassbox.MediumTelegram} {
		got := tp.Render(glassbox.Vars{"link": `javascript:alert("x")`}, m)
		if got != `<a href="#">open</a>` && got != `<p><a href="#">open</a></p>` {
			t.Errorf("medium %d: %s", m, got)
		}
	}
	if got := tp.Render(glassbox.Vars{}, glassbox.MediumHTML); got != "" {
		t.Errorf("a message without a link drew %q", got)
	}
}

func TestMarkupTemplateKeepsItsTagsAndEscapesVariables(t *testing.T) {
	tp, err := glassbox.ParseMarkupTemplate(`<b>{{title}}</b> {{link "open"}}`, listVars, "en")
	if err != nil {
		t.Fatal(err)
	}
	got := tp.Render(glassbox.Vars{"title": "<i>x</i>", "link": "https://a.example"}, glassbox.MediumTelegram)
	if want := `<b>&lt;i&gt;x&lt;/i&gt;</b> <a href="https://a.example">open</a>`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestTemplateErrorsNameTheLine(t *testing.T) {
	for _, tt := range []struct {
		name, src, locale string
		line              int
		msg               string
	}{
		{"UnknownVariable", "Hi\n\n{{titel}}", "ru", 3, `unknown variable "titel"`},
		{"UnknownFunction", "{{upper title}}", "ru", 1, `unknown function "upper"`},
		{"Unclosed", "a\n{{title", "ru", 2, "{{ without }}"},
		{"IfWithoutEnd", "{{if late}}\nx", "ru", 1, "without {{end}}"},
		{"EndWithoutIf", "x\n\n{{end}}", "ru", 3, "without {{if}}"},
		{"RussianPluralNeedsThree", `{{plural count "задача" "задач"}}`, "ru", 1, "3 quoted forms"},
		{"EnglishPluralNeedsTwo", `{{plural count "task" "tasks" "taskss"}}`, "en", 1, "2 quoted forms"},
		{"PluralOfText", `{{plural title "a" "b"}}`, "en", 1, "needs a number"},
		{"RangeOfText", "{{range title}}{{end}}", "en", 1, "needs a list"},
		{"ListShown", "{{tasks}}", "en", 1, "use it with {{range}}"},
		{"ItemVariableOutsideRange", "{{range tasks}}{{title}}{{end}}{{late}}", "en", 1, "use it with {{if}}"},
		{"OpenQuote", `{{link "open}}`, "en", 1, "closing quote"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := glassbox.ParseTemplate(tt.src, listVars, tt.locale)
			var te glassbox.TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a TemplateError", err)
			}
			if te.Line != tt.line || !strings.Contains(te.Msg, tt.msg) {
				t.Errorf("err = line %d %q, want line %d containing %q", te.Line, te.Msg, tt.line, tt.msg)
			}
		})
	}
}

func TestEveryKindHasVariables(t *testing.T) {
	for _, k := range []glassbox.MessageKind{glassbox.MessageTaskDone, glassbox.MessageTaskBlocked, glassbox.MessageTaskReopened,
		glassbox.MessageTasksDone, glassbox.MessageTaskOverdue, glassbox.MessageDeliveryFailed, glassbox.MessageChatMigrated,
		glassbox.MessageStageClosed, glassbox.MessageInvoiceIssued, glassbox.MessageInvoiceReminder, glassbox.MessageInvoiceOverdue} {
		if _, ok := glassbox.MessageVars[k]; !ok {
			t.Errorf("%s has no template variables", k)
		}
	}
}

func TestValidateRejectsBadTemplates(t *testing.T) {
	c := validConfig()
	c.Agency.Templates = map[string]glassbox.MessageTemplates{
		"ru": {glassbox.MessageTaskDone: {Subject: "Готово: {{title}}", Body: "{{greeting}}\n\n{{titel}}"}},
		"de": {glassbox.MessageTaskDone: {Subject: "x"}},
	}
	c.Projects[0].Templates = glassbox.MessageTemplates{
		"task_finished":               {Subject: "x"},
		glassbox.MessageTaskBlocked:   {},
		glassbox.MessageStageClosed:   {HTML: "<p>{{if starting}}{{amount}}{{end}}</p>"},
		glassbox.MessageInvoiceIssued: {Text: "{{link \"Paid\"}} {{expires}}"},
	}
	c.Projects[2].Templates = glassbox.MessageTemplates{ // an English project: two plural forms
		glassbox.MessageTasksDone: {Telegram: `{{count}} {{plural count "task" "tasks"}}`},
	}
	errs := c.Validate(providers.Catalog())
	got := errs.Error()
	for _, want := range []string{
		`agency.templates.de: templates are per locale`,
		`agency.templates.ru.task_done.body: template line 3: unknown variable "titel"`,
		`projects[0].templates.task_blocked: names no part`,
		`projects[0].templates.task_finished: no message kind "task_finished"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("errors lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "templates.tasks_done") || strings.Contains(got, "templates.stage_closed") || strings.Contains(got, "templates.invoice_issued") {
		t.Errorf("valid templates were rejected:\n%s", got)
	}
}

// TestReadmeListsEveryKindsVariables keeps the README's table of template variables in step with MessageVars.
func TestReadmeListsEveryKindsVariables(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "| `") {
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "| `"), "`")
			rows[name] = line
		}
	}
	common := map[string]bool{"greeting": true, "agency": true, "project": true, "manager": true, "link": true}
	for _, k := range glassbox.MessageKinds() {
		row, ok := rows[string(k)]
		if !ok {
			t.Errorf("README has no row for %s", k)
			continue
		}
		vars := glassbox.MessageVars[k]
		for name := range vars.Vars {
			if !common[name] && !strings.Contains(row, "`"+name+"`") {
				t.Errorf("README's %s row lacks `%s`", k, name)
			}
		}
		for _, items := range vars.Items {
			for name := range items.Vars {
				if !strings.Contains(row, "`"+name+"`") && name != "link" {
					t.Errorf("README's %s row lacks the item variable `%s`", k, name)
				}
			}
		}
	}
}

func TestTelegramPartTakesTelegramsTagsOnly(t *testing.T) {
	ok := "<b>{{title}}</b>\n<i>x</i> <a href=\"https://a.example\">a</a> <span class=\"tg-spoiler\">s</span> <code>c</code>"
	if _, err := glassbox.ParsePart(glassbox.MessageTaskDone, glassbox.PartTelegram, ok, "en"); err != nil {
		t.Errorf("Telegram's own tags refused: %v", err)
	}
	for src, line := range map[string]int{"<b>{{title}}</b>\n\n<p>x</p>": 3, "a\n{{if title}}b<br>{{end}}": 2, "1 < 2": 1} {
		_, err := glassbox.ParsePart(glassbox.MessageTaskDone, glassbox.PartTelegram, src, "en")
		var te glassbox.TemplateError
		if !errors.As(err, &te) || te.Line != line {
			t.Errorf("%q: err = %v, want a TemplateError on line %d", src, err, line)
		}
	}
	if _, err := glassbox.ParsePart(glassbox.MessageTaskDone, glassbox.PartHTML, "<p>{{title}}</p><br>", "en"); err != nil {
		t.Errorf("an email's HTML part refused <p>: %v", err)
	}
}

func TestVariablesKeepNoBreakSpaces(t *testing.T) {
	tp := mustParse(t, "{{title}}")
	amount := "150\u00a0000,00\u00a0₽ a\n\n  b"
	for m, want := range map[glassbox.Medium]string{glassbox.MediumLine: "150\u00a0000,00\u00a0₽ a b", glassbox.MediumTelegram: "150\u00a0000,00\u00a0₽ a b"} {
		if got := tp.Render(glassbox.Vars{"title": amount}, m); got != want {
			t.Errorf("medium %d: %q, want %q", m, got, want)
		}
	}
}

// TestChartOnlyInEmailHTML: {{chart "label"}} draws the report's inline image in email HTML and nothing in
// text or Telegram; a kind without a chart refuses it.
func TestChartOnlyInEmailHTML(t *testing.T) {
	tp, err := glassbox.ParsePart(glassbox.MessageWeeklyDigest, glassbox.PartBody, "A\n\n{{chart \"Spend <and> leads\"}}", "en")
	if err != nil {
		t.Fatal(err)
	}
	vars := glassbox.Vars{"chart": "chart@glassbox"}
	if got := tp.Render(vars, glassbox.MediumHTML); !strings.Contains(got, `<img src="cid:chart@glassbox" alt="Spend &lt;and&gt; leads"`) {
		t.Errorf("HTML: %s", got)
	}
	for _, m := range []glassbox.Medium{glassbox.MediumText, glassbox.MediumTelegram} {
		if got := tp.Render(vars, m); strings.Contains(got, "img") || strings.Contains(got, "chart") {
			t.Errorf("medium %d shows the chart: %q", m, got)
		}
	}
	if got := tp.Render(glassbox.Vars{"chart": ""}, glassbox.MediumHTML); strings.Contains(got, "img") {
		t.Errorf("no chart, yet: %s", got)
	}
	if _, err := glassbox.ParsePart(glassbox.MessageTaskDone, glassbox.PartBody, `{{chart "x"}}`, "en"); err == nil {
		t.Error("task_done took a chart")
	}
}

// {{link "label" name}} links to another URL variable of the message; the variable must exist and be text, and
// an empty one draws nothing.
func TestLinkToURLVariable(t *testing.T) {
	vars := glassbox.TemplateVars{Vars: map[string]glassbox.VarKind{"link": glassbox.VarText, "accept": glassbox.VarText, "count": glassbox.VarNumber}}
	tmpl, err := glassbox.ParseTemplate(`{{button "Принять" accept}}|{{link "open"}}`, vars, "ru")
	if err != nil {
		t.Fatal(err)
	}
	got := tmpl.Render(glassbox.Vars{"link": "https://a.example/x", "accept": "https://links.example/a/t?x=1&y=2"}, glassbox.MediumHTML)
	if !strings.Contains(got, `<a href="https://links.example/a/t?x=1&amp;y=2" style=`) || !strings.Contains(got, `>Принять</a>|<a href="https://a.example/x">open</a>`) {
		t.Errorf("HTML: %s", got)
	}
	if got := tmpl.Render(glassbox.Vars{"link": "https://a.example/x"}, glassbox.MediumText); got != "|https://a.example/x\n" {
		t.Errorf("an empty URL variable: %q", got)
	}
	for _, bad := range []string{`{{link "x" nope}}`, `{{link "x" count}}`, `{{link "x" "y"}}`} {
		if _, err := glassbox.ParseTemplate(bad, vars, "ru"); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}
