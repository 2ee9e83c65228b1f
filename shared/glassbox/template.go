package glassbox

import (
	"fmt"
	"html"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// The message template language. It is a few lines of Go rather than text/template or html/template: those
// reach reflect.Value.MethodByName, which stops the linker from dropping unused methods (the React binary grew
// from 10.3 MB to 16.4 MB). It is also smaller than they are on purpose: a template an admin writes can show
// variables, choose a plural, test and repeat, and nothing else, and it cannot produce unescaped tracker text,
// because escaping is decided by the medium the template is rendered into, not by the template.
//
//	{{title}}                        a variable
//	{{plural count "задача" "задачи" "задач"}}   the form for a number (ru: one, few, many; en: one, other)
//	{{if greeting}}…{{else}}…{{end}} a variable that is set (text not empty, number not 0, list not empty)
//	{{range tasks}}{{title}}{{end}}  once per item of a list; inside, the item's variables come first
//	{{link "label"}}                 the message's link (text: the URL; HTML and Telegram: an <a> with the label)
//	{{button "label"}}               the same, drawn as a button in email HTML
//	{{link}}                         the URL itself
//	{{link "label" accept}}          a link to another URL variable of the message (accept, changes); also button
//	{{chart "label"}}                a report's chart (email HTML only: the inline image named by chart)
//
// A tag alone on its line ({{if}}, {{else}}, {{end}}, {{range}}) takes its line with it. A body is paragraphs
// separated by blank lines; empty paragraphs (an {{if}} that chose nothing) are dropped.

// Medium is what a template is rendered into; it decides the escaping.
type Medium int

// Media.
const (
	// MediumText is an email's plain-text part: nothing escaped.
	MediumText Medium = iota
	// MediumLine is one line (an email subject): nothing escaped, line breaks become spaces.
	MediumLine
	// MediumHTML is an email's HTML body: every variable escaped; a plain template's paragraphs become <p>.
	MediumHTML
	// MediumTelegram is Telegram's HTML subset (parse_mode HTML): every variable escaped; paragraphs stay
	// separated by blank lines.
	MediumTelegram
)

// VarKind is what a template variable holds.
type VarKind int

// Variable kinds.
const (
	VarText VarKind = iota
	VarNumber
	// VarFlag is only for {{if}}.
	VarFlag
	// VarList is only for {{range}}; its items have the variables TemplateVars.Items names.
	VarList
)

// TemplateVars are the variables a template may use, and for a list, its items' variables.
type TemplateVars struct {
	Vars  map[string]VarKind
	Items map[string]TemplateVars
}

// Vars are the values a template is rendered with: string, int, bool or []Vars (a list's items).
type Vars map[string]any

// Template is a parsed message template.
type Template struct {
	nodes []tnode
	// markup: the template's own text is HTML (an html or telegram override), not plain text to escape.
	markup bool
	locale string
}

// TemplateError is a template that does not parse or uses what its message kind does not have. Line counts
// from 1 within the template.
type TemplateError struct {
	Line int
	Msg  string
}

func (e TemplateError) Error() string {
	return fmt.Sprintf("template line %d: %s", e.Line, e.Msg)
}

type tkind int

const (
	tText tkind = iota
	tVar
	tLink
	tButton
	tPlural
	tIf
	tRange
	tChart
)

type tnode struct {
	kind  tkind
	text  string // tText: the text; tVar, tPlural, tIf, tRange: the variable
	label targ   // tLink, tButton: the label
	url   string // tLink, tButton: the variable holding the URL ("link" unless the tag names another)
	forms []string
	then  []tnode
	els   []tnode
	line  int // tText: the line it starts on
}

// targ is a quoted string or a variable.
type targ struct {
	lit   string
	name  string
	isVar bool
}

// ParseTemplate parses a template written as plain text (subjects, bodies, text parts) and checks it against the
// variables its message kind has; locale decides how many forms {{plural}} takes.
func ParseTemplate(src string, vars TemplateVars, locale string) (*Template, error) {
	return parse(src, vars, locale, false)
}

// ParseMarkupTemplate parses a template whose own text is HTML (an email HTML part or a Telegram message written
// by an admin): its text is kept as written, variables are still escaped.
func ParseMarkupTemplate(src string, vars TemplateVars, locale string) (*Template, error) {
	return parse(src, vars, locale, true)
}

func parse(src string, vars TemplateVars, locale string, markup bool) (*Template, error) {
	p := &parser{src: src, locale: Locale(locale)}
	p.scopes = []TemplateVars{vars}
	// At the top level, block fails on an {{else}} or {{end}} of its own, so it ends only with the source.
	nodes, _, err := p.block(false)
	if err != nil {
		return nil, err
	}
	return &Template{nodes: nodes, markup: markup, locale: p.locale}, nil
}

type parser struct {
	src    string
	pos    int
	tagAt  int
	locale string
	scopes []TemplateVars
}

func (p *parser) line(at int) int { return 1 + strings.Count(p.src[:at], "\n") }

func (p *parser) fail(format string, args ...any) error {
	return TemplateError{p.line(p.tagAt), fmt.Sprintf(format, args...)}
}

// lookup finds a variable in the innermost scope that has it.
func (p *parser) lookup(name string) (VarKind, TemplateVars, bool) {
	for i := len(p.scopes) - 1; i >= 0; i-- {
		if k, ok := p.scopes[i].Vars[name]; ok {
			return k, p.scopes[i].Items[name], true
		}
	}
	return 0, TemplateVars{}, false
}

func (p *parser) known() string {
	var names []string
	seen := map[string]bool{}
	for i := len(p.scopes) - 1; i >= 0; i-- {
		for n := range p.scopes[i].Vars {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// block parses until {{else}}, {{end}} or the end of the source; it returns which one ended it ("" for the end).
func (p *parser) block(inBlock bool) ([]tnode, string, error) {
	var nodes []tnode
	for {
		open := strings.Index(p.src[p.pos:], "{{")
		if open < 0 {
			if p.pos < len(p.src) {
				nodes = append(nodes, tnode{kind: tText, text: p.src[p.pos:], line: p.line(p.pos)})
			}
			p.pos = len(p.src)
			if inBlock {
				return nil, "", p.fail("{{if}} or {{range}} without {{end}}")
			}
			return nodes, "", nil
		}
		open += p.pos
		p.tagAt = open
		closeAt := strings.Index(p.src[open+2:], "}}")
		if closeAt < 0 {
			return nil, "", p.fail("{{ without }}")
		}
		closeAt += open + 2
		words, err := p.words(p.src[open+2 : closeAt])
		if err != nil {
			return nil, "", err
		}
		if len(words) == 0 {
			return nil, "", p.fail("empty {{}}")
		}
		text := p.src[p.pos:open]
		after := closeAt + 2
		if isBlockTag(words[0].name) {
			text, after = standalone(p.src, p.pos, open, after)
		}
		if text != "" {
			nodes = append(nodes, tnode{kind: tText, text: text, line: p.line(p.pos)})
		}
		p.pos = after
		head := words[0]
		if !head.isVar {
			return nil, "", p.fail("a tag starts with a name, not a quoted string")
		}
		args := words[1:]
		switch head.name {
		case "else", "end":
			if len(args) > 0 {
				return nil, "", p.fail("{{%s}} takes nothing", head.name)
			}
			if !inBlock {
				return nil, "", p.fail("{{%s}} without {{if}} or {{range}}", head.name)
			}
			return nodes, head.name, nil
		case "if":
			n, err := p.ifNode(args)
			if err != nil {
				return nil, "", err
			}
			nodes = append(nodes, n)
		case "range":
			n, err := p.rangeNode(args)
			if err != nil {
				return nil, "", err
			}
			nodes = append(nodes, n)
		case "plural":
			n, err := p.pluralNode(args)
			if err != nil {
				return nil, "", err
			}
			nodes = append(nodes, n)
		case "chart":
			n, err := p.chartNode(args)
			if err != nil {
				return nil, "", err
			}
			nodes = append(nodes, n)
		case "link", "button":
			n, err := p.linkNode(head.name, args)
			if err != nil {
				return nil, "", err
			}
			nodes = append(nodes, n)
		default:
			if len(args) > 0 {
				return nil, "", p.fail("unknown function %q (there are if, range, plural, link, button, chart)", head.name)
			}
			kind, _, ok := p.lookup(head.name)
			if !ok {
				return nil, "", p.fail("unknown variable %q (known: %s)", head.name, p.known())
			}
			if kind == VarList || kind == VarFlag {
				return nil, "", p.fail("%q is a %s: use it with {{%s}}", head.name, kindName(kind), map[VarKind]string{VarList: "range", VarFlag: "if"}[kind])
			}
			nodes = append(nodes, tnode{kind: tVar, text: head.name})
		}
	}
}

func (p *parser) ifNode(args []targ) (tnode, error) {
	if len(args) != 1 || !args[0].isVar {
		return tnode{}, p.fail("{{if}} takes one variable: {{if name}}")
	}
	if _, _, ok := p.lookup(args[0].name); !ok {
		return tnode{}, p.fail("unknown variable %q (known: %s)", args[0].name, p.known())
	}
	then, end, err := p.block(true)
	if err != nil {
		return tnode{}, err
	}
	n := tnode{kind: tIf, text: args[0].name, then: then}
	if end == "else" {
		els, end2, err := p.block(true)
		if err != nil {
			return tnode{}, err
		}
		if end2 != "end" {
			return tnode{}, p.fail("{{else}} inside {{else}}")
		}
		n.els = els
	}
	return n, nil
}

func (p *parser) rangeNode(args []targ) (tnode, error) {
	if len(args) != 1 || !args[0].isVar {
		return tnode{}, p.fail("{{range}} takes one list: {{range tasks}}")
	}
	kind, items, ok := p.lookup(args[0].name)
	if !ok {
		return tnode{}, p.fail("unknown variable %q (known: %s)", args[0].name, p.known())
	}
	if kind != VarList {
		return tnode{}, p.fail("{{range}} needs a list; %q is a %s", args[0].name, kindName(kind))
	}
	p.scopes = append(p.scopes, items)
	body, end, err := p.block(true)
	p.scopes = p.scopes[:len(p.scopes)-1]
	if err != nil {
		return tnode{}, err
	}
	if end != "end" {
		return tnode{}, p.fail("{{range}} has no {{else}}")
	}
	return tnode{kind: tRange, text: args[0].name, then: body}, nil
}

func (p *parser) pluralNode(args []targ) (tnode, error) {
	want := pluralForms(p.locale)
	if len(args) != want+1 || !args[0].isVar {
		return tnode{}, p.fail("{{plural}} takes a number and %d quoted forms in %s: %s", want, p.locale, pluralExample[p.locale])
	}
	kind, _, ok := p.lookup(args[0].name)
	if !ok {
		return tnode{}, p.fail("unknown variable %q (known: %s)", args[0].name, p.known())
	}
	if kind != VarNumber {
		return tnode{}, p.fail("{{plural}} needs a number; %q is a %s", args[0].name, kindName(kind))
	}
	forms := make([]string, 0, want)
	for _, a := range args[1:] {
		if a.isVar {
			return tnode{}, p.fail("{{plural}} forms are quoted: %s", pluralExample[p.locale])
		}
		forms = append(forms, a.lit)
	}
	return tnode{kind: tPlural, text: args[0].name, forms: forms}, nil
}

// chartNode is {{chart "label"}}: the report's chart image, which only an email's HTML shows; the label is
// its alternative text.
func (p *parser) chartNode(args []targ) (tnode, error) {
	if k, _, ok := p.lookup("chart"); !ok || k != VarText {
		return tnode{}, p.fail("this message has no chart")
	}
	if len(args) != 1 || args[0].isVar {
		return tnode{}, p.fail(`{{chart}} takes one quoted label: {{chart "Spend and leads"}}`)
	}
	return tnode{kind: tChart, label: args[0]}, nil
}

func (p *parser) linkNode(fn string, args []targ) (tnode, error) {
	urlVar := "link"
	if len(args) == 2 {
		// {{link "label" name}}: a link to the URL another variable of the message holds.
		if !args[1].isVar {
			return tnode{}, p.fail("{{%s}} takes a label and a URL variable: {{%s \"Open\" link}}", fn, fn)
		}
		k, _, ok := p.lookup(args[1].name)
		if !ok {
			return tnode{}, p.fail("unknown variable %q (known: %s)", args[1].name, p.known())
		}
		if k != VarText {
			return tnode{}, p.fail("a link's URL is text; %q is a %s", args[1].name, kindName(k))
		}
		urlVar, args = args[1].name, args[:1]
	} else if _, _, ok := p.lookup("link"); !ok {
		return tnode{}, p.fail("this message has no link")
	}
	kind := tLink
	if fn == "button" {
		kind = tButton
	}
	switch {
	case len(args) == 0 && fn == "link":
		return tnode{kind: tVar, text: "link"}, nil
	case len(args) != 1:
		return tnode{}, p.fail("{{%s}} takes one label: {{%s \"Open\"}}", fn, fn)
	case args[0].isVar:
		k, _, ok := p.lookup(args[0].name)
		if !ok {
			return tnode{}, p.fail("unknown variable %q (known: %s)", args[0].name, p.known())
		}
		if k != VarText && k != VarNumber {
			return tnode{}, p.fail("a label is text; %q is a %s", args[0].name, kindName(k))
		}
	}
	return tnode{kind: kind, label: args[0], url: urlVar}, nil
}

// words splits a tag's inside into names and quoted strings ("…", with \" and \\ escapes).
func (p *parser) words(s string) ([]targ, error) {
	var out []targ
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			return out, nil
		}
		if s[0] == '"' {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, p.fail("a quoted string without its closing quote")
			}
			out = append(out, targ{lit: b.String()})
			s = s[i+1:]
			continue
		}
		end := strings.IndexAny(s, " \t\r\n\"")
		if end < 0 {
			end = len(s)
		}
		name := s[:end]
		for _, r := range name {
			if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return nil, p.fail("%q is not a name (letters, digits and _)", name)
			}
		}
		out = append(out, targ{name: name, isVar: true})
		s = s[end:]
	}
}

func isBlockTag(name string) bool {
	return name == "if" || name == "else" || name == "end" || name == "range"
}

// standalone drops the line of a block tag that stands alone on it: the text before it returns without the
// line's indentation, and the rest of the source resumes after the line's end.
func standalone(src string, from, open, after int) (string, int) {
	lineStart := strings.LastIndexByte(src[:open], '\n') + 1
	if lineStart < from || strings.TrimLeft(src[lineStart:open], " \t") != "" {
		return src[from:open], after
	}
	rest := src[after:]
	nl := strings.IndexByte(rest, '\n')
	tail := rest
	if nl >= 0 {
		tail = rest[:nl]
	}
	if strings.TrimRight(tail, " \t\r") != "" {
		return src[from:open], after
	}
	if nl < 0 {
		return src[from:lineStart], len(src)
	}
	return src[from:lineStart], after + nl + 1
}

func kindName(k VarKind) string {
	return [...]string{"text", "number", "flag", "list"}[k]
}

var pluralExample = map[string]string{
	LocaleRU: `{{plural count "задача" "задачи" "задач"}}`,
	LocaleEN: `{{plural count "task" "tasks"}}`,
}

func pluralForms(locale string) int {
	if locale == LocaleRU {
		return 3
	}
	return 2
}

// Plural picks the form of a word for n: Russian one/few/many ("1 задача", "3 задачи", "5 задач", "11 задач",
// "21 задача"), English one/other.
func Plural(locale string, n int, forms ...string) string {
	if len(forms) == 0 {
		return ""
	}
	if n < 0 {
		n = -n
	}
	i := 1
	if Locale(locale) == LocaleRU && len(forms) >= 3 {
		switch d, dd := n%10, n%100; {
		case d == 1 && dd != 11:
			i = 0
		case d >= 2 && d <= 4 && (dd < 12 || dd > 14):
			i = 1
		default:
			i = 2
		}
	} else if n == 1 {
		i = 0
	}
	return forms[min(i, len(forms)-1)]
}

// Render renders the template into a medium. Variables missing from vars are empty.
func (t *Template) Render(vars Vars, m Medium) string {
	r := renderer{medium: m, markup: t.markup, locale: t.locale, scopes: []Vars{vars}}
	var b strings.Builder
	r.nodes(&b, t.nodes)
	out := b.String()
	switch {
	case m == MediumLine:
		return strings.TrimSpace(oneLine(out))
	case t.markup:
		return strings.TrimSpace(out)
	default:
		return paragraphs(out, m)
	}
}

type renderer struct {
	medium Medium
	markup bool
	locale string
	scopes []Vars
}

func (r *renderer) get(name string) any {
	for i := len(r.scopes) - 1; i >= 0; i-- {
		if v, ok := r.scopes[i][name]; ok {
			return v
		}
	}
	return nil
}

func (r *renderer) str(name string) string {
	switch v := r.get(name).(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	}
	return ""
}

func truthy(v any) bool {
	switch v := v.(type) {
	case string:
		return v != ""
	case int:
		return v != 0
	case bool:
		return v
	case []Vars:
		return len(v) > 0
	}
	return false
}

// value is a variable's text as the medium needs it: escaped for HTML and Telegram, where its line breaks
// become spaces (so tracker text cannot start a paragraph either); one line in a subject.
func (r *renderer) value(s string) string {
	switch r.medium {
	case MediumHTML, MediumTelegram:
		return html.EscapeString(oneLine(s))
	case MediumLine:
		return oneLine(s)
	}
	return s
}

// literal is the template's own text: plain text is escaped for HTML and Telegram, markup is kept.
func (r *renderer) literal(s string) string {
	if !r.markup && (r.medium == MediumHTML || r.medium == MediumTelegram) {
		return textEscaper.Replace(s)
	}
	return s
}

// textEscaper escapes what HTML text needs escaped; a template's own text goes into no attribute, so its
// apostrophes and quotes stay as written.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// oneLine turns every run of line breaks and tabs (with the spaces around them) into one space; other spaces,
// such as the no-break spaces in "150 000,00 ₽", stay.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t\v\f\u0085\u2028\u2029") {
		return s
	}
	var b strings.Builder
	brk, space := false, true // space: the output so far ends with a space (or is empty)
	for _, c := range s {
		switch c {
		case '\r', '\n', '\t', '\v', '\f', '\u0085', '\u2028', '\u2029':
			brk = true
			continue
		case ' ':
			if brk {
				continue
			}
		}
		if brk && !space {
			b.WriteByte(' ')
		}
		brk = false
		b.WriteRune(c)
		space = c == ' '
	}
	return b.String()
}

func (r *renderer) nodes(b *strings.Builder, ns []tnode) {
	for _, n := range ns {
		switch n.kind {
		case tText:
			b.WriteString(r.literal(n.text))
		case tVar:
			b.WriteString(r.value(r.str(n.text)))
		case tPlural:
			n0, _ := r.get(n.text).(int)
			b.WriteString(r.literal(Plural(r.locale, n0, n.forms...)))
		case tIf:
			if truthy(r.get(n.text)) {
				r.nodes(b, n.then)
			} else {
				r.nodes(b, n.els)
			}
		case tRange:
			items, _ := r.get(n.text).([]Vars)
			for _, it := range items {
				r.scopes = append(r.scopes, it)
				r.nodes(b, n.then)
				r.scopes = r.scopes[:len(r.scopes)-1]
			}
		case tLink, tButton:
			b.WriteString(r.link(n))
		case tChart:
			if cid := r.str("chart"); cid != "" && r.medium == MediumHTML {
				b.WriteString(`<img src="cid:` + html.EscapeString(cid) + `" alt="` + html.EscapeString(n.label.lit) +
					`" width="480" height="160" style="display:block;max-width:100%;height:auto">`)
			}
		}
	}
}

const buttonStyle = `style="display:inline-block;padding:10px 18px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none"`

// link draws the message's link (or the URL variable the tag names) with a label; an empty URL draws nothing.
func (r *renderer) link(n tnode) string {
	u := r.str(n.url)
	if u == "" {
		return ""
	}
	label := n.label.lit
	if n.label.isVar {
		label = r.str(n.label.name)
	}
	switch r.medium {
	case MediumHTML, MediumTelegram:
		style := ""
		if n.kind == tButton && r.medium == MediumHTML {
			style = " " + buttonStyle
		}
		return `<a href="` + html.EscapeString(SafeURL(u)) + `"` + style + `>` + r.value(label) + `</a>`
	}
	return u
}

// SafeURL is s when it is an http(s) URL, else "#": a tracker cannot smuggle a javascript: URL into a link.
func SafeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "#"
	}
	return s
}

// paragraphs tidies a plain template's output: paragraphs are separated by blank lines (lines of only spaces
// count), trimmed, and empty ones dropped. Text ends with one line break; HTML wraps each paragraph in <p>, a
// line break inside one becoming <br>; Telegram keeps the blank lines.
func paragraphs(s string, m Medium) string {
	var ps []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			ps = append(ps, strings.Join(cur, "\n"))
			cur = cur[:0]
		}
	}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	switch m {
	case MediumHTML:
		for i, p := range ps {
			ps[i] = "<p>" + strings.ReplaceAll(p, "\n", "<br>") + "</p>"
		}
		return strings.Join(ps, "\n")
	case MediumTelegram:
		return strings.Join(ps, "\n\n")
	}
	if len(ps) == 0 {
		return ""
	}
	return strings.Join(ps, "\n\n") + "\n"
}

// telegramTags are the tags Telegram's HTML parse mode accepts; any other makes the Bot API refuse the message.
var telegramTags = map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true, "s": true,
	"strike": true, "del": true, "span": true, "tg-spoiler": true, "a": true, "code": true, "pre": true,
	"blockquote": true, "tg-emoji": true}

// checkTelegramTags refuses markup Telegram would refuse: a tag outside its subset (<p>, <br>, <div>…). Line
// breaks are written as line breaks.
func (t *Template) checkTelegramTags() error {
	var walk func(ns []tnode) error
	walk = func(ns []tnode) error {
		for _, n := range ns {
			if n.kind == tText {
				for i := 0; i < len(n.text); i++ {
					if n.text[i] != '<' {
						continue
					}
					j := i + 1
					if j < len(n.text) && n.text[j] == '/' {
						j++
					}
					k := j
					for k < len(n.text) && (n.text[k] == '-' || n.text[k] >= 'a' && n.text[k] <= 'z' || n.text[k] >= 'A' && n.text[k] <= 'Z') {
						k++
					}
					if name := strings.ToLower(n.text[j:k]); !telegramTags[name] {
						line := n.line + strings.Count(n.text[:i], "\n")
						if name == "" {
							return TemplateError{line, "a bare < in Telegram HTML: write &lt;"}
						}
						return TemplateError{line, fmt.Sprintf("Telegram does not take <%s> (it takes b, i, u, s, a, code, pre, blockquote, span class=\"tg-spoiler\"); break lines with line breaks", name)}
					}
				}
			}
			if err := walk(n.then); err != nil {
				return err
			}
			if err := walk(n.els); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(t.nodes)
}
