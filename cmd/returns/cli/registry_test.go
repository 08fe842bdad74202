package cli

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/atomicfile"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/etl/validate"
)

// The registry commands need a database: these tests set
// RETURNS_DATABASE_URL with t.Setenv, so they cannot run in parallel (Go
// runs them before the parallel tests resume, one at a time).

func TestMain(m *testing.M) { storetest.Main(m) }

func registrySample(*testing.T) string { return filepath.Join(samplesDir, "registry.xlsx") }

// withRegistry points the commands at a throwaway database with the sample
// registry imported, and returns the database's URL.
func withRegistry(t *testing.T) string {
	url := storetest.URL(t)
	t.Setenv("RETURNS_DATABASE_URL", url)
	code, _, stderr := run(t, "registry", "import", registrySample(t))
	require.Equal(t, ExitOK, code, stderr)
	return url
}

func readRegistry(t *testing.T, path string) *registry.Registry {
	t.Helper()
	set := sharedtest.Schemas(t)
	reg, res, err := registry.ReadFile(context.Background(), path, set)
	require.NoError(t, err)
	require.Equal(t, validate.Accepted, res.Status, "%+v", res.Issues)
	return reg
}

// TestRegistryImportExportRoundTrip: the sample registry is imported,
// exported and read back: the same organisations, in the same rows.
func TestRegistryImportExportRoundTrip(t *testing.T) {
	t.Setenv("RETURNS_DATABASE_URL", storetest.URL(t))
	want := readRegistry(t, registrySample(t))

	code, out, stderr := run(t, "registry", "import", registrySample(t))
	require.Equal(t, ExitOK, code, stderr)
	require.Regexp(t, `^registry version \d+: 31 organisations\n$`, out)
	first := strings.Fields(out)[2]

	// The same content again: unchanged, same version.
	code, out, stderr = run(t, "registry", "import", "--json", registrySample(t))
	require.Equal(t, ExitOK, code, stderr)
	var jr struct {
		Status          string `json:"status"`
		RegistryVersion int64  `json:"registry_version"`
		Organisations   int    `json:"organisations"`
		Template        string `json:"template"`
		SHA256          string `json:"sha256"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &jr), out)
	require.Equal(t, "unchanged", jr.Status)
	require.Equal(t, first, strconv.FormatInt(jr.RegistryVersion, 10)+":")
	require.Equal(t, 31, jr.Organisations)
	require.Equal(t, domain.RegistryTemplate, jr.Template)
	require.Len(t, jr.SHA256, 64)

	dir := t.TempDir()
	exported := filepath.Join(dir, "export.xlsx")
	code, out, stderr = run(t, "registry", "export", "--out", exported)
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, out, "31 organisations")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")
	got := readRegistry(t, exported)
	require.Equal(t, want.Orgs, got.Orgs)

	// One version: the second import changed nothing.
	// For people: a heading, then the version, imported at a local time
	// with its zone (Asia/Ho_Chi_Minh prints as +07).
	code, out, stderr = run(t, "registry", "versions")
	require.Equal(t, ExitOK, code, stderr)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2, out)
	require.True(t, strings.HasPrefix(lines[0], "Phiên bản"), out)
	require.True(t, strings.HasPrefix(lines[1], strings.TrimSuffix(first, ":")+" "), out)
	require.Contains(t, lines[1], "+07", "local time with its zone")
	require.Contains(t, lines[1], "31", "organisations")
	// For programs: --json, one object per version.
	code, out, stderr = run(t, "registry", "versions", "--json")
	require.Equal(t, ExitOK, code, stderr)
	var v struct {
		ID            int64     `json:"id"`
		ImportedAt    time.Time `json:"imported_at"`
		Organisations int       `json:"organisations"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &v), out)
	require.Equal(t, strings.TrimSuffix(first, ":"), strconv.FormatInt(v.ID, 10))
	require.Equal(t, 31, v.Organisations)
	_, offset := v.ImportedAt.Zone()
	require.Equal(t, 7*3600, offset, "imported_at in the configured zone")
	require.WithinDuration(t, time.Now(), v.ImportedAt, 10*time.Minute)
}

// TestRegistryRoundTripThroughStore: generate → Write → Read →
// ImportRegistry → CurrentRegistry → Write → Read gives the same orgs, the
// quarters going through their indexes.
func TestRegistryRoundTripThroughStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	want := readRegistry(t, registrySample(t))
	v, err := st.ImportRegistry(ctx, store.RegistryMeta{SHA256: strings.Repeat("a", 64), FileName: "registry.xlsx"}, want.Orgs)
	require.NoError(t, err)
	orgs, cur, err := st.CurrentRegistry(ctx)
	require.NoError(t, err)
	require.Equal(t, v, cur)
	back := &registry.Registry{Orgs: orgs}
	require.Equal(t, want.Orgs, back.Orgs)

	set := sharedtest.Schemas(t)
	path := filepath.Join(t.TempDir(), "again.xlsx")
	require.NoError(t, atomicfile.Write(path, 0o644, func(w io.Writer) error { return registry.Write(w, set, back) }))
	require.Equal(t, want.Orgs, readRegistry(t, path).Orgs)
}

func TestRegistryImportRejected(t *testing.T) {
	t.Setenv("RETURNS_DATABASE_URL", storetest.URL(t))
	raw, err := os.ReadFile(filepath.Join(samplesDir, "broken", "registry", "expected.json"))
	require.NoError(t, err)
	var expected map[string]struct {
		Reason string   `json:"reason"`
		Rules  []string `json:"rules"`
	}
	require.NoError(t, json.Unmarshal(raw, &expected))
	require.NotEmpty(t, expected)
	for name, want := range expected {
		path := filepath.Join(samplesDir, "broken", "registry", name)
		code, out, stderr := run(t, "registry", "import", "--json", path)
		require.Equal(t, ExitRejected, code, "%s: %s %s", name, out, stderr)
		r := decodeLines(t, out)
		require.Len(t, r, 1)
		require.Equal(t, "rejected", r[0].Status)
		require.Equal(t, want.Reason, r[0].Reason)
		rules := map[string]bool{}
		for _, is := range r[0].Issues {
			rules[is.Rule] = true
		}
		for _, rule := range want.Rules {
			require.True(t, rules[rule], "%s: want %s among %v", name, rule, rules)
		}
		// The human report is the validate command's.
		code, out, _ = run(t, "registry", "import", path)
		require.Equal(t, ExitRejected, code)
		require.Contains(t, out, "BỊ TỪ CHỐI")
	}
	// Nothing was imported.
	code, _, stderr := run(t, "registry", "export", "--out", filepath.Join(t.TempDir(), "x.xlsx"))
	require.Equal(t, ExitUsage, code)
	require.Contains(t, stderr, "no registry imported yet")
	code, out, _ := run(t, "registry", "versions")
	require.Equal(t, ExitOK, code)
	require.Empty(t, out)
}

func TestRegistryUsageAndUnreachableDatabase(t *testing.T) {
	// A return is not a registry: rejected before any database is needed.
	files := xlsxIn(t, filepath.Join(samplesDir, "valid"))
	t.Setenv("RETURNS_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	code, out, _ := run(t, "registry", "import", "--json", files[0])
	require.Equal(t, ExitRejected, code)
	require.Equal(t, "TEMPLATE_MISMATCH", decodeLines(t, out)[0].Reason)

	// A good registry with the database down: exit 2, nothing judged wrong.
	code, _, stderr := run(t, "registry", "import", registrySample(t))
	require.Equal(t, ExitUsage, code)
	require.Contains(t, stderr, "cannot be reached")
	code, _, _ = run(t, "registry", "export", "--out", filepath.Join(t.TempDir(), "x.xlsx"))
	require.Equal(t, ExitUsage, code)

	code, _, _ = run(t, "registry", "export")
	require.Equal(t, ExitUsage, code)
	code, _, _ = run(t, "registry", "import")
	require.Equal(t, ExitUsage, code)
	code, _, _ = run(t, "registry", "import", "does-not-exist.xlsx")
	require.Equal(t, ExitUsage, code)
}
