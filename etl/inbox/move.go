package inbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
)

// Archive moves the original of st from the inbox to
// archive/<year>-Q<quarter>/<org>/<name> (org made safe for a path; a taken
// name gets "-<first 8 hex of the SHA-256>" before its extension, then a
// counter: nothing is ever overwritten), fsyncs both folders and removes the
// staging copy. It returns the new path, under Config.StateDir.
//
// If the inbox entry is no longer the staged file (same device, inode, size
// and mtime), for example because the operator replaced it, Archive leaves
// whatever is there for the next scan, drops the staging copy and returns an
// error wrapping [ErrChanged].
func (ib *Inbox) Archive(ctx context.Context, st *Staged, year, quarter int, org string) (dest string, err error) {
	defer wrapf(&err, "inbox: archive %s", st.ID)
	if year < 1900 || year > 9999 || quarter < 1 || quarter > 4 {
		return "", fmt.Errorf("bad quarter %d-Q%d", year, quarter)
	}
	o, err := sanitizeOrg(org)
	if err != nil {
		return "", err
	}
	return ib.move(ctx, st, path.Join(dirArchive, fmt.Sprintf("%04d-Q%d", year, quarter), o), nil, "archived")
}

// reportSuffix is what a report key may look like: "loi.txt", "json",
// "annotated.xlsx".
var reportSuffix = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,39}$`)

// ReportName is the name of the report key of the original name in
// rejected/: the original's name without its extension, a dot and the key,
// so that "x.xlsx" has "x.loi.txt", "x.json" and "x.loi.xlsx" — the names
// the result mail and `returns validate --annotate` give them too.
func ReportName(original, key string) string {
	return strings.TrimSuffix(original, path.Ext(original)) + "." + key
}

// Reject moves the original of st from the inbox to rejected/<name> and
// writes each report beside it as <stem>.<key> ([ReportName]; keys such as "loi.txt",
// "json", "annotated.xlsx": letters, digits, '.', '_', '-', at most 40 bytes),
// each atomically (temp file, fsync, rename). Names are chosen as for
// [Inbox.Archive] so that neither the original nor a report overwrites
// anything. The staging copy is removed. It returns the new path of the
// original, under Config.StateDir; a changed inbox entry gives [ErrChanged]
// as for Archive, and no report is left behind.
func (ib *Inbox) Reject(ctx context.Context, st *Staged, reports map[string][]byte) (dest string, err error) {
	defer wrapf(&err, "inbox: reject %s", st.ID)
	for key := range reports {
		if !reportSuffix.MatchString(key) {
			return "", fmt.Errorf("bad report key %q", key)
		}
	}
	return ib.move(ctx, st, dirRejected, reports, "rejected")
}

// move is Archive and Reject: dir is the destination folder in the state
// directory.
func (ib *Inbox) move(ctx context.Context, st *Staged, dir string, reports map[string][]byte, outcome string) (string, error) {
	if !localRel(st.Rel) || !stagingID.MatchString(st.ID) || len(st.SHA256) != 64 {
		return "", errors.New("not a staged file of this inbox")
	}
	ib.mu.Lock()
	defer ib.mu.Unlock()
	src := path.Join(dirInbox, st.Rel)
	if !ib.stillStaged(src, st) {
		return "", ib.changed(ctx, st)
	}
	if err := ib.state.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	keys := slices.Sorted(maps.Keys(reports))
	base, err := ib.freeName(dir, safeName(st.Name), st.SHA256[:8], func(c string) []string {
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = ReportName(c, k)
		}
		return names
	})
	if err != nil {
		return "", err
	}
	dest := path.Join(dir, base)
	written := make([]string, 0, len(keys))
	undo := func() {
		for _, w := range written {
			_ = ib.state.Remove(w)
		}
	}
	for _, k := range keys {
		if err := ib.writeAtomic(dir, ReportName(base, k), reports[k]); err != nil {
			undo()
			return "", err
		}
		written = append(written, path.Join(dir, ReportName(base, k)))
	}
	if err := ib.state.Rename(src, dest); err != nil {
		undo()
		return "", err
	}
	// The entry checked before the rename may have been swapped in between:
	// the file now at dest must be the staged one, else it goes back.
	if !ib.stillStaged(dest, st) {
		back := src
		if ok, _ := ib.exists(src); ok {
			back = path.Join(path.Dir(src), withSuffix(safeName(st.Name), randomID()[:8]))
		}
		if err := ib.state.Rename(dest, back); err != nil {
			ib.log.ErrorContext(ctx, "inbox: could not return a replaced file to the inbox", slog.String("name_hash", NameHash(st.Rel)),
				slog.String("error", hideNames(err)))
		}
		undo()
		return "", ib.changed(ctx, st)
	}
	if err := errors.Join(ib.syncDir(dir), ib.syncDir(path.Dir(src))); err != nil {
		// Moved; only durability across a power cut is in doubt. Not worth
		// failing an outcome the caller has already recorded.
		ib.log.ErrorContext(ctx, "inbox: sync after move", slog.String("name_hash", NameHash(st.Rel)), slog.String("error", hideNames(err)))
	}
	delete(ib.obs, st.Rel)
	if err := ib.dropCopy(st); err != nil {
		ib.log.ErrorContext(ctx, "inbox: remove staging copy", slog.String("id", st.ID), slog.String("error", hideNames(err)))
	}
	ib.log.InfoContext(ctx, "inbox: "+outcome, slog.String("name_hash", NameHash(st.Rel)), slog.String("id", st.ID),
		slog.String("sha256", st.SHA256[:12]), slog.Int64("size", st.Size), slog.Int("reports", len(keys)))
	return ib.statePath(dest), nil
}

// stillStaged reports whether the entry name (in the state directory) is the
// regular file that was staged.
func (ib *Inbox) stillStaged(name string, st *Staged) bool {
	fi, err := ib.state.Lstat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	fp := fingerprintOf(fi)
	return fp.dev == st.Dev && fp.ino == st.Ino && fi.Size() == st.Size && fi.ModTime().Equal(st.ModTime)
}

// changed drops the staging copy of a file whose inbox entry changed.
func (ib *Inbox) changed(ctx context.Context, st *Staged) error {
	if err := ib.dropCopy(st); err != nil {
		ib.log.ErrorContext(ctx, "inbox: remove staging copy", slog.String("id", st.ID), slog.String("error", hideNames(err)))
	}
	ib.log.InfoContext(ctx, "inbox: changed since staged, left for the next scan", slog.String("name_hash", NameHash(st.Rel)),
		slog.String("id", st.ID))
	return ErrChanged
}

// wrapf wraps a non-nil *errp with the operation.
func wrapf(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf(format+": %w", append(args, *errp)...)
	}
}

// DropOrphanReports removes, from rejected/, the reports <name>.<key> of st
// (for each of keys) whose original rejected/<name> is not there: the
// leftovers of a [Inbox.Reject] cut short between writing its reports and
// moving the original. Call it before rejecting st again after a crash, so
// that the original keeps its name and nothing stale is left beside it. It
// returns how many files it removed.
func (ib *Inbox) DropOrphanReports(st *Staged, keys ...string) (removed int, err error) {
	defer wrapf(&err, "inbox: drop orphan reports of %s", st.ID)
	ib.mu.Lock()
	defer ib.mu.Unlock()
	base := path.Join(dirRejected, safeName(st.Name))
	if ok, err := ib.exists(base); err != nil || ok {
		return 0, err
	}
	for _, k := range keys {
		if !reportSuffix.MatchString(k) {
			return removed, fmt.Errorf("bad report key %q", k)
		}
		err := ib.state.Remove(path.Join(dirRejected, ReportName(path.Base(base), k)))
		switch {
		case err == nil:
			removed++
		case !errors.Is(err, fs.ErrNotExist):
			return removed, err
		}
	}
	return removed, nil
}
