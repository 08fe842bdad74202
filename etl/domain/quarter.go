package domain

import (
	"fmt"
	"regexp"
	"strconv"
)

// Quarter is a calendar quarter: the period a return reports on and the unit
// of an organisation's validity. The zero Quarter means "none" (an open end:
// the organisation still exists).
type Quarter struct {
	Year, Q int // Q is 1..4
}

// IsZero reports whether q is the zero Quarter.
func (q Quarter) IsZero() bool { return q == Quarter{} }

// Index is year*4 + quarter - 1: consecutive quarters have consecutive
// indexes. It matches the SQL function returns.qidx(year, quarter) and the
// columns org_unit.valid_from_q and valid_to_q.
func (q Quarter) Index() int { return q.Year*4 + q.Q - 1 }

// QuarterOf returns the quarter whose Index is i (floor division, so that
// negative indexes map to the quarters before year 0 as well).
func QuarterOf(i int) Quarter {
	y := i / 4
	if i < 0 && i%4 != 0 {
		y--
	}
	return Quarter{Year: y, Q: i - y*4 + 1}
}

// Next is the following quarter.
func (q Quarter) Next() Quarter { return QuarterOf(q.Index() + 1) }

// Prev is the quarter before.
func (q Quarter) Prev() Quarter { return QuarterOf(q.Index() - 1) }

// YearAgo is the same quarter of the year before.
func (q Quarter) YearAgo() Quarter { return Quarter{Year: q.Year - 1, Q: q.Q} }

// String is "2024-Q1", the form of the registry's cells, the command line
// and the logs; "" for the zero Quarter.
func (q Quarter) String() string {
	if q.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-Q%d", q.Year, q.Q)
}

var quarterRE = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)

// ParseQuarter parses "2024-Q1".
func ParseQuarter(s string) (Quarter, error) {
	m := quarterRE.FindStringSubmatch(s)
	if m == nil {
		return Quarter{}, fmt.Errorf("quarter %q: want YYYY-Qn, e.g. 2024-Q1", s)
	}
	y, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	return Quarter{Year: y, Q: n}, nil
}
