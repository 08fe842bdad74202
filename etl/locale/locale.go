// Package locale formats numbers, percentages, dates and quarters the way the
// users read them: Vietnamese by default (4.046; 89,51%; 05/03/2025;
// "Quý III/2025"), English on request (4,046; 89.51%; "Q3 2025").
package locale

import (
	"fmt"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var (
	vi = message.NewPrinter(language.Vietnamese)
	en = message.NewPrinter(language.English)
)

func printer(lang string) *message.Printer {
	if lang == "en" {
		return en
	}
	return vi
}

// Int formats n with thousands grouping: 4.046 (vi), 4,046 (en).
func Int(lang string, n int64) string { return printer(lang).Sprintf("%d", n) }

// Decimal formats x with d decimals: 89,51 (vi), 89.51 (en).
func Decimal(lang string, x float64, d int) string {
	return printer(lang).Sprintf("%.*f", d, x)
}

// Percent formats a percentage (89.51 → "89,51%" in vi).
func Percent(lang string, x float64) string { return Decimal(lang, x, 2) + "%" }

// Date formats a calendar date as dd/mm/yyyy, in both languages (the users'
// convention). Dates are days, not instants: no zone conversion.
func Date(t time.Time) string { return t.Format("02/01/2006") }

// DateTime formats an instant as dd/mm/yyyy hh:mm in loc, the users' time
// zone (the configuration's time_zone; there is no default here).
func DateTime(t time.Time, loc *time.Location) string { return t.In(loc).Format("02/01/2006 15:04") }

var roman = [...]string{"", "I", "II", "III", "IV"}

// Quarter names a quarter: "Quý III/2025" (vi), "Q3 2025" (en).
func Quarter(lang string, year, quarter int) string {
	if quarter < 1 || quarter > 4 {
		return fmt.Sprintf("%d-Q%d", year, quarter)
	}
	if lang == "en" {
		return fmt.Sprintf("Q%d %d", quarter, year)
	}
	return fmt.Sprintf("Quý %s/%d", roman[quarter], year)
}
