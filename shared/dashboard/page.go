package dashboard

import (
	"fmt"
	"html"
	"net/url"
	"strings"
)

// The page is written by hand rather than with html/template: text/template's reflection keeps every exported
// method of the binary alive, which would take LinkFunction far past its 12 MB budget. So every string that
// comes from a tracker, a CRM or the agency file goes through esc (text) or href (links), and nothing else is
// written into the page but constants and numbers.

func esc(s string) string { return html.EscapeString(s) }

// href is a link's attribute value: http(s) and mailto URLs only, escaped; anything else (javascript:, data:)
// gives "" and the caller writes plain text.
func href(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "" && u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "mailto") {
		return ""
	}
	if u.Scheme == "" && !strings.HasPrefix(raw, "/") {
		return ""
	}
	return esc(u.String())
}

// link writes text as a link to raw when raw is a safe URL, as plain text otherwise.
func link(raw, text string) string {
	if h := href(raw); h != "" {
		return `<a href="` + h + `" rel="noopener noreferrer">` + esc(text) + `</a>`
	}
	return esc(text)
}

const pageStyle = `*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f5f6f8;margin:0;padding:1rem .75rem}
main{max-width:60rem;margin:0 auto}
header{margin:0 0 1rem}
h1{font-size:1.4rem;margin:0 0 .5rem}
h2{font-size:1.1rem;margin:0 0 .5rem}
h3{font-size:1rem;margin:.75rem 0 .25rem}
section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:1rem;margin:0 0 1rem}
.sub{color:#5b6470;font-size:.9rem}
ul{margin:0;padding-left:1.1rem}
li{margin:.2rem 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .4rem .3rem 0;border-bottom:1px solid #eef0f3;vertical-align:top}
th{font-weight:600;color:#5b6470}
td.n,th.n{text-align:right}
.scroll{overflow-x:auto}
.wait{border-color:#e0a100;background:#fff8e6}
.stage{display:block;padding:.5rem;border-left:4px solid #c9ced6;margin:.35rem 0}
.stage.closed{border-color:#1f7a3a}
.stage.current{border-color:#1f5fa8;background:#eef4fb;font-weight:600}
.state{display:inline-block;font-size:.8rem;padding:0 .4rem;border-radius:4px;background:#eef0f3}
.state.overdue{background:#fde2e1;color:#a11}
.state.paid{background:#e3f3e7;color:#1f7a3a}
.state.open{background:#eef4fb;color:#1f5fa8}
.chart{width:100%;height:auto;max-height:16rem;display:block;margin:.5rem 0}
pre{white-space:pre-wrap;font:inherit;font-size:.9rem;margin:.25rem 0 0}
a{color:#1f5fa8}
.state.awaiting{background:#fff8e6;color:#8a5a00}
.state.accepted{background:#e3f3e7;color:#1f7a3a}
.state.changes{background:#fde2e1;color:#a11}
.answer{margin:.35rem 0 .5rem}
.button{display:inline-block;padding:.35rem .8rem;margin:0 .4rem .25rem 0;border-radius:6px;border:1px solid #1f5fa8;text-decoration:none}
.button.accept{background:#1f5fa8;color:#fff}
.seal.broken{border-left:4px solid #a11;padding-left:.5rem}
.mark{color:#1f7a3a}
@media (min-width:48rem){body{padding:2rem 1rem}.cols{display:grid;grid-template-columns:1fr 1fr;gap:1rem}}`

// words picks the Russian or the English wording.
type words bool

func (ru words) t(r, en string) string {
	if ru {
		return r
	}
	return en
}

func renderPage(v View) ([]byte, error) {
	ru := words(v.Locale == "ru")
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	names := make([]string, len(v.Projects))
	for i, p := range v.Projects {
		names[i] = p.Name
	}
	w("<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", esc(v.Locale))
	w("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex, nofollow\">\n<meta name=\"referrer\" content=\"no-referrer\">\n")
	w("<title>%s — %s</title>\n<style>\n%s\n</style>\n</head>\n<body>\n<main>\n", esc(strings.Join(names, " · ")), esc(v.Agency), pageStyle)
	w("<header><h1>%s</h1><div class=\"sub\">%s · %s %s UTC</div></header>\n", esc(v.Client), esc(v.Agency), ru.t("данные на", "as of"), v.At.Format("2006-01-02 15:04"))
	for _, p := range v.Projects {
		w("<article id=\"project-%s\">\n<h1>%s</h1>\n", esc(p.ID), esc(p.Name))
		writeWaiting(&b, p, ru)
		w("<div class=\"cols\">\n")
		writeRoadmap(&b, p, ru)
		writePassport(&b, p, ru)
		w("</div>\n")
		writeDeliverables(&b, p, ru)
		writeTasks(&b, p, ru)
		writeNumbers(&b, p, ru)
		writeDocuments(&b, p, ru)
		writeReports(&b, p, ru)
		writeTimeline(&b, p, ru)
		w("</article>\n")
	}
	w("</main>\n</body>\n</html>\n")
	return []byte(b.String()), nil
}

func taskLine(t TaskView, ru words) string {
	s := link(t.URL, t.Title)
	if t.Reason != "" {
		s += ` <span class="sub">— ` + esc(t.Reason) + `</span>`
	}
	if t.Due != "" {
		s += ` <span class="sub">(` + ru.t("срок", "due") + " " + esc(t.Due) + `)</span>`
	}
	return "<li>" + s + "</li>\n"
}

func writeWaiting(b *strings.Builder, p ProjectView, ru words) {
	if len(p.Waiting) == 0 {
		return
	}
	fmt.Fprintf(b, "<section class=\"wait\" id=\"waiting\"><h2>%s</h2><ul>\n", ru.t("Ждёт вас", "Waiting on you"))
	for _, t := range p.Waiting {
		b.WriteString(taskLine(t, ru))
	}
	b.WriteString("</ul></section>\n")
}

func writeRoadmap(b *strings.Builder, p ProjectView, ru words) {
	fmt.Fprintf(b, "<section id=\"roadmap\"><h2>%s</h2>\n", ru.t("Дорожная карта", "Roadmap"))
	if len(p.Stages) == 0 {
		fmt.Fprintf(b, "<p class=\"sub\">%s</p>\n", ru.t("Этапы не заданы.", "No stages planned."))
	}
	for _, s := range p.Stages {
		fmt.Fprintf(b, "<div class=\"stage %s\">%s · %s", esc(s.State), esc(s.Name), esc(s.Amount))
		if s.Start != "" || s.End != "" {
			fmt.Fprintf(b, " <span class=\"sub\">%s — %s</span>", esc(s.Start), esc(s.End))
		}
		if s.State == "current" {
			fmt.Fprintf(b, " <span class=\"state open\">%s</span>", ru.t("сейчас", "now"))
		}
		if a := s.Act; a != nil {
			fmt.Fprintf(b, "<div class=\"sub\">%s № %s %s %s", ru.t("Акт", "Act"), esc(a.Number), ru.t("от", "of"), esc(a.Date))
			if a.PDF != "" {
				b.WriteString(" · " + link(a.PDF, "PDF"))
			}
			b.WriteString("</div>")
		}
		b.WriteString("</div>\n")
	}
	b.WriteString("</section>\n")
}

func writePassport(b *strings.Builder, p ProjectView, ru words) {
	fmt.Fprintf(b, "<section id=\"passport\"><h2>%s</h2>\n<p>%s <strong>%s</strong>", ru.t("Паспорт проекта", "Project passport"),
		ru.t("Единое окно:", "Your single window:"), esc(p.Manager.Name))
	if p.Manager.Email != "" {
		b.WriteString(", " + link("mailto:"+p.Manager.Email, p.Manager.Email))
	}
	b.WriteString("</p>\n")
	if pp := p.Passport; pp != nil {
		if len(pp.Goals) > 0 {
			fmt.Fprintf(b, "<h3>%s</h3><ul>", ru.t("Цели", "Goals"))
			for _, g := range pp.Goals {
				b.WriteString("<li>" + esc(g) + "</li>")
			}
			b.WriteString("</ul>\n")
		}
		if len(pp.KPIs) > 0 {
			fmt.Fprintf(b, "<h3>%s</h3><ul>", ru.t("Показатели", "KPIs"))
			for _, k := range pp.KPIs {
				b.WriteString("<li>" + esc(k.Name))
				if k.Target != "" {
					b.WriteString(": " + esc(k.Target))
				}
				b.WriteString("</li>")
			}
			b.WriteString("</ul>\n")
		}
		if len(pp.Contacts) > 0 {
			fmt.Fprintf(b, "<h3>%s</h3><ul>", ru.t("Контакты", "Contacts"))
			for _, c := range pp.Contacts {
				b.WriteString("<li>" + esc(c.Name))
				if c.Role != "" {
					b.WriteString(", " + esc(c.Role))
				}
				if c.Email != "" {
					b.WriteString(" · " + link("mailto:"+c.Email, c.Email))
				}
				if c.Phone != "" {
					b.WriteString(" · " + esc(c.Phone))
				}
				b.WriteString("</li>")
			}
			b.WriteString("</ul>\n")
		}
	}
	b.WriteString("</section>\n")
}

func writeTasks(b *strings.Builder, p ProjectView, ru words) {
	fmt.Fprintf(b, "<section id=\"tasks\"><h2>%s</h2>\n", ru.t("Задачи", "Tasks"))
	if len(p.Moved) > 0 {
		fmt.Fprintf(b, "<h3>%s</h3><ul>\n", ru.t("Движение за неделю", "Moved this week"))
		for _, m := range p.Moved {
			b.WriteString("<li>" + esc(m.Title) + ": ")
			if m.From != "" {
				b.WriteString(esc(m.From) + " → ")
			}
			fmt.Fprintf(b, "%s <span class=\"sub\">%s</span></li>\n", esc(m.To), esc(m.Day))
		}
		b.WriteString("</ul>\n")
	}
	if len(p.Groups) == 0 {
		fmt.Fprintf(b, "<p class=\"sub\">%s</p>\n", ru.t("Открытых задач нет.", "No open tasks."))
	}
	for _, g := range p.Groups {
		fmt.Fprintf(b, "<h3>%s (%d)</h3><ul>\n", esc(g.Words), len(g.Tasks))
		for _, t := range g.Tasks {
			b.WriteString(taskLine(t, ru))
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("</section>\n")
}

func writeNumbers(b *strings.Builder, p ProjectView, ru words) {
	fmt.Fprintf(b, "<section id=\"numbers\"><h2>%s</h2>\n%s\n", ru.t("Цифры", "Numbers"), p.Chart)
	fmt.Fprintf(b, "<div class=\"scroll\"><table>\n<tr><th>%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>",
		ru.t("Неделя", "Week"), ru.t("Расход", "Spend"), ru.t("Лиды", "Leads"), ru.t("Цена лида", "Cost per lead"))
	if p.Hours {
		fmt.Fprintf(b, "<th class=\"n\">%s</th>", ru.t("Часы", "Hours"))
	}
	b.WriteString("</tr>\n")
	for _, wk := range p.Weeks {
		fmt.Fprintf(b, "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%d</td><td class=\"n\">%s</td>", esc(wk.Label), esc(wk.SpendText), wk.Leads, esc(wk.CostPerLead))
		if p.Hours {
			fmt.Fprintf(b, "<td class=\"n\">%s</td>", esc(wk.HoursText))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table></div>\n</section>\n")
}

func writeDocuments(b *strings.Builder, p ProjectView, ru words) {
	fmt.Fprintf(b, "<section id=\"documents\"><h2>%s</h2>\n", ru.t("Счета и акты", "Invoices and acts"))
	if len(p.Documents) == 0 {
		fmt.Fprintf(b, "<p class=\"sub\">%s</p>\n</section>\n", ru.t("Документов пока нет.", "No documents yet."))
		return
	}
	fmt.Fprintf(b, "<div class=\"scroll\"><table>\n<tr><th>%s</th><th>%s</th><th class=\"n\">%s</th><th>%s</th><th></th></tr>\n",
		ru.t("Документ", "Document"), ru.t("Этап", "Stage"), ru.t("Сумма", "Total"), ru.t("Статус", "Status"))
	for _, d := range p.Documents {
		kind := ru.t("Счёт", "Invoice")
		if d.Kind == "act" {
			kind = ru.t("Акт", "Act")
		}
		fmt.Fprintf(b, "<tr><td>%s № %s<div class=\"sub\">%s", kind, esc(d.Number), esc(d.Date))
		if d.Due != "" {
			fmt.Fprintf(b, " · %s %s", ru.t("оплатить до", "due"), esc(d.Due))
		}
		fmt.Fprintf(b, "</div></td><td>%s</td><td class=\"n\">%s</td><td><span class=\"state %s\">%s</span></td><td>", esc(d.Stage), esc(d.Total), esc(d.State), esc(d.Words))
		if d.PDF != "" {
			b.WriteString(link(d.PDF, "PDF"))
		}
		b.WriteString("</td></tr>\n")
	}
	b.WriteString("</table></div>\n</section>\n")
}

func writeReports(b *strings.Builder, p ProjectView, ru words) {
	if len(p.Reports) == 0 {
		return
	}
	fmt.Fprintf(b, "<section id=\"reports\"><h2>%s</h2>\n", ru.t("Последние отчёты", "Latest reports"))
	for _, r := range p.Reports {
		fmt.Fprintf(b, "<details><summary>%s <span class=\"sub\">%s</span></summary><pre>%s</pre></details>\n", esc(r.Subject), esc(r.Day), esc(r.Text))
	}
	b.WriteString("</section>\n")
}

func writeDeliverables(b *strings.Builder, p ProjectView, ru words) {
	if len(p.Deliverables) == 0 {
		return
	}
	fmt.Fprintf(b, "<section id=\"deliverables\"><h2>%s</h2><ul>\n", ru.t("Готово: примите или попросите правки", "Done: accept it or ask for changes"))
	for _, d := range p.Deliverables {
		fmt.Fprintf(b, "<li class=\"deliverable\">%s <span class=\"sub\">%s</span> <span class=\"state %s\">%s</span>", link(d.URL, d.Title), esc(d.Day), esc(d.State), esc(d.Words))
		if d.Accept != "" && d.Changes != "" {
			fmt.Fprintf(b, "<div class=\"answer\">%s %s</div>", button(d.Accept, ru.t("Принять", "Accept"), "accept"),
				button(d.Changes, ru.t("Есть правки", "Ask for changes"), "changes"))
		}
		b.WriteString("</li>\n")
	}
	b.WriteString("</ul></section>\n")
}

// button is a link styled as a button: it opens the answer page, which asks before it records anything.
func button(raw, text, class string) string {
	if h := href(raw); h != "" {
		return `<a class="button ` + class + `" href="` + h + `" rel="noopener noreferrer">` + esc(text) + `</a>`
	}
	return ""
}

func writeTimeline(b *strings.Builder, p ProjectView, ru words) {
	fmt.Fprintf(b, "<section id=\"timeline\"><h2>%s</h2>\n<div id=\"seal\" class=\"seal%s\">", ru.t("Хронология", "Timeline"), map[bool]string{true: "", false: " broken"}[p.Seal.Checked.IsZero() || p.Seal.Intact])
	for _, l := range p.Seal.Lines {
		fmt.Fprintf(b, "<p class=\"sub\">%s</p>", esc(l))
	}
	b.WriteString("</div>\n<ul>")
	if len(p.Timeline) == 0 {
		fmt.Fprintf(b, "<li class=\"sub\">%s</li>", ru.t("Записей за четыре недели нет.", "No entries in the last four weeks."))
	}
	for _, e := range p.Timeline {
		mark, title := "○", ru.t("ещё не в печати", "not sealed yet")
		if e.Sealed {
			mark, title = "✓", ru.t("в печати", "sealed")
		}
		fmt.Fprintf(b, "<li><span class=\"mark\" title=\"%s\">%s</span> <span class=\"sub\">%s</span> %s", title, mark, esc(e.Day), esc(e.What))
		if e.Title != "" {
			b.WriteString(": " + esc(e.Title))
		}
		if e.Actor != "" {
			b.WriteString(" <span class=\"sub\">(" + esc(e.Actor) + ")</span>")
		}
		b.WriteString("</li>\n")
	}
	b.WriteString("</ul>\n</section>\n")
}
