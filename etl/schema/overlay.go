package schema

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Overlay returns a file system in which a file present in the folder dir
// wins over the file of the same path in base (the embedded schemas). So a
// deployment overrides one code list by dropping codelists/ethnicity.yaml
// into its schema folder, or adds a template by adding its files; files
// absent from dir come from base. Directory listings are the union of both.
// An empty dir gives base itself.
//
// Errors Load reports name overridden files by their path in dir.
func Overlay(dir string, base fs.FS) fs.FS {
	if dir == "" {
		return base
	}
	return &overlay{dir: dir, top: os.DirFS(dir), base: base}
}

type overlay struct {
	dir  string
	top  fs.FS
	base fs.FS
}

// Open implements fs.FS.
func (o *overlay) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return o.base.Open(name)
}

// ReadDir implements fs.ReadDirFS: the union of both listings, dir's entry
// winning.
func (o *overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	top, terr := fs.ReadDir(o.top, name)
	base, berr := fs.ReadDir(o.base, name)
	if terr != nil && berr != nil {
		return nil, terr
	}
	seen := make(map[string]bool, len(top))
	out := make([]fs.DirEntry, 0, len(top)+len(base))
	for _, e := range top {
		seen[e.Name()] = true
		out = append(out, e)
	}
	for _, e := range base {
		if !seen[e.Name()] {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// Origin names the file name as an operator finds it: its path in dir when
// overridden there, else name.
func (o *overlay) Origin(name string) string {
	if _, err := fs.Stat(o.top, name); err == nil {
		return filepath.Join(o.dir, filepath.FromSlash(name))
	}
	return name
}

// origin names a file of fsys for messages.
func origin(fsys fs.FS, name string) string {
	if o, ok := fsys.(interface{ Origin(string) string }); ok {
		return o.Origin(name)
	}
	return name
}
