package workbook

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strings"

	"github.com/returns-project/returns/etl/reason"
)

// entries is the zip directory after the gate: every entry checked, indexed
// by name, with a record of which ones have been read to their end.
type entries struct {
	files  []*zip.File
	byName map[string]int // exact name
	byFold map[string]int // lower-case name: OPC part names are case-insensitive
	done   []bool         // read to EOF, CRC and size checked
}

// lookup finds an entry by part name, exactly or ignoring case.
func (e *entries) lookup(name string) (int, bool) {
	if i, ok := e.byName[name]; ok {
		return i, true
	}
	i, ok := e.byFold[strings.ToLower(name)]
	return i, ok
}

// openZip checks the archive structure and the declared sizes before a single
// byte is inflated: entry count (from the end-of-central-directory record,
// before archive/zip allocates one record per entry), names, methods, sizes
// and compression ratios.
func openZip(r io.ReaderAt, size int64, lim Limits) (*entries, error) {
	if n, ok := declaredEntries(r, size); ok && n > uint64(lim.MaxEntries) {
		return nil, reason.Errorf(reason.TooLarge, "", "zip declares %d entries, more than the limit of %d", n, lim.MaxEntries)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, reason.Wrap(reason.CorruptZip, "", err)
	}
	if zr == nil {
		return nil, reason.Errorf(reason.CorruptZip, "", "unreadable zip directory")
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, reason.Errorf(reason.TooLarge, "", "zip has %d entries, more than the limit of %d", len(zr.File), lim.MaxEntries)
	}
	e := &entries{
		files:  zr.File,
		byName: make(map[string]int, len(zr.File)),
		byFold: make(map[string]int, len(zr.File)),
		done:   make([]bool, len(zr.File)),
	}
	var total uint64
	for i, f := range zr.File {
		name := f.Name
		if err := checkEntryName(name); err != nil {
			return nil, err
		}
		fold := strings.ToLower(name)
		if _, dup := e.byFold[fold]; dup {
			return nil, reason.Errorf(reason.CorruptZip, name, "duplicate zip entry name")
		}
		e.byName[name] = i
		e.byFold[fold] = i
		if f.Flags&0x1 != 0 {
			return nil, reason.Errorf(reason.Encrypted, name, "zip entry is encrypted")
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, reason.Errorf(reason.CorruptZip, name, "unsupported compression method %d", f.Method)
		}
		usize, csize := f.UncompressedSize64, f.CompressedSize64
		if usize > math.MaxInt64 || csize > math.MaxInt64 {
			return nil, reason.Errorf(reason.TooLarge, name, "declared entry size overflows")
		}
		if usize > uint64(lim.MaxEntrySize) {
			return nil, reason.Errorf(reason.TooLarge, name, "declared uncompressed size %d exceeds the limit of %d", usize, lim.MaxEntrySize)
		}
		total += usize
		if total > uint64(lim.MaxTotalSize) {
			return nil, reason.Errorf(reason.TooLarge, name, "declared uncompressed total exceeds the limit of %d", lim.MaxTotalSize)
		}
		if usize > ratioFloor && float64(csize)/float64(usize) < lim.MinRatio {
			return nil, reason.Errorf(reason.TooLarge, name, "compression ratio %.5f below the limit of %.5f (zip bomb)", float64(csize)/float64(usize), lim.MinRatio)
		}
	}
	return e, nil
}

// checkEntryName refuses names that could escape a directory or that mean
// different things to different unzip tools.
func checkEntryName(name string) error {
	switch {
	case name == "":
		return reason.Errorf(reason.CorruptZip, "", "zip entry with an empty name")
	case strings.HasPrefix(name, "/"):
		return reason.Errorf(reason.CorruptZip, name, "zip entry name is an absolute path")
	case strings.ContainsAny(name, "\\\x00"):
		return reason.Errorf(reason.CorruptZip, name, "zip entry name contains a backslash or NUL")
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return reason.Errorf(reason.CorruptZip, name, "zip entry name contains '..'")
		}
	}
	return nil
}

// declaredEntries reads the entry count from the end-of-central-directory
// record (or its Zip64 form). ok is false when the record cannot be found;
// archive/zip then gives the precise error.
func declaredEntries(r io.ReaderAt, size int64) (uint64, bool) {
	const eocdLen, maxComment = 22, 0xFFFF
	n := int64(eocdLen + maxComment)
	if n > size {
		n = size
	}
	if n < eocdLen {
		return 0, false
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return 0, false
	}
	i := len(buf) - eocdLen
	for ; i >= 0; i-- {
		if bytes.Equal(buf[i:i+4], []byte("PK\x05\x06")) &&
			i+eocdLen+int(binary.LittleEndian.Uint16(buf[i+20:])) <= len(buf) {
			break
		}
	}
	if i < 0 {
		return 0, false
	}
	count := uint64(binary.LittleEndian.Uint16(buf[i+10:]))
	if count != 0xFFFF {
		return count, true
	}
	// Zip64: a locator sits just before the record and points at the Zip64 record.
	locOff := size - n + int64(i) - 20
	if locOff < 0 {
		return 0, false
	}
	loc := make([]byte, 20)
	if _, err := r.ReadAt(loc, locOff); err != nil || !bytes.Equal(loc[:4], []byte("PK\x06\x07")) {
		return 0, false
	}
	recOff := binary.LittleEndian.Uint64(loc[8:])
	if recOff > uint64(size) {
		return 0, false
	}
	rec := make([]byte, 56)
	if _, err := r.ReadAt(rec, int64(recOff)); err != nil || !bytes.Equal(rec[:4], []byte("PK\x06\x06")) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(rec[32:]), true
}
