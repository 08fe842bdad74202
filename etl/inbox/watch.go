package inbox

import (
	"errors"
	"fmt"
	"log/slog"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher follows the inbox through the kernel's file events so that a
// dropped file is seen at once instead of at the next periodic scan. It never
// reads a file and never decides anything itself: it wakes the caller (who
// then calls [Inbox.Scan]) and, where the kernel reports it, marks a file
// whose writer closed it (or that was renamed into the inbox) as complete.
//
// A file marked complete is ready at the next scan without waiting for
// [Config.StableScans] scans and [Config.MinAge], as long as its fingerprint
// is still the one seen at the close. Everything else is unchanged: lock and
// temp names are skipped, a lock file beside a file holds it back (see
// [Config.LockTimeout]), links, pipes and bad names are quarantined, and where
// no close can be seen (a network file system mounted from elsewhere, an
// event lost to a queue overflow) the stability rule of the periodic scan
// decides.
//
// Events come from two sources, both inotify on Linux:
//   - github.com/fsnotify/fsnotify for creations, renames and removals: it
//     wakes the scan and follows new organisation folders (inbox/<org>/ and
//     one level below, as far as [Inbox.Scan] reads);
//   - a small inotify reader of IN_CLOSE_WRITE and IN_MOVED_TO, because
//     fsnotify v1.10 keeps its close-write operation unexported (its
//     xUnportableCloseWrite op and withOps option cannot be asked for from
//     outside the package), and a file renamed into the inbox is
//     indistinguishable from a newly created one in its public events.
//
// Elsewhere than Linux only fsnotify runs and the stability rule decides.
type Watcher struct {
	ib   *Inbox
	fsw  *fsnotify.Watcher
	cw   *closeWatcher // nil where the platform reports no close
	wake chan struct{}
	done chan struct{}
	wg   sync.WaitGroup

	mu   sync.Mutex
	dirs map[string]bool // folders (relative to the inbox) being watched
}

// closeMark is a file whose writer closed it: the fingerprint it had then,
// and when the mark was made (monotonic, for the scan's clean-up).
type closeMark struct {
	fp fingerprint
	at time.Time
}

// Watch starts watching the inbox and the folders below it that a scan
// reads. The returned Watcher's Wake channel receives a value (coalesced)
// whenever a scan may find something new. Close stops it. An error (no
// inotify instance left, for example) is not fatal to the caller: the
// periodic scan still finds every file.
func (ib *Inbox) Watch() (*Watcher, error) {
	fsw, err := fsnotify.NewBufferedWatcher(1024)
	if err != nil {
		return nil, fmt.Errorf("inbox: watch: %w", err)
	}
	w := &Watcher{ib: ib, fsw: fsw, wake: make(chan struct{}, 1), done: make(chan struct{}), dirs: map[string]bool{}}
	w.cw, err = newCloseWatcher(ib.log, w.closed, w.poke)
	if err != nil {
		fsw.Close()
		return nil, fmt.Errorf("inbox: watch: %w", err)
	}
	if err := w.follow(""); err != nil {
		w.Close()
		return nil, fmt.Errorf("inbox: watch: %w", err)
	}
	w.wg.Go(w.run)
	if w.cw != nil {
		w.wg.Go(w.cw.run)
	}
	return w, nil
}

// Wake receives a value when the inbox changed: a file was created, renamed
// in or closed after writing, or events were lost. Values coalesce: one
// pending value stands for any number of changes.
func (w *Watcher) Wake() <-chan struct{} { return w.wake }

// Close stops the watcher and waits for its goroutines.
func (w *Watcher) Close() error {
	select {
	case <-w.done:
		return nil
	default:
	}
	close(w.done)
	err := w.fsw.Close()
	if w.cw != nil {
		err = errors.Join(err, w.cw.close())
	}
	w.wg.Wait()
	return err
}

// Watched lists the folders being watched, relative to the inbox ("" is the
// inbox itself).
func (w *Watcher) Watched() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.dirs))
	for d := range w.dirs {
		out = append(out, d)
	}
	return out
}

func (w *Watcher) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// follow watches the folder rel and, within the depth a scan reads, the
// folders below it that a scan would enter.
func (w *Watcher) follow(rel string) error {
	depth := 0
	if rel != "" {
		depth = strings.Count(rel, "/") + 1
	}
	if depth > maxDepth {
		return nil
	}
	abs := filepath.Join(w.ib.cfg.StateDir, dirInbox, filepath.FromSlash(rel))
	w.mu.Lock()
	if w.dirs[rel] {
		w.mu.Unlock()
		return nil
	}
	w.dirs[rel] = true
	w.mu.Unlock()
	if err := w.fsw.Add(abs); err != nil {
		w.mu.Lock()
		delete(w.dirs, rel)
		w.mu.Unlock()
		return err
	}
	if w.cw != nil {
		if err := w.cw.add(abs, rel); err != nil {
			return err
		}
	}
	// A file written into a folder in the moment the folder was made may be
	// complete before the folder is watched: the stability rule decides it.
	w.ib.log.Debug("inbox: watching folder", slog.String("name_hash", NameHash(rel)))
	if depth == maxDepth {
		return nil
	}
	d, err := w.ib.in.Open(cmpRel(rel))
	if err != nil {
		return err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return err
	}
	for _, name := range names {
		child := joinRel(rel, name)
		if w.scannedDir(child, name) {
			if err := w.follow(child); err != nil {
				w.ib.log.Warn("inbox: watch folder", slog.String("name_hash", NameHash(child)), slog.String("error", hideNames(err)))
			}
		}
	}
	return nil
}

// scannedDir reports whether a scan enters the entry rel: a real folder
// (not a link) with a name the scan reads.
func (w *Watcher) scannedDir(rel, name string) bool {
	if ignoredName(name) || badName(name) || workbookDirName(name) || !localRel(rel) {
		return false
	}
	fi, err := w.ib.in.Lstat(rel)
	return err == nil && fi.IsDir()
}

// run turns fsnotify's events into wake-ups and follows new folders.
func (w *Watcher) run() {
	inbox := filepath.Join(w.ib.cfg.StateDir, dirInbox)
	for {
		select {
		case <-w.done:
			return
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			// An overflow loses events: the scan finds what they were about.
			w.ib.log.Warn("inbox: watch", slog.String("error", hideNames(err)))
			w.poke()
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Rename) && !ev.Has(fsnotify.Remove) {
				continue // writes are the stability rule's (the periodic scan)
			}
			rel, err := filepath.Rel(inbox, ev.Name)
			if err != nil {
				continue
			}
			rel = filepath.ToSlash(rel)
			if ev.Has(fsnotify.Create) && w.scannedDir(rel, path.Base(rel)) {
				if err := w.follow(rel); err != nil {
					w.ib.log.Warn("inbox: watch folder", slog.String("name_hash", NameHash(rel)), slog.String("error", hideNames(err)))
				}
			}
			if ev.Has(fsnotify.Rename) || ev.Has(fsnotify.Remove) {
				w.forget(rel)
			}
			w.poke()
		}
	}
}

// forget stops counting a folder that was renamed away or removed as
// watched, so that a folder created again under its name is followed.
func (w *Watcher) forget(rel string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for d := range w.dirs {
		if d == rel || strings.HasPrefix(d, rel+"/") {
			delete(w.dirs, d)
			_ = w.fsw.Remove(filepath.Join(w.ib.cfg.StateDir, dirInbox, filepath.FromSlash(d)))
			if w.cw != nil {
				w.cw.remove(d)
			}
		}
	}
}

// closed is called with the inbox-relative path of a file whose writer
// closed it or that was renamed into a watched folder.
func (w *Watcher) closed(rel string) {
	if w.ib.markClosed(rel) {
		w.poke()
	}
}

// markClosed records that the file rel was complete when the kernel said
// so: its fingerprint now. It reports whether a mark was made.
func (ib *Inbox) markClosed(rel string) bool {
	if !localRel(rel) || ignoredName(path.Base(rel)) {
		return false
	}
	fi, err := ib.in.Lstat(rel)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	ib.closedMu.Lock()
	defer ib.closedMu.Unlock()
	if ib.closed == nil {
		ib.closed = map[string]closeMark{}
	}
	ib.closed[rel] = closeMark{fp: fingerprintOf(fi), at: time.Now()}
	return true
}

// closedAs reports whether rel was marked closed with fingerprint fp.
func (ib *Inbox) closedAs(rel string, fp fingerprint) bool {
	ib.closedMu.Lock()
	defer ib.closedMu.Unlock()
	m, ok := ib.closed[rel]
	return ok && m.fp == fp
}

// forgetClosed drops the marks of entries a scan that started at start
// did not see (marks made since are kept: the scan could not see them).
func (ib *Inbox) forgetClosed(seen map[string]bool, start time.Time) {
	ib.closedMu.Lock()
	defer ib.closedMu.Unlock()
	for rel, m := range ib.closed {
		if !seen[rel] && m.at.Before(start) {
			delete(ib.closed, rel)
		}
	}
}

// lockHeld returns the names of a folder's listing that a lock file of an
// office program holds open: LibreOffice's .~lock.<name># and Excel's
// owner file ~$<name>, which for longer names drops the first one or two
// characters of the name.
func lockHeld(names []string) map[string]bool {
	var held map[string]bool
	add := func(n string) {
		if held == nil {
			held = map[string]bool{}
		}
		held[n] = true
	}
	var owners []string
	for _, n := range names {
		switch {
		case strings.HasPrefix(n, ".~lock.") && strings.HasSuffix(n, "#") && len(n) > len(".~lock.#"):
			add(n[len(".~lock.") : len(n)-1])
		case strings.HasPrefix(n, "~$") && len(n) > 2:
			owners = append(owners, n[2:])
		}
	}
	if len(owners) == 0 {
		return held
	}
	for _, n := range names {
		if ignoredName(n) {
			continue
		}
		for _, o := range owners {
			if n == o || (len(n)-len(o) <= 2 && len(n) > len(o) && strings.HasSuffix(n, o)) {
				add(n)
			}
		}
	}
	return held
}

func cmpRel(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
