package workbook

import "strconv"

// parseUint parses a non-negative decimal integer of at most 10 digits
// (no sign, no spaces).
func parseUint(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseBool parses an xsd:boolean.
func parseBool(b []byte) (v, ok bool) {
	switch string(b) {
	case "1", "true":
		return true, true
	case "0", "false":
		return false, true
	}
	return false, false
}

// parseCellRef parses an A1 reference such as "C12" (upper-case column
// letters, no '$'), within the sheet's bounds.
func parseCellRef(b []byte) (col, row int, ok bool) {
	i := 0
	for i < len(b) && b[i] >= 'A' && b[i] <= 'Z' {
		if i == 3 {
			return 0, 0, false
		}
		col = col*26 + int(b[i]-'A'+1)
		i++
	}
	if i == 0 || col > excelMaxCols || i == len(b) || b[i] == '0' {
		return 0, 0, false
	}
	row, ok = parseUint(b[i:])
	if !ok || row < 1 || row > excelMaxRows {
		return 0, 0, false
	}
	return col, row, true
}

// parseRange parses "A1:C3" or a single cell "B2", normalised so that the
// first corner is the top-left one.
func parseRange(b []byte) (Range, bool) {
	for i, c := range b {
		if c == ':' {
			c1, r1, ok1 := parseCellRef(b[:i])
			c2, r2, ok2 := parseCellRef(b[i+1:])
			if !ok1 || !ok2 {
				return Range{}, false
			}
			return Range{FromCol: min(c1, c2), FromRow: min(r1, r2), ToCol: max(c1, c2), ToRow: max(r1, r2)}, true
		}
	}
	c, r, ok := parseCellRef(b)
	return Range{FromCol: c, FromRow: r, ToCol: c, ToRow: r}, ok
}

// columnName turns 1 into "A" and 16384 into "XFD".
func columnName(col int) string {
	if col < 1 {
		return "?"
	}
	var buf [8]byte
	i := len(buf)
	for col > 0 && i > 0 {
		col--
		i--
		buf[i] = byte('A' + col%26)
		col /= 26
	}
	return string(buf[i:])
}

// cellName is the A1 name of a cell, for error details (never its value).
func cellName(col, row int) string {
	if col < 1 {
		return "row " + strconv.Itoa(row) + " start"
	}
	return columnName(col) + strconv.Itoa(row)
}

// isDigits reports whether b is a non-empty run of decimal digits.
func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
