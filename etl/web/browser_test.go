package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/daemon"
	"github.com/returns-project/returns/etl/inbox"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/schedule"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/etl/web"
	"github.com/returns-project/returns/schedules"
)

// chromium finds Debian's chromium ($RETURNS_CHROMIUM when set, else
// /usr/bin/chromium). Without it the browser test skips, except under CI,
// where it fails.
func chromium(t *testing.T) string {
	paths := []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"}
	if p := os.Getenv("RETURNS_CHROMIUM"); p != "" {
		paths = []string{p}
	}
	for _, p := range paths {
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("chromium is not installed (looked for %s): the browser test cannot run under CI; apt-get install chromium", strings.Join(paths, ", "))
	}
	t.Skipf("chromium is not installed (looked for %s; apt-get install chromium); under CI this test fails instead", strings.Join(paths, ", "))
	return ""
}

// TestBrowser drives Debian's chromium through the console served beside
// a real daemon (the same daemon.New that returns serve runs, with a fast
// scan) on a real PostgreSQL: sign in, upload a valid and an invalid
// return, see both verdicts, download the annotated workbook and open it
// with excelize, check the board's counts against the database, and follow
// a figure to the row of the workbook it came from.
func TestBrowser(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	ctx := context.Background()
	st, _, srv := consoleOverDaemon(t, func(c *web.Config, addr string) { c.Listen = addr })
	hash, err := web.HashPassword(password)
	require.NoError(t, err)
	_, err = st.CreateAccount(ctx, "quantri", store.RoleAdministrator, "", hash)
	require.NoError(t, err)

	downloads := t.TempDir()
	shots := os.Getenv("RETURNS_SCREENSHOTS") // a folder to keep the screenshots in
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true))
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		require.NoError(t, err, "screenshot %s", name)
		require.NoError(t, os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644))
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(bctx, steps...), what)
	}
	text := func(id string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID(id)))
		require.NoError(t, err, "text of #%s", id)
		return strings.TrimSpace(v)
	}
	attr := func(sel, name string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
		require.NoError(t, err, "%s of %s", name, sel)
		require.True(t, v.Exists, "%s of %s", name, sel)
		return v.Value
	}

	// Sign in (the first action starts the browser).
	do("sign in",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "quantri"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.CSS("nav .who")))
	_, err = chromedp.CallBrowser(bctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
	require.NoError(t, err)

	// Upload a valid and an invalid return; each page waits for its verdict.
	valid, _ := filepath.Abs(filepath.Join("..", "..", "samples", "valid", "BCQ_GD-HSG-003_2025Q3.xlsx"))
	broken, _ := filepath.Abs(filepath.Join("..", "..", "samples", "broken", "invalid_kn01_under18.xlsx"))
	verdict := func(path, name string) string {
		t.Helper()
		do("upload "+filepath.Base(path),
			chromedp.Navigate(srv.URL+"/upload"),
			chromedp.WaitVisible(chromedp.ID("file")),
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}),
			chromedp.Click(chromedp.ID("send")),
			chromedp.WaitVisible(chromedp.CSS("#waiting, #verdict")))
		shot(name + "-waiting")
		do("verdict of "+filepath.Base(path), chromedp.WaitVisible(chromedp.ID("verdict")))
		shot(name)
		return attr("#verdict", "data-outcome")
	}
	start := time.Now()
	require.Equal(t, "loaded", verdict(valid, "verdict-valid"))
	t.Logf("valid return: verdict shown %s after the upload", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	require.Equal(t, "rejected", verdict(broken, "verdict-rejected"))
	t.Logf("invalid return: verdict shown %s after the upload", time.Since(start).Round(time.Millisecond))

	// The rejected file's page: its report, and the annotated workbook.
	do("file page", chromedp.Click(chromedp.ID("file-link")), chromedp.WaitVisible(chromedp.ID("download")))
	require.NotEqual(t, "0", text("n-errors"))
	shot("file-rejected")
	do("download", chromedp.Click(chromedp.ID("download")))
	var got string
	require.Eventually(t, func() bool {
		m, _ := filepath.Glob(filepath.Join(downloads, "*.loi.xlsx"))
		if len(m) == 1 {
			got = m[0]
		}
		return got != ""
	}, time.Minute, 50*time.Millisecond, "the annotated workbook is downloaded")
	wb, err := excelize.OpenFile(got)
	require.NoError(t, err)
	sheets := wb.GetSheetList()
	wb.Close()
	require.Equal(t, "Lỗi", sheets[0], "the annotated workbook opens on its errors sheet")

	// The board's counts against the database.
	do("board", chromedp.Navigate(srv.URL+"/?q=2025-Q3"), chromedp.WaitVisible(chromedp.ID("board")))
	shot("board")
	var want struct{ Total, Loaded, Rejected int }
	db := st.DB()
	require.NoError(t, db.Get(&want.Total, `SELECT count(*) FROM returns.org_unit WHERE org_type IN ('DANG_BO_CO_SO', 'CHI_BO_CO_SO')
		AND valid_from_q <= 8102 AND (valid_to_q IS NULL OR valid_to_q >= 8102)`))
	require.NoError(t, db.Get(&want.Loaded, `SELECT count(*) FROM returns.submission WHERE year = 2025 AND quarter = 3 AND status = 'accepted'`))
	require.NoError(t, db.Get(&want.Rejected, `SELECT count(DISTINCT org_code) FROM returns.file_event e WHERE year = 2025 AND quarter = 3
		AND outcome = 'rejected' AND NOT EXISTS (SELECT 1 FROM returns.submission s WHERE s.org_code = e.org_code AND s.year = 2025 AND s.quarter = 3)`))
	require.Equal(t, 1, want.Loaded)
	require.Equal(t, []string{num(want.Total), num(want.Loaded), num(want.Rejected), num(want.Total - want.Loaded - want.Rejected)},
		[]string{text("total"), text("n-loaded"), text("n-rejected"), text("n-missing")})

	// Follow a figure to its source: organisation → admissions → the row of
	// the workbook it came from.
	do("organisation", chromedp.Navigate(srv.URL+"/orgs/GD-HSG-003"), chromedp.WaitVisible(chromedp.ID("figures")))
	shot("org")
	do("figure", chromedp.Click(chromedp.CSS(`a.figure[data-sheet="KetNap"]`)), chromedp.WaitVisible(chromedp.CSS("#rows td.source")))
	shot("rows")
	sheet, row := attr("#rows td.source", "data-sheet"), attr("#rows td.source", "data-row")
	name, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#rows td.name")))
	require.NoError(t, err)
	require.Equal(t, "KetNap", sheet)
	src, err := excelize.OpenFile(valid)
	require.NoError(t, err)
	defer src.Close()
	n, err := strconv.Atoi(row)
	require.NoError(t, err)
	cells, err := src.GetRows(sheet)
	require.NoError(t, err)
	require.Greater(t, len(cells), n-1)
	require.Contains(t, cells[n-1], strings.TrimSpace(name), "row %d of %s holds the name shown", n, sheet)

	// The same board on a phone.
	do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(srv.URL+"/?q=2025-Q3&lang=en"),
		chromedp.WaitVisible(chromedp.ID("board")))
	shot("board-phone-en")
}

func num(n int) string { return fmt.Sprint(n) }

// consoleOverDaemon starts, on a fresh database holding the sample registry,
// a real daemon (startDaemon) and the console beside it on a test server;
// listen completes the console's configuration, given the server's address.
func consoleOverDaemon(t *testing.T, listen func(c *web.Config, addr string)) (*store.Store, string, *httptest.Server) {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	state := t.TempDir()
	set := sharedtest.Schemas(t)
	reg, res, err := registry.ReadFile(ctx, filepath.Join("..", "..", "samples", "registry.xlsx"), set)
	require.NoError(t, err)
	_, err = st.ImportRegistry(ctx, store.RegistryMeta{SHA256: res.SHA256, FileName: res.File}, reg.Orgs)
	require.NoError(t, err)
	log := startDaemon(t, st, state, set)
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	cfg := web.Config{Store: st, StateDir: state, Zone: ict, DeadlineDays: 10, Logger: log}
	listen(&cfg, srv.Listener.Addr().String())
	h, err = web.New(cfg)
	require.NoError(t, err)
	return st, state, srv
}

// startDaemon runs the daemon returns serve runs (daemon.New) over state
// with a fast scan, and returns the test's logger.
func startDaemon(t *testing.T, st *store.Store, state string, set *schema.Set) *slog.Logger {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	ib, err := inbox.New(&inbox.Config{StateDir: state, MinAge: 50 * time.Millisecond, StableScans: 2, Logger: log})
	require.NoError(t, err)
	t.Cleanup(func() { ib.Close() })
	jobs, err := schedule.Load(schedules.FS, "Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	d, err := daemon.New(daemon.Config{Store: st, Inbox: ib, StateDir: state, Schemas: set, Jobs: jobs, Location: ict, DeadlineDays: 10,
		ScanInterval: 200 * time.Millisecond, Logger: log})
	require.NoError(t, err)
	require.NoError(t, d.Start(ctx))
	t.Cleanup(func() { _ = d.Stop(context.Background()) })
	return log
}

// TestOperatorUploadThroughDaemon: an operator's upload lands in
// inbox/<its organisation>/ and the real daemon judges it there like a
// dropped file; the operator's page shows the verdict once decided.
func TestOperatorUploadThroughDaemon(t *testing.T) {
	t.Parallel()
	st, state, srv := consoleOverDaemon(t, func(c *web.Config, _ string) { c.Listen, c.InsecureCookies = "0.0.0.0:8787", true })
	b := &bundle{st: st, state: state, srv: srv}
	b.account(t, "hsg003", store.RoleOperator, "GD-HSG-003")
	c := b.signIn(t, "hsg003")
	data, err := os.ReadFile(filepath.Join("..", "..", "samples", "valid", "BCQ_GD-HSG-003_2025Q3.xlsx"))
	require.NoError(t, err)
	_, form := c.get("/upload")
	resp := c.upload(t, csrfOf(t, form), "BCQ_GD-HSG-003_2025Q3.xlsx", data)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	var body string
	require.Eventually(t, func() bool {
		_, body = c.get(resp.Header.Get("Location"))
		return strings.Contains(body, `data-outcome=`)
	}, 2*time.Minute, 200*time.Millisecond, "the verdict appears")
	require.Contains(t, body, `data-outcome="loaded"`)
	archived, err := filepath.Glob(filepath.Join(state, "archive", "2025-Q3", "GD-HSG-003", "BCQ_GD-HSG-003_2025Q3-web*.xlsx"))
	require.NoError(t, err)
	require.Len(t, archived, 1, "archived by the daemon like a dropped file")
	var n int
	require.NoError(t, st.DB().Get(&n, `SELECT count(*) FROM returns.ledger WHERE sha256 = $1`, sha(data)))
	require.Equal(t, 1, n, "in the ledger")
}
