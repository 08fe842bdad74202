package intake_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/samples/generate"
)

// This file holds the kill -9 test and what the fault tests share: the
// invariant checker of docs/reliability.md §4 and bigger valid returns.

// detailTables are the tables a submission's rows land in.
var detailTables = []string{"summary", "admission", "transfer", "supervision", "discipline"}

// fileWant is what one file of a fault test must end as.
type fileWant struct {
	Name          string
	SHA           string
	Valid         bool // accepted: loaded exactly once; otherwise rejected: nothing loaded
	Org           string
	Year, Quarter int
	Rows          map[string]int // detail table → rows, counted from the generator's model (not by the reader)
}

func shaOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func wantReturn(name string, data []byte, r *generate.Return) fileWant {
	return fileWant{Name: name, SHA: shaOf(data), Valid: true, Org: r.Org.Code, Year: r.Year, Quarter: r.Quarter,
		Rows: map[string]int{"summary": 1, "admission": len(r.Admissions), "transfer": len(r.Transfers),
			"supervision": len(r.Supervisions), "discipline": len(r.Disciplines)}}
}

func wantBig(name string, data []byte, rows int) fileWant {
	return fileWant{Name: name, SHA: shaOf(data), Valid: true, Org: generate.BigOrgCode,
		Year: generate.BigQuarter.Year, Quarter: generate.BigQuarter.Q,
		Rows: map[string]int{"summary": 1, "admission": rows, "transfer": 0, "supervision": 0, "discipline": 0}}
}

func wantRejected(name string, data []byte) fileWant {
	return fileWant{Name: name, SHA: shaOf(data)}
}

// verdict is what the invariant checker found. A clean verdict has only
// Loaded set.
type verdict struct {
	Loaded     int // distinct valid contents loaded exactly once, complete
	Lost       int // valid contents with no ledger row or no submission
	Duplicated int // contents or organisation-quarters loaded more than once
	Partial    int // loaded contents whose row counts differ from the file's
	Leaked     int // rows or submissions of rejected files, orphan rows, submissions without a ledger row
	Undecided  int // files with no recorded outcome (only checked when decided is set)
	Problems   []string
}

func (v *verdict) add(counter *int, format string, args ...any) {
	*counter++
	if len(v.Problems) < 20 {
		v.Problems = append(v.Problems, fmt.Sprintf(format, args...))
	}
}

func (v verdict) clean() bool {
	return v.Lost == 0 && v.Duplicated == 0 && v.Partial == 0 && v.Leaked == 0 && v.Undecided == 0
}

// checkInvariants checks the database against the files (docs/reliability.md
// §4): every valid content is loaded exactly once and completely (its ledger
// row, one submission for its organisation and quarter, per-table row counts
// equal to the generator's), rejected contents left nothing, no submission
// lacks its ledger row and no detail row lacks a loaded submission. With
// decided, every file must also have a recorded outcome (G3).
func checkInvariants(ctx context.Context, db *sqlx.DB, files []fileWant, decided bool) (verdict, error) {
	var v verdict
	get := func(dest any, q string, args ...any) error { return db.GetContext(ctx, dest, q, args...) }
	valid := map[string]fileWant{}
	for _, f := range files {
		if f.Valid {
			valid[f.SHA] = f
		}
	}
	for sha, f := range valid {
		var ledger, subs, events int
		if err := get(&ledger, `SELECT count(*) FROM returns.ledger WHERE sha256 = $1`, sha); err != nil {
			return v, err
		}
		if err := get(&subs, `SELECT count(*) FROM returns.submission WHERE sha256 = $1`, sha); err != nil {
			return v, err
		}
		if err := get(&events, `SELECT count(*) FROM returns.file_event WHERE sha256 = $1 AND outcome = 'loaded'`, sha); err != nil {
			return v, err
		}
		if ledger == 0 || subs == 0 {
			v.add(&v.Lost, "%s: %d ledger rows, %d submissions", f.Name, ledger, subs)
			continue
		}
		if ledger > 1 || subs > 1 || events > 1 {
			v.add(&v.Duplicated, "%s: %d ledger rows, %d submissions, %d loaded events", f.Name, ledger, subs, events)
			continue
		}
		var sub struct {
			ID            int64  `db:"id"`
			Org           string `db:"org_code"`
			Year, Quarter int
			Status        string `db:"status"`
			Ledger        int64  `db:"ledger"`
		}
		if err := get(&sub, `SELECT s.id, s.org_code, s.year, s.quarter, s.status, l.submission_id AS ledger
			FROM returns.submission s JOIN returns.ledger l ON l.sha256 = s.sha256 WHERE s.sha256 = $1`, sha); err != nil {
			return v, err
		}
		if sub.ID != sub.Ledger || sub.Org != f.Org || sub.Year != f.Year || sub.Quarter != f.Quarter || sub.Status != "accepted" || events != 1 {
			v.add(&v.Partial, "%s: submission %+v, %d loaded events; want %s %d-Q%d accepted", f.Name, sub, events, f.Org, f.Year, f.Quarter)
			continue
		}
		var same int
		if err := get(&same, `SELECT count(*) FROM returns.submission WHERE org_code = $1 AND year = $2 AND quarter = $3`, f.Org, f.Year, f.Quarter); err != nil {
			return v, err
		}
		if same != 1 {
			v.add(&v.Duplicated, "%s: %d submissions for %s %d-Q%d", f.Name, same, f.Org, f.Year, f.Quarter)
			continue
		}
		complete := true
		for _, table := range detailTables {
			var n int
			if err := get(&n, `SELECT count(*) FROM returns.`+table+` WHERE submission_id = $1`, sub.ID); err != nil {
				return v, err
			}
			if n != f.Rows[table] {
				v.add(&v.Partial, "%s: %d rows in %s, want %d", f.Name, n, table, f.Rows[table])
				complete = false
				break
			}
		}
		if complete {
			v.Loaded++
		}
	}
	for _, f := range files {
		if !f.Valid {
			var n int
			if err := get(&n, `SELECT (SELECT count(*) FROM returns.ledger WHERE sha256 = $1) + (SELECT count(*) FROM returns.submission WHERE sha256 = $1)`, f.SHA); err != nil {
				return v, err
			}
			if n != 0 {
				v.add(&v.Leaked, "rejected %s: %d ledger rows and submissions", f.Name, n)
			}
		}
		if decided {
			var n int
			if err := get(&n, `SELECT count(*) FROM returns.file_event WHERE sha256 = $1 AND file_name = $2`, f.SHA, f.Name); err != nil {
				return v, err
			}
			if n == 0 {
				v.add(&v.Undecided, "%s: no recorded outcome", f.Name)
			}
		}
	}
	var n int
	if err := get(&n, `SELECT count(*) FROM returns.ledger`); err != nil {
		return v, err
	}
	if n > len(valid) {
		v.add(&v.Duplicated, "%d ledger rows for %d valid contents", n, len(valid))
	}
	if err := get(&n, `SELECT count(*) FROM returns.submission s
		WHERE NOT EXISTS (SELECT FROM returns.ledger l WHERE l.submission_id = s.id AND l.sha256 = s.sha256)`); err != nil {
		return v, err
	}
	if n != 0 {
		v.add(&v.Leaked, "%d submissions without their ledger row", n)
	}
	for _, table := range detailTables {
		if err := get(&n, `SELECT count(*) FROM returns.`+table+` d
			WHERE NOT EXISTS (SELECT FROM returns.ledger l WHERE l.submission_id = d.submission_id)`); err != nil {
			return v, err
		}
		if n != 0 {
			v.add(&v.Leaked, "%d orphan rows in %s", n, table)
		}
	}
	return v, nil
}

// requireInvariants runs the checker and fails the test on any violation.
func requireInvariants(t *testing.T, db *sqlx.DB, files []fileWant, decided bool) verdict {
	t.Helper()
	v, err := checkInvariants(context.Background(), db, files, decided)
	require.NoError(t, err)
	require.True(t, v.clean(), "invariants violated: %+v", v)
	return v
}

// inflate returns copies of the province's returns with more rows, still
// valid: target(r) is the number of detail rows wanted (no change when it is
// not more than the return has). A đảng bộ cơ sở that admitted someone gets
// two thirds of the extra rows as more admissions (distinct birth dates;
// ThongTin's admitted and end counts follow, and the carried difference
// moves the organisation's later quarters so that TH-01 and TH-02 still
// hold); the rest are repeated supervisions with distinct topics (GS-06).
// The returns come back in the province's order: oldest quarter first.
func inflate(p *generate.Province, target func(r *generate.Return) int) []*generate.Return {
	carried := map[string]int{} // extra probationary members carried into the next quarter
	out := make([]*generate.Return, 0, len(p.Returns))
	for _, r := range p.Returns {
		c := *r
		c.Admissions = append([]generate.Admission(nil), r.Admissions...)
		c.Supervisions = append([]generate.Supervision(nil), r.Supervisions...)
		k := carried[r.Org.Code]
		c.Info.MembersStartProbationary += k
		c.Info.MembersEndProbationary += k
		extra := target(r) - len(r.Admissions) - len(r.Transfers) - len(r.Supervisions) - len(r.Disciplines)
		var tmpl *generate.Admission
		for i := range r.Admissions {
			if !r.Admissions[i].IsReadmission {
				tmpl = &r.Admissions[i]
				break
			}
		}
		if extra > 0 && tmpl != nil && r.Org.Type == generate.OrgTypeDangBoCoSo {
			n := extra * 2 / 3
			if len(r.Supervisions) == 0 {
				n = extra
			}
			for i := 1; i <= n; i++ {
				a := *tmpl
				a.CitizenID = ""
				a.BirthDate = tmpl.BirthDate.AddDate(0, 0, -i)
				if a.DecisionDate.Sub(a.BirthDate) > 55*365*24*time.Hour {
					a.BirthDate = tmpl.BirthDate.AddDate(0, 0, i)
				}
				c.Admissions = append(c.Admissions, a)
			}
			c.Info.Admitted += n
			c.Info.MembersEndProbationary += n
			carried[r.Org.Code] = k + n
			extra -= n
		}
		sups := r.Supervisions
		if len(sups) == 0 {
			// None to repeat: borrow the first of the quarter's.
			for _, o := range p.ReturnsIn(r.Period()) {
				if len(o.Supervisions) > 0 {
					sups = o.Supervisions[:1]
					break
				}
			}
		}
		for i := 1; i <= extra && len(sups) > 0; i++ {
			s := sups[i%len(sups)]
			s.Topic = fmt.Sprintf("%s (đợt %d)", s.Topic, i)
			c.Supervisions = append(c.Supervisions, s)
		}
		out = append(out, &c)
	}
	return out
}

func rowsOf(r *generate.Return) int {
	return len(r.Admissions) + len(r.Transfers) + len(r.Supervisions) + len(r.Disciplines)
}

// crashFiles writes the crash test's inbox into dir: the returns of the
// latest quarter (distinct organisations, a few inflated to 60–300 rows),
// the big organisation's return with bigRows admissions, a return rejected
// for its balance, a file that is not a workbook, and one valid content
// again under another name. It returns the paths in load order.
func crashFiles(t *testing.T, dir string, bigRows int) ([]string, []fileWant) {
	t.Helper()
	p := generate.Generate(1)
	rng := rand.New(rand.NewPCG(7, 7))
	returns := inflate(p, func(r *generate.Return) int {
		if rng.IntN(3) == 0 {
			return 60 + rng.IntN(241)
		}
		return 0
	})
	var paths []string
	var wants []fileWant
	put := func(name string, data []byte, w fileWant) {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		paths = append(paths, path)
		wants = append(wants, w)
	}
	last := p.Quarters[len(p.Quarters)-1]
	var first []byte
	for _, r := range returns {
		if r.Period() != last || r.Org.Code == generate.BigOrgCode {
			continue
		}
		data := writeWith(t, r, generate.WriteOptions{})
		if first == nil {
			first = data
		}
		put(r.FileName(), data, wantReturn(r.FileName(), data, r))
		if len(paths) == 6 {
			var buf bytes.Buffer
			require.NoError(t, generate.WriteBig(&buf, bigRows))
			name := fmt.Sprintf("BCQ_%s_%s.xlsx", generate.BigOrgCode, generate.BigQuarter)
			put(name, buf.Bytes(), wantBig(name, buf.Bytes(), bigRows))
		}
	}
	bad := *p.Return("GD-KCQ-002", last.Prev())
	bad.Info.MembersEndOfficial++ // TH-01: the balance does not add up
	data := writeWith(t, &bad, generate.WriteOptions{})
	put("rejected-"+bad.FileName(), data, wantRejected("rejected-"+bad.FileName(), data))
	junk := []byte("this is not a workbook, whatever its name says\n")
	put("BCQ_GD-KCQ-003_2025Q2.xlsx", junk, wantRejected("BCQ_GD-KCQ-003_2025Q2.xlsx", junk))
	dup := wants[0]
	dup.Name = "copy-of-" + dup.Name
	put(dup.Name, first, dup)
	return paths, wants
}

// returnsBinary builds the returns command into dir.
func returnsBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "returns")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/returns").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

type ingestLine struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Status string `json:"status"`
}

func parseLines(t *testing.T, out []byte) []ingestLine {
	t.Helper()
	var lines []ingestLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var l ingestLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			// A kill can cut the last line short.
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// crashRuns is the number of kill -9 iterations: 10 by default, 50 with
// RETURNS_CRASH=1, or the number RETURNS_CRASH gives.
func crashRuns(def int) int {
	v := os.Getenv("RETURNS_CRASH")
	if v == "" {
		return def
	}
	if n, err := strconv.Atoi(v); err == nil && n > 1 {
		return n
	}
	return 50
}

// TestKill9DuringIngest is T2 of docs/reliability.md §5 with the returns
// binary: `returns ingest --json` over an inbox of valid, rejected and
// duplicate files is killed with SIGKILL after U(0, d), d the time of a
// full run, then run again to completion and once more; the invariant
// checker must find every valid content loaded exactly once and complete,
// nothing of the rejected ones, and every file decided. 10 iterations by
// default, 50 with RETURNS_CRASH=1.
func TestKill9DuringIngest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := returnsBinary(t, dir)
	inbox := filepath.Join(dir, "inbox")
	require.NoError(t, os.Mkdir(inbox, 0o755))
	paths, wants := crashFiles(t, inbox, 8000)
	nValid := 0
	rejected := map[string]bool{}
	for _, w := range wants {
		if w.Valid && !strings.HasPrefix(w.Name, "copy-of-") {
			nValid++
		}
		if !w.Valid {
			rejected[w.Name] = true
		}
	}
	require.GreaterOrEqual(t, nValid, 20)

	run := func(ctx context.Context, url string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, bin, append([]string{"ingest", "--json", "--lang", "en"}, paths...)...)
		cmd.Env = append(os.Environ(), "RETURNS_DATABASE_URL="+url, "RETURNS_STATE_DIR="+filepath.Join(dir, "state"))
		return cmd
	}
	open := func(url string) *store.Store {
		st, err := store.Open(context.Background(), store.Config{URL: url, MaxConns: 2})
		require.NoError(t, err)
		return st
	}
	// complete runs the command to its end: exit 1, as the inbox holds
	// rejected files.
	complete := func(url string) []ingestLine {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := run(ctx, url)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit) && exit.ExitCode() == 1, "exit %v: %s", err, stderr.String())
		lines := parseLines(t, out)
		require.Len(t, lines, len(paths), "%s", out)
		return lines
	}

	// A full run first: it measures d and checks the inbox.
	url := storetest.URL(t)
	start := time.Now()
	lines := complete(url)
	d := time.Since(start)
	byStatus := map[string]int{}
	for _, l := range lines {
		byStatus[l.Status]++
	}
	require.Equal(t, map[string]int{"loaded": nValid, "duplicate": 1, "rejected": 2}, byStatus)
	st := open(url)
	requireInvariants(t, st.DB(), wants, true)
	st.Close()
	minRows, maxRows := math.MaxInt, 0
	for _, w := range wants {
		if w.Valid {
			n := w.Rows["admission"] + w.Rows["transfer"] + w.Rows["supervision"] + w.Rows["discipline"]
			minRows, maxRows = min(minRows, n), max(maxRows, n)
		}
	}
	t.Logf("inbox: %d files (%d valid contents of %d–%d rows, 1 duplicate content, 2 rejected); a full run takes %s",
		len(paths), nValid, minRows, maxRows, d.Round(time.Millisecond))

	runs := crashRuns(10)
	var midBatch, loadedBeforeKill, reloaded int
	var total verdict
	for i := range runs {
		url := storetest.URL(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := run(ctx, url)
		var out bytes.Buffer
		cmd.Stdout = &out
		require.NoError(t, cmd.Start())
		delay := rand.N(d)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-time.After(delay):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
		case <-done:
		}
		cancel()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			midBatch++
		}
		st := open(url)
		// A COMMIT the killed process had sent is still carried out by its
		// backend: count the ledger once those backends are gone, or that
		// file is counted neither here nor as loaded by the restart.
		waitBackendsGone(t, st)
		var before int
		require.NoError(t, st.DB().Get(&before, `SELECT count(*) FROM returns.ledger`))
		loadedBeforeKill += before
		// Whatever the kill left, the database already holds whole files only.
		v, err := checkInvariants(context.Background(), st.DB(), wants, false)
		require.NoError(t, err)
		require.Zero(t, v.Duplicated+v.Partial+v.Leaked, "after the kill of run %d: %+v", i, v)

		for _, l := range complete(url) {
			if l.Status == "loaded" {
				reloaded++
			}
		}
		for _, l := range complete(url) {
			want := "duplicate"
			if rejected[l.File] {
				want = "rejected"
			}
			require.Equal(t, want, l.Status, "run %d, third pass: %s", i, l.File)
		}
		v = requireInvariants(t, st.DB(), wants, true)
		total.Loaded += v.Loaded
		st.Close()
	}
	t.Logf("%d runs: %d kills landed mid-batch, %d files loaded before the kill, %d loaded by the restart; "+
		"%d/%d contents loaded exactly once and complete; 0 lost, 0 duplicated, 0 partial, 0 leaked",
		runs, midBatch, loadedBeforeKill, reloaded, total.Loaded, runs*nValid)
	require.Equal(t, runs*nValid, total.Loaded)
	require.Equal(t, runs*nValid, loadedBeforeKill+reloaded)
}

// waitBackendsGone waits until no other client session of the store's
// database is busy (idle ones are the store's own pool; a dead client's
// session in a transaction ends once its backend sees the socket closed).
func waitBackendsGone(t *testing.T, st *store.Store) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		require.NoError(t, st.DB().Get(&n, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
			  AND state IS DISTINCT FROM 'idle'`))
		if n == 0 {
			return
		}
		require.True(t, time.Now().Before(deadline), "%d sessions of the killed process still open", n)
		time.Sleep(20 * time.Millisecond)
	}
}
