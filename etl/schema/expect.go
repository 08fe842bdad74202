package schema

import (
	"fmt"
	"strings"
)

// Expect says, for a balance or count rule, which value the file should
// hold: the sum of signed terms over the record's fields and the
// aggregates. The rule's check stays the judge; Expect lets the validator
// tell the operator the number it expected and the sum that leads to it
// ("Cuối kỳ phải là 421 = 400 (đầu kỳ) + 25 (kết nạp) − 3 (từ trần); tệp ghi
// 424"), and mark every cell the sum reads. Terms are written
//
//	{add: row.members_start_official, label: {vi: "đầu kỳ", en: "at start"}}
//	{sub: agg.transfer_out_official_ct, label: {...}}
//
// naming row.FIELD (the record checked), info.FIELD (the key-value record)
// or agg.NAME (an aggregate of the template). A blank cell counts as 0. The
// label defaults to the field's label; an aggregate term needs one.
//
// A rule that allows a range (TH-01b: the decreases are not split by
// status) adds Less (the value may be lower than Sum by up to their total)
// and More (higher by up to their total).
type Expect struct {
	// What names the value expected, e.g. "Số đảng viên cuối kỳ".
	What Text `yaml:"what"`
	// Given are the cells that hold the value the file gives (added up).
	Given []*Term `yaml:"given"`
	Sum   []*Term `yaml:"sum"`
	Less  []*Term `yaml:"less"`
	More  []*Term `yaml:"more"`
}

// Term is one signed operand of an Expect sum.
type Term struct {
	Add   string `yaml:"add"`
	Sub   string `yaml:"sub"`
	Label Text   `yaml:"label"`

	// Set at load.
	Sign  int64  `yaml:"-"` // +1 or -1
	Scope string `yaml:"-"` // "row", "info" or "agg"
	Name  string `yaml:"-"` // field or aggregate name
}

// Value returns the term's value in vars, unsigned; a blank field is 0.
func (t *Term) Value(vars Vars) int64 {
	var m map[string]any
	switch t.Scope {
	case "agg":
		return vars.Agg[t.Name]
	case "row":
		m = vars.Row
	case "info":
		m = vars.Info
	}
	switch x := m[t.Name].(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}

// Outcome is an Expect worked out over one record.
type Outcome struct {
	Given      int64 // the value the file gives (Given terms added up)
	Base       int64 // the signed sum of the Sum terms
	Less       int64 // how far below Base the value may be (Less terms)
	More       int64 // how far above Base the value may be (More terms)
	Lo, Hi     int64 // the range allowed: Base−Less … Base+More
	OutOfRange bool  // Given is outside Lo…Hi
	// The value of each term, unsigned, in the order of its list.
	Given1, Sum1, Less1, More1 []int64
}

// Work computes e over vars.
func (e *Expect) Work(vars Vars) Outcome {
	var o Outcome
	total := func(ts []*Term, vals *[]int64) int64 {
		var n int64
		for _, t := range ts {
			v := t.Value(vars)
			*vals = append(*vals, v)
			n += t.Sign * v
		}
		return n
	}
	o.Given = total(e.Given, &o.Given1)
	o.Base = total(e.Sum, &o.Sum1)
	o.Less = total(e.Less, &o.Less1)
	o.More = total(e.More, &o.More1)
	o.Lo, o.Hi = o.Base-o.Less, o.Base+o.More
	o.OutOfRange = o.Given < o.Lo || o.Given > o.Hi
	return o
}

// Fields returns the fields of scope the terms name (Given first), each once.
func (e *Expect) Fields(scope string) []string {
	var out []string
	seen := map[string]bool{}
	for _, ts := range [][]*Term{e.Given, e.Sum, e.Less, e.More} {
		for _, t := range ts {
			if t.Scope == scope && !seen[t.Name] {
				seen[t.Name] = true
				out = append(out, t.Name)
			}
		}
	}
	return out
}

// expect checks and completes r.Expect at load: each term names one known
// int field or aggregate of sc and gets its sign, scope and label. The
// rule's Fields are completed with the cells the terms read (those of
// marked, the scope whose fields have cells: "row" for sheet rules, "info"
// for workbook rules).
func (l *loader) expect(file, what string, r *Rule, sc scope, marked string) {
	e := r.Expect
	if e == nil {
		return
	}
	what += ": expect"
	if e.What != (Text{}) {
		l.text(file, what+": what", e.What)
	}
	if len(e.Given) == 0 {
		l.add(file, "%s: no given", what)
	}
	if len(e.Sum) == 0 {
		l.add(file, "%s: no sum", what)
	}
	for pi, ts := range [][]*Term{e.Given, e.Sum, e.Less, e.More} {
		part := [...]string{"given", "sum", "less", "more"}[pi]
		for i, t := range ts {
			tw := fmt.Sprintf("%s: %s[%d]", what, part, i)
			ref := t.Add
			t.Sign = 1
			switch {
			case t.Add != "" && t.Sub != "":
				l.add(file, "%s: both add and sub", tw)
				continue
			case t.Sub != "":
				ref, t.Sign = t.Sub, -1
			case t.Add == "":
				l.add(file, "%s: no add or sub", tw)
				continue
			}
			if part == "given" && t.Sign < 0 {
				l.add(file, "%s: given terms are added (use add)", tw)
			}
			s, name, ok := strings.Cut(strings.TrimSpace(ref), ".")
			t.Scope, t.Name = s, name
			if known := sc.names(s); !ok || !known[name] { // an unknown scope knows no name
				l.add(file, "%s: %q names no int field or aggregate here (want row.FIELD, info.FIELD or agg.NAME)", tw, ref)
				continue
			}
			if fl := l.termField(s, name); fl != nil {
				if fl.Type != TypeInt {
					l.add(file, "%s: %q is a %s field (want int)", tw, ref, fl.Type)
				}
				if t.Label == (Text{}) {
					t.Label = fl.Label
				}
			}
			l.text(file, tw+": label", t.Label)
		}
	}
	if marked == "" {
		return
	}
	for _, f := range e.Fields(marked) {
		if !containsString(r.Fields, f) {
			r.Fields = append(r.Fields, f)
		}
	}
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// termField returns the field a row or info term names, or nil.
func (l *loader) termField(scope, name string) *Field {
	var s *Sheet
	switch scope {
	case "row":
		s = l.cur
	case "info":
		s = l.kv
	}
	if s == nil {
		return nil
	}
	return s.Field(name)
}
