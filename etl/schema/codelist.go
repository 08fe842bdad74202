package schema

import (
	"fmt"

	"github.com/returns-project/returns/etl/normalize"
)

// Lookup returns the canonical code for a cell: the code itself, its
// Vietnamese or English label, or one of its aliases, compared by
// normalize.Key (case, spacing, punctuation and diacritics ignored: "nu",
// "NỮ" and "Nữ" all give F). ok is false when nothing matches. Load builds
// the lookup table; Lookup is safe for concurrent use.
func (c *CodeList) Lookup(cell string) (code string, ok bool) {
	// Most cells hold the canonical code itself (the template's drop-downs
	// offer codes): find it without building a key.
	for i := range c.Codes {
		if c.Codes[i].Code == cell {
			return cell, true
		}
	}
	if c.index != nil {
		var buf [64]byte
		code, ok = c.index[string(normalize.AppendKey(buf[:0], cell))]
		return code, ok
	}
	k := normalize.Key(cell)
	// Not built by Load (a list made by hand): scan, without writing to c,
	// so that concurrent lookups stay safe.
	for _, cd := range c.Codes {
		for _, s := range append([]string{cd.Code, cd.Label.VI, cd.Label.EN}, cd.Aliases...) {
			if k != "" && normalize.Key(s) == k {
				return cd.Code, true
			}
		}
	}
	return "", false
}

// Has reports whether code is one of the list's canonical codes.
func (c *CodeList) Has(code string) bool {
	for i := range c.Codes {
		if c.Codes[i].Code == code {
			return true
		}
	}
	return false
}

// buildIndex fills the lookup map and returns the spellings that name two
// different codes (a schema error).
func (c *CodeList) buildIndex() []error {
	idx := make(map[string]string, len(c.Codes)*4)
	var problems []error
	for _, cd := range c.Codes {
		for _, s := range append([]string{cd.Code, cd.Label.VI, cd.Label.EN}, cd.Aliases...) {
			k := normalize.Key(s)
			if k == "" {
				if s != "" {
					problems = append(problems, fmt.Errorf("code %q: spelling %q has no letters or digits", cd.Code, s))
				}
				continue
			}
			if prev, dup := idx[k]; dup && prev != cd.Code {
				problems = append(problems, fmt.Errorf("code %q: spelling %q also names code %q", cd.Code, s, prev))
				continue
			}
			idx[k] = cd.Code
		}
	}
	c.index = idx
	return problems
}
