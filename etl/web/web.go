package web

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/returns-project/returns/etl/store"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Config configures the console. Store, StateDir and Listen are required;
// every other zero field takes the default noted on it.
type Config struct {
	// Store is the database. Required.
	Store *store.Store
	// StateDir is the daemon's state directory: uploads are written into
	// its inbox/ and annotated workbooks are read from its rejected/, never
	// from anywhere else. Required.
	StateDir string
	// Listen is the address the console is served on (http.listen). On a
	// loopback address with no active account the console is open;
	// anywhere else, or once an account exists, it needs signing in.
	// Required.
	Listen string
	// Zone is the time zone of quarters, deadlines and times shown (the
	// configuration's time_zone). Required.
	Zone *time.Location
	// DeadlineDays after a quarter's end its returns are due (the
	// configuration's deadline_days). Zero is valid.
	DeadlineDays int
	// ManagerPersonalData lets managers see names of people (the
	// configuration's digest.include_personal_data). Defaults to false.
	ManagerPersonalData bool
	// InsecureCookies drops the Secure flag of the session cookie, for a
	// console reached over plain HTTP on a trusted network. Defaults to
	// false: browsers then keep the session only over HTTPS or on
	// localhost.
	InsecureCookies bool
	// MaxUploadMB bounds an uploaded file. Defaults to 50.
	MaxUploadMB int
	// SessionTTL is how long a session lasts. Defaults to 12h.
	SessionTTL time.Duration
	// MaxFailedSignins in a row lock an account for LockFor. Default 5 and 15m.
	MaxFailedSignins int
	LockFor          time.Duration
	// MaxFailedPerClient failed sign-ins from one address in 15 minutes,
	// whatever the logins, and that address is refused for a while.
	// Defaults to 20.
	MaxFailedPerClient int
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// Logger receives the console's log lines. Defaults to a discarding
	// logger (the command line passes its own).
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	c.MaxUploadMB = cmp.Or(c.MaxUploadMB, 50)
	c.SessionTTL = cmp.Or(c.SessionTTL, 12*time.Hour)
	c.MaxFailedSignins = cmp.Or(c.MaxFailedSignins, 5)
	c.LockFor = cmp.Or(c.LockFor, 15*time.Minute)
	c.MaxFailedPerClient = cmp.Or(c.MaxFailedPerClient, 20)
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Logger = cmp.Or(c.Logger, slog.New(slog.DiscardHandler))
	return c
}

func (c Config) validate() error {
	switch {
	case c.Store == nil:
		return errors.New("no Store")
	case c.StateDir == "":
		return errors.New("no StateDir")
	case c.Listen == "":
		return errors.New("no Listen address")
	case c.Zone == nil:
		return errors.New("no Zone (the configuration's time_zone)")
	case c.DeadlineDays < 0:
		return fmt.Errorf("DeadlineDays %d is negative", c.DeadlineDays)
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("Listen %q: %w", c.Listen, err)
	}
	return nil
}

// server is the console.
type server struct {
	cfg      Config
	log      *slog.Logger
	pages    map[string]*template.Template
	loopback bool
	limiter  *limiter
	found    sync.Map // sha256 → path of an annotated workbook under rejected/
}

// New returns the console's handler. Mount it at "/" of the daemon's HTTP
// server (its own routes, /healthz, /readyz and /metrics, are more specific
// and keep precedence on a ServeMux).
func New(cfg Config) (http.Handler, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &server{cfg: cfg, log: cfg.Logger, limiter: newLimiter(cfg.MaxFailedPerClient, 15*time.Minute, cfg.Now)}
	host, _, _ := net.SplitHostPort(cfg.Listen)
	ip := net.ParseIP(host)
	s.loopback = host == "localhost" || (ip != nil && ip.IsLoopback())
	if err := s.parse(); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(24*time.Hour, http.FileServerFS(static))))
	mux.HandleFunc("GET /signin", s.signinForm)
	mux.HandleFunc("POST /signin", s.signin)
	mux.HandleFunc("POST /signout", s.signout)
	mux.Handle("GET /{$}", s.page(s.board, anyone))
	mux.Handle("GET /files", s.page(s.files, anyone))
	mux.Handle("GET /files/{id}", s.page(s.file, anyone))
	mux.Handle("GET /files/{id}/annotated", s.page(s.annotated, anyone))
	mux.Handle("GET /orgs/{code}", s.page(s.org, anyone))
	mux.Handle("GET /submissions/{id}/rows/{sheet}", s.page(s.rows, anyone))
	mux.Handle("GET /upload", s.page(s.uploadForm, uploaders))
	mux.Handle("POST /upload", s.page(s.upload, uploaders))
	mux.Handle("GET /uploads/{id}", s.page(s.verdict, uploaders))
	mux.Handle("GET /outbox", s.page(s.outbox, admins))
	mux.Handle("GET /outbox/{id}", s.page(s.outboxMail, admins))
	mux.Handle("GET /outbox/{id}/html", s.page(s.outboxHTML, admins))
	mux.Handle("GET /digests", s.page(s.digests, admins))
	mux.Handle("GET /digests/preview", s.page(s.preview, admins))
	mux.Handle("GET /digests/preview/html", s.page(s.previewHTML, admins))
	return secure(http.NewCrossOriginProtection().Handler(mux)), nil
}

// secure sets the headers every answer carries: no framing, no sniffing,
// nothing loaded from elsewhere (pages need no script at all).
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(d.Seconds())))
		h.ServeHTTP(w, r)
	})
}

// parse reads the embedded templates: layout.html around each page.
func (s *server) parse() error {
	s.pages = map[string]*template.Template{}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return err
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html"))
	for _, n := range names {
		base := n[len("templates/"):]
		if base == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(assets, n)
		if err != nil {
			return err
		}
		s.pages[base[:len(base)-len(".html")]] = t
	}
	return nil
}

// render writes page with data, or a plain error when the template fails
// (before anything was written: the page is rendered into a buffer first).
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	t := s.pages[page]
	if t == nil {
		s.fail(w, r, fmt.Errorf("no page %q", page))
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.fail(w, r, fmt.Errorf("render %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Accept-Encoding")
	body := buf.Bytes()
	// Boards of a province weigh hundreds of kilobytes and compress about
	// 25 times: worth it for a unit on a slow line.
	if len(body) > 8<<10 && acceptsGzip(r) {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
		_, _ = zw.Write(body)
		if zw.Close() == nil {
			w.Header().Set("Content-Encoding", "gzip")
			body = gz.Bytes()
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// fail answers an unexpected error in words, and logs it.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.log.ErrorContext(r.Context(), "web: page failed", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintln(w, "Lỗi máy chủ: trang không hiển thị được; hãy thử lại sau ít phút hoặc báo quản trị viên.")
	fmt.Fprintln(w, "Server error: the page could not be shown; try again in a few minutes or tell the administrator.")
}
