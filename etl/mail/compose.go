package mail

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
	"unicode"

	gomail "github.com/wneessen/go-mail"

	"github.com/returns-project/returns/etl/mail/outmail"
)

// HTML executes an html/template with data and returns the HTML body: every
// value from data is escaped for its context (text, attribute, URL), so a
// member or organisation name like "<script>" or `"><img onerror=…>` comes
// out as text. Build HTML bodies with it (or html/template directly), never
// by concatenating strings.
func HTML(tmpl *template.Template, data any) (string, error) {
	if tmpl == nil {
		return "", fmt.Errorf("mail: HTML: no template")
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		return "", fmt.Errorf("mail: HTML template %q: %w", tmpl.Name(), err)
	}
	return b.String(), nil
}

// compose builds the MIME message of a row: UTF-8, quoted-printable text,
// multipart/alternative text and HTML, attachments (multipart/mixed), the
// row's Message-ID, In-Reply-To and References, and Date = when it was
// queued (the same on every retry).
func (s *Sender) compose(q outmail.Queued) (*gomail.Msg, error) { return compose(s.cfg.From, q) }

// WriteMessage writes the MIME message of m, from from and dated date,
// exactly as the sender would compose it, to w: a preview (.eml) of a mail
// not queued.
func WriteMessage(w io.Writer, from string, m outmail.Mail, date time.Time) error {
	msg, err := compose(from, outmail.Queued{Mail: m, CreatedAt: date})
	if err != nil {
		return err
	}
	if _, err := msg.WriteTo(w); err != nil {
		return fmt.Errorf("mail: write message %s: %w", m.MessageID, err)
	}
	return nil
}

func compose(from string, q outmail.Queued) (*gomail.Msg, error) {
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("compose %s: %w", q.MessageID, err)
	}
	if !outmail.ValidMessageID(q.MessageID) {
		return nil, fmt.Errorf("compose: %w: message id %q", outmail.ErrInvalid, q.MessageID)
	}
	m := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP), gomail.WithNoDefaultUserAgent())
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("compose %s: from: %w", q.MessageID, err)
	}
	for i, to := range q.To {
		a, err := outmail.ParseRecipient(to) // refuses CR/LF before go-mail sees it
		if err != nil {
			return nil, fmt.Errorf("compose %s: recipient %d: %w", q.MessageID, i+1, err)
		}
		m.AddToMailAddress(a)
	}
	m.Subject(cleanSubject(q.Subject)) // encoded by go-mail (RFC 2047)
	m.SetGenHeader(gomail.HeaderMessageID, q.MessageID)
	if q.InReplyTo != "" {
		m.SetGenHeader(gomail.HeaderInReplyTo, q.InReplyTo)
	}
	if len(q.References) > 0 {
		m.SetGenHeader(gomail.HeaderReferences, strings.Join(q.References, " "))
	}
	m.SetDateWithValue(q.CreatedAt)
	m.SetGenHeader(gomail.HeaderXMailer, "returns")
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	m.SetBodyString(gomail.TypeTextPlain, q.Text)
	if q.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, q.HTML)
	}
	for i, a := range q.Attachments {
		if a.ContentID != "" {
			if err := m.EmbedReader(a.Name, bytes.NewReader(a.Content), gomail.WithFileContentType(gomail.ContentType(a.ContentType)),
				gomail.WithFileContentID("<"+a.ContentID+">")); err != nil {
				return nil, fmt.Errorf("compose %s: inline part %d: %w", q.MessageID, i+1, err)
			}
			continue
		}
		if err := m.AttachReader(a.Name, bytes.NewReader(a.Content), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, fmt.Errorf("compose %s: attachment %d: %w", q.MessageID, i+1, err)
		}
	}
	return m, nil
}

// cleanSubject turns control characters (CR, LF, TAB, …) and bidi or
// zero-width format characters into spaces: a subject is one line of text,
// whatever the caller's data held.
func cleanSubject(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
