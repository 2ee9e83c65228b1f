package outbox

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Summary is one message of the outbox, decoded.
type Summary struct {
	// File is the file name in the outbox directory, as Send returned it.
	File string
	// Date is the message's Date header (the file's time when it has none).
	Date    time.Time
	Subject string
	// From, To, Cc and ReplyTo are "Name <email>", or the bare email when there is no name.
	From            string
	To, Cc, ReplyTo []string
	// Text and HTML are the decoded bodies (the first text/plain and text/html parts not attached).
	Text, HTML  string
	Attachments []AttachmentInfo
}

// AttachmentInfo describes one attachment; Size is its decoded size in bytes.
type AttachmentInfo struct {
	Name, ContentType string
	Size              int
}

// message is a parsed file with its attachments' bytes.
type message struct {
	Summary
	MessageID string
	data      [][]byte
}

// List parses every .eml file in dir, newest first (in the order they were sent). A missing dir is an empty
// outbox. A file that cannot be parsed is an error naming it.
func List(dir string) ([]Summary, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: list: %w", err)
	}
	var out []Summary
	for _, e := range slices.Backward(entries) { // ReadDir sorts by name, and names start with the UTC time
		if !e.Type().IsRegular() || !validName(e.Name()) {
			continue
		}
		m, err := read(dir, e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, m.Summary)
	}
	return out, nil
}

// validName accepts the plain .eml file names Send writes: no directories, no "..", no hidden files.
func validName(name string) bool {
	return strings.HasSuffix(name, ".eml") && !strings.HasPrefix(name, ".") &&
		!strings.ContainsAny(name, `/\`+"\x00") && !strings.Contains(name, "..") && filepath.IsLocal(name)
}

func read(dir, name string) (*message, error) {
	path := filepath.Join(dir, name)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("outbox: read %s: %w", name, err)
	}
	m, err := parse(raw)
	if err != nil {
		return nil, fmt.Errorf("outbox: parse %s: %w", name, err)
	}
	m.File = name
	if m.Date.IsZero() {
		if fi, err := os.Stat(path); err == nil {
			m.Date = fi.ModTime().UTC()
		}
	}
	return m, nil
}

var wordDecoder = new(mime.WordDecoder)

func parse(raw []byte) (*message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	m := &message{}
	h := msg.Header
	if d, err := h.Date(); err == nil {
		m.Date = d
	}
	m.Subject = decodeHeader(h.Get("Subject"))
	m.MessageID = strings.Trim(h.Get("Message-Id"), "<> ")
	if from := addresses(h, "From"); len(from) > 0 {
		m.From = strings.Join(from, ", ")
	}
	m.To, m.Cc, m.ReplyTo = addresses(h, "To"), addresses(h, "Cc"), addresses(h, "Reply-To")
	if err := m.walk(textproto.MIMEHeader(h), msg.Body, 0); err != nil {
		return nil, err
	}
	return m, nil
}

func decodeHeader(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// addresses decodes an address header; a header that does not parse is shown decoded as it is.
func addresses(h mail.Header, name string) []string {
	v := h.Get(name)
	if v == "" {
		return nil
	}
	list, err := h.AddressList(name)
	if err != nil {
		return []string{decodeHeader(v)}
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
		if a.Name != "" {
			out[i] = a.Name + " <" + a.Address + ">"
		}
	}
	return out
}

// maxDepth bounds multipart nesting; real mail nests three or four levels.
const maxDepth = 10

func (m *message) walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	if depth > maxDepth {
		return errors.New("multipart nested too deep")
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mediaType, params = "application/octet-stream", nil
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", mediaType, err)
			}
			if err := m.walk(p.Header, p, depth+1); err != nil {
				return err
			}
		}
	}

	data, err := io.ReadAll(decoder(h.Get("Content-Transfer-Encoding"), body))
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = decodeHeader(name) // some mailers RFC 2047-encode names despite RFC 2231
	inline := disposition != "attachment" && name == ""
	switch {
	case inline && mediaType == "text/plain" && m.Text == "":
		m.Text = string(data)
	case inline && mediaType == "text/html" && m.HTML == "":
		m.HTML = string(data)
	default:
		if name == "" {
			name = fmt.Sprintf("part%d", len(m.Attachments)+1)
		}
		m.Attachments = append(m.Attachments, AttachmentInfo{Name: name, ContentType: mediaType, Size: len(data)})
		m.data = append(m.data, data)
	}
	return nil
}

func decoder(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, newlineStripper{r})
	default:
		return r
	}
}

// newlineStripper drops CR and LF, which base64.NewDecoder already skips, and also spaces some mailers leave
// at line ends.
type newlineStripper struct{ r io.Reader }

func (s newlineStripper) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' && b != ' ' && b != '\t' {
			p[j] = b
			j++
		}
	}
	return j, err
}
