package inbox

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// closeWatcher reads the two inotify events that say a file is complete:
// IN_CLOSE_WRITE (its writer closed it) and IN_MOVED_TO (it was renamed in,
// which is how careful writers publish a finished file). See [Watcher] for
// why fsnotify does not serve here.
type closeWatcher struct {
	f        *os.File
	fd       int
	log      *slog.Logger
	complete func(rel string)
	lost     func()

	mu    sync.Mutex
	byWD  map[int32]string // watch descriptor → folder relative to the inbox
	byRel map[string]int32
}

func newCloseWatcher(log *slog.Logger, complete func(rel string), lost func()) (*closeWatcher, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	// A non-blocking descriptor goes through the runtime's poller, so Close
	// ends a Read in progress.
	return &closeWatcher{f: os.NewFile(uintptr(fd), "inotify"), fd: fd, log: log, complete: complete, lost: lost,
		byWD: map[int32]string{}, byRel: map[string]int32{}}, nil
}

// add watches the folder abs (rel relative to the inbox). The folder itself
// must be a folder: a link swapped in is not followed.
func (c *closeWatcher) add(abs, rel string) error {
	wd, err := unix.InotifyAddWatch(c.fd, abs, unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO|unix.IN_ONLYDIR|unix.IN_DONT_FOLLOW)
	if err != nil {
		return fmt.Errorf("inotify watch: %w", err)
	}
	c.mu.Lock()
	c.byWD[int32(wd)] = rel
	c.byRel[rel] = int32(wd)
	c.mu.Unlock()
	return nil
}

func (c *closeWatcher) remove(rel string) {
	c.mu.Lock()
	wd, ok := c.byRel[rel]
	delete(c.byRel, rel)
	delete(c.byWD, wd)
	c.mu.Unlock()
	if ok {
		_, _ = unix.InotifyRmWatch(c.fd, uint32(wd))
	}
}

func (c *closeWatcher) close() error { return c.f.Close() }

func (c *closeWatcher) run() {
	var buf [64 << 10]byte
	for {
		n, err := c.f.Read(buf[:])
		if err != nil {
			if !errors.Is(err, os.ErrClosed) {
				c.log.Warn("inbox: close events", slog.String("error", err.Error()))
			}
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			end := off + unix.SizeofInotifyEvent + int(ev.Len)
			if end > n {
				break
			}
			name := strings.TrimRight(string(buf[off+unix.SizeofInotifyEvent:end]), "\x00")
			off = end
			switch {
			case ev.Mask&unix.IN_Q_OVERFLOW != 0:
				c.lost()
			case ev.Mask&unix.IN_IGNORED != 0:
				c.mu.Lock()
				if rel, ok := c.byWD[ev.Wd]; ok {
					delete(c.byWD, ev.Wd)
					if c.byRel[rel] == ev.Wd {
						delete(c.byRel, rel)
					}
				}
				c.mu.Unlock()
			case ev.Mask&unix.IN_ISDIR != 0 || name == "":
			case ev.Mask&(unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO) != 0:
				c.mu.Lock()
				dir, ok := c.byWD[ev.Wd]
				c.mu.Unlock()
				if ok {
					c.complete(joinRel(dir, name))
				}
			}
		}
	}
}
