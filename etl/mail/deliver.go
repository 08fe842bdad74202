package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/returns-project/returns/etl/atomicfile"
	"github.com/returns-project/returns/etl/mail/outmail"
	"github.com/returns-project/returns/etl/redact"
)

// pass holds the SMTP connection of one Deliver pass: dialled on first
// need, reused for the following mails, dropped after a failed send, and
// never dialled again in the pass after a failed dial.
type pass struct {
	s       *Sender
	conn    *smtp.Client
	dialErr error // the pass's failed dial: the server is unreachable
}

func (p *pass) close() {
	if p.conn != nil {
		_ = p.s.client.CloseWithSMTPClient(p.conn)
		p.conn = nil
	}
}

func (p *pass) drop() {
	if p.conn != nil {
		_ = p.conn.Close()
		p.conn = nil
	}
}

// send delivers one row.
func (p *pass) send(ctx context.Context, q outmail.Queued) result {
	msg, err := p.s.compose(q)
	if err != nil {
		return result{err: err, permanent: true}
	}
	if p.s.client == nil {
		if err := p.s.writeEML(q.MessageID, msg); err != nil {
			return result{err: err} // a full disk passes: retry
		}
		return result{}
	}
	if p.dialErr != nil {
		return result{err: fmt.Errorf("not attempted, server unreachable in this pass: %w", p.dialErr)}
	}
	if p.conn == nil {
		c, err := p.s.client.DialToSMTPClientWithContext(ctx)
		if err != nil {
			err = redact.Error(err, p.s.password)
			p.dialErr = err
			res := result{err: fmt.Errorf("connect to %s: %w", p.s.cfg.Host, err), code: replyCode(err)}
			if res.code >= 500 {
				// The server refuses us (greeting, STARTTLS, AUTH): the
				// configuration's fault, not the mail's. Retried, but alerted.
				p.s.cfg.Logger.ErrorContext(ctx, "mail: SMTP server refuses the connection: check the configuration",
					"host", p.s.cfg.Host, "smtp_code", res.code)
			}
			return res
		}
		p.conn = c
	}
	if err := p.s.client.SendWithSMTPClient(p.conn, msg); err != nil {
		p.drop() // after a failure the session state is unknown: start afresh
		return classify(redact.Error(err, p.s.password))
	}
	return result{}
}

// classify sorts a send error: a 5xx reply (and go-mail's non-temporary
// errors carrying one) is permanent; 4xx replies, network errors, timeouts
// and a connection closed before the reply are temporary.
func classify(err error) result {
	res := result{err: err, code: replyCode(err)}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code != 0 {
			res.code = code
		}
		res.permanent = !se.IsTemp() && res.code >= 500 && res.code < 600
		return res
	}
	res.permanent = res.code >= 500 && res.code < 600
	return res
}

// replyCode finds an SMTP reply code in err, 0 when it has none.
func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	return 0
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._@-]`)

// emlName is the file of a message id: its safe characters, plus a hash
// when any had to be replaced, so that two ids never share a file.
func emlName(messageID string) string {
	raw := strings.TrimSuffix(strings.TrimPrefix(messageID, "<"), ">")
	name := unsafeName.ReplaceAllString(raw, "_")
	if name != raw || name == "" || strings.HasPrefix(name, ".") {
		sum := sha256.Sum256([]byte(messageID))
		name = strings.TrimLeft(name, ".") + "-" + hex.EncodeToString(sum[:6])
	}
	return name + ".eml"
}

// writeEML writes the message to <OutboxDir>/<message id>.eml atomically
// (etl/atomicfile: a temporary file beside it, synced, renamed over the
// name). The same message id always lands in the same file.
func (s *Sender) writeEML(messageID string, msg *gomail.Msg) error {
	dir := s.cfg.OutboxDir
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("outbox directory: %w", err)
	}
	err := atomicfile.Write(filepath.Join(dir, emlName(messageID)), 0o600, func(w io.Writer) error {
		_, err := msg.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("write .eml: %w", err)
	}
	return nil
}
