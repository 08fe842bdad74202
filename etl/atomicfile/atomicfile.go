// Package atomicfile is the one way this module writes a file that others
// may read while it is written: through github.com/google/renameio/v2, a
// temporary file in the destination's folder, synced and renamed over the
// destination, so that a reader (or a crash) sees the old file or the new
// one, never half of one.
//
// Files reached through an *os.Root (the inbox's state directory) are
// written by the inbox's own root-aware helpers (see etl/inbox): one that
// replaces, for its own records, and inbox.Drop, which places a file in the
// inbox without ever replacing one (the console's uploads).
package atomicfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// Write writes path with what write produces: into a temporary file beside
// path (created with perm under the umask), synced, renamed over path, and
// the folder synced so that the rename survives a crash. On any failure,
// write's included, the temporary file is removed and path is untouched.
// Errors name path.
func Write(path string, perm fs.FileMode, write func(w io.Writer) error) error {
	pf, err := renameio.NewPendingFile(path, renameio.WithTempDir(filepath.Dir(path)), renameio.WithPermissions(perm))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer pf.Cleanup()
	if err := write(pf); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// The rename is durable once the folder is synced; a folder that
	// cannot be opened or synced (some network shares) loses nothing but
	// that guarantee.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
