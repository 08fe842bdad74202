package inbox

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"
)

// Folders under the state directory.
const (
	dirInbox      = "inbox"
	dirStaging    = "staging"
	dirArchive    = "archive"
	dirRejected   = "rejected"
	dirQuarantine = "quarantine"
)

// ErrChanged is returned by [Inbox.Stage], [Inbox.Archive] and [Inbox.Reject]
// when the inbox entry is no longer the file that was scanned or staged: it
// grew, was rewritten, replaced or removed. Nothing was moved and the staging
// copy, if any, was dropped; a later scan offers whatever is there now. It is
// not a verdict on the file.
var ErrChanged = errors.New("file changed since it was scanned")

// Config configures an [Inbox]. The zero value is usable: every zero field
// takes its default.
type Config struct {
	// StateDir holds inbox/, staging/, archive/, rejected/ and quarantine/,
	// which are created when missing. Defaults to "var".
	StateDir string
	// MinAge is how long, on the Now clock, an entry must stay unchanged
	// after the first scan that saw it before it is acted on. Defaults to 10s.
	MinAge time.Duration
	// StableScans is how many consecutive scans must see an entry unchanged
	// before it is acted on. Defaults to 2.
	StableScans int
	// LockTimeout is how long a lock file of an office program beside a
	// file (LibreOffice's .~lock.<name>#, Excel's ~$<name>) holds the file
	// back while it stays unchanged: after that the file is read anyway (a
	// lock left by a program that crashed must not hold it for ever), and
	// the log says so. Defaults to 30m.
	LockTimeout time.Duration
	// MaxFileSize is the largest file that is read; larger ones are
	// quarantined as TOO_LARGE without being opened. Defaults to 64 MiB.
	MaxFileSize int64
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// Logger receives the log lines (never raw file names). Defaults to a
	// discarding logger (the command line passes its own).
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	c.StateDir = cmp.Or(c.StateDir, "var")
	c.MinAge = cmp.Or(c.MinAge, 10*time.Second)
	c.StableScans = cmp.Or(c.StableScans, 2)
	c.LockTimeout = cmp.Or(c.LockTimeout, 30*time.Minute)
	c.MaxFileSize = cmp.Or(c.MaxFileSize, 64<<20)
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Logger = cmp.Or(c.Logger, slog.New(slog.DiscardHandler))
	return c
}

func (c Config) validate() error {
	switch {
	case c.MinAge < 0:
		return fmt.Errorf("MinAge %s is negative", c.MinAge)
	case c.LockTimeout < 0:
		return fmt.Errorf("LockTimeout %s is negative", c.LockTimeout)
	case c.StableScans < 1:
		return fmt.Errorf("StableScans %d is below 1", c.StableScans)
	case c.MaxFileSize < 1:
		return fmt.Errorf("MaxFileSize %d is below 1", c.MaxFileSize)
	}
	return nil
}

// Inbox scans the inbox folder and moves its files. Its methods are safe for
// concurrent use; scans and moves are serialised.
type Inbox struct {
	cfg   Config
	log   *slog.Logger
	state *os.Root // the state directory: moves
	in    *os.Root // inbox/: every read

	mu    sync.Mutex
	obs   map[string]*observation // by path relative to the inbox
	noted map[string]bool         // folders already reported as not scanned

	closedMu sync.Mutex
	closed   map[string]closeMark // files the kernel saw closed after writing (watch.go)
}

// New creates the folders under cfg.StateDir that are missing (staging/ is
// always set to 0700) and opens the state directory. A nil cfg means all
// defaults. Close releases it.
func New(cfg *Config) (*Inbox, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("inbox: config: %w", err)
	}
	if !statSupported {
		return nil, errors.New("inbox: needs Linux (device, inode and link count of files)")
	}
	abs, err := filepath.Abs(c.StateDir)
	if err != nil {
		return nil, fmt.Errorf("inbox: state dir: %w", err)
	}
	c.StateDir = abs
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("inbox: create state dir: %w", err)
	}
	state, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("inbox: open state dir: %w", err)
	}
	for _, d := range []string{dirInbox, dirStaging, dirArchive, dirRejected, dirQuarantine} {
		perm := fs.FileMode(0o750)
		if d == dirStaging {
			perm = 0o700
		}
		if err := state.Mkdir(d, perm); err != nil && !errors.Is(err, fs.ErrExist) {
			state.Close()
			return nil, fmt.Errorf("inbox: create %s: %w", d, err)
		}
	}
	// The staging copies hold members' personal data: private whatever the
	// folder was before.
	if err := state.Chmod(dirStaging, 0o700); err != nil {
		state.Close()
		return nil, fmt.Errorf("inbox: chmod %s: %w", dirStaging, err)
	}
	in, err := state.OpenRoot(dirInbox)
	if err != nil {
		state.Close()
		return nil, fmt.Errorf("inbox: open inbox: %w", err)
	}
	return &Inbox{
		cfg:   c,
		log:   c.Logger,
		state: state,
		in:    in,
		obs:   map[string]*observation{},
		noted: map[string]bool{},
	}, nil
}

// Close releases the open directories.
func (ib *Inbox) Close() error {
	return errors.Join(ib.in.Close(), ib.state.Close())
}

// InboxDir is the absolute path of the inbox folder.
func (ib *Inbox) InboxDir() string { return filepath.Join(ib.cfg.StateDir, dirInbox) }

// NameHash is the short hash that stands for a file name or path in logs
// (names often contain people's names): the first 12 hex digits of its
// SHA-256.
func NameHash(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:6])
}

// randomID is 16 random bytes in hex: staging ids and temp names.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// syncDir fsyncs a folder of the state directory so that renames and
// creations in it survive a crash.
func (ib *Inbox) syncDir(dir string) error { return syncIn(ib.state, dir) }

// syncIn fsyncs folder dir of root.
func syncIn(root *os.Root, dir string) error {
	d, err := root.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	return nil
}

// tmpPrefix starts the names of the temp files of atomic writes; Recover
// removes them.
const tmpPrefix = ".tmp-"

// writeAtomic writes dir/name in the state directory with data, through a
// temp file named tmpPrefix+random in dir (see [Inbox.replace]). The caller
// fsyncs dir.
func (ib *Inbox) writeAtomic(dir, name string, data []byte) error {
	err := ib.replace(path.Join(dir, tmpPrefix+randomID()), path.Join(dir, name), 0o640, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", NameHash(name), err)
	}
	return nil
}

// replace is the inbox's one atomic writer, for files reached through the
// state directory's *os.Root: it creates tmp (exclusively, with perm), lets
// fill write it, fsyncs and closes it and renames it over name, all inside
// the root; on any failure, fill's included, tmp is removed and name is
// untouched. fill's error is returned as it is. The caller fsyncs the
// folder.
//
// Everything else in the module writes through etl/atomicfile
// (github.com/google/renameio/v2). renameio's WithRoot option does confine
// its writes to a root, but it names its temp file after the destination
// ("."+base+digits) at the root's top, not in the destination's folder:
// [Inbox.Recover] could not tell such a leftover of a crash from an
// operator's file, nor find it where it looks (the temp names here are
// chosen so that it can: tmpPrefix in rejected/, quarantine/ and the
// archive, <id>.xlsx.tmp in staging/).
func (ib *Inbox) replace(tmp, name string, perm fs.FileMode, fill func(w io.Writer) error) (err error) {
	f, err := ib.state.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	defer func() {
		if f != nil {
			_ = f.Close()
		}
		if err != nil {
			_ = ib.state.Remove(tmp)
		}
	}()
	if err := fill(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	err = f.Close()
	f = nil
	if err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return ib.state.Rename(tmp, name)
}

// exists reports whether name exists in the state directory (a dangling
// symlink counts).
func (ib *Inbox) exists(name string) (bool, error) {
	_, err := ib.state.Lstat(name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, err
}

// freeName picks, in dir, base or base with a suffix such that neither it
// nor any of the names also gives for it (its reports) exists. The first
// suffix is tag (a short hash); then tag-2, tag-3, ….
func (ib *Inbox) freeName(dir, base, tag string, also func(cand string) []string) (string, error) {
	for i := 0; i < 100; i++ {
		cand := base
		switch {
		case i == 1:
			cand = withSuffix(base, tag)
		case i > 1:
			cand = withSuffix(base, fmt.Sprintf("%s-%d", tag, i))
		}
		taken := false
		names := []string{cand}
		if also != nil {
			names = append(names, also(cand)...)
		}
		for _, x := range names {
			ok, err := ib.exists(path.Join(dir, x))
			if err != nil {
				return "", err
			}
			taken = taken || ok
		}
		if !taken {
			return cand, nil
		}
	}
	return "", fmt.Errorf("no free name in %s for %s", dir, NameHash(base))
}

// statePath is the path of name (relative to the state directory) on disk.
func (ib *Inbox) statePath(name string) string {
	return filepath.Join(ib.cfg.StateDir, filepath.FromSlash(name))
}
