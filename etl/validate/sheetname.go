package validate

import (
	"strings"

	"github.com/returns-project/returns/etl/normalize"
)

// sheetKey is a sheet name as a person reads it on the tab: NFC, without
// invisible characters (zero-width, direction marks) or outer and repeated
// spaces, letters compared without case (Excel's own rule for sheet names)
// and Cyrillic or Greek look-alikes of Latin letters taken as those letters.
func sheetKey(name string) string {
	return strings.ToLower(strings.Map(latinLookalike, normalize.Text(name)))
}

// lookalikes maps Cyrillic and Greek letters that print like a Latin
// letter in every common font to that letter (Unicode confusables, the
// single-letter cases).
var lookalikes = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'Х': 'X',
	'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'Ү': 'Y', 'Ԛ': 'Q', 'Ԝ': 'W',
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ј': 'j', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w',
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
	'ο': 'o', 'ν': 'v',
}

func latinLookalike(r rune) rune {
	if l, ok := lookalikes[r]; ok {
		return l
	}
	return r
}
