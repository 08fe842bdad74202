package pgserver

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// SuperviseConfig tunes [Server.Supervise]. Zero fields take the defaults
// noted on each.
type SuperviseConfig struct {
	// Interval is how often the postmaster is checked. Defaults to 1s.
	Interval time.Duration
	// RetryBase is the wait after a failed restart, doubled per consecutive
	// failure. Defaults to 1s.
	RetryBase time.Duration
	// RetryCap bounds the wait between restarts. Defaults to 1m.
	RetryCap time.Duration
}

// Supervise watches the cluster's postmaster and, when it is gone (killed,
// crashed, stopped by someone else), starts the cluster again: at once,
// then after RetryBase doubled per consecutive failure up to RetryCap (a
// killed postmaster's backends may still hold its shared memory for a
// moment, and a broken cluster must not be hammered). Each stop and each
// restart is logged. A cluster restarted here is one this process started:
// [Server.Stop] stops it.
//
// It runs until ctx ends or the returned function is called; that function
// waits for the supervisor to finish, so call it before [Server.Stop].
func (s *Server) Supervise(ctx context.Context, cfg SuperviseConfig) (stop func()) {
	cfg.Interval = cmp.Or(cfg.Interval, time.Second)
	cfg.RetryBase = cmp.Or(cfg.RetryBase, time.Second)
	cfg.RetryCap = max(cmp.Or(cfg.RetryCap, time.Minute), cfg.RetryBase)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { s.supervise(ctx, cfg) })
	return func() {
		cancel()
		wg.Wait()
	}
}

func (s *Server) supervise(ctx context.Context, cfg SuperviseConfig) {
	log := s.cfg.Logger
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if _, up := s.Postmaster(); up {
			continue
		}
		down := time.Now()
		log.WarnContext(ctx, "pgserver: the private PostgreSQL is not running: starting it again", slog.String("dir", s.cfg.Dir))
		wait := cfg.RetryBase
		for attempt := 1; ; attempt++ {
			err := s.clearStaleLock()
			if err == nil {
				err = s.start(ctx)
			}
			if err == nil {
				s.setStarted(true)
				pid, _ := s.Postmaster()
				log.WarnContext(ctx, "pgserver: the private PostgreSQL runs again", slog.Int("attempts", attempt),
					slog.Duration("down_for", time.Since(down).Round(time.Millisecond)), slog.Int("pid", pid))
				break
			}
			if ctx.Err() != nil {
				return
			}
			log.ErrorContext(ctx, "pgserver: restart failed, will retry", slog.Int("attempt", attempt),
				slog.Duration("retry_in", wait), slog.String("error", err.Error()))
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(wait*2, cfg.RetryCap)
			if _, up := s.Postmaster(); up {
				break // started by someone else meanwhile
			}
		}
	}
}

// Postmaster returns the process id of the cluster's postmaster (from
// postmaster.pid) and whether that process is alive.
func (s *Server) Postmaster() (pid int, alive bool) {
	b, err := os.ReadFile(filepath.Join(s.DataDir(), "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	pid, err = strconv.Atoi(string(bytes.TrimSpace(line)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, processAlive(pid)
}

// clearStaleLock removes postmaster.pid when the postmaster it names is
// dead but not yet reaped (a zombie: PostgreSQL's own check, kill(pid, 0),
// takes it for a live postmaster and refuses to start, for as long as
// nobody reaps it) and no process of the old cluster still runs in the data
// directory (its backends leave when their postmaster dies; starting beside
// one would let two servers write the same files). A lock of a live
// postmaster, or of one PostgreSQL can judge itself, is left alone.
func (s *Server) clearStaleLock() error {
	lock := filepath.Join(s.DataDir(), "postmaster.pid")
	pid, alive := s.Postmaster()
	if pid == 0 || alive || syscall.Kill(pid, 0) != nil {
		return nil // no lock, a live postmaster, or a pid PostgreSQL sees is gone
	}
	if n := processesIn(s.DataDir()); n > 0 {
		return fmt.Errorf("pgserver: %d process(es) of the stopped cluster still run in %s", n, s.DataDir())
	}
	// The socket's lock names the same dead postmaster, and PostgreSQL
	// judges it the same way.
	socks, _ := filepath.Glob(filepath.Join(s.SocketDir(), ".s.PGSQL.*.lock"))
	for _, l := range append(socks, lock) {
		b, err := os.ReadFile(l)
		if err != nil {
			continue
		}
		first, _, _ := bytes.Cut(b, []byte("\n"))
		if p, err := strconv.Atoi(string(bytes.TrimSpace(first))); err != nil || p != pid {
			continue
		}
		if err := os.Remove(l); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("pgserver: remove the stale lock %s: %w", filepath.Base(l), err)
		}
	}
	return nil
}

// processesIn counts the live processes whose working directory is dir (a
// PostgreSQL server process works in its data directory).
func processesIn(dir string) int {
	want, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return 0
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && cwd == want && processAlive(pid) {
			n++
		}
	}
	return n
}

// processAlive reports whether pid is a live process: it exists (signal 0)
// and is not a zombie waiting to be reaped (which happens when this process
// is PID 1 of a container and inherited the postmaster).
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z' && stat[i+2] != 'X'
	}
	return true
}
