package workbook

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/returns-project/returns/etl/reason"
)

// sst is the shared-string table, stored compactly: one string holding all
// items back to back and the end offset of each. Cells take substrings of it,
// so resolving a shared string allocates nothing.
type sst struct {
	text string
	ends []uint32
}

func (t *sst) len() int {
	if t == nil {
		return 0
	}
	return len(t.ends)
}

func (t *sst) get(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.text[start:t.ends[i]]
}

// readSST reads xl/sharedStrings.xml with the scanner. Each <si> is its
// <t>, or its rich-text runs <r><t> joined; phonetic runs <rPh> are not text
// of the cell. Text is kept exactly, white space included. The count and
// uniqueCount attributes are ignored: they are hints a hostile file can
// inflate, and the table is built from what is actually there.
// sizeHint (the entry's declared size, within the cap) sizes the text
// arena once: the text is never longer than the XML that holds it, and
// growing by doubling would need twice the memory at the last step.
func readSST(r io.Reader, part string, lim Limits, sizeHint int64) (*sst, error) {
	const (
		kOther uint8 = iota
		kRoot
		kSI
		kT
		kR
		kRT
	)
	sc := newScanner(r, part, lim.maxToken())
	var (
		arena   strings.Builder
		ends    []uint32
		cur     []byte
		dec     []byte
		kinds   [16]uint8
		tSeen   bool
		rSeen   bool
		collect bool
	)
	if sizeHint > 0 {
		arena.Grow(int(sizeHint))
	}
	hardCap := lim.cellHardCap()
	maxBytes := hardCap * utf8.UTFMax
	for {
		switch sc.next() {
		case tokErr:
			return nil, sc.err
		case tokEOF:
			return &sst{text: arena.String(), ends: ends}, nil
		case tokStart:
			d := sc.depth()
			k := kOther
			local := string(sc.local)
			if d == 1 {
				if local != "sst" || !sc.inMain() {
					return nil, reason.Errorf(reason.CorruptSST, part, "root element is not a SpreadsheetML sst")
				}
				k = kRoot
			} else if d < len(kinds) {
				parent := kinds[d-1]
				// An item or its text in another namespace is skipped by
				// Excel (ECMA-376 Part 3), which would shift every index
				// after it or drop text: refused.
				if !sc.inMain() && (parent == kSI || parent == kR || parent == kRoot && local == "si") {
					return nil, reason.Errorf(reason.ForeignMarkup, part, "element %q of namespace %s in string item %d", local, sc.nsURI(sc.ns), len(ends))
				}
				switch {
				case parent == kRoot && local == "si":
					k = kSI
					cur, tSeen, rSeen = cur[:0], false, false
				case parent == kSI && local == "t":
					if tSeen || rSeen {
						return nil, reason.Errorf(reason.CorruptSST, part, "string item %d has more than one plain text element", len(ends))
					}
					k, tSeen, collect = kT, true, true
				case parent == kSI && local == "r":
					k, rSeen = kR, true
				case parent == kR && local == "t":
					k, collect = kRT, true
				}
			}
			if d < len(kinds) {
				kinds[d] = k
			}
		case tokText:
			if collect {
				cur = append(cur, sc.text...)
				if len(cur) > maxBytes {
					return nil, reason.Errorf(reason.TooLarge, part, "string item %d longer than %d characters", len(ends), hardCap)
				}
			}
		case tokEnd:
			d := sc.depth()
			if d >= len(kinds) {
				continue
			}
			switch kinds[d] {
			case kT, kRT:
				collect = false
			case kSI:
				dec = appendUnescaped(dec[:0], cur)
				if len(dec) > hardCap && utf8.RuneCount(dec) > hardCap {
					return nil, reason.Errorf(reason.TooLarge, part, "string item %d longer than %d characters", len(ends), hardCap)
				}
				if int64(arena.Len())+int64(len(dec))+4*int64(len(ends)+1) > lim.MaxSharedText {
					return nil, reason.Errorf(reason.TooLarge, part, "shared strings exceed %d bytes (the cap for a file of this size)", lim.MaxSharedText)
				}
				arena.Write(dec)
				ends = append(ends, uint32(arena.Len()))
			}
		}
	}
}

// appendUnescaped appends src to dst with the ST_Xstring escapes of
// ECMA-376 (_xHHHH_ for characters XML cannot hold, _x005F_ for a literal
// underscore) decoded, as Excel and excelize read them. An escape of a
// surrogate decodes to nothing, as in excelize.
func appendUnescaped(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		if src[i] == '_' && i+6 < len(src) && src[i+1] == 'x' && src[i+6] == '_' {
			if v, ok := hex4(src[i+2 : i+6]); ok {
				if utf8.ValidRune(rune(v)) {
					dst = utf8.AppendRune(dst, rune(v))
				}
				i += 7
				continue
			}
		}
		dst = append(dst, src[i])
		i++
	}
	return dst
}

func hex4(b []byte) (uint32, bool) {
	var v uint32
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | uint32(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | uint32(c-'a'+10)
		case 'A' <= c && c <= 'F':
			v = v<<4 | uint32(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
