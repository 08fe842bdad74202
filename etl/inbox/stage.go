package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"regexp"
	"time"
)

// Staged is a private copy of an inbox file. Work is done on Path only; the
// original stays in the inbox until [Inbox.Archive] or [Inbox.Reject].
type Staged struct {
	// ID names the copy: staging/<ID>.xlsx. 32 hex digits, random.
	ID string
	// Path is the copy on disk.
	Path string
	// SHA256 is the hex SHA-256 of the content, computed while copying.
	SHA256 string
	// Size is the content length in bytes.
	Size int64
	// Rel, Name and Org are those of the [Ready] it came from.
	Rel, Name, Org string
	// ModTime, Dev and Ino identify the original: the moves check that the
	// inbox entry is still this file.
	ModTime  time.Time
	Dev, Ino uint64
}

var stagingID = regexp.MustCompile(`^[0-9a-f]{32}$`)

const stagedExt = ".xlsx"

func stagingPath(id string) string { return path.Join(dirStaging, id+stagedExt) }

// Stage copies a ready file into staging/ while hashing it, and fsyncs the
// copy and the folder. The original is opened through the inbox root with
// O_NOFOLLOW|O_NONBLOCK, and the open file must be a regular file with one
// link and the device, inode, size and mtime the scan saw, before and after
// the copy. Otherwise Stage returns an error wrapping [ErrChanged] (try again
// on a later scan). On any error nothing is left in staging/ and the file is
// handed back, so a later scan offers it again if it is still there.
func (ib *Inbox) Stage(ctx context.Context, r Ready) (st *Staged, err error) {
	defer func() {
		if err != nil {
			ib.Retry(r)
			ib.log.WarnContext(ctx, "inbox: not staged", slog.String("name_hash", NameHash(r.Rel)), slog.String("error", hideNames(err)))
			err = fmt.Errorf("inbox: stage %s: %w", NameHash(r.Rel), err)
		}
	}()
	if !localRel(r.Rel) {
		return nil, errors.New("path is not inside the inbox")
	}
	src, err := ib.in.OpenFile(r.Rel, os.O_RDONLY|openFlags, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrChanged
	}
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if err := ib.same(src, r); err != nil {
		return nil, err
	}

	id := randomID()
	h := sha256.New()
	var n int64
	err = ib.replace(stagingPath(id)+".tmp", stagingPath(id), 0o600, func(dst io.Writer) error {
		var err error
		n, err = io.Copy(io.MultiWriter(dst, h), &ctxReader{ctx, io.LimitReader(src, ib.cfg.MaxFileSize+1)})
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		if n != r.Size {
			return ErrChanged // grew (perhaps past the cap) or shrank while scanned
		}
		return ib.same(src, r) // written to while copied
	})
	if err != nil {
		return nil, err
	}
	if err := ib.syncDir(dirStaging); err != nil {
		_ = ib.state.Remove(stagingPath(id))
		return nil, err
	}
	st = &Staged{
		ID: id, Path: ib.statePath(stagingPath(id)), SHA256: hex.EncodeToString(h.Sum(nil)), Size: n,
		Rel: r.Rel, Name: r.Name, Org: r.Org, ModTime: r.ModTime, Dev: r.Dev, Ino: r.Ino,
	}
	ib.log.InfoContext(ctx, "inbox: staged", slog.String("name_hash", NameHash(r.Rel)), slog.String("id", id),
		slog.String("sha256", st.SHA256[:12]), slog.Int64("size", n))
	return st, nil
}

// same checks that the open file is still the regular, single-link file the
// scan saw.
func (ib *Inbox) same(f *os.File, r Ready) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	fp := fingerprintOf(fi)
	if !fi.Mode().IsRegular() || fp.nlink != 1 || fp.dev != r.Dev || fp.ino != r.Ino || fi.Size() != r.Size || !fi.ModTime().Equal(r.ModTime) {
		return ErrChanged
	}
	return nil
}

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Retry hands a ready file back: the next scan offers it again if it is
// still there, unchanged. Call it when the file could not be dealt with now
// (a transient error, a claim held by another worker).
func (ib *Inbox) Retry(r Ready) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	if o := ib.obs[r.Rel]; o != nil && o.fp.dev == r.Dev && o.fp.ino == r.Ino {
		o.offered = false
	}
}

// Discard removes the staging copy and hands the file back, so that the
// next scan offers it again if it is still in the inbox. Use it when the
// work on st is abandoned; [Inbox.Archive] and [Inbox.Reject] drop the copy
// themselves.
func (ib *Inbox) Discard(st *Staged) error {
	if err := ib.dropCopy(st); err != nil {
		return fmt.Errorf("inbox: discard %s: %w", st.ID, err)
	}
	ib.Retry(Ready{Rel: st.Rel, Dev: st.Dev, Ino: st.Ino})
	return nil
}

// dropCopy removes the staging copy of st; a copy already gone is fine.
func (ib *Inbox) dropCopy(st *Staged) error {
	if !stagingID.MatchString(st.ID) {
		return fmt.Errorf("bad staging id %q", st.ID)
	}
	if err := ib.state.Remove(stagingPath(st.ID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
