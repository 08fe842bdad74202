package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/samples/generate"
)

// judgeBytes judges data in-process, as the daemon does, received on
// 05/10/2025 and judged as on 01/01/2026.
func judgeBytes(ctx context.Context, set *schema.Set, st *store.Store, data []byte, name string) (*intake.Result, error) {
	return intake.JudgeReader(ctx, bytes.NewReader(data), int64(len(data)), shaOf(data), set, st,
		intake.Options{FileName: name, ReceivedAt: time.Date(2025, 10, 5, 9, 0, 0, 0, time.UTC),
			Validate: validate.Options{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}})
}

func openStore(t testing.TB, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{URL: dsn})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

func withParam(t testing.TB, dsn, key, value string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// faultRuns is the number of runs of a fault test: def by default, more
// with RETURNS_CRASH set.
func faultRuns(def, heavy int) int {
	if crashRuns(0) == 0 {
		return def
	}
	return heavy
}

// TestTerminateBackendDuringLoad is T4 of docs/reliability.md §5: while a
// 50,000-row return is being ingested, its backend is ended with
// pg_terminate_backend from another connection, in turn at its first
// statements, at a random moment U(0, d) (d the time of a whole load), and
// after its COPY (database rules, ledger, COMMIT). Ingest must return an error (not a rejection:
// the file is not at fault) and leave nothing of the file, or, when the
// terminate came too late, have loaded it whole; a retry then loads it
// exactly once. 3 runs by default, 20 with RETURNS_CRASH=1.
func TestTerminateBackendDuringLoad(t *testing.T) {
	t.Parallel()
	const rows = 50_000
	set := sharedtest.Schemas(t)
	var buf bytes.Buffer
	require.NoError(t, generate.WriteBig(&buf, rows))
	data := buf.Bytes()
	name := "big50k.xlsx"
	loaded := wantBig(name, data, rows)
	absent := loaded
	absent.Valid = false

	// A clean load measures d.
	st := openStore(t, storetest.URL(t))
	start := time.Now()
	res, err := judgeBytes(context.Background(), set, st, data, name)
	require.NoError(t, err)
	require.Equal(t, domain.Loaded, res.Outcome, "%+v", res.Issues)
	d := time.Since(start)
	requireInvariants(t, st.DB(), []fileWant{loaded}, true)

	const app = "returns-fault-load"
	runs := faultRuns(3, 20)
	var terminated, late int
	during := map[string]int{} // what the backend was running when it was ended
	for i := range runs {
		dsn := storetest.URL(t)
		st := openStore(t, withParam(t, dsn, "application_name", app))
		killer := openStore(t, dsn)

		// Three moments in turn: as soon as the load's transaction is
		// seen (its first statements), at U(0, d) (mostly the COPY), and
		// once the COPY is over (database rules, ledger, COMMIT).
		mode := []string{"first statements", "random", "after the COPY"}[i%3]
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		done := make(chan struct{})
		var wg sync.WaitGroup
		var what string
		wg.Add(1)
		go func() {
			defer wg.Done()
			if mode == "random" {
				select {
				case <-time.After(rand.N(d)):
				case <-done:
					return
				}
			}
			sawCopy := false
			for {
				var b struct {
					PID   int    `db:"pid"`
					State string `db:"state"`
					Query string `db:"query"`
				}
				err := killer.DB().GetContext(ctx, &b, `SELECT pid, state, left(query, 40) AS query FROM pg_stat_activity
					WHERE application_name = $1 AND datname = current_database() AND xact_start IS NOT NULL LIMIT 1`, app)
				isCopy := err == nil && strings.HasPrefix(b.Query, "COPY")
				sawCopy = sawCopy || isCopy
				if err == nil && (mode != "after the COPY" || sawCopy && !isCopy) {
					var ok bool
					if killer.DB().GetContext(ctx, &ok, `SELECT pg_terminate_backend($1)`, b.PID) == nil && ok {
						what = mode + " → " + b.State + ": " + strings.Join(strings.Fields(b.Query + " ?")[:2], " ")
					}
					return
				}
				select {
				case <-done:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}()
		res, err := judgeBytes(ctx, set, st, data, name)
		close(done)
		wg.Wait()
		cancel()
		if err != nil {
			terminated++
			during[what]++
			require.Nil(t, res)
			requireInvariants(t, st.DB(), []fileWant{absent}, false)
			res, err = judgeBytes(context.Background(), set, st, data, name)
			require.NoError(t, err)
		} else {
			late++
		}
		require.Equal(t, domain.Loaded, res.Outcome, "run %d", i)
		requireInvariants(t, st.DB(), []fileWant{loaded}, true)
		dup, err := judgeBytes(context.Background(), set, st, data, "again.xlsx")
		require.NoError(t, err)
		require.Equal(t, domain.Duplicate, dup.Outcome)
	}
	var kinds []string
	for k, n := range during {
		kinds = append(kinds, fmt.Sprintf("%d× %q", n, k))
	}
	sort.Strings(kinds)
	t.Logf("%d rows load in %s; %d runs: %d terminated mid-load (error returned, 0 rows left, retry loaded once), %d terminates came too late (loaded whole); the backend was at: %s",
		rows, d.Round(time.Millisecond), runs, terminated, late, strings.Join(kinds, ", "))
}

// TestAmbiguousCommit is T5 of docs/reliability.md §5: a proxy between
// the store and the server cuts the connection at the load's COMMIT.
// After the COMMIT was forwarded (it commits, the reply is lost), ingest
// must report the load (reconciled through the ledger) or an error, never
// a rejection, and in every case the same content again is a duplicate and
// the rows are there exactly once. Before the COMMIT was forwarded (the
// server rolls back), ingest must return an error, nothing of the file may
// be there, and a retry loads it once. 20 runs of each by default, 100 with
// RETURNS_CRASH=1.
func TestAmbiguousCommit(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	p := generate.Generate(1)
	runs := faultRuns(20, 100)
	require.LessOrEqual(t, runs, len(p.Returns))
	for _, cut := range []storetest.Cut{storetest.CutAfterCommit, storetest.CutBeforeCommit} {
		t.Run(cut.String(), func(t *testing.T) {
			t.Parallel()
			proxy := storetest.NewProxy(t, storetest.URL(t))
			st := openStore(t, proxy.URL())
			var files []fileWant
			var reconciled, unknown int
			var firstErr error
			// The province's returns oldest first: each loads clean
			// against the ones before it (TH-02).
			for i, r := range p.Returns[:runs] {
				data := writeWith(t, r, generate.WriteOptions{})
				want := wantReturn(r.FileName(), data, r)
				proxy.CutNextCommit(cut)
				res, err := judgeBytes(context.Background(), set, st, data, r.FileName())
				require.Equal(t, i+1, proxy.Cuts(), "the COMMIT of %s was not cut", r.FileName())
				switch {
				case err == nil:
					require.Equal(t, domain.Loaded, res.Outcome, "%s: %+v", r.FileName(), res.Issues)
					require.Equal(t, storetest.CutAfterCommit, cut, "%s: ingest says loaded but its COMMIT never reached the server", r.FileName())
					reconciled++
				default:
					require.Nil(t, res)
					// A COMMIT that reached the server is always
					// reconciled through the ledger: only one that never
					// did may come back as an error.
					require.Equal(t, storetest.CutBeforeCommit, cut, "%s: committed but reported as an error: %v", r.FileName(), err)
					unknown++
					if firstErr == nil {
						firstErr = err
					}
				}
				if cut == storetest.CutBeforeCommit {
					absent := want
					absent.Valid = false
					requireInvariants(t, st.DB(), append(files[:len(files):len(files)], absent), false)
				}
				again, err := judgeBytes(context.Background(), set, st, data, "again-"+r.FileName())
				require.NoError(t, err)
				if cut == storetest.CutAfterCommit {
					require.Equal(t, domain.Duplicate, again.Outcome, "%s", r.FileName())
				} else {
					require.Equal(t, domain.Loaded, again.Outcome, "%s: %+v", r.FileName(), again.Issues)
				}
				files = append(files, want)
				requireInvariants(t, st.DB(), files, false)
			}
			v := requireInvariants(t, st.DB(), files, false)
			t.Logf("%s, %d runs: ingest reported loaded (reconciled through the ledger) %d times, an error %d times (first: %v); "+
				"%d/%d files loaded exactly once after the retry, 0 lost, 0 duplicated", cut, runs, reconciled, unknown, firstErr, v.Loaded, runs)
		})
	}
}
