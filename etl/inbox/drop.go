package inbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
)

// Drop is a file being put into the inbox by the program itself (the
// console's upload), written so that a scan never sees half of it and never
// loses a file already there: the content goes to a hidden temporary file in
// its folder (ignored by scans), is synced, and only [Drop.Place] gives it
// its name, by a hard link that fails rather than replace an existing file.
// This is the inbox's second atomic writer beside [Inbox.replace]:
// renameio (etl/atomicfile) always replaces the destination, and an upload
// must never overwrite an operator's file.
type Drop struct {
	root     *os.Root
	dir, tmp string
	// Size and SHA256 describe what was written.
	Size   int64
	SHA256 string
}

// NewDrop writes what r holds into folder dir of the state directory
// stateDir ("inbox", or "inbox/<org>"), creating the folder, under a hidden
// temporary name. The caller must Close the Drop, placed or not.
func NewDrop(stateDir, dir string, r io.Reader) (d *Drop, err error) {
	root, err := os.OpenRoot(stateDir)
	if err != nil {
		return nil, fmt.Errorf("inbox: open state directory: %w", err)
	}
	d = &Drop{root: root, dir: dir, tmp: path.Join(dir, ".drop-"+randomID()+".part")}
	defer func() {
		if err != nil {
			d.Close()
			d = nil
		}
	}()
	if err := root.MkdirAll(dir, 0o750); err != nil {
		return d, fmt.Errorf("inbox: make folder %s: %w", dir, err)
	}
	f, err := root.OpenFile(d.tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return d, fmt.Errorf("inbox: create drop: %w", err)
	}
	h := sha256.New()
	d.Size, err = io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return d, fmt.Errorf("inbox: write drop: %w", err)
	}
	d.SHA256 = hex.EncodeToString(h.Sum(nil))
	return d, nil
}

// Place gives the written file its name in its folder, failing (and
// changing nothing) when the name is taken, and syncs the folder so that
// the name survives a crash.
func (d *Drop) Place(name string) error {
	if err := d.root.Link(d.tmp, path.Join(d.dir, name)); err != nil {
		return fmt.Errorf("inbox: place %s: %w", name, err)
	}
	// A folder that cannot be synced loses only the crash guarantee; the
	// file is placed.
	_ = syncIn(d.root, d.dir)
	return nil
}

// Close removes the temporary file (a placed file keeps its name) and
// releases the state directory.
func (d *Drop) Close() {
	_ = d.root.Remove(d.tmp)
	_ = d.root.Close()
}
