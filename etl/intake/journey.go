package intake

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/inbox"
	"github.com/returns-project/returns/etl/notify"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/redact"
	"github.com/returns-project/returns/etl/report"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/validate"
)

// Config configures an [Intake]. Store, Inbox and Schemas are required;
// every other zero field takes the default noted on it.
type Config struct {
	// Store is the database. Required.
	Store *store.Store
	// Inbox is the inbox and its state folders. Required.
	Inbox *inbox.Inbox
	// Schemas are the workbook schemas. Required.
	Schemas *schema.Set
	// Zone is the zone the mails show times in (the configuration's
	// time_zone). Required.
	Zone *time.Location
	// Validate tunes validation (limits). Defaults to validate's defaults.
	Validate validate.Options
	// Annotate tunes the annotated workbooks. Defaults to annotate's defaults.
	Annotate annotate.Options
	// Operators receive the answer about a file that cannot be attributed
	// to any organisation (and about quarantined entries likewise).
	// Defaults to none: such a file is recorded as answered to nobody.
	Operators []string
	// MaxAttempts is how many times a file whose processing fails for a
	// reason that is not the environment's (a panic, the time budget, an
	// unknown error, the process killed while on it) is tried before it is
	// rejected as PROCESSING_FAILED. Defaults to 3.
	MaxAttempts int
	// FileTimeout is the time budget for judging and loading one file; past
	// it the attempt fails and counts. Defaults to 10m.
	FileTimeout time.Duration
	// Now is the clock of receipts. Defaults to time.Now.
	Now func() time.Time
	// Logger receives the journey's own warnings (never names). Defaults to
	// a discarding logger (the command line passes its own).
	Logger *slog.Logger

	// judgeHook, when set, runs on the staged copy before it is judged
	// (tests make it panic or fail).
	judgeHook func(st *inbox.Staged) error
	// annotateHook is Options.annotateHook for the inbox's files.
	annotateHook func()
}

func (c Config) withDefaults() Config {
	c.MaxAttempts = cmp.Or(c.MaxAttempts, 3)
	c.FileTimeout = cmp.Or(c.FileTimeout, 10*time.Minute)
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Logger = cmp.Or(c.Logger, slog.New(slog.DiscardHandler))
	if c.Annotate.Logger == nil {
		c.Annotate.Logger = c.Logger
	}
	return c
}

// Intake drives inbox files through their journey. It is safe for
// concurrent use: each call works on its own file.
type Intake struct {
	cfg Config

	// refunds are the attempts owed back to inbox keys whose refund could
	// not be written (the database was down): paid at the key's next try.
	refundMu sync.Mutex
	refunds  map[string]int

	// unrecorded are the quarantined entries whose record failed (the
	// database was down), recorded again by [Intake.RecordPending].
	pendingMu  sync.Mutex
	unrecorded []pendingQuarantine
}

type pendingQuarantine struct {
	q  inbox.Quarantined
	at time.Time
}

// New checks cfg and builds an Intake.
func New(cfg Config) (*Intake, error) {
	c := cfg.withDefaults()
	switch {
	case c.Store == nil:
		return nil, errors.New("intake: config: no Store")
	case c.Inbox == nil:
		return nil, errors.New("intake: config: no Inbox")
	case c.Schemas == nil:
		return nil, errors.New("intake: config: no Schemas")
	case c.Zone == nil:
		return nil, errors.New("intake: config: no Zone")
	case c.MaxAttempts < 1:
		return nil, fmt.Errorf("intake: config: MaxAttempts %d is below 1", c.MaxAttempts)
	}
	return &Intake{cfg: c, refunds: map[string]int{}}, nil
}

// Waiting says why an inbox entry was left in the inbox without a terminal
// state; a later scan offers it again.
type Waiting string

// Why an entry waits.
const (
	// WaitClaimed: another daemon holds the entry's claim.
	WaitClaimed Waiting = "claimed_elsewhere"
	// WaitChanged: the entry changed since the scan (or since it was staged).
	WaitChanged Waiting = "changed"
	// WaitDiffers: its recorded outcome is of other bytes (rewritten in
	// place with its mtime restored); not ours to guess.
	WaitDiffers Waiting = "content_differs"
	// WaitRetry: this attempt failed for a reason that is not the
	// environment's; the file is tried again, at most Config.MaxAttempts
	// times in all, then rejected.
	WaitRetry Waiting = "will_retry"
)

// Fate is what became of one inbox entry. Outcome is set when it reached
// its terminal state; otherwise Waiting says why it stays.
type Fate struct {
	NameHash string
	SHA256   string
	// Outcome is loaded, rejected, duplicate or quarantined; "" when the
	// entry waits.
	Outcome string
	Waiting Waiting
	// Redone is set when only the move was redone from an outcome recorded
	// by an earlier run.
	Redone bool
	Reason reason.Code
	Org    string
	Period string
	// Rows counts the detail rows loaded; Errors and Warnings the issues.
	Rows, Errors, Warnings int
	SubmissionID           int64
	Answered               store.Answered
	// Attempt is the attempt this was (counted in the database per inbox
	// entry); AttemptErr why it failed, for WaitRetry.
	Attempt    int
	AttemptErr error
	Took       time.Duration
}

// InboxKey identifies an inbox entry across restarts and daemons: its path,
// device, inode, size and mtime, hashed (the database never sees the name).
func InboxKey(r inbox.Ready) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d\x00%d\x00%d", r.Rel, r.Dev, r.Ino, r.Size, r.ModTime.UnixNano()))
	return hex.EncodeToString(sum[:])
}

// Take drives one ready inbox entry to its terminal state: claim, stage,
// judge (read, validate, load), record with the result mail, reports, move,
// release. A nil error means the file reached its terminal state or waits
// by design ([Fate.Waiting]); an error is the environment's fault (the
// database or the disk): the file stays in the inbox and the caller backs
// off. Whatever happens, the staged copy is released by one deferred
// decision: kept only by a move that took it.
func (in *Intake) Take(ctx context.Context, r inbox.Ready) (f Fate, err error) {
	start := time.Now()
	f.NameHash = inbox.NameHash(r.Rel)
	defer func() {
		f.Took = time.Since(start)
		if err != nil {
			err = scrub(err, r.Rel, r.Name)
		}
	}()
	key := InboxKey(r)
	claim, err := in.cfg.Store.ClaimFile(ctx, key)
	if err != nil {
		in.cfg.Inbox.Retry(r)
		return f, err
	}
	if claim == nil {
		in.cfg.Inbox.Retry(r)
		f.Waiting = WaitClaimed
		return f, nil
	}
	defer claim.Release(ctx)
	st, err := in.cfg.Inbox.Stage(ctx, r) // hands the file back itself on error
	if errors.Is(err, inbox.ErrChanged) {
		f.Waiting = WaitChanged
		return f, nil
	}
	if err != nil {
		return f, err
	}
	f.SHA256 = st.SHA256
	// The staged copy is released here and only here: a move that took it
	// (or found the entry changed, and dropped it) says so; any other end
	// discards it and hands the file back for a later scan.
	moved := false
	defer func() {
		if !moved {
			if derr := in.cfg.Inbox.Discard(st); derr != nil {
				in.cfg.Logger.ErrorContext(ctx, "intake: discard staged copy", slog.String("id", st.ID), slog.String("error", derr.Error()))
			}
		}
	}()

	if err := in.decide(ctx, st, key, &f, &moved); err != nil {
		return f, err
	}
	if f.Waiting == "" {
		if err := in.cfg.Store.ForgetAttempts(ctx, key); err != nil {
			in.cfg.Logger.WarnContext(ctx, "intake: forget attempts", slog.String("error", err.Error()))
		}
	}
	return f, nil
}

// decide takes the staged file st of the inbox entry key to its terminal
// state: the move only, when an earlier run recorded its outcome; else one
// more attempt (counted), judged or, past Config.MaxAttempts, given up,
// then moved. An attempt that fails for the file's own reasons leaves
// f.Waiting set and returns nil; an error is the environment's, and its
// attempt does not count.
func (in *Intake) decide(ctx context.Context, st *inbox.Staged, key string, f *Fate, moved *bool) error {
	rec, err := in.cfg.Store.OutcomeOf(ctx, key)
	if err != nil {
		return err
	}
	if rec != nil {
		return in.redo(ctx, st, rec, f, moved)
	}
	att, err := in.cfg.Store.BeginAttempt(ctx, key)
	if err != nil {
		return err
	}
	if owed := in.owed(key); owed > 0 {
		if err := in.cfg.Store.RefundAttempts(ctx, key, owed); err != nil {
			in.owe(key, owed)
			return err
		}
		att.N = max(att.N-owed, 1)
	}
	f.Attempt = att.N
	var res *Result
	if att.N > in.cfg.MaxAttempts {
		res, err = in.giveUp(ctx, st, key, att)
	} else {
		res, err = in.judge(ctx, st, key)
	}
	if err != nil {
		if !errors.Is(err, ErrBudget) && (store.Unavailable(err) || ctx.Err() != nil) {
			// Not the file's fault: the attempt does not count.
			if rerr := in.cfg.Store.RefundAttempts(context.WithoutCancel(ctx), key, 1); rerr != nil {
				in.owe(key, 1) // paid back at the key's next try
			}
			return err
		}
		err = scrub(err, st.Rel, st.Name)
		if ferr := in.cfg.Store.FailAttempt(ctx, key, err.Error()); ferr != nil {
			return ferr
		}
		f.Waiting, f.AttemptErr = WaitRetry, err
		return nil
	}
	f.decided(res)
	return in.move(ctx, st, res, moved)
}

// decided fills f from the result of its file.
func (f *Fate) decided(res *Result) {
	f.Outcome, f.Reason, f.Org, f.Period = string(res.Outcome), res.Reason, res.Org, res.Period
	f.Errors, f.Warnings, f.SubmissionID, f.Answered = res.Errors, res.Warnings, res.SubmissionID, res.Answered
	if f.Org == "" {
		f.Org = res.Attribution.Org
	}
	if res.Outcome == domain.Loaded {
		for _, n := range res.Rows {
			f.Rows += n
		}
	}
}

// ErrBudget is the error of an attempt that exceeded its time budget
// ([Config.FileTimeout]): the file's fault, counted as an attempt.
var ErrBudget = errors.New("time budget exceeded")

// owe notes an attempt to refund to key at its next try.
func (in *Intake) owe(key string, n int) {
	in.refundMu.Lock()
	in.refunds[key] += n
	in.refundMu.Unlock()
}

// owed takes the attempts owed to key.
func (in *Intake) owed(key string) int {
	in.refundMu.Lock()
	defer in.refundMu.Unlock()
	n := in.refunds[key]
	delete(in.refunds, key)
	return n
}

// judge reads, validates and loads the staged copy within the time budget,
// recording the outcome with its result mail. A panic on this file is an
// error of this attempt, never the daemon's end.
func (in *Intake) judge(ctx context.Context, st *inbox.Staged, key string) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("panic while judging the file: %v", p)
			in.cfg.Logger.ErrorContext(ctx, "intake: panic while judging a file", slog.String("sha", short(st.SHA256)),
				slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(clipStack(debug.Stack()))))
		}
	}()
	if in.cfg.judgeHook != nil {
		if err := in.cfg.judgeHook(st); err != nil {
			return nil, err
		}
	}
	jctx, cancel := context.WithTimeout(ctx, in.cfg.FileTimeout)
	defer cancel()
	f, err := os.Open(st.Path)
	if err != nil {
		return nil, fmt.Errorf("reopen staged copy: %w", err)
	}
	defer f.Close()
	res, err = JudgeReader(jctx, f, st.Size, st.SHA256, in.cfg.Schemas, in.cfg.Store, in.options(st, key))
	if err != nil && ctx.Err() == nil && errors.Is(jctx.Err(), context.DeadlineExceeded) {
		// Whatever the error says (the database reports the cancelled
		// statement), the file used up its budget: its own fault.
		return nil, fmt.Errorf("%w (%s)", ErrBudget, in.cfg.FileTimeout)
	}
	return res, err
}

func (in *Intake) options(st *inbox.Staged, key string) Options {
	return Options{Validate: in.cfg.Validate, ReceivedAt: in.cfg.Now(), FileName: st.Name, Notify: true, Zone: in.cfg.Zone,
		Operators: in.cfg.Operators, OrgHint: st.Org, Annotate: in.cfg.Annotate, KeepAnnotated: true, InboxKey: key,
		annotateHook: in.cfg.annotateHook}
}

// giveUp rejects a file whose processing failed MaxAttempts times for
// reasons that were not the environment's, as PROCESSING_FAILED, without
// reading it again: the answer says what to do, the explanation workbook
// goes with it.
func (in *Intake) giveUp(ctx context.Context, st *inbox.Staged, key string, att store.Attempt) (*Result, error) {
	code := reason.ProcessingFailed
	vres := &validate.Result{File: st.Name, SHA256: st.SHA256, Template: domain.ReturnTemplate, Status: validate.Rejected, Reason: code,
		Rows: map[string]int{}, Errors: 1, Detail: fmt.Sprintf("%d attempts; last: %s", att.N-1, att.LastError),
		Issues: []validate.Issue{{Rule: string(code), Severity: schema.Error,
			Message: schema.Text{VI: code.Title("vi"), EN: code.Title("en")}, Hint: schema.Text{VI: code.Fix("vi"), EN: code.Fix("en")}}}}
	res := &Result{Result: vres, Outcome: domain.Rejected}
	opts := in.options(st, key)
	meta := store.FileMeta{SHA256: st.SHA256, FileName: st.Name, ReceivedAt: opts.ReceivedAt, InboxKey: key}
	in.cfg.Logger.WarnContext(ctx, "intake: giving up on a file after repeated failures", slog.String("sha", short(st.SHA256)),
		slog.Int("attempts", att.N-1), slog.String("last_error", att.LastError))
	if err := recordRejected(ctx, in.cfg.Store, meta, res, opts, nil, 0); err != nil {
		return nil, err
	}
	return res, nil
}

// move takes the original out of the inbox after its outcome was recorded:
// to archive/<year>-Q<q>/<org>/ when loaded or a duplicate, to rejected/
// with its reports otherwise. A file changed in the inbox since it was
// staged stays there for the next scan (a new entry); the outcome stays
// recorded for the old one.
func (in *Intake) move(ctx context.Context, st *inbox.Staged, res *Result, moved *bool) error {
	var err error
	switch res.Outcome {
	case domain.Loaded, domain.Duplicate:
		_, err = in.cfg.Inbox.Archive(ctx, st, res.Year, res.Quarter, res.Org)
	default:
		var reports map[string][]byte
		reports, err = rejectReports(res)
		if err == nil {
			_, err = in.cfg.Inbox.Reject(ctx, st, reports)
		}
	}
	if err == nil || errors.Is(err, inbox.ErrChanged) {
		*moved = true // the move took the copy, or dropped it for a changed entry
		return nil
	}
	return err
}

// ReportKeys name the reports beside a rejected original x.xlsx
// (inbox.ReportName): x.loi.txt (Vietnamese), x.json and x.loi.xlsx (the
// annotated workbook, the name the result mail gives it too).
var ReportKeys = []string{"loi.txt", "json", "loi.xlsx"}

// rejectReports are the reports of a rejected file: the Vietnamese text
// report, the JSON report and, when one was built, the annotated workbook.
func rejectReports(res *Result) (map[string][]byte, error) {
	var txt, js bytes.Buffer
	if err := report.WriteText(&txt, res.Result, "vi"); err != nil {
		return nil, fmt.Errorf("text report: %w", err)
	}
	jr := report.JSON(res.Result, "vi")
	jr.Status = string(domain.Rejected)
	if err := report.WriteJSONResult(&js, jr); err != nil {
		return nil, fmt.Errorf("json report: %w", err)
	}
	reports := map[string][]byte{ReportKeys[0]: txt.Bytes(), ReportKeys[1]: js.Bytes()}
	if res.Annotated != nil {
		reports[ReportKeys[2]] = res.Annotated
	}
	return reports, nil
}

// redo finishes a file whose outcome was recorded by an earlier run that
// did not live to move it: the move is redone from the record; nothing is
// judged, loaded or mailed again.
func (in *Intake) redo(ctx context.Context, st *inbox.Staged, rec *store.RecordedOutcome, f *Fate, moved *bool) error {
	f.Org, f.Outcome, f.Reason, f.Redone = rec.Org, rec.Outcome, reason.Code(rec.Reason), true
	if rec.SHA256 != st.SHA256 {
		f.Outcome, f.Redone, f.Waiting = "", false, WaitDiffers
		return nil
	}
	if rec.Outcome == string(domain.Loaded) || rec.Outcome == string(domain.Duplicate) {
		return in.move(ctx, st, &Result{Result: &validate.Result{Org: rec.Org, Year: rec.Year, Quarter: rec.Quarter}, Outcome: domain.Outcome(rec.Outcome)}, moved)
	}
	// The reports are written again from a validation of the same bytes (no
	// database rules: the verdict stays the recorded one).
	res := &Result{Result: in.revalidate(ctx, st, rec), Outcome: domain.Rejected}
	if annotate.Needed(res.Result) {
		if r, err := os.Open(st.Path); err == nil {
			opts := in.options(st, "")
			res.Annotated = annotated(ctx, r, st.Size, res.Result, opts)
			r.Close()
		}
	}
	// Reports of an earlier attempt cut short before the original moved.
	if _, err := in.cfg.Inbox.DropOrphanReports(st, ReportKeys...); err != nil {
		return err
	}
	return in.move(ctx, st, res, moved)
}

// revalidate validates the staged copy again, without the database, for
// the reports of a recorded rejection; when that fails (the file that
// made an earlier run panic), the reports say the recorded reason alone.
func (in *Intake) revalidate(ctx context.Context, st *inbox.Staged, rec *store.RecordedOutcome) (res *validate.Result) {
	code := reason.Code(rec.Reason)
	fallback := func() *validate.Result {
		return &validate.Result{File: st.Name, SHA256: st.SHA256, Template: domain.ReturnTemplate, Status: validate.Rejected, Reason: code,
			Rows: map[string]int{}, Org: rec.Org, Year: rec.Year, Quarter: rec.Quarter, Errors: 1,
			Issues: []validate.Issue{{Rule: string(code), Severity: schema.Error,
				Message: schema.Text{VI: code.Title("vi"), EN: code.Title("en")}, Hint: schema.Text{VI: code.Fix("vi"), EN: code.Fix("en")}}}}
	}
	if code == reason.ProcessingFailed || code == reason.ValueRefused {
		return fallback()
	}
	defer func() {
		if p := recover(); p != nil {
			res = fallback()
		}
	}()
	f, err := os.Open(st.Path)
	if err != nil {
		return fallback()
	}
	defer f.Close()
	vres, err := validate.CheckReader(ctx, f, st.Size, in.cfg.Schemas, in.cfg.Validate)
	if err != nil {
		return fallback()
	}
	vres.File, vres.SHA256 = st.Name, st.SHA256
	return vres
}

// Quarantined answers and records an entry the scan moved to quarantine/
// without opening it: the organisation its folder or name points to is
// told (else the operators), and the board shows it. An error is the
// database's: the entry is in quarantine/ with its reason file either way,
// and its record is kept for [Intake.RecordPending].
func (in *Intake) Quarantined(ctx context.Context, q inbox.Quarantined) (Fate, error) {
	at := in.cfg.Now()
	f, err := in.quarantined(ctx, q, at)
	if err != nil {
		in.pendingMu.Lock()
		in.unrecorded = append(in.unrecorded, pendingQuarantine{q: q, at: at})
		in.pendingMu.Unlock()
	}
	return f, err
}

// RecordPending records again the quarantined entries whose record failed
// earlier (the database was down); the daemon calls it before each scan.
// It returns the fates recorded now; those that fail again stay pending.
func (in *Intake) RecordPending(ctx context.Context) ([]Fate, error) {
	in.pendingMu.Lock()
	pending := in.unrecorded
	in.unrecorded = nil
	in.pendingMu.Unlock()
	var (
		fates []Fate
		errs  []error
		left  []pendingQuarantine
	)
	for _, p := range pending {
		f, err := in.quarantined(ctx, p.q, p.at)
		if err != nil {
			errs, left = append(errs, err), append(left, p)
			continue
		}
		fates = append(fates, f)
	}
	if len(left) > 0 {
		in.pendingMu.Lock()
		in.unrecorded = append(left, in.unrecorded...)
		in.pendingMu.Unlock()
	}
	return fates, errors.Join(errs...)
}

func (in *Intake) quarantined(ctx context.Context, q inbox.Quarantined, at time.Time) (Fate, error) {
	f := Fate{NameHash: inbox.NameHash(q.Rel), Outcome: string(domain.Quarantined), Reason: reason.Code(q.Reason)}
	name := path.Base(q.Dest)
	folder := ""
	if dir, _, ok := strings.Cut(q.Rel, "/"); ok {
		folder = dir
	}
	n := notify.Quarantined{Name: name, Reason: reason.Code(q.Reason), At: at, Zone: in.cfg.Zone}
	qf := store.QuarantinedFile{FileName: name, Reason: string(q.Reason), ReceivedAt: n.At, Answered: store.AnsweredNone}
	var to []string
	for _, a := range Candidates(folder, nil, name) {
		got, err := in.cfg.Store.Contacts(ctx, a.Org)
		if err != nil {
			return f, err
		}
		if len(got) > 0 {
			to, n.Org, qf.Answered = got, a.Org, store.AnsweredContacts
			break
		}
	}
	a := Attribute(folder, nil, name)
	qf.Org, qf.Year, qf.Quarter = cmp.Or(n.Org, a.Org), a.Year, a.Quarter
	f.Org = qf.Org
	if to == nil && len(in.cfg.Operators) > 0 {
		to, n.Operators, qf.Answered = in.cfg.Operators, true, store.AnsweredOperators
	}
	f.Answered = qf.Answered
	var mails []store.Mail
	if to != nil {
		m, err := notify.QuarantineMail(n, to)
		if err != nil {
			return f, err
		}
		mails = append(mails, m)
	}
	return f, in.cfg.Store.RecordQuarantined(ctx, qf, mails...)
}

// scrub replaces the file's path and name in an error's text by their
// hash, so that no person's name reaches a log line.
func scrub(err error, names ...string) error {
	return redact.Replace(err, func(n string) string { return "<" + inbox.NameHash(n) + ">" }, names...)
}
