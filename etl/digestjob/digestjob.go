// Package digestjob runs the quarterly digest: for each active recipient
// it reads the facts under the recipient's scope (package store, enforced
// by PostgreSQL), builds and renders the digest (package digest) and
// either writes a preview to files or queues the mail in the outbox, once
// per recipient and quarter. [RunQuarterly] is what the daemon's
// quarterly-digest schedule calls.
package digestjob

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/returns-project/returns/etl/digest"
	"github.com/returns-project/returns/etl/domain"
	emailpkg "github.com/returns-project/returns/etl/mail"
	"github.com/returns-project/returns/etl/mail/outmail"
	"github.com/returns-project/returns/etl/store"
)

// XLSXType is the content type of the attachment.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Options configure a digest run. Zero fields take the defaults noted;
// DeadlineDays and Zone have none (they are the configuration's).
type Options struct {
	// SendDay is the day of the month after a quarter on which its digest
	// is due. Defaults to 15.
	SendDay int
	// SendWhenComplete sends before SendDay once every expected return of
	// the quarter is in.
	SendWhenComplete bool
	// IncludePersonalData lets the digest name the people a manager must
	// act on (unmatched transfers, probations ended). Off: counts only.
	IncludePersonalData bool
	// DeadlineDays after the quarter's end its returns are due (on time),
	// and Zone, which reckons quarters and deadlines and shows times: the
	// configuration's deadline_days (0 is valid) and time_zone (required).
	DeadlineDays int
	Zone         *time.Location
	// Recipient limits the run to one address; "" for every active recipient.
	Recipient string
	// Resend queues a new digest even when one was sent for the quarter.
	Resend bool
	// From is the sender of previews (.eml). Defaults to "returns@localhost".
	From string
	// Logger receives outcomes (counts and codes, never names or addresses).
	// Defaults to a discarding logger.
	Logger *slog.Logger
}

// withDefaults fills the defaults; a missing Zone (or negative
// DeadlineDays) is the caller's mistake and an error.
func (o Options) withDefaults() (Options, error) {
	if o.Zone == nil || o.DeadlineDays < 0 {
		return o, fmt.Errorf("digest: Options.Zone is required and DeadlineDays may not be negative (zone %v, %d days)", o.Zone, o.DeadlineDays)
	}
	o.SendDay = cmp.Or(o.SendDay, 15)
	o.From = cmp.Or(o.From, "returns@localhost")
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// ErrNoRecipients is returned when no active recipient (or not the one
// asked for) is in the current recipients list.
var ErrNoRecipients = errors.New("no active recipient")

// Digest is one recipient's rendered digest and its mail.
type Digest struct {
	Recipient store.Recipient
	Digest    *digest.Digest
	Rendered  *digest.Rendered
	Cutoff    time.Time
}

// Mail is the outbox mail of a rendered digest for resend number n: its
// Message-ID and dedupe key are deterministic from the recipient, the
// quarter and n, so queueing it again is the same mail.
func (d *Digest) Mail(q domain.Quarter, n int) outmail.Mail {
	h := sha256.Sum256([]byte(strings.ToLower(d.Recipient.Email)))
	id := fmt.Sprintf("<digest.%s.%d-q%d.%d@returns.digest>", hex.EncodeToString(h[:8]), q.Year, q.Q, n)
	to := (&mail.Address{Name: d.Recipient.Name, Address: d.Recipient.Email}).String()
	return outmail.Mail{
		Kind: "digest", DedupeKey: fmt.Sprintf("digest:%s:%s:%d", q, strings.ToLower(d.Recipient.Email), n), MessageID: id,
		To: []string{to}, Subject: d.Rendered.Subject, Text: d.Rendered.Text, HTML: d.Rendered.HTML,
		Attachments: []outmail.Attachment{
			{Name: "bieu-do.png", ContentType: "image/png", Content: d.Rendered.Chart, ContentID: digest.ChartCID},
			{Name: d.Rendered.XLSXName, ContentType: XLSXType, Content: d.Rendered.XLSX},
		},
	}
}

// recipients lists the active recipients the run is for.
func recipients(ctx context.Context, st *store.Store, opts Options) ([]store.Recipient, error) {
	list, _, err := st.CurrentRecipients(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Recipient
	for _, r := range list {
		if !r.Active {
			continue
		}
		if opts.Recipient != "" && !strings.EqualFold(r.Email, opts.Recipient) {
			continue
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, ErrNoRecipients
	}
	return out, nil
}

// Build reads, builds and renders the digest of quarter q for r.
func Build(ctx context.Context, st *store.Store, q domain.Quarter, r store.Recipient, opts Options) (*Digest, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	f, err := st.DigestFacts(ctx, r.ScopeOrgCode, q, store.FactsOptions{Recipient: r.Email, Personal: opts.IncludePersonalData,
		DeadlineDays: opts.DeadlineDays, Zone: opts.Zone})
	if err != nil {
		return nil, fmt.Errorf("digest %s for scope %s: %w", q, r.ScopeOrgCode, err)
	}
	d := digest.Build(f)
	rd, err := digest.Render(d, digest.RenderOptions{Lang: r.Language, Name: r.Name})
	if err != nil {
		return nil, fmt.Errorf("digest %s for scope %s: %w", q, r.ScopeOrgCode, err)
	}
	return &Digest{Recipient: r, Digest: d, Rendered: rd, Cutoff: f.Cutoff}, nil
}

// Preview writes each recipient's digest of q under dir/<n>-<scope>/ as
// digest.html, digest.txt, the chart PNG, the xlsx and the whole mail as
// digest.eml, queueing nothing. It returns the folders written. One
// recipient's failure does not stop the others': their errors are joined
// and returned after every recipient was tried.
func Preview(ctx context.Context, st *store.Store, q domain.Quarter, dir string, opts Options) ([]string, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	var dirs []string
	n, errs, err := opts.forRecipients(ctx, st, q, "digest: preview failed", func(i int, r store.Recipient) error {
		sub, err := previewOne(ctx, st, q, dir, i, r, opts)
		if err == nil {
			dirs = append(dirs, sub)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	opts.Logger.InfoContext(ctx, "digest: preview written", slog.String("quarter", q.String()), slog.Int("recipients", len(dirs)),
		slog.Int("failed", len(errs)))
	if len(errs) > 0 {
		return dirs, fmt.Errorf("preview: %d of %d digests failed: %w", len(errs), n, errors.Join(errs...))
	}
	return dirs, nil
}

// forRecipients calls one for each recipient of the run, in order, until
// ctx is done. A recipient's failure, logged with failed, does not stop the
// others'. It returns how many recipients the run is for and the errors of
// those that failed (and ctx's, if it ended the run), or the error of
// listing them.
func (opts Options) forRecipients(ctx context.Context, st *store.Store, q domain.Quarter, failed string,
	one func(i int, r store.Recipient) error) (int, []error, error) {
	list, err := recipients(ctx, st, opts)
	if err != nil {
		return 0, nil, err
	}
	var errs []error
	for i, r := range list {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		if err := one(i, r); err != nil {
			opts.Logger.ErrorContext(ctx, failed, slog.String("quarter", q.String()), slog.String("scope", r.ScopeOrgCode),
				slog.String("error", err.Error()))
			errs = append(errs, err)
		}
	}
	return len(list), errs, nil
}

func previewOne(ctx context.Context, st *store.Store, q domain.Quarter, dir string, i int, r store.Recipient, opts Options) (string, error) {
	d, err := Build(ctx, st, q, r, opts)
	if err != nil {
		return "", err
	}
	sub := filepath.Join(dir, fmt.Sprintf("%03d-%s", i+1, digest.SafeName(r.ScopeOrgCode)))
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return "", fmt.Errorf("preview: %w", err)
	}
	// The HTML file shows the chart from the file beside it.
	html := strings.ReplaceAll(d.Rendered.HTML, "cid:"+digest.ChartCID, "bieu-do.png")
	var eml strings.Builder
	if err := emailpkg.WriteMessage(&eml, opts.From, d.Mail(q, 0), d.Cutoff); err != nil {
		return "", fmt.Errorf("preview: %w", err)
	}
	for name, data := range map[string][]byte{"digest.html": []byte(html), "digest.txt": []byte(d.Rendered.Text),
		"bieu-do.png": d.Rendered.Chart, d.Rendered.XLSXName: d.Rendered.XLSX, "digest.eml": []byte(eml.String())} {
		if err := os.WriteFile(filepath.Join(sub, name), data, 0o644); err != nil {
			return "", fmt.Errorf("preview: %w", err)
		}
	}
	return sub, nil
}

// Report counts what [Send] did.
type Report struct {
	Queued, AlreadySent int
	// Failed digests were not queued (their errors are returned); the
	// others were.
	Failed int
}

// Send queues the digest of q for every active recipient (or the one of
// opts.Recipient) in the outbox: once per recipient and quarter unless
// opts.Resend, each with its deterministic Message-ID. One recipient's
// failure does not stop the others': the failures are counted in the
// report and their errors joined and returned after every recipient was
// tried.
func Send(ctx context.Context, st *store.Store, q domain.Quarter, opts Options) (Report, error) {
	var rep Report
	opts, err := opts.withDefaults()
	if err != nil {
		return rep, err
	}
	n, errs, err := opts.forRecipients(ctx, st, q, "digest: not queued", func(_ int, r store.Recipient) error {
		err := sendOne(ctx, st, q, r, opts, &rep)
		if err != nil {
			rep.Failed++
		}
		return err
	})
	if err != nil {
		return rep, err
	}
	if len(errs) > 0 {
		return rep, fmt.Errorf("%d of %d digests not queued: %w", len(errs), n, errors.Join(errs...))
	}
	return rep, nil
}

func sendOne(ctx context.Context, st *store.Store, q domain.Quarter, r store.Recipient, opts Options, rep *Report) error {
	if !opts.Resend {
		// Skip the work of rendering a digest that will not be queued;
		// QueueDigest checks again under its lock.
		sent, err := alreadySent(ctx, st, q, r.Email)
		if err != nil {
			return err
		}
		if sent {
			rep.AlreadySent++
			return nil
		}
	}
	d, err := Build(ctx, st, q, r, opts)
	if err != nil {
		return err
	}
	res, err := st.QueueDigest(ctx, r.Email, q, r.ScopeOrgCode, d.Cutoff, opts.Resend, func(n int) (outmail.Mail, error) {
		return d.Mail(q, n), nil
	})
	if errors.Is(err, store.ErrDigestSent) {
		rep.AlreadySent++
		return nil
	}
	if err != nil {
		return fmt.Errorf("queue digest %s for scope %s: %w", q, r.ScopeOrgCode, err)
	}
	rep.Queued++
	opts.Logger.InfoContext(ctx, "digest: queued", slog.String("quarter", q.String()), slog.String("scope", r.ScopeOrgCode),
		slog.Int64("outbox_id", res.OutboxID), slog.Int("resend", res.Resend))
	return nil
}

func alreadySent(ctx context.Context, st *store.Store, q domain.Quarter, email string) (bool, error) {
	sent, err := st.DigestsSent(ctx, q)
	if err != nil {
		return false, err
	}
	for _, s := range sent {
		if strings.EqualFold(s.Email, email) {
			return true, nil
		}
	}
	return false, nil
}

// RunQuarterly is the daemon's quarterly job: it sends the digest of the
// quarter that ended before now, when it is due: on or after SendDay of the
// month after the quarter, or earlier once every expected return is in
// (SendWhenComplete). Digests already sent are not sent again, so firing it
// twice, or at start-up after a missed run, is safe. It returns nil when
// nothing is due yet.
func RunQuarterly(ctx context.Context, st *store.Store, now time.Time, opts Options) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return err
	}
	q := domain.LastEnded(now, opts.Zone)
	end := q.End(opts.Zone) // the first day of the month after the quarter
	due := time.Date(end.Year(), end.Month(), opts.SendDay, 0, 0, 0, 0, opts.Zone)
	if now.Before(due) {
		if !opts.SendWhenComplete {
			opts.Logger.DebugContext(ctx, "digest: not due yet", slog.String("quarter", q.String()))
			return nil
		}
		missing, err := st.MissingReturns(ctx, q)
		if err != nil {
			return fmt.Errorf("digest: %w", err)
		}
		if missing > 0 {
			opts.Logger.DebugContext(ctx, "digest: not due yet", slog.String("quarter", q.String()), slog.Int("missing_returns", missing))
			return nil
		}
	}
	opts.Resend = false
	rep, err := Send(ctx, st, q, opts)
	if errors.Is(err, ErrNoRecipients) {
		opts.Logger.InfoContext(ctx, "digest: no active recipients", slog.String("quarter", q.String()))
		return nil
	}
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	opts.Logger.InfoContext(ctx, "digest: quarterly run", slog.String("quarter", q.String()), slog.Int("queued", rep.Queued), slog.Int("already_sent", rep.AlreadySent))
	return nil
}
