package validate

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/returns-project/returns/etl/normalize"
	"github.com/returns-project/returns/etl/schema"
)

// spillAt is how many keys a uniqueness check keeps in a map, where a
// repeat is found as its row streams past (and reported with its value).
// Past it the keys go to a flat slice that is sorted once at the end of the
// sheet: 16 bytes a key, so that a 1,000,000-row sheet stays well within
// 100 MB (a map costs about twice that, and the collector doubles it again).
const spillAt = 1 << 16

// uniqueness remembers the keys seen in a sheet. Keys are hashed: a 64-bit
// collision between two different keys has a chance of about 3·10⁻⁸ in a
// 1,000,000-row sheet, a price paid for memory bounded at a few words a row.
type uniqueness struct {
	sheet *schema.Sheet
	keys  []uniqueKey
	seed  maphash.Seed
}

// spilledKeys holds spilled keys as two parallel slices (12 bytes a key
// rather than 16 for a padded struct), sorted together by hash then row.
type spilledKeys struct {
	h   []uint64
	row []uint32
}

func (s *spilledKeys) Len() int { return len(s.h) }
func (s *spilledKeys) Less(i, j int) bool {
	return s.h[i] < s.h[j] || (s.h[i] == s.h[j] && s.row[i] < s.row[j])
}
func (s *spilledKeys) Swap(i, j int) {
	s.h[i], s.h[j] = s.h[j], s.h[i]
	s.row[i], s.row[j] = s.row[j], s.row[i]
}

type uniqueKey struct {
	id       string
	fields   []int
	fold     bool
	blanks   bool // blank cells are part of the key
	severity schema.Severity
	msg      message
	seen     map[uint64]uint32
	spilled  *spilledKeys
	col      int // column of the key's main field
}

func newUniqueness(s *schema.Sheet) *uniqueness {
	u := &uniqueness{sheet: s, seed: maphash.MakeSeed()}
	for i, f := range s.Fields {
		if f.Unique {
			id := RuleUnique
			if f.Rule != "" {
				id = f.Rule
			}
			u.keys = append(u.keys, uniqueKey{id: id, fields: []int{i}, severity: schema.Error, msg: builtin[RuleUnique], seen: map[uint64]uint32{}})
		}
	}
	for _, k := range s.Unique {
		uk := uniqueKey{id: k.ID, fold: k.Fold, blanks: k.Blanks, severity: k.Severity, msg: message{k.Message, k.Hint}, seen: map[uint64]uint32{}}
		for _, name := range k.Fields {
			if i := fieldIndex(s, name); i >= 0 {
				uk.fields = append(uk.fields, i)
			}
		}
		u.keys = append(u.keys, uk)
	}
	return u
}

func (u *uniqueness) check(v *validator, rec *record, rowNum int) {
	var h maphash.Hash
	var buf [64]byte // the text of one value, hashed without making a string
	for ki := range u.keys {
		k := &u.keys[ki]
		h.SetSeed(u.seed)
		complete := true
		for _, i := range k.fields {
			val := rec.values[i]
			if val == nil {
				if !k.blanks {
					complete = false
					break
				}
				h.WriteByte(1) // blank
				continue
			}
			switch x := val.(type) {
			case string:
				if k.fold {
					h.Write(normalize.AppendKey(buf[:0], x))
				} else {
					h.WriteString(x)
				}
			case time.Time:
				h.Write(x.AppendFormat(buf[:0], time.DateOnly))
			case int64:
				h.Write(strconv.AppendInt(buf[:0], x, 10))
			case bool:
				h.WriteString(strconv.FormatBool(x))
			default:
				h.WriteString(fmt.Sprint(x))
			}
			h.WriteByte(0)
		}
		if !complete {
			continue
		}
		main := k.fields[0]
		if w := rec.where[main]; w.col > 0 {
			k.col = w.col
		}
		sum := h.Sum64()
		if k.seen == nil {
			k.spilled.h = append(k.spilled.h, sum)
			k.spilled.row = append(k.spilled.row, uint32(rowNum))
			continue
		}
		first, dup := k.seen[sum]
		if !dup {
			k.seen[sum] = uint32(rowNum)
			if len(k.seen) >= spillAt {
				k.spill()
			}
			continue
		}
		v.issue(u.duplicate(k, rowNum, int(first), rec.text(main)))
	}
}

// spill moves the map's keys to the flat slice.
func (k *uniqueKey) spill() {
	k.spilled = &spilledKeys{h: make([]uint64, 0, 4*len(k.seen)), row: make([]uint32, 0, 4*len(k.seen))}
	for h, row := range k.seen {
		k.spilled.h = append(k.spilled.h, h)
		k.spilled.row = append(k.spilled.row, row)
	}
	k.seen = nil
}

// finish reports the repeats among spilled keys, in row order.
func (u *uniqueness) finish(v *validator) {
	for ki := range u.keys {
		k := &u.keys[ki]
		if k.spilled == nil {
			continue
		}
		sp := k.spilled
		sort.Sort(sp)
		var dups []Issue
		first := 0
		for i := 1; i < sp.Len(); i++ {
			if sp.h[i] != sp.h[i-1] {
				first = i
				continue
			}
			dups = append(dups, u.duplicate(k, int(sp.row[i]), int(sp.row[first]), ""))
		}
		slices.SortFunc(dups, func(a, b Issue) int { return cmp.Compare(a.Row, b.Row) })
		for _, is := range dups {
			v.issue(is)
		}
		k.spilled = nil
	}
}

func (u *uniqueness) duplicate(k *uniqueKey, row, first int, value string) Issue {
	main := k.fields[0]
	is := Issue{Sheet: u.sheet.Name, Field: u.sheet.Fields[main].Name, Rule: k.id, Severity: k.severity,
		Message: k.msg.msg, Hint: k.msg.hint, Row: row, Value: value}
	if k.col > 0 {
		is.Col, is.Cell = k.col, cellName(k.col, row)
	}
	is.Message = appendText(is.Message, fmt.Sprintf(" (trùng với dòng %d)", first), fmt.Sprintf(" (same as row %d)", first))
	return is
}
