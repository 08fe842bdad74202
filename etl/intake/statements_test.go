package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store/storetest"
)

// TestStatementsPerFile counts the SQL statements the server executes to
// load one small return (the files of BenchmarkLoadSmallFiles, one after
// the other), from the throwaway cluster's log with log_statement = all,
// and lists them. It runs only with RETURNS_COUNT_STATEMENTS set (it needs
// the private cluster and reads its log).
func TestStatementsPerFile(t *testing.T) {
	if os.Getenv("RETURNS_COUNT_STATEMENTS") == "" {
		t.Skip("set RETURNS_COUNT_STATEMENTS to count the statements per file")
	}
	const n = 20
	set := sharedtest.Schemas(t)
	files := smallFiles(t, n)[0][:n]
	dsn := storetest.URL(t)
	srv := storetest.Server()
	if srv == nil {
		t.Skip("needs the throwaway cluster")
	}
	st := openStore(t, dsn)
	ctx := context.Background()
	// Warm up (the registry, the prepared plans), then log every statement.
	res, err := judgeBytes(ctx, set, st, files[0].data, files[0].name)
	require.NoError(t, err)
	require.Equal(t, domain.Loaded, res.Outcome)
	_, err = st.DB().Exec(`ALTER SYSTEM SET log_statement = 'all'`)
	require.NoError(t, err)
	_, err = st.DB().Exec(`SELECT pg_reload_conf()`)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = st.DB().Exec(`ALTER SYSTEM RESET log_statement`)
		_, _ = st.DB().Exec(`SELECT pg_reload_conf()`)
	})
	logFile := filepath.Join(filepath.Dir(srv.DataDir()), "postgres.log")
	before, err := os.ReadFile(logFile)
	require.NoError(t, err)
	st.Close()
	// Fresh connections (they see the new setting), through a proxy that
	// counts the round trips.
	proxy := storetest.NewProxy(t, dsn)
	st = openStore(t, proxy.URL())
	trips := proxy.RoundTrips()
	for _, f := range files[1:] {
		res, err := judgeBytes(ctx, set, st, f.data, f.name)
		require.NoError(t, err)
		require.Equal(t, domain.Loaded, res.Outcome, f.name)
	}
	trips = proxy.RoundTrips() - trips
	after, err := os.ReadFile(logFile)
	require.NoError(t, err)
	stmt := regexp.MustCompile(`LOG:  (statement|execute [^:]*): (.*)`)
	counts := map[string]int{}
	total := 0
	for _, line := range strings.Split(string(bytes.TrimPrefix(after, before)), "\n") {
		m := stmt.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		q := strings.Join(strings.Fields(m[2]), " ")
		q = q[:min(len(q), 90)]
		counts[q]++
		total++
	}
	var qs []string
	for q := range counts {
		qs = append(qs, q)
	}
	sort.Slice(qs, func(i, j int) bool {
		return counts[qs[i]] > counts[qs[j]] || counts[qs[i]] == counts[qs[j]] && qs[i] < qs[j]
	})
	var b strings.Builder
	for _, q := range qs {
		fmt.Fprintf(&b, "%6.2f  %s\n", float64(counts[q])/float64(n-1), q)
	}
	t.Logf("%.1f statements and %.1f round trips per file (%d files):\n%s", float64(total)/float64(n-1),
		float64(trips)/float64(n-1), n-1, b.String())
}
