package normalize

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sentinel errors. Every error returned by this package wraps one of them.
var (
	// ErrNotNumber: the text is not a number of the kind asked for.
	ErrNotNumber = errors.New("not a number")
	// ErrAmbiguousNumber: the text reads as two different numbers under the
	// Vietnamese and the English conventions ("4.046", "4,046", "4.5").
	ErrAmbiguousNumber = errors.New("ambiguous number")
	// ErrNotDate: the text is not a date in an accepted layout, or names a
	// day that does not exist (31/02/2025).
	ErrNotDate = errors.New("not a date")
	// ErrAmbiguousDate: the text could be two different dates (a two-digit
	// year; month first, as in 03/15/2024), or is the fictitious 29/02/1900
	// of Excel's 1900 date system.
	ErrAmbiguousDate = errors.New("ambiguous date")
	// ErrDateRange: the date lies outside 01/03/1900 .. 31/12/2100.
	ErrDateRange = errors.New("date out of range")
	// ErrNotBool: the text is not a yes/no answer (C/K, Có/Không).
	ErrNotBool = errors.New("not a yes/no value")
)

// maxNumberLen bounds the number texts looked at; longer ones are not numbers.
const maxNumberLen = 64

// quote shows at most a short prefix of s in an error message.
func quote(s string) string {
	const n = 32
	if len(s) <= n {
		return strconv.Quote(s)
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

func numErr(sentinel error, s string, pos int, why string) error {
	if pos >= 0 {
		return fmt.Errorf("%w: %s at byte %d: %s", sentinel, quote(s), pos, why)
	}
	return fmt.Errorf("%w: %s: %s", sentinel, quote(s), why)
}

// splitSign takes an optional leading + or - off s.
func splitSign(s string) (neg bool, rest string) {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		return s[0] == '-', s[1:]
	}
	return false, s
}

// groups parses the integer part of a Vietnamese number: digits, optionally
// grouped by thousands with '.' or ' ' (one kind only): a first group of 1-3
// digits, then groups of exactly 3. It returns the digits, the separator
// used (0 if none) and, on failure, the byte offset of the problem.
func groups(s string) (digits string, sep byte, bad int, ok bool) {
	if s == "" {
		return "", 0, 0, false
	}
	var b []byte
	run := 0      // digits in the current group
	first := true // in the first group
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			run++
			if sep == 0 {
				continue
			}
			b = append(b, c)
		case c == '.' || c == ' ':
			if sep == 0 {
				sep = c
				b = append(b, s[:i]...)
			} else if c != sep {
				return "", sep, i, false
			}
			if run == 0 || (first && run > 3) || (!first && run != 3) {
				return "", sep, i, false
			}
			first, run = false, 0
		default:
			return "", sep, i, false
		}
	}
	if sep == 0 {
		return s, 0, -1, true
	}
	if run != 3 {
		return "", sep, len(s) - run, false
	}
	return string(b), sep, -1, true
}

// Int parses a Vietnamese integer, as typed in a count column: "4046",
// "4.046" and "4 046" (thousands grouped by '.', a space, NBSP or a thin
// space, groups of exactly three digits) all give 4046; an optional sign
// and surrounding spaces are allowed.
//
//	text          result
//	"4046"        4046
//	"4.046"       4046 (a count cannot be four point zero four six)
//	"1.234.567"   1234567
//	"4 046"       4046 (also NBSP U+00A0, thin space U+2009, U+202F)
//	" -12 "       -12
//	"4,046"       ErrAmbiguousNumber (Vietnamese 4,046 is a decimal; English 4046)
//	"4.04"        ErrAmbiguousNumber (English decimal, or a typo)
//	"4.0460"      ErrAmbiguousNumber
//	"1234.567"    ErrAmbiguousNumber
//	"1.234,5"     ErrNotNumber (a decimal, not a count)
//	"4,5"         ErrNotNumber
//	"1e3", "", "12abc", "1.234 567", "--1"   ErrNotNumber
//	beyond int64  ErrNotNumber
func Int(s string) (int64, error) {
	if len(s) > maxNumberLen*4 {
		return 0, numErr(ErrNotNumber, s, -1, "too long")
	}
	t := Text(s)
	neg, body := splitSign(t)
	if body == "" {
		return 0, numErr(ErrNotNumber, s, -1, "no digits")
	}
	if i := strings.IndexByte(body, ','); i >= 0 {
		if looksEnglishThousands(body) {
			return 0, numErr(ErrAmbiguousNumber, s, -1, "',' is the decimal mark in Vietnamese; write 4046 or 4.046 for four thousand and forty-six")
		}
		return 0, numErr(ErrNotNumber, s, i, "not a whole number")
	}
	digits, sep, bad, ok := groups(body)
	if !ok {
		if sep == '.' && englishDecimal(body) {
			return 0, numErr(ErrAmbiguousNumber, s, -1, "'.' groups thousands in Vietnamese (4.046 = 4046); this reads as an English decimal")
		}
		return 0, numErr(ErrNotNumber, s, bad, "not a whole number")
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > math.MaxInt64+uint64(b2i(neg)) {
		return 0, numErr(ErrNotNumber, s, -1, "out of range")
	}
	if neg {
		return -int64(n), nil //nolint:gosec // n ≤ 2^63 checked above; -(2^63) wraps to MinInt64 as intended
	}
	return int64(n), nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// englishDecimal reports whether s is digits, one '.', digits.
func englishDecimal(s string) bool {
	i := strings.IndexByte(s, '.')
	return i > 0 && i < len(s)-1 && allDigits(s[:i]) && allDigits(s[i+1:])
}

// looksEnglishThousands reports whether s is digits grouped by ',' in
// threes with a non-zero first group ("4,046", "1,234,567"): what an English
// writer means as a whole number.
func looksEnglishThousands(s string) bool {
	parts := strings.Split(s, ",")
	if len(parts) < 2 || parts[0] == "" || len(parts[0]) > 3 || parts[0][0] == '0' || !allDigits(parts[0]) {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 || !allDigits(p) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Decimal parses a Vietnamese decimal number: ',' is the decimal mark and
// '.' (or a space, NBSP, thin space) groups thousands. Text that English
// writers would read differently is rejected, never guessed.
//
//	text             result
//	"4"              4
//	"89,51"          89.51
//	"-0,5"           -0.5
//	"1.234,5"        1234.5
//	"1 234,5"        1234.5
//	"1.234.567,25"   1234567.25
//	"1.234.567"      1234567 (two groups: only a thousands reading exists)
//	"0,046"          0.046 (an English thousands group never starts with 0)
//	"4.046"          ErrAmbiguousNumber (4046 in Vietnamese, 4.046 in English)
//	"4,046"          ErrAmbiguousNumber (4.046 in Vietnamese, 4046 in English)
//	"1,234,567"      ErrNotNumber (English grouping)
//	"4.5", "4.04", "4.0460", "1234.5"   ErrAmbiguousNumber (English decimal point)
//	"1,234.5", ",5", "5,", "1e3", "NaN", "", "12abc"   ErrNotNumber
func Decimal(s string) (float64, error) {
	if len(s) > maxNumberLen*4 {
		return 0, numErr(ErrNotNumber, s, -1, "too long")
	}
	t := Text(s)
	neg, body := splitSign(t)
	intPart, frac, hasComma := strings.Cut(body, ",")
	if hasComma {
		if !allDigits(frac) {
			return 0, numErr(ErrNotNumber, s, len(t)-len(frac), "digits expected after ','")
		}
		if strings.IndexByte(intPart, '.') < 0 && strings.IndexByte(intPart, ' ') < 0 &&
			len(frac) == 3 && looksEnglishThousands(body) {
			return 0, numErr(ErrAmbiguousNumber, s, -1, "4,046 is 4.046 in Vietnamese but 4046 in English")
		}
	}
	digits, sep, bad, ok := groups(intPart)
	if !ok {
		if !hasComma && sep == '.' && englishDecimal(intPart) {
			return 0, numErr(ErrAmbiguousNumber, s, -1, "'.' groups thousands in Vietnamese; write the decimal with ',' (4,5)")
		}
		if bad < 0 {
			bad = 0
		}
		return 0, numErr(ErrNotNumber, s, bad+len(t)-len(body), "not a Vietnamese number")
	}
	if !hasComma && sep == '.' && strings.Count(intPart, ".") == 1 {
		return 0, numErr(ErrAmbiguousNumber, s, -1, "4.046 is 4046 in Vietnamese but 4.046 in English")
	}
	num := digits
	if hasComma {
		num += "." + frac
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(x, 0) {
		return 0, numErr(ErrNotNumber, s, -1, "out of range")
	}
	if neg {
		x = -x
	}
	return x, nil
}

// cellNumber checks that raw is a plain decimal number as stored in a
// numeric cell's <v>: sign, digits, '.', exponent; no hex, Inf or NaN.
func cellNumber(raw string) (float64, error) {
	s := strings.TrimSpace(raw)
	if s == "" || len(s) > maxNumberLen {
		return 0, numErr(ErrNotNumber, raw, -1, "not a numeric cell value")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, numErr(ErrNotNumber, raw, i, "not a numeric cell value")
		}
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, numErr(ErrNotNumber, raw, -1, "not a numeric cell value")
	}
	return x, nil
}

// CellInt reads the raw value of a numeric cell ("45000", "1.5E3",
// "4046.0") as an integer. A fraction ("4046.5") or a value beyond int64 is
// ErrNotNumber.
func CellInt(raw string) (int64, error) {
	s := strings.TrimSpace(raw)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	x, err := cellNumber(raw)
	if err != nil {
		return 0, err
	}
	if x != math.Trunc(x) {
		return 0, numErr(ErrNotNumber, raw, -1, "not a whole number")
	}
	if x < -9.223372036854775808e18 || x >= 9.223372036854775808e18 {
		return 0, numErr(ErrNotNumber, raw, -1, "out of range")
	}
	return int64(x), nil
}

// CellDecimal reads the raw value of a numeric cell as a float64.
func CellDecimal(raw string) (float64, error) {
	return cellNumber(raw)
}
