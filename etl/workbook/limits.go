package workbook

import "math"

// Defaults for zero Limits fields; see the field comments in api.go.
const (
	defaultMaxFileSize   = 64 << 20
	defaultMaxEntries    = 1000
	defaultMaxEntrySize  = 1 << 30
	defaultMaxTotalSize  = 2 << 30
	defaultMinRatio      = 0.005
	defaultMaxRows       = excelMaxRows
	defaultMaxCellChars  = 32767
	defaultMaxSharedText = 256 << 20
	defaultSharedPerByte = 32
	sharedTextFloor      = 16 << 20

	excelMaxRows = 1 << 20 // 1,048,576
	excelMaxCols = 1 << 14 // 16,384 (XFD)

	// ratioFloor is the uncompressed size past which the compression-ratio
	// check applies: small parts compress arbitrarily well and are harmless.
	ratioFloor = 100 << 10

	// smallPartMax caps the structural parts parsed with encoding/xml
	// (content types, relationships, workbook). Real ones are a few KiB.
	smallPartMax = 16 << 20

	// cellHardCapFactor times MaxCellChars is the length past which a cell
	// is refused outright; below it, long cells are delivered and the
	// validator reports them.
	cellHardCapFactor = 10
)

// FileCap is the largest file accepted under l (MaxFileSize, or its
// default when unset): callers check it before they read or hash a byte.
func (l Limits) FileCap() int64 { return l.withDefaults().MaxFileSize }

// withDefaults returns l with every zero (or nonsensical) field set to its default.
func (l Limits) withDefaults() Limits {
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = defaultMaxFileSize
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = defaultMaxEntries
	}
	if l.MaxEntrySize <= 0 {
		l.MaxEntrySize = defaultMaxEntrySize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = defaultMaxTotalSize
	}
	if l.MinRatio <= 0 || math.IsNaN(l.MinRatio) {
		l.MinRatio = defaultMinRatio
	}
	if l.MaxRows <= 0 {
		l.MaxRows = defaultMaxRows
	}
	if l.MaxCellChars <= 0 {
		l.MaxCellChars = defaultMaxCellChars
	}
	if l.MaxSharedText <= 0 {
		l.MaxSharedText = defaultMaxSharedText
	}
	if l.SharedTextPerByte <= 0 {
		l.SharedTextPerByte = defaultSharedPerByte
	}
	// The shared-string arena is indexed with uint32 offsets.
	if l.MaxSharedText > math.MaxUint32-1 {
		l.MaxSharedText = math.MaxUint32 - 1
	}
	return l
}

// cellHardCap is the number of characters past which a cell is refused.
func (l Limits) cellHardCap() int {
	return l.MaxCellChars * cellHardCapFactor
}

// maxToken is the largest single XML token (a tag, a text node, a comment)
// the scanner buffers: room for a cell at the hard cap written entirely as
// character references, with a floor for ordinary files.
func (l Limits) maxToken() int {
	n := l.cellHardCap() * 10
	if n < 4<<20 {
		n = 4 << 20
	}
	return n
}

// sharedTextCap is the shared-string budget for a file of size bytes.
func (l Limits) sharedTextCap(size int64) int64 {
	c := int64(sharedTextFloor)
	if size > 0 && size <= math.MaxInt64/l.SharedTextPerByte {
		c = max(c, size*l.SharedTextPerByte)
	} else if size > 0 {
		c = math.MaxInt64
	}
	return min(c, l.MaxSharedText)
}
