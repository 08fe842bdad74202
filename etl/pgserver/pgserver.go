// Package pgserver runs a private PostgreSQL cluster for returns when no
// database URL is configured: found from the installed server binaries,
// created once under the state directory, listening only on a Unix socket in
// its own directory, run as an unprivileged user when returns runs as root,
// reused across restarts and stopped cleanly when returns exits. Tests use
// the same mechanism for their throwaway clusters.
package pgserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNotInstalled is returned by [Start] when no PostgreSQL server binaries
// can be found. Its message tells the administrator what to do.
var ErrNotInstalled = errors.New("PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found: " +
	"install them (Debian/Ubuntu: apt-get install postgresql) or set RETURNS_DATABASE_URL to an existing server")

// Config says where and how the cluster runs. Zero fields take the defaults
// noted on each.
type Config struct {
	// Dir holds the cluster: data/, run/ (the socket) and postgres.log.
	// Required.
	Dir string
	// BinDir holds initdb, pg_ctl and postgres. Defaults to RETURNS_PG_BINDIR,
	// then `pg_config --bindir`, then the newest /usr/lib/postgresql/*/bin,
	// then the PATH.
	BinDir string
	// RunAs is the operating-system user the server runs as when returns
	// runs as root (PostgreSQL refuses to run as root). Defaults to
	// "postgres" when that user exists, else "nobody".
	RunAs string
	// SuperUser is the database superuser created by initdb. Defaults to "returns".
	SuperUser string
	// Port names the socket file (.s.PGSQL.<port>); nothing listens on TCP.
	// Defaults to 5432.
	Port int
	// StartTimeout bounds start-up. Defaults to 60s.
	StartTimeout time.Duration
	// Logger receives lifecycle messages. Defaults to a discarding logger.
	Logger *slog.Logger
}

// Server is a running private cluster.
type Server struct {
	cfg  Config
	cred *syscall.Credential

	mu      sync.Mutex
	started bool // this process started the server, so it stops it
}

// SocketDir is the directory of the server's Unix socket.
func (s *Server) SocketDir() string { return filepath.Join(s.cfg.Dir, "run") }

// DataDir is the cluster's data directory.
func (s *Server) DataDir() string { return filepath.Join(s.cfg.Dir, "data") }

// BinDir is where the server binaries were found.
func (s *Server) BinDir() string { return s.cfg.BinDir }

// URL returns a connection URL for database db as the superuser.
func (s *Server) URL(db string) string {
	q := url.Values{}
	q.Set("host", s.SocketDir())
	q.Set("port", strconv.Itoa(s.cfg.Port))
	q.Set("sslmode", "disable")
	return (&url.URL{Scheme: "postgres", User: url.User(s.cfg.SuperUser), Path: "/" + db, RawQuery: q.Encode()}).String()
}

// FindBinDir locates the PostgreSQL server binaries, or returns ErrNotInstalled.
func FindBinDir() (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
			if st, err := os.Stat(filepath.Join(dir, b)); err != nil || st.IsDir() {
				return false
			}
		}
		return true
	}
	if d := os.Getenv("RETURNS_PG_BINDIR"); d != "" {
		if has(d) {
			return d, nil
		}
		return "", fmt.Errorf("RETURNS_PG_BINDIR=%s: %w", d, ErrNotInstalled)
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); has(d) {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	dirs = append(dirs, "/usr/local/pgsql/bin", "/usr/pgsql/bin")
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
		if has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	return "", ErrNotInstalled
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Start creates the cluster if it does not exist yet and starts it unless it
// is already running (a server left running by an earlier process is
// reused, and left running by Stop).
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Dir == "" {
		return nil, errors.New("pgserver: Config.Dir is required")
	}
	abs, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgserver: %w", err)
	}
	cfg.Dir = abs
	if cfg.BinDir == "" {
		if cfg.BinDir, err = FindBinDir(); err != nil {
			return nil, err
		}
	}
	if cfg.SuperUser == "" {
		cfg.SuperUser = "returns"
	}
	if cfg.Port == 0 {
		cfg.Port = 5432
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 60 * time.Second
	}
	cfg.Logger = cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	s := &Server{cfg: cfg}
	// A Unix socket path is limited to 107 bytes.
	if n := len(filepath.Join(s.SocketDir(), fmt.Sprintf(".s.PGSQL.%d", cfg.Port))); n > 100 {
		return nil, fmt.Errorf("pgserver: socket path under %s is %d bytes, more than a Unix socket allows: use a shorter state directory", cfg.Dir, n)
	}
	if os.Geteuid() == 0 {
		if s.cred, err = credential(cfg.RunAs); err != nil {
			return nil, err
		}
	}
	if err := s.prepareDirs(); err != nil {
		return nil, err
	}
	if err := s.initdb(ctx); err != nil {
		return nil, err
	}
	if s.running(ctx) {
		cfg.Logger.InfoContext(ctx, "pgserver: reusing running cluster", slog.String("dir", cfg.Dir))
		return s, nil
	}
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.setStarted(true)
	return s, nil
}

func (s *Server) setStarted(v bool) {
	s.mu.Lock()
	s.started = v
	s.mu.Unlock()
}

func (s *Server) isStarted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

func credential(name string) (*syscall.Credential, error) {
	candidates := []string{name}
	if name == "" {
		candidates = []string{"postgres", "nobody"}
	}
	for _, n := range candidates {
		u, err := user.Lookup(n)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if uid == 0 {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, fmt.Errorf("pgserver: running as root and no unprivileged user %v to run PostgreSQL as: create one or set its name", candidates)
}

// prepareDirs creates the cluster's directories, owned by the server's user.
func (s *Server) prepareDirs() error {
	for _, d := range []string{s.cfg.Dir, s.SocketDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("pgserver: create %s: %w", d, err)
		}
	}
	if s.cred == nil {
		return nil
	}
	// The server's user must reach its directory through every parent.
	for p := filepath.Dir(s.cfg.Dir); p != "/" && p != "."; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgserver: %w", err)
		}
		if st.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("pgserver: %s is not searchable by other users, so the PostgreSQL user cannot reach %s: chmod o+x %s or use another state directory", p, s.cfg.Dir, p)
		}
	}
	return filepath.Walk(s.cfg.Dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(s.cred.Uid), int(s.cred.Gid))
	})
}

func (s *Server) command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.cfg.BinDir, bin), args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "PGTZ=UTC")
	cmd.Dir = s.cfg.Dir
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd
}

func (s *Server) initdb(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(s.DataDir(), "PG_VERSION")); err == nil {
		return nil
	}
	// A half-made data directory from an interrupted initdb is removed first.
	_ = os.RemoveAll(s.DataDir())
	s.cfg.Logger.InfoContext(ctx, "pgserver: creating cluster", slog.String("dir", s.cfg.Dir))
	out, err := s.command(ctx, "initdb", "-D", s.DataDir(), "-U", s.cfg.SuperUser, "--auth=trust",
		"-E", "UTF8", "--no-locale", "--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgserver: initdb: %w: %s", err, lastLines(out, 5))
	}
	conf := fmt.Sprintf(`
# Written by returns: a private cluster reachable only through its own socket.
listen_addresses = ''
unix_socket_directories = '%s'
unix_socket_permissions = 0700
port = %d
max_connections = 60
shared_buffers = 64MB
timezone = 'UTC'
log_timezone = 'UTC'
`, strings.ReplaceAll(s.SocketDir(), "'", "''"), s.cfg.Port)
	f, err := os.OpenFile(filepath.Join(s.DataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pgserver: configure: %w", err)
	}
	if _, err := f.WriteString(conf); err != nil {
		f.Close()
		return fmt.Errorf("pgserver: configure: %w", err)
	}
	return f.Close()
}

func (s *Server) running(ctx context.Context) bool {
	return s.command(ctx, "pg_ctl", "status", "-D", s.DataDir()).Run() == nil
}

func (s *Server) start(ctx context.Context) error {
	logFile := filepath.Join(s.cfg.Dir, "postgres.log")
	s.cfg.Logger.InfoContext(ctx, "pgserver: starting", slog.String("dir", s.cfg.Dir))
	secs := strconv.Itoa(int(s.cfg.StartTimeout / time.Second))
	out, err := s.command(ctx, "pg_ctl", "start", "-w", "-t", secs, "-D", s.DataDir(), "-l", logFile).CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(logFile)
		return fmt.Errorf("pgserver: start: %w: %s %s", err, lastLines(out, 3), lastLines(log, 5))
	}
	return nil
}

// Stop stops the server if this process started it. It waits for the server
// to shut down cleanly ("fast" mode: sessions are ended, work committed so
// far is kept).
func (s *Server) Stop(ctx context.Context) error {
	if !s.isStarted() {
		return nil
	}
	out, err := s.command(ctx, "pg_ctl", "stop", "-w", "-m", "fast", "-D", s.DataDir()).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgserver: stop: %w: %s", err, lastLines(out, 3))
	}
	s.setStarted(false)
	return nil
}

// Kill stops the server at once, as a crash would ("immediate" mode), for
// fault tests.
func (s *Server) Kill(ctx context.Context) error {
	out, err := s.command(ctx, "pg_ctl", "stop", "-w", "-m", "immediate", "-D", s.DataDir()).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgserver: kill: %w: %s", err, lastLines(out, 3))
	}
	return nil
}

// Restart starts a stopped server again.
func (s *Server) Restart(ctx context.Context) error {
	if s.running(ctx) {
		return nil
	}
	if err := s.start(ctx); err != nil {
		return err
	}
	s.setStarted(true)
	return nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
