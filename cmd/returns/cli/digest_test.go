package cli

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRecipientsAndDigestCommands: import the registry and the sample
// recipients, ingest the last quarter, preview one digest to files, queue
// every digest once (a second --send queues nothing), --resend queues again.
func TestRecipientsAndDigestCommands(t *testing.T) {
	useTestDatabase(t)
	recipientsFile := filepath.Join(samplesDir, "recipients.xlsx")

	code, _, stderr := run(t, "recipients", "import", recipientsFile)
	require.Equal(t, ExitUsage, code, "no registry yet")
	require.Contains(t, stderr, "registry import")

	mustRun(t, "registry", "import", registrySample(t))
	out := mustRun(t, "recipients", "import", recipientsFile)
	require.Regexp(t, `^recipients version \d+: 8 recipients \(7 active\)\n$`, out)
	out = mustRun(t, "recipients", "import", recipientsFile)
	require.Contains(t, out, "unchanged")

	files, err := filepath.Glob(filepath.Join(samplesDir, "province", "2025Q3", "*.xlsx"))
	require.NoError(t, err)
	sort.Strings(files)
	mustRun(t, append([]string{"ingest"}, files...)...)

	dir := t.TempDir()
	out = mustRun(t, "digest", "--quarter", "2025-Q3", "--recipient", "advisor@gd.example", "--out", dir)
	require.Contains(t, out, filepath.Join(dir, "001-GD"))
	for _, name := range []string{"digest.html", "digest.txt", "digest.eml", "bieu-do.png", "BaoCaoNhanh_GD_2025-Q3.xlsx"} {
		_, err := os.Stat(filepath.Join(dir, "001-GD", name))
		require.NoError(t, err, name)
	}

	out = mustRun(t, "digest", "--quarter", "2025-Q3", "--send")
	require.Equal(t, "digest 2025-Q3: 7 queued, 0 already sent (--resend to send again), 0 failed\n", out)
	out = mustRun(t, "digest", "--quarter", "2025-Q3", "--send")
	require.Equal(t, "digest 2025-Q3: 0 queued, 7 already sent (--resend to send again), 0 failed\n", out)
	out = mustRun(t, "digest", "--quarter", "2025-Q3", "--send", "--resend", "--recipient", "advisor@gd.example")
	require.Equal(t, "digest 2025-Q3: 1 queued, 0 already sent (--resend to send again), 0 failed\n", out)

	code, _, stderr = run(t, "digest", "--quarter", "2025-Q5", "--send")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, stderr, "--quarter")
	code, _, _ = run(t, "digest", "--quarter", "2025-Q3")
	require.Equal(t, ExitUsage, code, "neither --out nor --send")
}
