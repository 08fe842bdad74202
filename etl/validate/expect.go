package validate

import (
	"strings"

	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/schema"
)

// expectText says in words what a failed rule with an Expect expected: the
// number (or range), the sum that leads to it and the number the file
// gives, in Vietnamese and English with their number formats, e.g.
//
//	Cuối kỳ (chính thức + dự bị) phải là 421 = 400 (đầu kỳ chính thức) + 25 (kết nạp mới) − 4 (từ trần); tệp ghi 424 = 400 (cuối kỳ chính thức) + 24 (cuối kỳ dự bị).
//
// Terms whose value is 0 are left out of the sums (they add nothing; their
// cells are still marked).
func expectText(e *schema.Expect, o schema.Outcome) schema.Text {
	return schema.Text{VI: expectIn("vi", e, o), EN: expectIn("en", e, o)}
}

type expectWords struct {
	mustBe, between, less, more, given string
}

var expectDict = map[string]expectWords{
	"vi": {mustBe: "phải là", between: "phải từ %s đến %s", less: "trừ tối đa", more: "cộng tối đa", given: "tệp ghi"},
	"en": {mustBe: "must be", between: "must be between %s and %s", less: "less up to", more: "plus up to", given: "the file gives"},
}

func expectIn(lang string, e *schema.Expect, o schema.Outcome) string {
	w := expectDict[lang]
	var b strings.Builder
	b.WriteString(e.What.In(lang))
	b.WriteByte(' ')
	if o.Less == 0 && o.More == 0 {
		b.WriteString(w.mustBe + " " + sumText(lang, e.Sum, o.Sum1, o.Base))
	} else {
		b.WriteString(strings.Replace(strings.Replace(w.between, "%s", num(lang, o.Lo), 1), "%s", num(lang, o.Hi), 1))
		b.WriteString(": " + sumText(lang, e.Sum, o.Sum1, o.Base))
		if len(e.Less) > 0 {
			b.WriteString(", " + w.less + " " + sumText(lang, e.Less, o.Less1, o.Less))
		}
		if len(e.More) > 0 {
			b.WriteString(", " + w.more + " " + sumText(lang, e.More, o.More1, o.More))
		}
	}
	b.WriteString("; " + w.given + " " + sumText(lang, e.Given, o.Given1, o.Given) + ".")
	return strings.TrimSpace(b.String())
}

// sumText renders "total = a (label) + b (label) − c (label)"; a single term
// is "total (label)", terms that are 0 are left out.
func sumText(lang string, ts []*schema.Term, vals []int64, total int64) string {
	type part struct {
		sign int64
		v    int64
		lab  string
	}
	var parts []part
	for i, t := range ts {
		if vals[i] != 0 {
			parts = append(parts, part{t.Sign, vals[i], t.Label.In(lang)})
		}
	}
	if len(parts) == 1 && parts[0].sign > 0 && parts[0].v == total {
		return num(lang, total) + " (" + parts[0].lab + ")"
	}
	if len(parts) == 0 {
		if len(ts) == 1 {
			return num(lang, total) + " (" + ts[0].Label.In(lang) + ")"
		}
		return num(lang, total)
	}
	var b strings.Builder
	b.WriteString(num(lang, total) + " = ")
	for i, p := range parts {
		switch {
		case i == 0 && p.sign < 0:
			b.WriteString("−")
		case i > 0 && p.sign < 0:
			b.WriteString(" − ")
		case i > 0:
			b.WriteString(" + ")
		}
		b.WriteString(num(lang, p.v) + " (" + p.lab + ")")
	}
	return b.String()
}

// num formats n the users' way (4.046 in Vietnamese, 4,046 in English),
// with a true minus sign.
func num(lang string, n int64) string {
	if n < 0 {
		return "−" + locale.Int(lang, -n)
	}
	return locale.Int(lang, n)
}
