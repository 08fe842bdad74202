package normalize

import (
	"strings"
	"time"
)

// Plausible dates, whatever the cell holds (a serial, text or an ISO date
// cell): from the first day Excel's 1900 system gets right up to the end of
// the century. Every date column of the database can store them (PostgreSQL
// refuses year 0, for one).
var (
	MinDate = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)
	MaxDate = time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)
	// Day 0 of each date system, as a day count is added to it.
	epoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC) // valid for serials ≥ 61
	epoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

func inRange(t time.Time, s string) (time.Time, error) {
	if t.Before(MinDate) || t.After(MaxDate) {
		return time.Time{}, numErr(ErrDateRange, s, -1, "dates must lie between 01/03/1900 and 31/12/2100")
	}
	return t, nil
}

// DateInRange returns ErrDateRange for a date outside MinDate..MaxDate.
func DateInRange(t time.Time) error {
	if !t.Before(MinDate) && !t.After(MaxDate) {
		return nil // without formatting the date for a message no one reads
	}
	_, err := inRange(t, t.Format("2006-01-02"))
	return err
}

// DateSerial converts the raw value of a date cell, an Excel serial day
// number, to the date at UTC midnight. A fraction (the time of day) is
// dropped: 45000.75 is the same day as 45000. date1904 is the workbook's
// date system (workbookPr date1904).
//
// In the 1900 system serial 1 is 01/01/1900 and, as Lotus 1-2-3 did, Excel
// counts a 29/02/1900 that never existed as serial 60; serials from 61 on
// (01/03/1900) are right. So serial 60 is ErrAmbiguousDate and serials
// below 60 are ErrDateRange (they are off by one day and outside the
// plausible range anyway). In the 1904 system serial 0 is 01/01/1904; the
// same calendar date has a serial 1462 lower than in the 1900 system.
// Dates after 31/12/2100 are ErrDateRange.
func DateSerial(raw string, date1904 bool) (time.Time, error) {
	x, err := cellNumber(raw)
	if err != nil {
		return time.Time{}, numErr(ErrNotDate, raw, -1, "not a date serial")
	}
	if x < 0 || x > 1e6 {
		return time.Time{}, numErr(ErrDateRange, raw, -1, "date serial out of range")
	}
	day := int(x) // x ≥ 0: truncation is floor
	if date1904 {
		return inRange(epoch1904.AddDate(0, 0, day), raw)
	}
	switch {
	case day == 60:
		return time.Time{}, numErr(ErrAmbiguousDate, raw, -1, "serial 60 is 29/02/1900, a day that did not exist")
	case day < 61:
		return time.Time{}, numErr(ErrDateRange, raw, -1, "dates must lie between 01/03/1900 and 31/12/2100")
	}
	return inRange(epoch1900.AddDate(0, 0, day), raw)
}

// DateText parses a date typed as text. The template asks for dd/mm/yyyy;
// accepted are d/m/yyyy and dd/mm/yyyy with '/', '-' or '.' (the same one
// twice), ISO yyyy-mm-dd, and either followed by " 00:00:00" (or " 00:00")
// as some writers produce. "05/03/2024" is 5 March 2024.
//
//	"05/03/2024", "5/3/2024", "05-03-2024", "05.03.2024", "2024-03-05",
//	"05/03/2024 00:00:00"   5 March 2024
//	"5-3-24"                ErrAmbiguousDate (two-digit year)
//	"03/15/2024"            ErrAmbiguousDate (month first: the day must come first)
//	"31/02/2025"            ErrNotDate (no such day)
//	"15/13/2024", "2024/03/05", "05/03-2024", "hôm qua"   ErrNotDate
//	"01/01/1800"            ErrDateRange
func DateText(s string) (time.Time, error) {
	t := Text(s)
	for _, suffix := range []string{" 00:00:00", " 0:00:00", " 00:00", "T00:00:00"} {
		if strings.HasSuffix(t, suffix) {
			t = t[:len(t)-len(suffix)]
			break
		}
	}
	parts, sep, ok := split3(t)
	if !ok {
		return time.Time{}, numErr(ErrNotDate, s, -1, "write the date as dd/mm/yyyy")
	}
	var y, m, d int
	switch {
	case len(parts[0]) == 4 && sep == '-' && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		y, m, d = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
	case len(parts[0]) <= 2 && len(parts[1]) <= 2 && len(parts[2]) == 4:
		d, m, y = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
		if m > 12 && d >= 1 && d <= 12 {
			return time.Time{}, numErr(ErrAmbiguousDate, s, -1, "this looks like month/day/year; write the day first (dd/mm/yyyy)")
		}
	case len(parts[0]) <= 2 && len(parts[1]) <= 2 && len(parts[2]) == 2:
		return time.Time{}, numErr(ErrAmbiguousDate, s, -1, "two-digit year; write the year in full (dd/mm/yyyy)")
	default:
		return time.Time{}, numErr(ErrNotDate, s, -1, "write the date as dd/mm/yyyy")
	}
	return civil(y, m, d, s)
}

// civil builds the date y-m-d, refusing days that do not exist.
func civil(y, m, d int, s string) (time.Time, error) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, numErr(ErrNotDate, s, -1, "no such day")
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}, numErr(ErrNotDate, s, -1, "no such day")
	}
	return inRange(t, s)
}

// split3 splits s into three runs of digits separated by the same one of
// '/', '-', '.'.
func split3(s string) (parts [3]string, sep byte, ok bool) {
	n, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			continue
		}
		if i < len(s) {
			c := s[i]
			if c != '/' && c != '-' && c != '.' {
				return parts, 0, false
			}
			if sep == 0 {
				sep = c
			} else if c != sep {
				return parts, 0, false
			}
		}
		if n == 3 || i == start {
			return parts, 0, false
		}
		parts[n] = s[start:i]
		n++
		start = i + 1
	}
	return parts, sep, n == 3
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// Month parses a month: "08/2025", "8/2025", "08-2025", "08.2025" or
// ISO "2025-08", giving the first day of the month at UTC midnight. A full
// date that DateText accepts gives its month. "08/25" is
// ErrAmbiguousDate (two-digit year); "13/2025" ErrNotDate.
func Month(s string) (time.Time, error) {
	t := Text(s)
	var a, b string
	var sep byte
	for i := 0; i < len(t); i++ {
		if c := t[i]; c == '/' || c == '-' || c == '.' {
			if sep != 0 {
				d, err := DateText(s)
				if err != nil {
					return time.Time{}, err
				}
				return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC), nil
			}
			sep, a, b = c, t[:i], t[i+1:]
		}
	}
	if sep == 0 || !allDigits(a) || !allDigits(b) {
		return time.Time{}, numErr(ErrNotDate, s, -1, "write the month as mm/yyyy")
	}
	switch {
	case len(a) == 4 && sep == '-' && len(b) <= 2:
		return civil(atoi(a), atoi(b), 1, s)
	case len(a) <= 2 && len(b) == 4:
		return civil(atoi(b), atoi(a), 1, s)
	case len(a) <= 2 && len(b) == 2:
		return time.Time{}, numErr(ErrAmbiguousDate, s, -1, "two-digit year; write the year in full (mm/yyyy)")
	}
	return time.Time{}, numErr(ErrNotDate, s, -1, "write the month as mm/yyyy")
}

// Bool parses a yes/no answer: "C", "Có" and "K", "Không" in any case, with
// or without diacritics, NFC or NFD; also "TRUE"/"FALSE" and "1"/"0" as
// boolean cells hold them. Anything else ("x", "yes", "") is ErrNotBool.
func Bool(s string) (bool, error) {
	switch Key(s) {
	case "c", "co", "true", "1":
		return true, nil
	case "k", "khong", "false", "0":
		return false, nil
	}
	return false, numErr(ErrNotBool, s, -1, "write C (Có) or K (Không)")
}
