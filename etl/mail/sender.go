package mail

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/returns-project/returns/etl/mail/outmail"
	"github.com/returns-project/returns/etl/redact"
)

// Outbox is what delivery needs from the store. *store.Store implements it.
type Outbox interface {
	// ClaimDueMail claims up to limit rows due at now, leasing them until
	// now+lease, with each row's attempt counted.
	ClaimDueMail(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]outmail.Queued, error)
	// MarkSent records that a claimed row was delivered.
	MarkSent(ctx context.Context, id int64) error
	// MarkRetry reschedules a claimed row for next.
	MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error
	// MarkFailed gives up on a claimed row.
	MarkFailed(ctx context.Context, id int64, errText string) error
}

// TLSPolicy says whether the SMTP connection must be encrypted with STARTTLS.
type TLSPolicy int

const (
	// TLSMandatory refuses to send unless the server offers STARTTLS and the
	// handshake verifies its certificate. The default.
	TLSMandatory TLSPolicy = iota
	// TLSOpportunistic uses STARTTLS when the server offers it.
	TLSOpportunistic
	// TLSNone never uses STARTTLS (a local relay on a trusted host only).
	TLSNone
)

func (p TLSPolicy) String() string {
	switch p {
	case TLSMandatory:
		return "mandatory"
	case TLSOpportunistic:
		return "opportunistic"
	case TLSNone:
		return "none"
	}
	return fmt.Sprintf("TLSPolicy(%d)", int(p))
}

// ParseTLSPolicy reads "mandatory", "opportunistic" or "none".
func ParseTLSPolicy(s string) (TLSPolicy, error) {
	for _, p := range []TLSPolicy{TLSMandatory, TLSOpportunistic, TLSNone} {
		if strings.EqualFold(s, p.String()) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("mail: TLS policy %q: want mandatory, opportunistic or none", s)
}

// Config configures a Sender. Zero fields take the defaults noted on each.
type Config struct {
	// Host is the SMTP server. Empty: no SMTP, every mail is written to
	// OutboxDir as an .eml file.
	Host string
	// Port is the SMTP submission port. Defaults to 587.
	Port int
	// Username and Password authenticate with SMTP AUTH (PLAIN or LOGIN
	// over TLS, or a challenge mechanism the server offers) when Username is
	// set. Prefer PasswordFile: the password is then read from that file
	// (surrounding whitespace trimmed), which must not be readable by group
	// or others. Setting both is an error.
	Username     string
	Password     string
	PasswordFile string
	// From is the sender address. Required when Host is set; defaults to
	// "returns@localhost" for .eml files.
	From string
	// TLS is the STARTTLS policy. Defaults to TLSMandatory.
	TLS TLSPolicy
	// TLSConfig verifies the server (e.g. a private CA in RootCAs). Defaults
	// to the system roots with ServerName = Host.
	TLSConfig *tls.Config
	// Timeout bounds connecting and each SMTP command. Defaults to 30s.
	Timeout time.Duration
	// OutboxDir receives .eml files when Host is empty. Defaults to
	// "var/outbox".
	OutboxDir string
	// MaxAttempts is how many temporary failures a mail may have before it
	// is marked failed. Defaults to 1000 (over three days at BackoffCap
	// 5 min: an SMTP outage of that length still loses nothing, and a mail
	// given up on stays in the outbox, failed, for an administrator).
	MaxAttempts int
	// BackoffBase is the first retry delay. Defaults to 1s.
	BackoffBase time.Duration
	// BackoffCap bounds the retry delay. Defaults to 5m.
	BackoffCap time.Duration
	// BatchSize is how many rows one Deliver pass claims. Defaults to 50.
	BatchSize int
	// Lease is how long a claimed row is ours before another sender may
	// take it (a crashed sender's rows become due again then). Defaults to
	// 10m; a pass stops sending and reschedules its remaining rows when half
	// of it has gone.
	Lease time.Duration
	// DialContext opens the TCP connection. Defaults to a net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// Logger receives delivery outcomes. Defaults to a discarding logger
	// (the command line passes its own).
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	c.Port = cmp.Or(c.Port, 587)
	c.Timeout = cmp.Or(c.Timeout, 30*time.Second)
	c.OutboxDir = cmp.Or(c.OutboxDir, "var/outbox")
	c.MaxAttempts = cmp.Or(c.MaxAttempts, 1000)
	c.BackoffBase = cmp.Or(c.BackoffBase, time.Second)
	c.BackoffCap = cmp.Or(c.BackoffCap, 5*time.Minute)
	c.BatchSize = cmp.Or(c.BatchSize, 50)
	c.Lease = cmp.Or(c.Lease, 10*time.Minute)
	if c.Host == "" {
		c.From = cmp.Or(c.From, "returns@localhost")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Logger = cmp.Or(c.Logger, slog.New(slog.DiscardHandler))
	return c
}

func (c Config) validate() error {
	if c.Host != "" && c.From == "" {
		return errors.New("mail: From is required with an SMTP host")
	}
	if _, err := outmail.ParseRecipient(c.From); err != nil {
		return fmt.Errorf("mail: From: %w", err)
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("mail: port %d out of range", c.Port)
	}
	if c.TLS < TLSMandatory || c.TLS > TLSNone {
		return fmt.Errorf("mail: unknown TLS policy %d", int(c.TLS))
	}
	if c.Password != "" && c.PasswordFile != "" {
		return errors.New("mail: set Password or PasswordFile, not both")
	}
	if c.Password != "" && c.Username == "" {
		return errors.New("mail: a password without a username")
	}
	if c.BackoffBase < 0 || c.BackoffCap < c.BackoffBase || c.Timeout < 0 || c.Lease < 0 || c.MaxAttempts < 0 || c.BatchSize < 0 {
		return errors.New("mail: negative durations or counts, or BackoffCap below BackoffBase")
	}
	return nil
}

// Sender delivers the outbox. It is safe for concurrent use, and several
// senders (in one or several daemons) may deliver one outbox together.
type Sender struct {
	cfg      Config
	password string
	client   *gomail.Client // nil when writing .eml files
}

// NewSender checks cfg, reads the password file and prepares the SMTP
// client. It does not connect.
func NewSender(cfg Config) (*Sender, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Sender{cfg: cfg, password: cfg.Password}
	if cfg.PasswordFile != "" {
		pw, err := readSecret(cfg.PasswordFile)
		if err != nil {
			return nil, err
		}
		s.password = pw
	}
	if cfg.Host == "" {
		return s, nil
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSPolicy(goMailTLS(cfg.TLS)),
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = cfg.Host
	}
	opts = append(opts, gomail.WithTLSConfig(tc))
	if cfg.DialContext != nil {
		opts = append(opts, gomail.WithDialContextFunc(cfg.DialContext))
	}
	if cfg.Username != "" {
		// Autodiscovery picks the strongest mechanism the server offers and
		// never sends PLAIN or LOGIN over an unencrypted connection.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(s.password))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client for %s: %w", cfg.Host, redact.Error(err, s.password))
	}
	s.client = c
	return s, nil
}

func goMailTLS(p TLSPolicy) gomail.TLSPolicy {
	switch p {
	case TLSOpportunistic:
		return gomail.TLSOpportunistic
	case TLSNone:
		return gomail.NoTLS
	}
	return gomail.TLSMandatory
}

// readSecret reads a password file that only its owner may read.
func readSecret(name string) (string, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return "", fmt.Errorf("mail: password file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("mail: password file %s is accessible to group or others (mode %v): chmod 600 it", name, fi.Mode().Perm())
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("mail: password file: %w", err)
	}
	pw := strings.TrimSpace(string(b))
	if pw == "" {
		return "", fmt.Errorf("mail: password file %s is empty", name)
	}
	return pw, nil
}

// backoff is the delay after the attempts-th failed attempt (1-based):
// BackoffBase·2^(attempts-1), capped at BackoffCap, less up to a fifth as
// jitter so that rows failed together spread out (and never below 4/5 of
// the step: no tight loop).
func (s *Sender) backoff(attempts int) time.Duration {
	d := s.cfg.BackoffCap
	if n := attempts - 1; n < 62 && s.cfg.BackoffBase<<n > 0 && s.cfg.BackoffBase<<n < d {
		d = s.cfg.BackoffBase << n
	}
	if d <= 0 {
		return 0
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// Deliver runs one pass of the outbox job: it claims the due rows, sends
// each, and marks it sent, retried or failed. It returns the counts, and an
// error only when the outbox itself failed (claiming or marking rows); send
// failures are outcomes, not errors.
func (s *Sender) Deliver(ctx context.Context, ob Outbox) (sent, retried, failed int, err error) {
	start := s.cfg.Now()
	rows, err := ob.ClaimDueMail(ctx, start, s.cfg.BatchSize, s.cfg.Lease)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("mail: deliver: %w", err)
	}
	if len(rows) == 0 {
		return 0, 0, 0, nil
	}
	s.cfg.Logger.DebugContext(ctx, "mail: pass", slog.Int("claimed", len(rows)))
	p := &pass{s: s}
	defer p.close()
	var errs []error
	for i, q := range rows {
		var res result
		switch {
		case ctx.Err() != nil:
			res = result{retryNow: true, err: fmt.Errorf("not attempted: %w", context.Cause(ctx))}
		case s.cfg.Now().Sub(start) > s.cfg.Lease/2:
			res = result{retryNow: true, err: errors.New("not attempted: the pass ran past half its lease")}
		default:
			res = p.send(ctx, q)
		}
		outcome, merr := s.settle(ctx, ob, q, res)
		switch outcome {
		case "sent":
			sent++
		case "retry":
			retried++
		case "failed":
			failed++
		}
		if merr != nil {
			errs = append(errs, merr)
			if len(errs) >= 3 {
				// The outbox is failing: leave the rest under their lease.
				errs = append(errs, fmt.Errorf("%d rows left to their lease", len(rows)-i-1))
				break
			}
		}
	}
	if len(errs) > 0 {
		err = fmt.Errorf("mail: deliver: %w", errors.Join(errs...))
	}
	return sent, retried, failed, err
}

// result is what became of one send.
type result struct {
	err       error
	permanent bool // a 5xx reply or a mail that cannot be composed
	retryNow  bool // not attempted: due again at once
	code      int  // SMTP reply code, 0 when none
}

// settle marks the row and logs the outcome: "sent", "retry" or "failed".
func (s *Sender) settle(ctx context.Context, ob Outbox, q outmail.Queued, res result) (string, error) {
	// Marking must survive a cancelled pass: the mail is already out.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	log := s.cfg.Logger
	attrs := []any{slog.String("message_id", q.MessageID), slog.String("kind", q.Kind),
		slog.Int("recipient_domains", domainCount(q.To)), slog.Int("attempt", q.Attempts)}
	if res.err == nil {
		log.InfoContext(ctx, "mail: sent", append(attrs, slog.String("status", "sent"))...)
		if err := ob.MarkSent(mctx, q.ID); err != nil {
			return "sent", fmt.Errorf("mark %s sent: %w", q.MessageID, err)
		}
		return "sent", nil
	}
	errText := redact.Error(res.err, s.password).Error()
	attrs = append(attrs, slog.String("error", s.safeError(res)))
	giveUp := !res.permanent && !res.retryNow && q.Attempts >= s.cfg.MaxAttempts
	if res.permanent || giveUp {
		if giveUp {
			errText = fmt.Sprintf("gave up after %d attempts: %s", q.Attempts, errText)
		}
		log.ErrorContext(ctx, "mail: delivery failed, not retried", append(attrs, slog.String("status", "failed"))...)
		if err := ob.MarkFailed(mctx, q.ID, errText); err != nil && !isNotSending(err) {
			return "failed", fmt.Errorf("mark %s failed: %w", q.MessageID, err)
		}
		return "failed", nil
	}
	next := s.cfg.Now()
	if !res.retryNow {
		next = next.Add(s.backoff(q.Attempts))
	}
	log.WarnContext(ctx, "mail: delivery deferred", append(attrs, slog.String("status", "retry"), slog.Time("next_attempt", next))...)
	if err := ob.MarkRetry(mctx, q.ID, next, errText); err != nil && !isNotSending(err) {
		return "retry", fmt.Errorf("mark %s for retry: %w", q.MessageID, err)
	}
	return "retry", nil
}

// isNotSending recognises "another sender settled the row": it is not ours
// to mark any more.
func isNotSending(err error) bool { return errors.Is(err, outmail.ErrNotSending) }

// safeError describes a failure for the logs: the reason and the SMTP code,
// never the server's text (it may quote an address) nor a password.
func (s *Sender) safeError(res result) string {
	var se *gomail.SendError
	if errors.As(res.err, &se) {
		return fmt.Sprintf("%s (smtp %d %s)", se.Reason, se.ErrorCode(), se.EnhancedStatusCode())
	}
	var ne net.Error
	if errors.As(res.err, &ne) {
		if ne.Timeout() {
			return "timeout"
		}
		return "network: " + redact.Error(ne, s.password).Error()
	}
	if res.code != 0 {
		return fmt.Sprintf("smtp %d", res.code)
	}
	var pathErr *fs.PathError
	if errors.As(res.err, &pathErr) {
		return "file: " + pathErr.Op + ": " + pathErr.Err.Error()
	}
	return redact.Error(res.err, s.password).Error()
}

func domainCount(to []string) int {
	seen := map[string]bool{}
	for _, a := range to {
		if p, err := outmail.ParseRecipient(a); err == nil {
			if i := strings.LastIndexByte(p.Address, '@'); i >= 0 {
				seen[strings.ToLower(p.Address[i+1:])] = true
			}
		}
	}
	return len(seen)
}
