package daemon_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/samples/generate"
)

// This file holds what the fault tests share: the files that arrive, the
// built binary, and the checker that every file reached exactly one
// terminal state, loaded once and completely or not at all.

// detailTables are the tables a submission's rows land in.
var detailTables = []string{"summary", "admission", "transfer", "supervision", "discipline"}

// arrival is one file that arrives in the inbox during a fault test.
type arrival struct {
	Name  string // unique among the arrivals
	Data  []byte
	SHA   string
	Valid bool // accepted: loaded exactly once; else rejected
	Dup   bool // same bytes as an earlier arrival: a duplicate
	Org   string
	Year  int
	Q     int
	Rows  map[string]int
}

func wantOf(name string, data []byte, r *generate.Return) arrival {
	return arrival{Name: name, Data: data, SHA: shaOf(data), Valid: true, Org: r.Org.Code, Year: r.Year, Q: r.Quarter,
		Rows: map[string]int{"summary": 1, "admission": len(r.Admissions), "transfer": len(r.Transfers),
			"supervision": len(r.Supervisions), "discipline": len(r.Disciplines)}}
}

// arrivals makes n files (n ≥ 6): one big return of bigRows admissions,
// returns of distinct organisations (latest quarter, then the earliest,
// whose previous quarters are never loaded, so load order cannot change a
// verdict), a return rejected for its balance, a file that is not a
// workbook, and a copy of the first return under another name.
func arrivals(t testing.TB, n, bigRows int) []arrival {
	t.Helper()
	p := generate.Generate(1)
	var out []arrival
	var buf bytes.Buffer
	require.NoError(t, generate.WriteBig(&buf, bigRows))
	big := buf.Bytes()
	out = append(out, arrival{Name: "big.xlsx", Data: big, SHA: shaOf(big), Valid: true, Org: generate.BigOrgCode,
		Year: generate.BigQuarter.Year, Q: generate.BigQuarter.Q,
		Rows: map[string]int{"summary": 1, "admission": bigRows, "transfer": 0, "supervision": 0, "discipline": 0}})
	quarters := []generate.Quarter{p.Quarters[len(p.Quarters)-1], p.Quarters[0]}
	for _, q := range quarters {
		for _, r := range p.ReturnsIn(q) {
			if len(out) >= n-3 {
				break
			}
			if r.Org.Code == generate.BigOrgCode {
				continue
			}
			var b bytes.Buffer
			require.NoError(t, generate.WriteReturn(&b, r, generate.WriteOptions{}))
			out = append(out, wantOf(fmt.Sprintf("%02d-%s", len(out), r.FileName()), b.Bytes(), r))
		}
	}
	require.Len(t, out, n-3, "not enough returns in the sample province")
	bad := *p.ReturnsIn(quarters[0])[0]
	bad.Info.MembersEndOfficial++ // TH-01
	var b bytes.Buffer
	require.NoError(t, generate.WriteReturn(&b, &bad, generate.WriteOptions{}))
	out = append(out, arrival{Name: "rejected-balance.xlsx", Data: b.Bytes(), SHA: shaOf(b.Bytes())})
	junk := []byte("this is not a workbook, whatever its name says\n")
	out = append(out, arrival{Name: "junk.xlsx", Data: junk, SHA: shaOf(junk)})
	dup := out[1]
	dup.Name, dup.Dup = "copy-of-"+dup.Name, true
	out = append(out, dup)
	return out
}

// verdict counts what the checker found; clean means only Loaded,
// Rejected and Duplicates are set.
type verdict struct {
	Loaded, Rejected, Duplicates int // files in each terminal state, as expected
	Lost                         int // files with no terminal state (still in the inbox, or no recorded outcome)
	Twice                        int // files in more than one place or with more than one outcome; contents loaded twice
	Partial                      int // loaded contents whose row counts differ from the file's
	Wrong                        int // files in the wrong state
	Problems                     []string
}

func (v *verdict) add(c *int, format string, args ...any) {
	*c++
	if len(v.Problems) < 20 {
		v.Problems = append(v.Problems, fmt.Sprintf(format, args...))
	}
}

func (v verdict) clean() bool { return v.Lost+v.Twice+v.Partial+v.Wrong == 0 }

// check compares the state directory and the database with the arrivals.
func check(t testing.TB, st *store.Store, state string, files []arrival) verdict {
	t.Helper()
	ctx := context.Background()
	db := st.DB()
	var v verdict
	// Where each file is on disk, by name.
	where := map[string][]string{}
	require.NoError(t, filepath.WalkDir(state, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(state, p)
		top := strings.SplitN(rel, string(filepath.Separator), 2)[0]
		if top == "pg" || top == "outbox" {
			return nil
		}
		where[filepath.Base(p)] = append(where[filepath.Base(p)], top)
		return nil
	}))
	for dir, n := range map[string]int{"staging": 0} {
		entries, _ := os.ReadDir(filepath.Join(state, dir))
		if len(entries) != n {
			v.add(&v.Wrong, "%d entries left in %s", len(entries), dir)
		}
	}
	events := 0
	for _, f := range files {
		places := where[f.Name]
		var outcomes []string
		require.NoError(t, db.SelectContext(ctx, &outcomes, `SELECT outcome FROM returns.file_event WHERE file_name = $1`, f.Name))
		events += len(outcomes)
		want, dir := "rejected", "rejected"
		switch {
		case f.Dup:
			want, dir = "duplicate", "archive"
		case f.Valid:
			want, dir = "loaded", "archive"
		}
		switch {
		case len(places) == 0 || len(outcomes) == 0:
			v.add(&v.Lost, "%s: on disk in %v, outcomes %v", f.Name, places, outcomes)
			continue
		case len(places) > 1 || len(outcomes) > 1:
			v.add(&v.Twice, "%s: on disk in %v, outcomes %v", f.Name, places, outcomes)
			continue
		case places[0] != dir || outcomes[0] != want:
			v.add(&v.Wrong, "%s: in %s as %s, want %s as %s", f.Name, places[0], outcomes[0], dir, want)
			continue
		}
		switch want {
		case "loaded":
			v.Loaded++
		case "duplicate":
			v.Duplicates++
		default:
			v.Rejected++
		}
		if !f.Valid {
			for _, ext := range []string{".loi.txt", ".json"} {
				if _, err := os.Stat(filepath.Join(state, "rejected", strings.TrimSuffix(f.Name, ".xlsx")+ext)); err != nil {
					v.add(&v.Wrong, "rejected %s has no %s report", f.Name, ext)
				}
			}
			var n int
			require.NoError(t, db.GetContext(ctx, &n, `SELECT (SELECT count(*) FROM returns.ledger WHERE sha256 = $1) + (SELECT count(*) FROM returns.submission WHERE sha256 = $1)`, f.SHA))
			if n != 0 {
				v.add(&v.Wrong, "rejected %s left %d ledger rows and submissions", f.Name, n)
			}
		}
		if f.Valid && !f.Dup {
			var subs []int64
			require.NoError(t, db.SelectContext(ctx, &subs, `SELECT s.id FROM returns.submission s JOIN returns.ledger l ON l.submission_id = s.id AND l.sha256 = s.sha256 WHERE s.sha256 = $1`, f.SHA))
			if len(subs) != 1 {
				v.add(&v.Twice, "%s: %d loaded submissions", f.Name, len(subs))
				continue
			}
			for _, table := range detailTables {
				var n int
				require.NoError(t, db.GetContext(ctx, &n, `SELECT count(*) FROM returns.`+table+` WHERE submission_id = $1`, subs[0]))
				if n != f.Rows[table] {
					v.add(&v.Partial, "%s: %d rows in %s, want %d", f.Name, n, table, f.Rows[table])
					break
				}
			}
		}
	}
	var total, keyed, subs, ledger int
	require.NoError(t, db.GetContext(ctx, &total, `SELECT count(*) FROM returns.file_event`))
	require.NoError(t, db.GetContext(ctx, &keyed, `SELECT count(DISTINCT inbox_key) FROM returns.file_event`))
	require.NoError(t, db.GetContext(ctx, &subs, `SELECT count(*) FROM returns.submission`))
	require.NoError(t, db.GetContext(ctx, &ledger, `SELECT count(*) FROM returns.ledger`))
	if total != len(files) || keyed != len(files) {
		v.add(&v.Twice, "%d outcomes (%d inbox entries) recorded for %d files", total, keyed, len(files))
	}
	valid := 0
	for _, f := range files {
		if f.Valid && !f.Dup {
			valid++
		}
	}
	if subs != valid || ledger != valid {
		v.add(&v.Twice, "%d submissions and %d ledger rows for %d valid contents", subs, ledger, valid)
	}
	return v
}

// buildBinary builds the returns command once per test binary.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "returns-bin")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "returns")
	if out, err := exec.Command("go", "build", "-o", path, "../../cmd/returns").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, out)
	}
	return path, nil
})

// binary is the returns command, built once per test binary.
func binary(t testing.TB) string {
	t.Helper()
	path, err := buildBinary()
	require.NoError(t, err)
	return path
}

// serveSetup is what a test of `returns serve` run as a child process
// needs: a database (its URL and a store on it, closed at the end) and a
// state directory the child can read.
func serveSetup(t testing.TB) (url string, st *store.Store, state string) {
	t.Helper()
	url = storetest.URL(t)
	st, err := store.Open(context.Background(), store.Config{URL: url, MaxConns: 2})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	state = t.TempDir()
	require.NoError(t, os.Chmod(state, 0o755))
	return url, st, state
}

// serveLog is a fresh log file for a child process, closed at the end.
func serveLog(t testing.TB, name string) (path string, f *os.File) {
	t.Helper()
	path = filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return path, f
}

// serveCmd is `returns serve` over state and the database at url, scanning
// every 200ms, with JSON logs appended to logFile.
func serveCmd(t testing.TB, url, state string, logFile *os.File, extra ...string) *exec.Cmd {
	cmd := exec.Command(binary(t), "serve")
	cmd.Env = append(os.Environ(), "RETURNS_DATABASE_URL="+url, "RETURNS_STATE_DIR="+state,
		"RETURNS_INBOX_SCAN_INTERVAL=200ms", "RETURNS_INBOX_MIN_AGE=1ms", "RETURNS_HTTP_LISTEN=127.0.0.1:0",
		"RETURNS_LOG_FORMAT=json", "RETURNS_LOG_LEVEL=info", "RETURNS_CONFIG=")
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	return cmd
}

// countLines counts the log lines of path whose text contains each of subs.
func countLines(t testing.TB, path string, subs ...string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		for _, s := range subs {
			if strings.Contains(sc.Text(), s) {
				out[s]++
			}
		}
	}
	return out
}
