package intake_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/inbox"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/samples/generate"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const operator = "ops@returns.test"

type bundle struct {
	url   string
	st    *store.Store
	set   *schema.Set
	ib    *inbox.Inbox
	state string
	p     *generate.Province
}

func setup(t *testing.T) *bundle {
	t.Helper()
	set := sharedtest.Schemas(t)
	url := storetest.URL(t)
	st, err := store.Open(context.Background(), store.Config{URL: url})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	state := t.TempDir()
	ib, err := inbox.New(&inbox.Config{StateDir: state, MinAge: time.Nanosecond, StableScans: 1})
	require.NoError(t, err)
	t.Cleanup(func() { ib.Close() })
	b := &bundle{url: url, st: st, set: set, ib: ib, state: state, p: generate.Generate(1)}
	seedRegistry(t, st, b.p)
	return b
}

func (b *bundle) intake(t *testing.T, mod func(c intake.Config) intake.Config) *intake.Intake {
	t.Helper()
	c := intake.Config{Store: b.st, Inbox: b.ib, Schemas: b.set, Zone: time.FixedZone("ICT", 7*60*60), Operators: []string{operator}}
	if mod != nil {
		c = mod(c)
	}
	in, err := intake.New(c)
	require.NoError(t, err)
	return in
}

// seedRegistry writes the fictional province's registry straight into the
// registry tables.
func seedRegistry(t *testing.T, st *store.Store, p *generate.Province) {
	t.Helper()
	db := st.DB()
	var v int64
	require.NoError(t, db.Get(&v, `INSERT INTO returns.registry_version (sha256, file_name, org_count) VALUES ('seed', 'seed', $1) RETURNING id`, len(p.Orgs)))
	qidx := func(d time.Time) int { return d.Year()*4 + (int(d.Month())-1)/3 }
	for i, o := range p.Orgs {
		var to, parent, succ any
		if !o.ValidTo.IsZero() {
			to = qidx(o.ValidTo)
		}
		if o.ParentCode != "" {
			parent = o.ParentCode
		}
		if o.Successor != "" {
			succ = o.Successor
		}
		_, err := db.Exec(`INSERT INTO returns.org_unit (registry_version_id, code, name, org_type, parent_code, valid_from_q, valid_to_q, successor_code, contact_emails, source_row)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ARRAY[$9], $10)`, v, o.Code, o.Name, o.Type, parent, qidx(o.ValidFrom), to, succ, o.Email, i+3)
		require.NoError(t, err)
	}
}

func write(t *testing.T, r *generate.Return) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, generate.WriteReturn(&buf, r, generate.WriteOptions{}))
	return buf.Bytes()
}

func drop(t *testing.T, state, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(state, "inbox", rel)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, data, 0o644))
}

// scan scans until the inbox offers want ready files and has quarantined
// wantQ entries (the scan needs two looks at an entry).
func (b *bundle) scan(t *testing.T, want, wantQ int) ([]inbox.Ready, []inbox.Quarantined) {
	t.Helper()
	var ready []inbox.Ready
	var quarantined []inbox.Quarantined
	for range 50 {
		r, q, err := b.ib.Scan(context.Background())
		require.NoError(t, err)
		ready, quarantined = append(ready, r...), append(quarantined, q...)
		if len(ready) >= want && len(quarantined) >= wantQ {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.Len(t, ready, want, "ready files")
	require.Len(t, quarantined, wantQ, "quarantined entries")
	return ready, quarantined
}

type mailRow struct {
	Kind     string         `db:"kind"`
	To       pq.StringArray `db:"recipients"`
	Subject  string         `db:"subject"`
	Text     string         `db:"body_text"`
	Attached int            `db:"attached"`
}

func mails(t *testing.T, st *store.Store) []mailRow {
	t.Helper()
	var rows []mailRow
	require.NoError(t, st.DB().Select(&rows, `SELECT kind, recipients, subject, body_text,
		(SELECT count(*) FROM returns.outbox_attachment a WHERE a.outbox_id = o.id) AS attached FROM returns.outbox o ORDER BY id`))
	return rows
}

type eventRow struct {
	Outcome  string         `db:"outcome"`
	Reason   sql.NullString `db:"reason"`
	Org      sql.NullString `db:"org_code"`
	Year     sql.NullInt64  `db:"year"`
	Answered sql.NullString `db:"answered"`
}

func event(t *testing.T, st *store.Store, fileName string) eventRow {
	t.Helper()
	var e eventRow
	require.NoError(t, st.DB().Get(&e, `SELECT outcome, reason, org_code, year, answered FROM returns.file_event WHERE file_name = $1`, fileName))
	return e
}

func count(t *testing.T, st *store.Store, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, st.DB().Get(&n, q, args...))
	return n
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// brokenReturn is a return of org whose balance does not add up (TH-01).
func (b *bundle) brokenReturn(t *testing.T) (*generate.Return, []byte) {
	t.Helper()
	last := b.p.Quarters[len(b.p.Quarters)-1]
	r := *b.p.ReturnsIn(last)[0]
	r.Info.MembersEndOfficial++
	return &r, write(t, &r)
}

// withAdmissions is a return of the latest quarter with admissions.
func (b *bundle) withAdmissions(t *testing.T, skip int) *generate.Return {
	t.Helper()
	last := b.p.Quarters[len(b.p.Quarters)-1]
	for _, r := range b.p.ReturnsIn(last) {
		if len(r.Admissions) > 0 {
			if skip == 0 {
				return r
			}
			skip--
		}
	}
	t.Fatal("no return with admissions")
	return nil
}

// TestAnnotationPanicStillAnswered: the spreadsheet library panicking
// while annotating a file (here through the hook) costs the file neither
// its verdict nor its answer: it is rejected at once with its reports, and
// the explanation workbook (the issue list alone) goes with the mail.
func TestAnnotationPanicStillAnswered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var panics atomic.Int32
	in := b.intake(t, func(c intake.Config) intake.Config {
		return intake.WithAnnotateHook(c, func() { panics.Add(1); panic("excelize: index out of range (test)") })
	})
	r, data := b.brokenReturn(t)
	name := r.FileName()
	drop(t, b.state, filepath.Join(r.Org.Code, name), data)
	ready, _ := b.scan(t, 1, 0)
	f, err := in.Take(context.Background(), ready[0])
	require.NoError(t, err)
	require.Positive(t, panics.Load(), "the annotation panicked")
	require.Equal(t, "rejected", f.Outcome, "%+v", f)
	require.Equal(t, "INVALID_DATA", string(f.Reason))
	require.Equal(t, store.AnsweredContacts, f.Answered)
	rej := filepath.Join(b.state, "rejected", name)
	require.True(t, exists(rej))
	stem := strings.TrimSuffix(rej, ".xlsx")
	for _, ext := range []string{".loi.txt", ".json", ".loi.xlsx"} {
		require.True(t, exists(stem+ext), "report %s", ext)
	}
	// The workbook kept is the explanation (the issue list), not the
	// operator's sheets.
	x, err := excelize.OpenFile(stem + ".loi.xlsx")
	require.NoError(t, err)
	require.NotContains(t, x.GetSheetList(), "KetNap")
	x.Close()
	ms := mails(t, b.st)
	require.Len(t, ms, 1)
	require.Equal(t, []string{r.Org.Email}, []string(ms[0].To))
	require.Equal(t, 1, ms[0].Attached, "the explanation workbook is attached")
	require.Empty(t, entries(t, filepath.Join(b.state, "staging")))
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// TestPanicWhileJudgingRejectedAfterAttempts: a file whose judging panics
// every time is tried three times (counted per inbox entry in PostgreSQL),
// while another file goes on, then rejected as PROCESSING_FAILED without
// being read again, answered (here to the operators: nothing says whose it
// is) and listed among the files needing attention.
func TestPanicWhileJudgingRejectedAfterAttempts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var judged atomic.Int32
	in := b.intake(t, func(c intake.Config) intake.Config {
		return intake.WithJudgeHook(c, func(st *inbox.Staged) error {
			if st.Name == "poison.xlsx" {
				judged.Add(1)
				panic("runtime error: invalid memory address (test)")
			}
			return nil
		})
	})
	good := b.withAdmissions(t, 0)
	drop(t, b.state, "poison.xlsx", write(t, b.withAdmissions(t, 1)))
	drop(t, b.state, good.FileName(), write(t, good))
	ready, _ := b.scan(t, 2, 0)
	for attempt := 1; attempt <= 3; attempt++ {
		for _, r := range ready {
			f, err := in.Take(context.Background(), r)
			require.NoError(t, err, "a file's own fault is not the environment's")
			if r.Name == "poison.xlsx" {
				require.Equal(t, intake.WaitRetry, f.Waiting, "%+v", f)
				require.Equal(t, attempt, f.Attempt)
				require.ErrorContains(t, f.AttemptErr, "panic")
			} else {
				require.Equal(t, "loaded", f.Outcome, "the other file goes on")
			}
		}
		require.Equal(t, int32(attempt), judged.Load(), "the panic happened")
		require.True(t, exists(filepath.Join(b.state, "inbox", "poison.xlsx")), "the file waits in the inbox")
		ready, _ = b.scan(t, 1, 0)
	}
	f, err := in.Take(context.Background(), ready[0])
	require.NoError(t, err)
	require.Equal(t, "rejected", f.Outcome)
	require.Equal(t, "PROCESSING_FAILED", string(f.Reason))
	require.Equal(t, int32(3), judged.Load(), "not read again once given up")
	require.Equal(t, store.AnsweredOperators, f.Answered)
	require.True(t, exists(filepath.Join(b.state, "rejected", "poison.loi.txt")))
	require.True(t, exists(filepath.Join(b.state, "rejected", "poison.loi.xlsx")), "the explanation workbook")
	require.Zero(t, count(t, b.st, `SELECT count(*) FROM returns.file_attempt`), "attempts forgotten at the terminal state")
	e := event(t, b.st, "poison.xlsx")
	require.Equal(t, "PROCESSING_FAILED", e.Reason.String)
	require.False(t, e.Org.Valid)
	ms := mails(t, b.st)
	var toOps int
	for _, m := range ms {
		if len(m.To) == 1 && m.To[0] == operator {
			toOps++
			require.Contains(t, m.Text, "Không xác định được đơn vị")
		}
	}
	require.Equal(t, 1, toOps, "the operators are told")
	att, err := b.st.AttentionFiles(context.Background(), time.Now().Add(-time.Hour))
	require.NoError(t, err)
	require.Len(t, att, 1)
	require.Equal(t, "poison.xlsx", att[0].FileName)
}

// TestValueRefusedRejected: a value the database refuses (SQLSTATE 22003,
// numeric value out of range, raised here by a trigger on the admissions
// table so that the test does not hang on the schemas' ranges) rejects the
// file at once as VALUE_REFUSED, loads nothing and answers its
// organisation.
func TestValueRefusedRejected(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.st.DB().Exec(`CREATE FUNCTION returns.refuse_admission() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'integer out of range' USING ERRCODE = '22003'; END $$;
		CREATE TRIGGER refuse BEFORE INSERT ON returns.admission FOR EACH ROW EXECUTE FUNCTION returns.refuse_admission()`)
	require.NoError(t, err)
	in := b.intake(t, nil)
	r := b.withAdmissions(t, 0)
	drop(t, b.state, r.FileName(), write(t, r))
	ready, _ := b.scan(t, 1, 0)
	f, err := in.Take(context.Background(), ready[0])
	require.NoError(t, err)
	require.Equal(t, "rejected", f.Outcome, "%+v", f)
	require.Equal(t, "VALUE_REFUSED", string(f.Reason))
	require.Equal(t, 1, f.Attempt)
	require.Zero(t, count(t, b.st, `SELECT count(*) FROM returns.submission`), "nothing loaded")
	require.Zero(t, count(t, b.st, `SELECT count(*) FROM returns.ledger`))
	var msg string
	require.NoError(t, b.st.DB().Get(&msg, `SELECT message_vi FROM returns.validation_issue WHERE rule_id = 'VALUE_REFUSED'`))
	require.Contains(t, msg, "KetNap", "the refusal says where")
	e := event(t, b.st, r.FileName())
	require.Equal(t, r.Org.Code, e.Org.String)
	ms := mails(t, b.st)
	require.Len(t, ms, 1)
	require.Equal(t, []string{r.Org.Email}, []string(ms[0].To))
	require.Contains(t, ms[0].Text, "VALUE_REFUSED")
	require.True(t, exists(filepath.Join(b.state, "rejected", strings.TrimSuffix(r.FileName(), ".xlsx")+".loi.txt")))
}

// TestDatabaseOutageWaits: the database going away while a file is judged
// is the environment's fault: Take says so, the file stays in the inbox,
// nothing is left in staging, and the attempt does not count against the
// file (it is refunded at its next try, the database being down when it
// failed); once the database is back the file is loaded.
func TestDatabaseOutageWaits(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, err := url.Parse(b.url)
	require.NoError(t, err)
	db := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres" // ALLOW_CONNECTIONS cannot be changed from inside the database
	admin, err := sql.Open("postgres", u.String())
	require.NoError(t, err)
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	var cut atomic.Int32
	in := b.intake(t, func(c intake.Config) intake.Config {
		return intake.WithJudgeHook(c, func(*inbox.Staged) error {
			if cut.Add(1) == 1 {
				_, err := conn.ExecContext(ctx, `ALTER DATABASE `+pq.QuoteIdentifier(db)+` ALLOW_CONNECTIONS false`)
				require.NoError(t, err)
				_, err = conn.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, db)
				require.NoError(t, err)
			}
			return nil
		})
	})
	r := b.withAdmissions(t, 0)
	drop(t, b.state, r.FileName(), write(t, r))
	ready, _ := b.scan(t, 1, 0)
	f, err := in.Take(ctx, ready[0])
	require.Error(t, err, "the outage is reported")
	require.True(t, store.Unavailable(err), "as the environment's fault: %v", err)
	require.Empty(t, f.Outcome)
	require.True(t, exists(filepath.Join(b.state, "inbox", r.FileName())), "the file waits in the inbox")
	require.Empty(t, entries(t, filepath.Join(b.state, "staging")))
	// An entry quarantined while the database is down is recorded once it
	// is back.
	require.NoError(t, syscall.Mkfifo(filepath.Join(b.state, "inbox", "ong.xlsx"), 0o644))
	ready, quarantined := b.scan(t, 1, 1)
	_, err = in.Quarantined(ctx, quarantined[0])
	require.Error(t, err)
	_, err = in.RecordPending(ctx)
	require.Error(t, err, "still down")

	_, err = conn.ExecContext(ctx, `ALTER DATABASE `+pq.QuoteIdentifier(db)+` ALLOW_CONNECTIONS true`)
	require.NoError(t, err)
	fates, err := in.RecordPending(ctx)
	require.NoError(t, err)
	require.Len(t, fates, 1)
	require.Equal(t, "SPECIAL_FILE", event(t, b.st, "ong.xlsx").Reason.String)
	fates, err = in.RecordPending(ctx)
	require.NoError(t, err)
	require.Empty(t, fates, "recorded once")
	f, err = in.Take(ctx, ready[0])
	require.NoError(t, err)
	require.Equal(t, "loaded", f.Outcome)
	require.Equal(t, 1, f.Attempt, "the attempt cut by the outage did not count")
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.ledger`))
}

// TestEveryFileAnswered: whatever enters the inbox, someone is told and
// the board has it: an unreadable file is attributed by its folder, else
// by the file-name convention, else answered to the operators; entries
// quarantined unopened (a link, a pipe) are answered and recorded too.
func TestEveryFileAnswered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := b.intake(t, nil)
	last := b.p.Quarters[len(b.p.Quarters)-1]
	rs := b.p.ReturnsIn(last)
	byFolder, byName, byLink := rs[0].Org, rs[1].Org, rs[2].Org
	junk := []byte("not a workbook\n")
	drop(t, b.state, filepath.Join(byFolder.Code, "tep-hong.xlsx"), junk)
	drop(t, b.state, "BCQ_"+byName.Code+"_2025Q3.xlsx", junk)
	drop(t, b.state, "khong-ro.xlsx", junk)
	require.NoError(t, os.MkdirAll(filepath.Join(b.state, "inbox", byLink.Code), 0o755))
	require.NoError(t, os.Symlink("/etc/hostname", filepath.Join(b.state, "inbox", byLink.Code, "lienket.xlsx")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(b.state, "inbox", "ong.xlsx"), 0o644))

	ready, quarantined := b.scan(t, 3, 2)
	for _, r := range ready {
		f, err := in.Take(context.Background(), r)
		require.NoError(t, err)
		require.Equal(t, "rejected", f.Outcome)
		require.Equal(t, "NOT_XLSX", string(f.Reason))
	}
	for _, q := range quarantined {
		f, err := in.Quarantined(context.Background(), q)
		require.NoError(t, err)
		require.Equal(t, "quarantined", f.Outcome)
	}
	want := map[string]struct {
		org, answered, reason string
		to                    string
	}{
		"tep-hong.xlsx":                       {byFolder.Code, "contacts", "NOT_XLSX", byFolder.Email},
		"BCQ_" + byName.Code + "_2025Q3.xlsx": {byName.Code, "contacts", "NOT_XLSX", byName.Email},
		"khong-ro.xlsx":                       {"", "operators", "NOT_XLSX", operator},
		"lienket.xlsx":                        {byLink.Code, "contacts", "SYMLINK", byLink.Email},
		"ong.xlsx":                            {"", "operators", "SPECIAL_FILE", operator},
	}
	for name, w := range want {
		e := event(t, b.st, name)
		require.Equal(t, w.org, e.Org.String, name)
		require.Equal(t, w.answered, e.Answered.String, name)
		require.Equal(t, w.reason, e.Reason.String, name)
	}
	require.Equal(t, int64(2025), event(t, b.st, "BCQ_"+byName.Code+"_2025Q3.xlsx").Year.Int64, "the period from the name")
	ms := mails(t, b.st)
	require.Len(t, ms, len(want), "one answer per file")
	got := map[string]int{}
	for _, m := range ms {
		require.Len(t, m.To, 1)
		got[m.To[0]]++
	}
	for _, w := range want {
		require.Positive(t, got[w.to], "%s is told", w.to)
	}
	att, err := b.st.AttentionFiles(context.Background(), time.Now().Add(-time.Hour))
	require.NoError(t, err)
	names := map[string]bool{}
	for _, a := range att {
		names[a.FileName] = true
	}
	require.Equal(t, map[string]bool{"khong-ro.xlsx": true, "lienket.xlsx": true, "ong.xlsx": true}, names,
		"quarantined and unattributed files need attention")
}

func TestFromFileName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]intake.Attribution{
		"BCQ_GD-KCQ-001_2025Q3.xlsx":      {Org: "GD-KCQ-001", Year: 2025, Quarter: 3, From: "name"},
		"bcq-gd-kcq-001-2025-q4 (2).xlsx": {Org: "GD-KCQ-001", Year: 2025, Quarter: 4, From: "name"},
		"BCQ_GD-KCQ-001_2025Q5.xlsx":      {},
		"bao-cao.xlsx":                    {},
	} {
		got, _ := intake.FromFileName(name)
		require.Equal(t, want, got, name)
	}
}

// TestCountAboveInt32IsAnswered: a count of 3,000,000,000 (above the
// integer column's 2³¹−1) is never retried: the file is rejected at its
// first attempt, either by the database's refusal (VALUE_REFUSED) or, if the
// schema's ranges catch it first, by the validator, and answered.
func TestCountAboveInt32IsAnswered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := b.intake(t, nil)
	r := *b.withAdmissions(t, 0)
	r.Info.MembersStartOfficial += 3_000_000_000
	r.Info.MembersEndOfficial += 3_000_000_000 // the balance still adds up
	drop(t, b.state, r.FileName(), write(t, &r))
	ready, _ := b.scan(t, 1, 0)
	f, err := in.Take(context.Background(), ready[0])
	require.NoError(t, err)
	require.Equal(t, "rejected", f.Outcome, "%+v", f)
	require.Equal(t, 1, f.Attempt)
	require.Contains(t, []string{"VALUE_REFUSED", "INVALID_DATA"}, string(f.Reason))
	t.Logf("a count above 2³¹: %s", f.Reason)
	require.Zero(t, count(t, b.st, `SELECT count(*) FROM returns.submission`))
	require.Len(t, mails(t, b.st), 1)
}

// TestTimeBudgetCounts: a file that uses up its time budget fails its
// attempt as its own fault (counted, not refunded as an outage).
func TestTimeBudgetCounts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := b.intake(t, func(c intake.Config) intake.Config {
		c.FileTimeout = time.Millisecond // judging a return takes longer
		return c
	})
	r := b.withAdmissions(t, 0)
	drop(t, b.state, r.FileName(), write(t, r))
	ready, _ := b.scan(t, 1, 0)
	f, err := in.Take(context.Background(), ready[0])
	require.NoError(t, err, "not the environment's fault")
	require.Equal(t, intake.WaitRetry, f.Waiting)
	require.ErrorIs(t, f.AttemptErr, intake.ErrBudget)
	require.Equal(t, 1, count(t, b.st, `SELECT attempts FROM returns.file_attempt`), "the attempt counts")
}

// withoutSheetViews rewrites a workbook with the optional <sheetViews> of
// every worksheet removed (valid OOXML: CT_Worksheet makes it optional).
func withoutSheetViews(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	views := regexp.MustCompile(`(?s)<sheetViews>.*?</sheetViews>|<sheetViews/>`)
	removed := 0
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			n := len(b)
			b = views.ReplaceAll(b, nil)
			if len(b) != n {
				removed++
			}
		}
		w, err := zw.Create(f.Name)
		require.NoError(t, err)
		_, err = w.Write(b)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.Positive(t, removed, "the workbook had sheet views to remove")
	return out.Bytes()
}

// TestNoSheetViewsIsAnswered: a rejected workbook whose sheets lack the
// optional <sheetViews> (which made excelize panic while the annotated copy
// was built) is rejected at its first attempt and answered with a workbook,
// the annotated copy or the explanation alone.
func TestNoSheetViewsIsAnswered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := b.intake(t, nil)
	r, data := b.brokenReturn(t)
	drop(t, b.state, r.FileName(), withoutSheetViews(t, data))
	ready, _ := b.scan(t, 1, 0)
	f, err := in.Take(context.Background(), ready[0])
	require.NoError(t, err)
	require.Equal(t, "rejected", f.Outcome, "%+v", f)
	require.Equal(t, 1, f.Attempt)
	require.True(t, exists(filepath.Join(b.state, "rejected", strings.TrimSuffix(r.FileName(), ".xlsx")+".loi.xlsx")))
	ms := mails(t, b.st)
	require.Len(t, ms, 1)
	require.Equal(t, 1, ms[0].Attached)
}

// TestNoSheetViewsValidIsLoaded: a valid workbook without <sheetViews>
// is loaded at its first attempt and answered, whether or not its
// warnings call for an annotated copy.
func TestNoSheetViewsValidIsLoaded(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := b.intake(t, nil)
	r := *b.withAdmissions(t, 0)
	// KN-04W, a warning: the ceremony in the last days of the quarter before.
	r.Admissions = append(r.Admissions[:0:0], r.Admissions...)
	a := r.Admissions[0]
	a.CeremonyDate = b.p.Quarters[len(b.p.Quarters)-1].Start().AddDate(0, 0, -2)
	a.DecisionDate = a.CeremonyDate.AddDate(0, 0, -7)
	r.Admissions[0] = a
	drop(t, b.state, r.FileName(), withoutSheetViews(t, write(t, &r)))
	ready, _ := b.scan(t, 1, 0)
	f, err := in.Take(context.Background(), ready[0])
	require.NoError(t, err)
	require.Equal(t, "loaded", f.Outcome, "%+v", f)
	require.Positive(t, f.Warnings, "the warning calls for an annotated copy")
	require.Equal(t, 1, f.Attempt)
	t.Logf("warnings: %d", f.Warnings)
	ms := mails(t, b.st)
	require.Len(t, ms, 1)
	require.Equal(t, []string{r.Org.Email}, []string(ms[0].To))
	if f.Warnings > 0 {
		require.Equal(t, 1, ms[0].Attached)
	}
}

// TestProcessDyingOnAFileCounts: a process that dies while a file is in hand
// (killed for its memory, say: the attempt began and never ended) counts an
// attempt against that file, so a file that kills the daemon every time is
// set aside after Config.MaxAttempts deaths instead of killing it forever.
// The deaths are the attempts three earlier processes began and never
// finished.
func TestProcessDyingOnAFileCounts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := b.intake(t, func(c intake.Config) intake.Config { return c })
	drop(t, b.state, "killer.xlsx", write(t, b.withAdmissions(t, 1)))
	ready, _ := b.scan(t, 1, 0)
	key := intake.InboxKey(ready[0])
	for range 3 {
		_, err := b.st.BeginAttempt(context.Background(), key) // a process began, then died
		require.NoError(t, err)
	}
	f, err := in.Take(context.Background(), ready[0])
	require.NoError(t, err)
	require.Equal(t, "rejected", f.Outcome, "%+v", f)
	require.Equal(t, "PROCESSING_FAILED", string(f.Reason))
	require.Equal(t, 4, f.Attempt)
	require.True(t, exists(filepath.Join(b.state, "rejected", "killer.xlsx")))
}
