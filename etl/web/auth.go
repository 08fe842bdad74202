package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/returns-project/returns/etl/store"
)

const (
	sessionCookie = "returns_session"
	csrfCookie    = "returns_csrf"
	langCookie    = "returns_lang"
)

// HashPassword returns the bcrypt hash of a password (cost 12), after
// checking its length: 12 to 72 bytes (bcrypt reads no further).
func HashPassword(pw string) (string, error) {
	if utf8.RuneCountInString(pw) < 12 {
		return "", errors.New("password too short: at least 12 characters")
	}
	if len(pw) > 72 {
		return "", errors.New("password too long: at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), 12)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when the login does not exist, so that a
// wrong login costs as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password of anyone"), 12)

// viewer is who asks for a page.
type viewer struct {
	open    bool           // the open console: nobody signed in, everything visible
	session *store.Session // nil when open
	csrf    string
}

func (v *viewer) role() string {
	if v.open {
		return store.RoleAdministrator
	}
	return v.session.Role
}

func (v *viewer) admin() bool { return v.role() == store.RoleAdministrator }

func (v *viewer) accountID() int64 {
	if v.open {
		return 0
	}
	return v.session.ID
}

// store returns what the viewer may read, for store.View.
func (v *viewer) store() store.Viewer {
	if v.admin() {
		return store.Viewer{All: true}
	}
	return store.Viewer{Scope: v.session.ScopeOrg.String, Account: v.session.ID}
}

// Who may open a page.
var (
	anyone    = []string{store.RoleAdministrator, store.RoleManager, store.RoleOperator}
	uploaders = []string{store.RoleAdministrator, store.RoleOperator}
	admins    = []string{store.RoleAdministrator}
)

type pageFunc func(w http.ResponseWriter, r *http.Request, v *viewer, b *base)

// page wraps a page: it finds the viewer (or sends them to sign in),
// checks the role, checks the CSRF token of a POST and prepares the
// page's common data.
func (s *server) page(fn pageFunc, roles []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := s.viewer(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if v == nil {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		b := s.base(w, r, v)
		allowed := false
		for _, role := range roles {
			allowed = allowed || role == v.role()
		}
		if !allowed {
			b.Title = b.T("Không được phép", "Not allowed")
			s.render(w, r, http.StatusForbidden, "message", messagePage{base: b,
				Text: b.T("Trang này không dành cho vai trò của bạn.", "This page is not for your role.")})
			return
		}
		if r.Method == http.MethodPost && !s.csrfOK(r, v) {
			b.Title = b.T("Phiên biểu mẫu hết hạn", "Form expired")
			s.render(w, r, http.StatusForbidden, "message", messagePage{base: b,
				Text: b.T("Biểu mẫu đã hết hạn hoặc không đến từ trang này. Hãy tải lại trang rồi gửi lại.",
					"The form has expired or did not come from this site. Reload the page and send it again.")})
			return
		}
		fn(w, r, v, b)
	})
}

// viewer returns who asks: the open console, a signed-in session, or nil
// (signing in is needed).
func (s *server) viewer(w http.ResponseWriter, r *http.Request) (*viewer, error) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		ses, err := s.cfg.Store.SessionByToken(r.Context(), c.Value)
		if err != nil {
			return nil, err
		}
		if ses != nil {
			return &viewer{session: ses, csrf: ses.CSRF}, nil
		}
	}
	open, err := s.open(r)
	if err != nil || !open {
		return nil, err
	}
	return &viewer{open: true, csrf: s.anonCSRF(w, r)}, nil
}

// open reports whether the console needs no signing in: bound to loopback
// and no active account.
func (s *server) open(r *http.Request) (bool, error) {
	if !s.loopback {
		return false, nil
	}
	n, err := s.cfg.Store.ActiveAccounts(r.Context())
	return n == 0, err
}

// anonCSRF returns the CSRF token of a visitor not signed in (the sign-in
// form, the open console): a random value kept in a cookie, which the form
// must repeat (double submit).
func (s *server) anonCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 32 {
		return c.Value
	}
	tok := randomHex(16)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode})
	// A page rendered in this answer must check against the new token too.
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	return tok
}

func (s *server) csrfOK(r *http.Request, v *viewer) bool {
	got := r.FormValue("csrf")
	if got == "" || v.csrf == "" {
		return false
	}
	if v.open {
		c, err := r.Cookie(csrfCookie)
		if err != nil || c.Value != v.csrf {
			return false
		}
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(v.csrf)) == 1
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

type signinPage struct {
	*base
	Next, Login, Error string
}

func (s *server) signinForm(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, &viewer{csrf: s.anonCSRF(w, r)})
	b.Title = b.T("Đăng nhập", "Sign in")
	s.render(w, r, http.StatusOK, "signin", signinPage{base: b, Next: safeNext(r.URL.Query().Get("next"))})
}

// signin checks a login and password. Failures are counted per account
// (MaxFailedSignins in a row lock it for LockFor) and per client address
// (20 in 15 minutes, whatever the login, then refused for a while).
func (s *server) signin(w http.ResponseWriter, r *http.Request) {
	v := &viewer{open: true, csrf: s.anonCSRF(w, r)}
	b := s.base(w, r, v)
	b.Title = b.T("Đăng nhập", "Sign in")
	login := strings.ToLower(strings.TrimSpace(r.FormValue("login")))
	page := signinPage{base: b, Next: safeNext(r.FormValue("next")), Login: login}
	again := func(status int, vi, en string) {
		page.Error = b.T(vi, en)
		s.render(w, r, status, "signin", page)
	}
	if !s.csrfOK(r, v) {
		again(http.StatusForbidden, "Biểu mẫu đã hết hạn. Hãy nhập lại.", "The form has expired. Please enter again.")
		return
	}
	client := clientAddr(r)
	if !s.limiter.allow(client) {
		again(http.StatusTooManyRequests, "Quá nhiều lần đăng nhập sai từ máy này. Hãy đợi 15 phút rồi thử lại.",
			"Too many failed sign-ins from this machine. Wait 15 minutes and try again.")
		return
	}
	ctx := r.Context()
	acc, err := s.cfg.Store.AccountByLogin(ctx, login)
	if err != nil && !errors.Is(err, store.ErrNoAccount) {
		s.fail(w, r, err)
		return
	}
	hash := dummyHash
	if acc != nil {
		hash = []byte(acc.PasswordHash)
	}
	pwOK := bcrypt.CompareHashAndPassword(hash, []byte(r.FormValue("password"))) == nil
	now := s.cfg.Now()
	switch {
	case acc != nil && acc.LockedUntil.Valid && acc.LockedUntil.Time.After(now):
		s.limiter.fail(client)
		again(http.StatusTooManyRequests, fmt.Sprintf("Tài khoản tạm khoá vì đăng nhập sai nhiều lần, đến %s. Quản trị viên có thể mở khoá bằng returns accounts passwd.",
			acc.LockedUntil.Time.In(s.cfg.Zone).Format("15:04 02/01/2006")),
			fmt.Sprintf("The account is locked after repeated failed sign-ins until %s. An administrator can unlock it with returns accounts passwd.",
				acc.LockedUntil.Time.In(s.cfg.Zone).Format("15:04 02/01/2006")))
		return
	case acc == nil || !pwOK || acc.Disabled:
		s.limiter.fail(client)
		if acc != nil && !acc.Disabled {
			if _, err := s.cfg.Store.SigninFailed(ctx, acc.ID, s.cfg.MaxFailedSignins, s.cfg.LockFor); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		s.log.InfoContext(ctx, "web: failed sign-in", slog.String("client", client))
		again(http.StatusUnauthorized, "Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong login or password.")
		return
	}
	if err := s.cfg.Store.SigninSucceeded(ctx, acc.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	tok := randomHex(32)
	if err := s.cfg.Store.CreateSession(ctx, acc.ID, tok, randomHex(16), now.Add(s.cfg.SessionTTL)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: !s.cfg.InsecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: int(s.cfg.SessionTTL.Seconds())})
	s.log.InfoContext(ctx, "web: signed in", slog.Int64("account", acc.ID), slog.String("role", acc.Role))
	http.Redirect(w, r, cmpOr(page.Next, "/"), http.StatusSeeOther)
}

func (s *server) signout(w http.ResponseWriter, r *http.Request) {
	v, err := s.viewer(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v != nil && !v.open {
		if !s.csrfOK(r, v) {
			http.Error(w, "biểu mẫu hết hạn / form expired", http.StatusForbidden)
			return
		}
		c, _ := r.Cookie(sessionCookie)
		if err := s.cfg.Store.DeleteSession(r.Context(), c.Value); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// safeNext keeps a redirect target only when it is a path of this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return ""
	}
	return next
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter counts failed sign-ins per client address in a sliding window.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	fails  map[string][]time.Time
}

func newLimiter(max int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{max: max, window: window, now: now, fails: map[string][]time.Time{}}
}

func (l *limiter) recent(client string) []time.Time {
	cut := l.now().Add(-l.window)
	ts := l.fails[client]
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, client)
	} else {
		l.fails[client] = ts
	}
	return ts
}

func (l *limiter) allow(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(client)) < l.max
}

func (l *limiter) fail(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 100_000 { // bounded memory under a flood: forget the oldest window
		clear(l.fails)
	}
	l.fails[client] = append(l.recent(client), l.now())
}
