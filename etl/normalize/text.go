// Package normalize turns the text of workbook cells into clean values:
// Unicode-normalised text, matching keys for headers and names, Vietnamese
// numbers, dates (Excel serials in the 1900 and 1904 systems, and text),
// months and yes/no answers.
//
// Every parser here refuses to guess. Text that could be read two ways
// ("4.046": four thousand and forty-six in Vietnamese, four point
// zero four six in English; "03/15/2024": month first) is rejected with
// [ErrAmbiguousNumber] or [ErrAmbiguousDate]; anything else that is not a
// value of the type gets [ErrNotNumber], [ErrNotDate], [ErrDateRange] or
// [ErrNotBool]. Errors wrap these sentinels (test with errors.Is) and quote
// at most a short prefix of the input.
package normalize

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text cleans a cell's or a header's text: it maps NBSP, every other Unicode
// space separator (Zs), line and paragraph separators and ASCII whitespace
// (tab, CR, LF) to a plain space; removes format characters (Cf: zero-width
// space and joiners, BOM U+FEFF, soft hyphen, bidi controls such as U+202E)
// and the other control characters (Cc); trims; collapses inner runs of
// spaces to one; and returns the result in Unicode NFC, so that Vietnamese
// typed with combining marks ("Unicode tổ hợp") equals the precomposed form.
//
// Text is idempotent, and allocation-free when s is already clean (the
// common case: it runs on every cell).
func Text(s string) string {
	if clean(s) {
		return s
	}
	return rebuild(s)
}

// rebuild is Text without the check that s is already clean.
func rebuild(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending: written before the next kept rune
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			// Invalid UTF-8 (or a literal U+FFFD) becomes U+FFFD.
		case isSpace(r):
			space = b.Len() > 0
			continue
		case drop(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if !isNFC(out) {
		out = norm.NFC.String(out)
	}
	return out
}

// clean reports whether Text(s) == s without building anything.
func clean(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	ascii := true
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if c < 0x20 || c == 0x7f {
			return false
		}
		if c == ' ' {
			if prevSpace {
				return false
			}
			prevSpace = true
		} else {
			prevSpace = false
		}
	}
	if ascii {
		return true
	}
	prevSpace = false
	quick := true // every rune so far is plain: the text is NFC without a look-up
	for i, r := range s {
		switch {
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case r < utf8.RuneSelf:
			if r < 0x20 || r == 0x7f {
				return false // ASCII white space other than ' ', or a control
			}
			prevSpace = false
		case isPlain(r):
			prevSpace = false
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false // invalid UTF-8
			}
			prevSpace, quick = false, false
		case isSpace(r), drop(r):
			return false
		default:
			prevSpace, quick = false, false
		}
	}
	return quick || isNFC(s)
}

// plainMax bounds the runes isPlain knows: Latin (Vietnamese included),
// Greek, Cyrillic and the other alphabets below U+2000.
const plainMax = 0x2000

// plainRunes is the set of runes below plainMax that are plain: neither
// space nor removed by Text, canonical combining class 0 and NFC_QC=Yes, so
// that they combine with nothing before them. A text of plain runes and
// ASCII is in NFC (the Unicode quick check answers yes), which spares the
// normalisation tables a look-up for each letter of almost every
// Vietnamese cell. Built on first use from the tables themselves.
var plainRunes = sync.OnceValue(func() *[plainMax / 64]uint64 {
	var set [plainMax / 64]uint64
	for r := rune(utf8.RuneSelf); r < plainMax; r++ {
		if isSpace(r) || drop(r) || !utf8.ValidRune(r) {
			continue
		}
		p := norm.NFC.PropertiesString(string(r))
		if p.CCC() != 0 || !p.BoundaryBefore() || norm.NFC.QuickSpanString(string(r)) != len(string(r)) {
			continue
		}
		set[r/64] |= 1 << (r % 64)
	}
	return &set
})

// isPlain reports whether r is in plainRunes.
func isPlain(r rune) bool {
	return r < plainMax && plainRunes()[r/64]&(1<<(r%64)) != 0
}

// isNFC reports whether s is in NFC; the quick check does not allocate.
func isNFC(s string) bool {
	return norm.NFC.QuickSpanString(s) == len(s) || norm.NFC.IsNormalString(s)
}

// isSpace reports whether r becomes a plain space.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
	}
	return r == 0x85 || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Zs, r)
}

// drop reports whether r is removed: format and control characters.
func drop(r rune) bool {
	if r < utf8.RuneSelf {
		return r < 0x20 || r == 0x7f
	}
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)
}

// Key is the matching key of a header, label, code or name: the cleaned
// Text, lower-cased, without diacritics (đ and Đ become d) and without
// anything but letters and digits. "Ngày sinh", "NGAY SINH", "ngày  sinh"
// and the decomposed (NFD) spelling all give "ngaysinh".
//
// Key is idempotent and allocation-free when s is already a key.
func Key(s string) string {
	if isKey(s) {
		return s
	}
	var buf [64]byte
	return string(AppendKey(buf[:0], s))
}

// AppendKey appends Key(s) to dst and returns the extended slice. It
// allocates nothing beyond growing dst, so callers that only compare or
// hash a key (a code-list look-up, a uniqueness check on every row) can
// reuse one buffer.
func AppendKey(dst []byte, s string) []byte {
	if isKey(s) {
		return append(dst, s...)
	}
	if out, ok := appendKeySimple(dst, s); ok {
		return out
	}
	// Invalid UTF-8 is dropped first: a stray lead byte would otherwise hide
	// the next character from the decomposition (found by FuzzText).
	s = strings.ToValidUTF8(s, "")
	it := iters.Get().(*norm.Iter)
	defer iters.Put(it)
	it.InitString(norm.NFD, s)
	for !it.Done() {
		// A segment is a run of whole characters in NFD; together the
		// segments are norm.NFD.String(s).
		seg := it.Next()
		for len(seg) > 0 {
			r, n := rune(seg[0]), 1
			if r >= utf8.RuneSelf {
				r, n = utf8.DecodeRune(seg)
			}
			seg = seg[n:]
			dst = appendKeyRune(dst, r)
		}
	}
	return dst
}

// appendKeySimple is AppendKey for a text of ASCII and simple runes (see
// keyRunes), rune by rune without decomposing; ok is false, and dst as it
// was, for any other text.
func appendKeySimple(dst []byte, s string) ([]byte, bool) {
	start := len(dst)
	var table *[plainMax]rune
	for _, r := range s {
		if r < utf8.RuneSelf {
			dst = appendKeyRune(dst, r)
			continue
		}
		if table == nil {
			table = keyRunes()
		}
		if r >= plainMax || table[r] < 0 {
			return dst[:start], false // invalid UTF-8 (U+FFFD) included
		}
		if k := table[r]; k > 0 {
			dst = utf8.AppendRune(dst, k)
		}
	}
	return dst, true
}

// keyRunes gives, for each rune below plainMax, what it adds to a key (0:
// nothing) when it is simple, -1 when it is not. A rune is simple when its
// canonical decomposition is one starter (combining class 0) followed only
// by non-spacing marks, which Key drops: every precomposed Vietnamese
// letter is. In a text of ASCII and simple runes each decomposition starts
// with a starter, so canonical reordering never crosses from one rune to
// the next, and the key is the runes' contributions one after the other.
// Built on first use from the slow path itself.
var keyRunes = sync.OnceValue(func() *[plainMax]rune {
	var table [plainMax]rune
	for r := range rune(plainMax) {
		table[r] = -1
		if r < utf8.RuneSelf || !utf8.ValidRune(r) {
			continue
		}
		d := []rune(norm.NFD.String(string(r)))
		if norm.NFC.PropertiesString(string(d[0])).CCC() != 0 {
			continue
		}
		simple := true
		for _, m := range d[1:] {
			simple = simple && unicode.Is(unicode.Mn, m)
		}
		if !simple {
			continue
		}
		k := []rune(string(appendKeyRune(nil, d[0])))
		switch len(k) {
		case 0:
			table[r] = 0
		case 1:
			table[r] = k[0]
		}
	}
	return &table
})

// iters keeps decomposition iterators: one refers to itself and so lives on
// the heap, and making one for every key cost more than the key.
var iters = sync.Pool{New: func() any { return new(norm.Iter) }}

// appendKeyRune appends what one rune of the NFD form contributes to a key.
func appendKeyRune(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			dst = append(dst, byte(r))
		case r >= 'A' && r <= 'Z':
			dst = append(dst, byte(r)+'a'-'A')
		}
		return dst
	}
	if unicode.Is(unicode.Mn, r) {
		return dst
	}
	r = unicode.ToLower(r)
	if r == 'đ' {
		r = 'd'
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// isKey reports whether s consists of ASCII lowercase letters and digits only.
func isKey(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
