// Package mime builds RFC 5322 email messages: UTF-8 text and HTML bodies, attachments, RFC 2047 headers and
// threading ids. Output is deterministic (boundaries derive from the Message-ID), so the same Message always
// gives the same bytes, and no header value can inject a header of its own.
package mime

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	stdmime "mime"
	"mime/quotedprintable"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Address is a mailbox: an optional display name (any UTF-8) and a bare address.
type Address struct{ Name, Email string }

// Attachment is a file attached to a message. An empty ContentType means application/octet-stream.
type Attachment struct {
	Filename, ContentType string
	// ASCIIFilename is the name for mail programs that cannot read a non-ASCII Filename (the plain filename
	// parameter beside RFC 2231's filename*), such as a transliteration. Empty: made from Filename.
	ASCIIFilename string
	Data          []byte
}

// Message is an email to build. From, Date, MessageID and at least one To or Cc recipient are required. Ids
// are given without angle brackets. Header values may hold any text: control characters (CR, LF, tabs...)
// become spaces, and non-ASCII is RFC 2047-encoded.
type Message struct {
	From            Address
	To, Cc, ReplyTo []Address
	Subject         string
	Date            time.Time
	MessageID       string   // without angle brackets, e.g. "3f2a...@glassbox.studio.example"
	InReplyTo       string   // optional, without brackets
	References      []string // without brackets; used for per-project threading
	Text, HTML      string   // text/plain and text/html bodies, UTF-8
	// Inline are images the HTML shows by content id (<img src="cid:chart">); with an HTML body they go with it
	// in multipart/related.
	Inline      []Inline
	Attachments []Attachment
	// Unsubscribe is a one-click unsubscribe URL (https): List-Unsubscribe and List-Unsubscribe-Post
	// (RFC 8058) name it, so mail programs show their own unsubscribe button.
	Unsubscribe string
}

// Inline is an image shown inside the HTML body: ContentID without angle brackets, ContentType such as
// image/png.
type Inline struct {
	ContentID, ContentType string
	Data                   []byte
}

// ErrInvalid is wrapped by every error Bytes returns for a message that cannot be built.
var ErrInvalid = errors.New("mime: invalid message")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Bytes renders the message with CRLF line ends. The body is a single text/plain (or text/html) part when
// there is one body and no attachments, multipart/alternative (text, then HTML) when there are both, and
// multipart/mixed around that and the attachments when there are attachments; an HTML body with Inline images
// is multipart/related (the HTML, then the images). Errors wrap ErrInvalid.
func (m Message) Bytes() ([]byte, error) {
	var h strings.Builder
	if m.Date.IsZero() {
		return nil, invalid("Date is required")
	}
	msgID, err := checkID("MessageID", m.MessageID)
	if err != nil {
		return nil, invalid("%v", err)
	}
	if m.From.Email == "" {
		return nil, invalid("From is required")
	}
	from, err := addressList("From", []Address{m.From})
	if err != nil {
		return nil, invalid("%v", err)
	}
	if len(m.To)+len(m.Cc) == 0 {
		return nil, invalid("no recipients: To and Cc are both empty")
	}

	fold(&h, "Date", []string{m.Date.Format(time.RFC1123Z)})
	fold(&h, "From", from)
	for _, f := range []struct {
		name string
		as   []Address
	}{{"To", m.To}, {"Cc", m.Cc}, {"Reply-To", m.ReplyTo}} {
		if len(f.as) == 0 {
			continue
		}
		tokens, err := addressList(f.name, f.as)
		if err != nil {
			return nil, invalid("%v", err)
		}
		fold(&h, f.name, tokens)
	}
	fold(&h, "Subject", unstructured("Subject", m.Subject))
	fold(&h, "Message-ID", []string{"<" + msgID + ">"})
	if m.InReplyTo != "" {
		id, err := checkID("InReplyTo", m.InReplyTo)
		if err != nil {
			return nil, invalid("%v", err)
		}
		fold(&h, "In-Reply-To", []string{"<" + id + ">"})
	}
	if len(m.References) > 0 {
		refs := make([]string, len(m.References))
		for i, r := range m.References {
			id, err := checkID(fmt.Sprintf("References[%d]", i), r)
			if err != nil {
				return nil, invalid("%v", err)
			}
			refs[i] = "<" + id + ">"
		}
		fold(&h, "References", refs)
	}
	if m.Unsubscribe != "" {
		u, err := checkUnsubscribe(m.Unsubscribe)
		if err != nil {
			return nil, invalid("%v", err)
		}
		fold(&h, "List-Unsubscribe", []string{"<" + u + ">"})
		fold(&h, "List-Unsubscribe-Post", []string{"List-Unsubscribe=One-Click"})
	}
	fold(&h, "MIME-Version", []string{"1.0"})

	body, err := m.body(msgID)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString(h.String())
	body.write(&out)
	return out.Bytes(), nil
}

// part is one MIME entity: its own headers (already folded) and either a leaf body or children.
type part struct {
	header   strings.Builder
	body     []byte // leaf: the encoded body, ending with CRLF
	boundary string
	children []*part
}

// write renders the part. Leaf bodies end with CRLF; the CRLF written after each child belongs to the next
// delimiter (RFC 2046 §5.1.1), so a body decodes to exactly what was encoded.
func (p *part) write(out *bytes.Buffer) {
	out.WriteString(p.header.String())
	out.WriteString("\r\n")
	if p.boundary == "" {
		out.Write(p.body)
		return
	}
	for _, c := range p.children {
		out.WriteString("--" + p.boundary + "\r\n")
		c.write(out)
		out.WriteString("\r\n")
	}
	out.WriteString("--" + p.boundary + "--\r\n")
}

// boundary derives a part's boundary from the message id and the part's position in the tree. "=_" cannot
// occur in quoted-printable or base64 output, so it never collides with content.
func boundary(msgID, position string) string {
	sum := sha256.Sum256([]byte(msgID + "\x00" + position))
	return "=_gb_" + hex.EncodeToString(sum[:12])
}

func (m Message) body(msgID string) (*part, error) {
	var alt, html *part
	if m.HTML != "" {
		html = textPart("html", m.HTML)
		if len(m.Inline) > 0 {
			kids := []*part{html}
			for i, im := range m.Inline {
				p, err := inlinePart(im)
				if err != nil {
					return nil, invalid("Inline[%d]: %v", i, err)
				}
				kids = append(kids, p)
			}
			b := boundary(msgID, "related")
			html = &part{boundary: b, children: kids}
			// RFC 2387: type names the root part's type.
			fold(&html.header, "Content-Type", []string{"multipart/related;", `type="text/html";`, `boundary="` + b + `"`})
		}
	}
	switch {
	case m.Text != "" && m.HTML != "":
		alt = multipart("alternative", boundary(msgID, "alternative"), textPart("plain", m.Text), html)
	case m.HTML != "":
		alt = html
	case m.Text != "" || len(m.Attachments) == 0:
		alt = textPart("plain", m.Text)
	}
	if len(m.Attachments) == 0 {
		return alt, nil
	}
	var children []*part
	if alt != nil {
		children = append(children, alt)
	}
	for i, a := range m.Attachments {
		p, err := attachmentPart(a)
		if err != nil {
			return nil, invalid("Attachments[%d]: %v", i, err)
		}
		children = append(children, p)
	}
	return multipart("mixed", boundary(msgID, "mixed"), children...), nil
}

func multipart(subtype, b string, children ...*part) *part {
	p := &part{boundary: b, children: children}
	fold(&p.header, "Content-Type", []string{"multipart/" + subtype + ";", `boundary="` + b + `"`})
	return p
}

func textPart(subtype, s string) *part {
	var buf bytes.Buffer
	w := quotedprintable.NewWriter(&buf) // converts any line end to CRLF, soft-wraps at 76
	_, _ = w.Write([]byte(strings.ToValidUTF8(s, "\uFFFD")))
	_ = w.Close()
	if buf.Len() > 0 && !bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
		// A soft line break ends the body with CRLF without adding a line break to the content.
		buf.WriteString("=\r\n")
	}
	p := &part{body: buf.Bytes()}
	fold(&p.header, "Content-Type", []string{"text/" + subtype + ";", "charset=utf-8"})
	fold(&p.header, "Content-Transfer-Encoding", []string{"quoted-printable"})
	return p
}

// inlinePart is an image the HTML shows: base64, its Content-ID, disposition inline.
func inlinePart(im Inline) (*part, error) {
	id, err := checkID("ContentID", im.ContentID)
	if err != nil {
		return nil, err
	}
	mediaType, _, err := stdmime.ParseMediaType(strings.TrimSpace(sanitize(im.ContentType)))
	if err != nil || !strings.HasPrefix(mediaType, "image/") {
		return nil, fmt.Errorf("content type %q: an inline part is an image", im.ContentType)
	}
	p := &part{body: base64Lines(im.Data)}
	fold(&p.header, "Content-Type", []string{mediaType})
	fold(&p.header, "Content-Transfer-Encoding", []string{"base64"})
	fold(&p.header, "Content-ID", []string{"<" + id + ">"})
	fold(&p.header, "Content-Disposition", []string{"inline"})
	return p, nil
}

// maxUnsubscribe keeps the List-Unsubscribe line, which cannot fold inside its URL, under RFC 5322's 998.
const maxUnsubscribe = 900

// checkUnsubscribe accepts an https URL of printable ASCII without spaces, angle brackets or quotes: what
// List-Unsubscribe carries between its brackets, with no way to end the header or add one. RFC 8058 wants
// https; plain http is accepted only on this machine's loopback (glassbox dev), where no mail provider clicks.
func checkUnsubscribe(u string) (string, error) {
	if !(strings.HasPrefix(u, "https://") || loopbackHTTP(u)) || len(u) > maxUnsubscribe {
		return "", fmt.Errorf("unsubscribe URL %q: want an https URL", u)
	}
	for _, r := range u {
		if r <= ' ' || r >= 0x7f || r == '<' || r == '>' || r == '"' {
			return "", fmt.Errorf("unsubscribe URL %q: a URL has no %q", u, r)
		}
	}
	return u, nil
}

// loopbackHTTP says u is a plain http URL whose host is this machine's loopback, as a mail program reads it:
// a prefix alone would pass "http://localhost:80@evil.example/", whose host is evil.example.
func loopbackHTTP(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "http" || p.User != nil || p.Opaque != "" {
		return false
	}
	switch p.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

func attachmentPart(a Attachment) (*part, error) {
	ct := strings.TrimSpace(sanitize(a.ContentType))
	if ct == "" {
		ct = "application/octet-stream"
	}
	mediaType, params, err := stdmime.ParseMediaType(ct)
	if err != nil {
		return nil, fmt.Errorf("content type %q: %v", a.ContentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		return nil, fmt.Errorf("content type %q: multipart attachments are not supported", a.ContentType)
	}
	ctValue := stdmime.FormatMediaType(mediaType, params)
	if ctValue == "" {
		return nil, fmt.Errorf("content type %q cannot be formatted", a.ContentType)
	}

	name := filename(a.Filename)
	p := &part{body: base64Lines(a.Data)}
	ctTokens := strings.Split(ctValue, "; ")
	for i := range ctTokens[:len(ctTokens)-1] {
		ctTokens[i] += ";"
	}
	fold(&p.header, "Content-Type", ctTokens)
	fold(&p.header, "Content-Transfer-Encoding", []string{"base64"})
	fold(&p.header, "Content-Disposition", dispositionTokens(name, a.ASCIIFilename))
	return p, nil
}

// filename cleans an attachment's name: no control characters, no directories.
func filename(s string) string {
	s = strings.Join(strings.Fields(sanitize(s)), " ")
	s = strings.NewReplacer("/", "_", `\`, "_").Replace(s)
	if s == "" || s == "." || s == ".." {
		return "attachment"
	}
	return s
}

// asciiFilename is the fallback name for clients without RFC 2231. A name with non-ASCII letters becomes
// "attachment" with its extension (a row of underscores helps no one); other non-ASCII characters (dashes,
// "№") become "_".
func asciiFilename(name string) string {
	stem, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && isASCII(name[i:]) {
		stem, ext = name[:i], name[i:]
	}
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' {
				return '_'
			}
			return r
		}, s)
	}
	if strings.ContainsFunc(stem, func(r rune) bool { return r >= 0x80 && unicode.IsLetter(r) }) {
		return "attachment" + clean(ext)
	}
	return clean(stem) + clean(ext)
}

// dispositionTokens renders "attachment; filename=...", adding RFC 2231 filename* (split into numbered
// continuations when one line would be too long) for names that are not plain ASCII.
func dispositionTokens(name, ascii string) []string {
	fallback := asciiFilename(name)
	if ascii != "" {
		fallback = asciiFilename(filename(ascii))
	}
	tokens := []string{"attachment;", `filename="` + fallback + `"`}
	if fallback == name {
		return tokens
	}
	tokens[1] += ";"
	enc := rfc2231Escape(name)
	const prefix = "UTF-8''"
	if len(" filename*=")+len(prefix)+len(enc) <= softLimit {
		return append(tokens, "filename*="+prefix+enc)
	}
	// Continuations: filename*0*=UTF-8''..; filename*1*=..; each on its own line, split between escapes.
	var chunks []string
	rest := enc
	for i := 0; rest != ""; i++ {
		head := fmt.Sprintf("filename*%d*=", i)
		if i == 0 {
			head += prefix
		}
		room := softLimit - 2 - len(head) // leading space and trailing ";"
		n := min(room, len(rest))
		// Split neither inside a %XX escape nor inside a UTF-8 sequence: some readers decode each piece alone.
		for n < len(rest) && n > 0 && (rest[n-1] == '%' || (n >= 2 && rest[n-2] == '%') || isContinuation(rest[n:])) {
			n--
		}
		chunks = append(chunks, head+rest[:n])
		rest = rest[n:]
	}
	for i := range chunks[:len(chunks)-1] {
		chunks[i] += ";"
	}
	return append(tokens, chunks...)
}

// isContinuation reports whether s starts with the escape of a UTF-8 continuation byte (%80-%BF).
func isContinuation(s string) bool {
	return len(s) >= 3 && s[0] == '%' && strings.IndexByte("89AB", s[1]) >= 0
}

// rfc2231Escape percent-encodes everything but RFC 2231 attribute-chars.
func rfc2231Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// base64Lines encodes data as base64 in 76-character CRLF-terminated lines.
func base64Lines(data []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(data)
	var buf bytes.Buffer
	for len(enc) > 76 {
		buf.WriteString(enc[:76])
		buf.WriteString("\r\n")
		enc = enc[76:]
	}
	if enc != "" {
		buf.WriteString(enc)
		buf.WriteString("\r\n")
	}
	return buf.Bytes()
}
