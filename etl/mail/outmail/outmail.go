// Package outmail is the data of one outgoing mail as the outbox keeps it:
// recipients, subject, thread headers, bodies and attachments. The store
// (which queues it) and package mail (which delivers it) both use these
// types, so that neither imports the other and mail needs no SQL driver.
package outmail

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// ErrInvalid is returned by [Mail.Validate] (and by the store's EnqueueMail)
// for a mail that must not be queued: a bad address, kind, key or header.
// It is the caller's bug, never worth a retry.
var ErrInvalid = errors.New("invalid mail")

// ErrNotSending is returned by the outbox when a row to be marked retried or
// failed is not being sent any more: another sender, whose claim came after
// an expired lease, has settled it (or the id is unknown).
var ErrNotSending = errors.New("outbox mail is not being sent")

// Limits on what one mail may carry.
const (
	MaxRecipients = 100
	MaxKeyLength  = 500
)

// Mail is what a caller queues. Recipients come from the registry and
// recipient tables, never from workbook cells; the subject carries no
// personal data (org name, period and counts only); HTML is produced with
// html/template (see mail.HTML).
type Mail struct {
	// Kind says what the mail is: "result" (a submitter's result) or
	// "digest" (a manager's quarterly digest). Lowercase letters, digits, _.
	Kind string
	// DedupeKey makes queueing idempotent: queueing a key again returns the
	// existing row. E.g. "result:<sha256>:<recipient>", "digest:2025-Q3:<recipient>".
	DedupeKey string
	// MessageID is "<local@domain>"; generated once at enqueue when empty
	// and the same on every retry, so duplicates can be recognised.
	MessageID string
	// To lists the recipients' addresses (RFC 5322, e.g. "a@b.vn" or
	// "Nguyễn Văn A <a@b.vn>").
	To      []string
	Subject string
	// InReplyTo and References thread the mail under earlier ones
	// (message ids "<…@…>"); empty when it starts a thread.
	InReplyTo  string
	References []string
	// Text is the text/plain body (required: every mail has one). HTML is
	// the text/html alternative, "" for none.
	Text        string
	HTML        string
	Attachments []Attachment
	// NotBefore delays the first attempt; zero means now.
	NotBefore time.Time
}

// Attachment is a file attached to a mail.
type Attachment struct {
	Name        string // file name shown to the reader, no path
	ContentType string // e.g. "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	Content     []byte
	// ContentID, when set, embeds the attachment inline (an image the HTML
	// body shows as <img src="cid:ContentID">) instead of attaching it.
	ContentID string
}

// Queued is an outbox row claimed for delivery.
type Queued struct {
	ID int64
	Mail
	// Attempts counts delivery attempts including the one this claim is for.
	Attempts  int
	CreatedAt time.Time
}

// Stats counts the outbox rows by status.
type Stats struct {
	Pending, Sending, Sent, Failed int
	// Due counts pending rows (and expired leases) due now.
	Due int
	// OldestUnsent is the creation time of the oldest pending or sending
	// row; zero when there is none.
	OldestUnsent time.Time
}

var (
	kindRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	// A message id as this project writes and accepts them: no quoting, no
	// comments, no spaces (RFC 5322 msg-id with dot-atom parts).
	messageIDRE = regexp.MustCompile("^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,200}@[A-Za-z0-9.-]{1,200}>$")
)

// ValidMessageID reports whether id is a message id "<local@domain>" made
// of dot-atom characters only.
func ValidMessageID(id string) bool { return messageIDRE.MatchString(id) }

// NewMessageID returns a fresh random message id "<hex@returns.local>".
func NewMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "<" + hex.EncodeToString(b[:]) + "@returns.local>"
}

// ParseRecipient parses one recipient address with net/mail, refusing any
// control character (CR/LF header injection) before parsing.
func ParseRecipient(s string) (*mail.Address, error) {
	if strings.ContainsFunc(s, isControl) {
		return nil, fmt.Errorf("%w: recipient contains a control character", ErrInvalid)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("%w: recipient: %v", ErrInvalid, err)
	}
	return a, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// Validate checks what can be checked before a mail is queued. Its errors
// wrap ErrInvalid and never quote an address.
func (m *Mail) Validate() error {
	if !kindRE.MatchString(m.Kind) {
		return fmt.Errorf("%w: kind %q", ErrInvalid, m.Kind)
	}
	if m.DedupeKey == "" || len(m.DedupeKey) > MaxKeyLength || strings.ContainsFunc(m.DedupeKey, isControl) {
		return fmt.Errorf("%w: dedupe key empty, too long or with control characters", ErrInvalid)
	}
	if m.MessageID != "" && !ValidMessageID(m.MessageID) {
		return fmt.Errorf("%w: message id %q", ErrInvalid, m.MessageID)
	}
	if len(m.To) == 0 || len(m.To) > MaxRecipients {
		return fmt.Errorf("%w: %d recipients (1 to %d)", ErrInvalid, len(m.To), MaxRecipients)
	}
	for i, to := range m.To {
		if _, err := ParseRecipient(to); err != nil {
			return fmt.Errorf("recipient %d: %w", i+1, err)
		}
	}
	if m.InReplyTo != "" && !ValidMessageID(m.InReplyTo) {
		return fmt.Errorf("%w: in-reply-to %q", ErrInvalid, m.InReplyTo)
	}
	for _, r := range m.References {
		if !ValidMessageID(r) {
			return fmt.Errorf("%w: reference %q", ErrInvalid, r)
		}
	}
	if strings.TrimSpace(m.Text) == "" {
		return fmt.Errorf("%w: no text body (every mail has a text/plain part)", ErrInvalid)
	}
	for i, a := range m.Attachments {
		if a.Name == "" || strings.ContainsAny(a.Name, `/\`) || strings.ContainsFunc(a.Name, isControl) {
			return fmt.Errorf("%w: attachment %d: bad file name", ErrInvalid, i+1)
		}
		if _, _, err := mime.ParseMediaType(a.ContentType); err != nil || strings.ContainsFunc(a.ContentType, isControl) {
			return fmt.Errorf("%w: attachment %d: content type %q", ErrInvalid, i+1, a.ContentType)
		}
	}
	return nil
}
