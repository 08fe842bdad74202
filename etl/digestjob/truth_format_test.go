package digestjob_test

// Number formatting of the independent model, written here (docs/domain.md
// §6.3): Vietnamese 4.046, 89,51% and 1.234.567; English 4,046 and 89.51%.

import (
	"strconv"
	"strings"
)

// group inserts sep every three digits of a run of digits.
func group(digits, sep string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	pre := len(digits) % 3
	if pre > 0 {
		b.WriteString(digits[:pre])
	}
	for i := pre; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

func seps(lang string) (thousands, decimal string) {
	if lang == "en" {
		return ",", "."
	}
	return ".", ","
}

// fInt is n with thousands grouping.
func fInt(lang string, n int) string {
	th, _ := seps(lang)
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + group(s[1:], th)
	}
	return group(s, th)
}

// fDec is x with two decimals.
func fDec(lang string, x float64) string {
	th, dec := seps(lang)
	s := strconv.FormatFloat(x, 'f', 2, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	out := group(whole, th) + dec + frac
	if neg {
		out = "-" + out
	}
	return out
}

// fPct is x percent with two decimals: 89,51%.
func fPct(lang string, x float64) string { return fDec(lang, x) + "%" }

// fSigned is n with its sign: +5, -3, 0.
func fSigned(lang string, n int) string {
	if n > 0 {
		return "+" + fInt(lang, n)
	}
	return fInt(lang, n)
}

// fSignedPct is a change in percent with its sign: +54,84%.
func fSignedPct(lang string, x float64) string {
	if x > 0 {
		return "+" + fPct(lang, x)
	}
	return fPct(lang, x)
}

// fSignedDec is a change in percentage points with its sign.
func fSignedDec(lang string, x float64) string {
	if x > 0 {
		return "+" + fDec(lang, x)
	}
	return fDec(lang, x)
}

// roman is the quarter in Roman numerals.
func roman(q int) string { return [...]string{"", "I", "II", "III", "IV"}[q] }
