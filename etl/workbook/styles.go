package workbook

import (
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/returns-project/returns/etl/reason"
)

// Number formats can hide a value: a custom format whose sections are
// empty (";;;", the well-known way to hide cell contents) shows nothing for
// the values those sections format (ECMA-376 Part 1, 18.8.31: up to four
// sections, for positive numbers, negative numbers, zero and text). The
// reader tells which cell styles do so; the cell still carries its value.

// styleHides says what a cell style's number format hides.
type styleHides struct {
	numbers, text bool
}

// maxStyles bounds the cell formats kept (Excel allows about 64,000).
const maxStyles = 1 << 17

// readStyles reads the cell formats (cellXfs) and custom number formats
// (numFmts) of the styles part, and returns what each cell format hides.
func (b *book) readStyles(i int) ([]styleHides, error) {
	part := b.ent.files[i].Name
	formats := map[int]string{} // custom numFmtId → formatCode
	var xfs []int               // cellXfs in order → numFmtId
	var open []xml.Name
	err := b.readSmallXML(i, func(depth int, se xml.StartElement) error {
		open = append(open[:depth-1], se.Name)
		main := se.Name.Space == nsMainTransitional || se.Name.Space == nsMainStrict
		if !main || depth != 3 {
			return nil
		}
		switch {
		case open[1].Local == "numFmts" && se.Name.Local == "numFmt":
			id, err := strconv.Atoi(attrOr(se, "numFmtId", ""))
			if err != nil {
				return reason.Errorf(reason.CorruptXML, part, "number format without a numeric id")
			}
			formats[id] = attrOr(se, "formatCode", "")
		case open[1].Local == "cellXfs" && se.Name.Local == "xf":
			if len(xfs) >= maxStyles {
				return reason.Errorf(reason.TooLarge, part, "more than %d cell formats", maxStyles)
			}
			id, err := strconv.Atoi(attrOr(se, "numFmtId", "0"))
			if err != nil {
				return reason.Errorf(reason.CorruptXML, part, "cell format %d has a bad number format id", len(xfs))
			}
			xfs = append(xfs, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	hides := make([]styleHides, len(xfs))
	for x, id := range xfs {
		if code, ok := formats[id]; ok {
			hides[x] = formatHides(code)
		}
	}
	return hides, nil
}

func attrOr(se xml.StartElement, name, def string) string {
	if v, ok := attrValue(se, name); ok {
		return v
	}
	return def
}

// formatHides tells what a format code shows nothing for: numbers when its
// number sections are all empty, text when it has a fourth, empty section.
// Sections are split on semicolons outside quotes and escapes.
func formatHides(code string) styleHides {
	var sections []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\\' && !quoted && i+1 < len(code):
			cur.WriteByte(c)
			i++
			c = code[i]
		case c == ';' && !quoted:
			sections = append(sections, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	sections = append(sections, cur.String())
	if len(sections) < 2 {
		return styleHides{} // one section: "" is General, anything else shows something
	}
	var h styleHides
	h.numbers = true
	for _, s := range sections[:min(3, len(sections))] {
		if !emptySection(s) {
			h.numbers = false
		}
	}
	h.text = len(sections) >= 4 && emptySection(sections[3])
	return h
}

// emptySection: a section that prints nothing visible: conditions and
// colours ([Red], [>=100]), white space, padding (_x: a space the width of
// x) and empty or blank quoted text print nothing themselves.
func emptySection(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return false
			}
			i += j
		case c == '_':
			i++ // the character whose width is padded
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 || strings.TrimSpace(s[i+1:i+1+j]) != "" {
				return false
			}
			i += j + 1
		case c == ' ':
		default:
			return false
		}
	}
	return true
}
