package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/etl/web"
)

// seedProvince writes straight into the tables the province of
// etl/digestjob's BenchmarkDigestProvince: the province committee, 20
// committees and 1,479 grassroots organisations, six quarters of accepted
// returns (2024-Q2 … 2025-Q3) with their balance, and for 2025-Q3 one
// grassroots organisation in ten without a return and one in twenty with a
// rejected file.
func seedProvince(b *testing.B, st *store.Store) {
	b.Helper()
	stmts := []string{
		`INSERT INTO returns.submission (org_code, year, quarter, template_version, file_name, sha256, received_at, version, status)
			SELECT o.code, q / 4, q % 4 + 1, 'BCQ-1', 'b.xlsx', md5(o.code || q) || md5(q || o.code),
				make_timestamptz(q / 4, 3 * (q % 4) + 1, 1, 0, 0, 0, 'UTC') + interval '3 months 5 days', 1, 'accepted'
			FROM returns.org_unit o CROSS JOIN generate_series(8097, 8102) q
			WHERE o.code LIKE 'G%' AND NOT (q = 8102 AND right(o.code, 1) = '7')`,
		`INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, submission_id, received_at, decided_at)
			SELECT sha256, file_name, org_code, year, quarter, 'loaded', id, received_at, received_at FROM returns.submission`,
		`INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, reason, errors, received_at, decided_at)
			SELECT md5(o.code), 'bad.xlsx', o.code, 2025, 3, 'rejected', 'INVALID_DATA', 3, '2025-10-03', '2025-10-03'
			FROM returns.org_unit o WHERE o.code LIKE 'G%' AND right(o.code, 2) IN ('17', '37', '57', '77', '97')`,
		`INSERT INTO returns.summary (submission_id, source_sheet, source_row, org_code, org_name, year, quarter,
				members_start_official, members_start_probationary, admitted, members_end_official, members_end_probationary)
			SELECT s.id, 'ThongTin', 2, s.org_code, 'x', s.year, s.quarter, 40 + s.id % 60, s.id % 5, s.id % 5,
				40 + s.id % 60 + s.id % 5, s.id % 5 FROM returns.submission s`,
		`ANALYZE`,
	}
	storetest.Exec(b, st, storetest.BenchProvince...)
	storetest.Exec(b, st, stmts...)
}

// BenchmarkBoardProvince measures the quarter board of a 1,500-organisation
// province (1,479 lines): the store's QuarterBoard alone (what `returns
// status` runs: the baseline), the whole page for an administrator (query,
// template, 1,479 rows, rendered to the last byte before anything is sent:
// the time to first render), the scoped board read through the views as
// the province's manager, and the manager's whole page. It reports the
// page's weight, raw and gzipped.
func BenchmarkBoardProvince(b *testing.B) {
	st := storetest.New(b)
	seedProvince(b, st)
	ctx := context.Background()
	h, err := web.New(web.Config{Store: st, StateDir: b.TempDir(), Listen: "127.0.0.1:8787", Zone: ict, DeadlineDays: 10,
		Now: func() time.Time { return time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC) }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	page := func(b *testing.B, cookie *http.Cookie) {
		req := httptest.NewRequest(http.MethodGet, "/?q=2025-Q3", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		_, _ = w.Write(rec.Body.Bytes())
		_ = w.Close()
		b.ReportMetric(float64(rec.Body.Len())/1024, "page_KiB")
		b.ReportMetric(float64(gz.Len())/1024, "gzip_KiB")
	}
	b.Run("QuarterBoard", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.QuarterBoard(ctx, 2025, 3); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AdminPage", func(b *testing.B) {
		for b.Loop() {
			page(b, nil)
		}
	})
	b.Run("ScopedBoard", func(b *testing.B) {
		for b.Loop() {
			err := st.View(ctx, store.Viewer{Scope: "P"}, func(c *store.Console) error {
				_, err := c.Board(ctx, 2025, 3)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ManagerPage", func(b *testing.B) {
		// The account's session is made here; it turns the console from
		// open to signed-in, so this sub-benchmark runs last.
		if _, err := st.AccountByLogin(ctx, "quanly"); err != nil {
			id, err := st.CreateAccount(ctx, "quanly", store.RoleManager, "P", "x")
			if err != nil {
				b.Fatal(err)
			}
			if err := st.CreateSession(ctx, id, "benchtoken", "c", time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
		for b.Loop() {
			page(b, &http.Cookie{Name: "returns_session", Value: "benchtoken"})
		}
	})
}

// BenchmarkBoardFirstPaint opens the board of the 1,500-organisation
// province in Debian's chromium and reports, per load, the browser's own
// measures: time to first byte, first contentful paint (the time to first
// render) and the load event, from navigation start.
func BenchmarkBoardFirstPaint(b *testing.B) {
	exe := "/usr/bin/chromium"
	if _, err := os.Stat(exe); err != nil {
		b.Skip("chromium is not installed")
	}
	st := storetest.New(b)
	seedProvince(b, st)
	srv := httptest.NewUnstartedServer(nil)
	h, err := web.New(web.Config{Store: st, StateDir: b.TempDir(), Listen: "127.0.0.1:8787", Zone: ict, DeadlineDays: 10,
		Now: func() time.Time { return time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC) }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	defer srv.Close()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(b.TempDir()), chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/static/style.css")); err != nil {
		b.Fatal(err)
	}
	var ttfb, fcp, load float64
	n := 0
	for b.Loop() {
		if err := chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/?q=2025-Q3"), chromedp.WaitVisible(chromedp.ID("board"))); err != nil {
			b.Fatal(err)
		}
		m, err := chromedp.Run(bctx, chromedp.Poll[[]float64](`(() => {
			const n = performance.getEntriesByType('navigation')[0];
			const p = performance.getEntriesByName('first-contentful-paint')[0];
			return (n && p && n.loadEventEnd > 0) ? [n.responseStart, p.startTime, n.loadEventEnd] : null;
		})()`, chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			b.Fatal(err)
		}
		ttfb, fcp, load, n = ttfb+m[0], fcp+m[1], load+m[2], n+1
	}
	b.ReportMetric(ttfb/float64(n), "ttfb_ms")
	b.ReportMetric(fcp/float64(n), "first_paint_ms")
	b.ReportMetric(load/float64(n), "load_ms")
}
