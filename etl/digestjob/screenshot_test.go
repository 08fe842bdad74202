package digestjob_test

import (
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/store"
)

// provinceScreenshotInChromium renders a Vietnamese preview in headless
// Chromium (Debian package chromium) when it is installed; it is skipped
// otherwise, except under CI (CI set), where a missing chromium fails the
// test (.ci/run installs it). DIGEST_SCREENSHOT=path keeps the screenshot
// to look at.
func provinceScreenshotInChromium(t *testing.T, st *store.Store) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		const msg = "chromium is not installed (apt-get install chromium): the HTML was not rendered in a browser"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ctx := context.Background()
	dir := t.TempDir()
	dirs, err := digestjob.Preview(ctx, st, domain.Quarter{Year: 2025, Q: 3}, dir, calendar(digestjob.Options{Recipient: "bithu@gd-hsg.example", IncludePersonalData: true}))
	require.NoError(t, err)
	require.Len(t, dirs, 1)
	shot := filepath.Join(dir, "digest.png")
	cctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+t.TempDir(),
		"--screenshot="+shot, "--window-size=1000,2600", "file://"+filepath.Join(dirs[0], "digest.html"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	require.Equal(t, 1000, img.Bounds().Dx())
	// Not a blank page: the header's dark red is there.
	r, g, b, _ := img.At(500, 40).RGBA()
	require.Greater(t, r>>8, 100+g>>8, "header colour at (500,40): %d %d %d", r>>8, g>>8, b>>8)
	if keep := os.Getenv("DIGEST_SCREENSHOT"); keep != "" {
		data, err := os.ReadFile(shot)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(keep, data, 0o644))
	}
}
