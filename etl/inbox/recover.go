package inbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strings"
)

// Recover runs at start-up, before the first scan. It removes the staging
// copies that keep does not claim (keep receives the ID; a nil keep claims
// none), the temp files of interrupted copies in staging/, and the temp
// files of interrupted atomic writes in rejected/, quarantine/ and the
// archive folders. It never touches the inbox. It returns how many files it
// removed; on an error it stops and returns the count so far.
func (ib *Inbox) Recover(ctx context.Context, keep func(id string) bool) (removed int, err error) {
	defer wrapf(&err, "inbox: recover")
	ib.mu.Lock()
	defer ib.mu.Unlock()
	kept, unknown := 0, 0
	names, err := ib.list(dirStaging)
	if err != nil {
		return 0, err
	}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		id, isCopy := strings.CutSuffix(name, stagedExt)
		tmpID, isTmp := strings.CutSuffix(name, stagedExt+".tmp")
		switch {
		case isTmp && stagingID.MatchString(tmpID):
		case isCopy && stagingID.MatchString(id):
			if keep != nil && keep(id) {
				kept++
				continue
			}
		default:
			unknown++ // not ours: left for the administrator
			continue
		}
		if err := ib.state.Remove(path.Join(dirStaging, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		removed++
	}

	dirs := []string{dirRejected, dirQuarantine}
	quarters, err := ib.list(dirArchive)
	if err != nil {
		return removed, err
	}
	for _, q := range quarters {
		orgs, err := ib.list(path.Join(dirArchive, q))
		if err != nil {
			return removed, err
		}
		for _, o := range orgs {
			dirs = append(dirs, path.Join(dirArchive, q, o))
		}
	}
	temps := 0
	for _, dir := range dirs {
		names, err := ib.list(dir)
		if err != nil {
			return removed, err
		}
		for _, name := range names {
			if !strings.HasPrefix(name, tmpPrefix) {
				continue
			}
			if err := ib.state.Remove(path.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return removed, err
			}
			removed++
			temps++
		}
	}
	ib.log.InfoContext(ctx, "inbox: recovered", slog.Int("removed", removed), slog.Int("removed_temp", temps),
		slog.Int("kept", kept), slog.Int("unknown", unknown))
	return removed, nil
}

// list returns the names in a folder of the state directory; a folder that
// is not there, or a name that is not a folder, gives none.
func (ib *Inbox) list(dir string) ([]string, error) {
	fi, err := ib.state.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.IsDir()) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d, err := ib.state.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	return names, nil
}
