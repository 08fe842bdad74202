package annotate

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"
)

// prepare reads the original package (already checked to be the validated
// content) and returns the package that excelize opens: the same parts
// except that
//
//   - every cell formula is removed, its cached value kept as a plain value
//     (a formula cell without a cached value becomes an empty cell with its
//     style), and the calculation chain is dropped: an annotated copy never
//     carries a live formula;
//   - external links are dropped (parts, relationships, <externalReferences>),
//     and defined names that used them become #REF!: the copy never reaches
//     out to another file or server;
//   - tabSelected is cleared on every sheet (the issues sheet is the one
//     selected tab);
//   - a styles part exists with the elements excelize needs to add a style
//     (fonts, fills, borders, cellStyleXfs, cellXfs), all optional in OOXML.
//
// It enforces the budgets of lim before anything is parsed: the unpacked
// size of the package, the size of each sheet that marked says has cells to
// mark, and the number of merged ranges ([BudgetError]). Its
// time grows linearly with the unpacked size; ctx is checked as it goes.
func prepare(ctx context.Context, data []byte, lim Limits, marked func(sheet string) bool) (out []byte, sizes map[string]int64, err error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errUnsupported, err)
	}
	var unpacked int64
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		unpacked += int64(f.UncompressedSize64)
		files[f.Name] = f
	}
	if unpacked > lim.MaxUnpackedSize {
		return nil, nil, &BudgetError{What: budgetSize, Limit: lim.MaxUnpackedSize, Got: unpacked}
	}
	p := &pkgEdit{ctx: ctx, files: files, changed: map[string][]byte{}, dropped: map[string]bool{}, maxMerges: lim.MaxMerges}

	ct, err := p.read("[Content_Types].xml")
	if err != nil {
		return nil, nil, err
	}
	var types struct {
		Overrides []struct {
			PartName    string `xml:"PartName,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	if err := xml.Unmarshal(ct, &types); err != nil {
		return nil, nil, fmt.Errorf("%w: content types: %v", errUnsupported, err)
	}
	wbPath := ""
	for _, o := range types.Overrides {
		if isWorkbookType(o.ContentType) {
			wbPath = strings.TrimPrefix(o.PartName, "/")
		}
	}
	if wbPath == "" {
		return nil, nil, fmt.Errorf("%w: no workbook part", errUnsupported)
	}
	relsPath := relsOf(wbPath)
	rels, err := p.rels(relsPath)
	if err != nil {
		return nil, nil, err
	}
	var (
		sheets, links []string
		stylesPath    string
		hasTheme      bool
		dropRels      = map[string]bool{}
	)
	for _, r := range rels {
		target := resolve(wbPath, r.Target)
		switch r.Type {
		case relWorksheet:
			sheets = append(sheets, target)
		case relStyles:
			stylesPath = target
		case relTheme:
			hasTheme = true
		case relCalcChain:
			p.drop(target)
			dropRels[r.ID] = true
		case relExternalLink:
			links = append(links, target)
			p.drop(target)
			p.drop(relsOf(target))
			dropRels[r.ID] = true
		}
	}

	// The sheets to mark are parsed whole by excelize: check their size first.
	sizes, names, err := p.sheetSizes(wbPath, rels)
	if err != nil {
		return nil, nil, err
	}
	for name, size := range sizes {
		if size > lim.MaxSheetSize && marked(name) {
			return nil, nil, &BudgetError{What: budgetSheet, Sheet: name, Limit: lim.MaxSheetSize, Got: size}
		}
	}

	// Styles: excelize reads and writes xl/styles.xml only.
	switch stylesPath {
	case "":
		p.add(wbPath, defaultStyles, ctStyles, relStyles, []byte(minimalStyles))
	case defaultStyles:
		if err := p.completeStyles(defaultStyles); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, fmt.Errorf("%w: styles part at %s", errUnsupported, stylesPath)
	}

	// Theme: without one, excelize reads every colour of a style as none,
	// and a marked cell would lose its font and border colours. Excel uses
	// the default Office theme then; so does excelize's.
	if _, taken := files[defaultTheme]; !hasTheme && !taken {
		theme, err := officeTheme()
		if err != nil {
			return nil, nil, err
		}
		p.add(wbPath, defaultTheme, ctTheme, relTheme, theme)
	}

	// Worksheets: formulas, merges, selected tabs.
	for _, s := range sheets {
		last, err := p.worksheet(s)
		if err != nil {
			return nil, nil, err
		}
		// excelize holds a row for every row number up to the last one.
		if name := names[s]; last > lim.MaxRows && marked(name) {
			return nil, nil, &BudgetError{What: budgetRows, Sheet: name, Limit: int64(lim.MaxRows), Got: int64(last)}
		}
	}

	if len(dropRels) > 0 {
		if err := p.dropRelationships(relsPath, dropRels); err != nil {
			return nil, nil, err
		}
	}
	if len(links) > 0 {
		if err := p.unlinkWorkbook(wbPath); err != nil {
			return nil, nil, err
		}
	}
	if p.newRel != "" {
		if err := p.insertBefore(relsPath, "Relationships", p.newRel); err != nil {
			return nil, nil, err
		}
	}
	if len(p.dropped) > 0 || p.newOverride != "" {
		if err := p.fixContentTypes(); err != nil {
			return nil, nil, err
		}
	}
	out, err = p.write(zr)
	return out, sizes, err
}

// sheetSizes maps each sheet's name to the unpacked size of its part, and
// each worksheet part to its sheet's name.
func (p *pkgEdit) sheetSizes(wbPath string, rels []relationship) (sizes map[string]int64, names map[string]string, err error) {
	b, err := p.read(wbPath)
	if err != nil {
		return nil, nil, err
	}
	target := map[string]string{}
	for _, r := range rels {
		target[r.ID] = resolve(wbPath, r.Target)
	}
	sizes, names = map[string]int64{}, map[string]string{}
	err = p.scan(wbPath, b, func(tok xml.Token, start, end int64, stack []string) error {
		t, ok := tok.(xml.StartElement)
		if !ok || len(stack) != 3 || stack[1] != "sheets" || stack[2] != "sheet" {
			return nil
		}
		var name, id string
		for _, a := range t.Attr {
			switch {
			case a.Name.Space == "" && a.Name.Local == "name":
				name = a.Value
			case strings.HasSuffix(a.Name.Space, "relationships") && a.Name.Local == "id":
				id = a.Value
			}
		}
		if f, ok := p.files[target[id]]; ok {
			sizes[name] = int64(f.UncompressedSize64)
			names[target[id]] = name
		}
		return nil
	})
	return sizes, names, err
}

// Relationship and content types the pass knows.
const (
	relBase         = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	relBaseStrict   = "http://purl.oclc.org/ooxml/officeDocument/relationships/"
	relWorksheet    = relBase + "worksheet"
	relStyles       = relBase + "styles"
	relTheme        = relBase + "theme"
	ctTheme         = "application/vnd.openxmlformats-officedocument.theme+xml"
	defaultTheme    = "xl/theme/theme1.xml"
	relCalcChain    = relBase + "calcChain"
	relExternalLink = relBase + "externalLink"
	ctStyles        = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
	defaultStyles   = "xl/styles.xml"

	nsMain       = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsMainStrict = "http://purl.oclc.org/ooxml/spreadsheetml/main"
)

// minimalStyles is the smallest styles part excelize can add styles to.
const minimalStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
	`<styleSheet xmlns="` + nsMain + `">` + styleFonts + styleFills + styleBorders + styleCellStyleXfs + styleCellXfs + `</styleSheet>`

const (
	styleFonts        = `<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>`
	styleFills        = `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>`
	styleBorders      = `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>`
	styleCellStyleXfs = `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`
	styleCellXfs      = `<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>`
)

// styleOrder is the order of CT_Stylesheet's children; the ones excelize
// needs carry their default.
var styleOrder = []struct{ name, def string }{
	{"numFmts", ""}, {"fonts", styleFonts}, {"fills", styleFills}, {"borders", styleBorders},
	{"cellStyleXfs", styleCellStyleXfs}, {"cellXfs", styleCellXfs}, {"cellStyles", ""}, {"dxfs", ""},
	{"tableStyles", ""}, {"colors", ""}, {"extLst", ""},
}

// errUnsupported: the package is sound but has a shape the annotation does
// not handle (excelize would write it wrongly); the issue list is written alone.
var errUnsupported = errors.New("annotate: workbook shape not supported for annotation")

func isWorkbookType(ct string) bool {
	switch ct {
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
		"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
		"application/vnd.ms-excel.template.macroEnabled.main+xml":
		return true
	}
	return false
}

// relsOf returns the relationships part of a part: xl/_rels/workbook.xml.rels.
func relsOf(part string) string {
	return path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")
}

// resolve resolves a relationship target against its source part.
func resolve(source, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Join(path.Dir(source), target), "/")
}

// relTarget is the target of part relative to source's folder.
func relTarget(source, part string) string {
	dir := path.Dir(source) + "/"
	if strings.HasPrefix(part, dir) {
		return strings.TrimPrefix(part, dir)
	}
	return "/" + part
}

// pkgEdit collects the changes to the package.
type pkgEdit struct {
	ctx         context.Context
	files       map[string]*zip.File
	changed     map[string][]byte // new bodies (or new parts)
	dropped     map[string]bool
	newOverride string // content-type overrides to add
	newRel      string // workbook relationships to add
	// merges counts the merged ranges of the sheets scanned so far, up to
	// maxMerges.
	merges, maxMerges int
}

// add adds a new part of the workbook wbPath, with its content type and
// relationship.
func (p *pkgEdit) add(wbPath, name, contentType, relType string, body []byte) {
	p.changed[name] = body
	p.newOverride += `<Override PartName="/` + name + `" ContentType="` + contentType + `"/>`
	p.newRel += fmt.Sprintf(`<Relationship Id="rIdReturns%d" Type="%s" Target="%s"/>`, len(p.changed), relType, relTarget(wbPath, name))
}

// officeTheme is the default Office theme, as excelize writes it in a new
// workbook.
var officeTheme = sync.OnceValues(func() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("default theme: %w", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return nil, fmt.Errorf("default theme: %w", err)
	}
	for _, zf := range zr.File {
		if zf.Name == defaultTheme {
			rc, err := zf.Open()
			if err != nil {
				return nil, fmt.Errorf("default theme: %w", err)
			}
			defer rc.Close()
			return io.ReadAll(rc)
		}
	}
	return nil, fmt.Errorf("default theme: no %s in a new workbook", defaultTheme)
})

func (p *pkgEdit) drop(name string) {
	if _, ok := p.files[name]; ok {
		p.dropped[name] = true
	}
}

// read returns a part's current body (a changed one if changed).
func (p *pkgEdit) read(name string) ([]byte, error) {
	if b, ok := p.changed[name]; ok {
		return b, nil
	}
	f, ok := p.files[name]
	if !ok {
		return nil, fmt.Errorf("%w: no part %s", errUnsupported, name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer rc.Close()
	b := make([]byte, 0, f.UncompressedSize64)
	buf := bytes.NewBuffer(b)
	if _, err := io.Copy(buf, rc); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

type relationship struct {
	ID         string `xml:"Id,attr"`
	Type       string `xml:"Type,attr"`
	Target     string `xml:"Target,attr"`
	TargetMode string `xml:"TargetMode,attr"`
}

func (p *pkgEdit) rels(name string) ([]relationship, error) {
	b, err := p.read(name)
	if err != nil {
		return nil, err
	}
	var rs struct {
		Rels []relationship `xml:"Relationship"`
	}
	if err := xml.Unmarshal(b, &rs); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errUnsupported, name, err)
	}
	for i, r := range rs.Rels {
		// Strict OOXML names the same relationships in another namespace.
		if rest, ok := strings.CutPrefix(r.Type, relBaseStrict); ok {
			rs.Rels[i].Type = relBase + rest
		}
	}
	return rs.Rels, nil
}

// splice is one change to a part: bytes [start, end) become repl.
type splice struct {
	start, end int64
	repl       string
}

func apply(b []byte, edits []splice) []byte {
	if len(edits) == 0 {
		return b
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var out bytes.Buffer
	out.Grow(len(b))
	at := int64(0)
	for _, e := range edits {
		if e.start < at {
			continue // inside an earlier edit
		}
		out.Write(b[at:e.start])
		out.WriteString(e.repl)
		at = e.end
	}
	out.Write(b[at:])
	return out.Bytes()
}

// scan walks the tokens of a part; visit gets each token with the byte
// offset where it starts and the element path (names of open elements,
// local names in the spreadsheetml namespaces, "{ns}local" otherwise).
func (p *pkgEdit) scan(name string, b []byte, visit func(tok xml.Token, start, end int64, stack []string) error) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []string
	for n := 0; ; n++ {
		if n&0xfff == 0 {
			if err := p.ctx.Err(); err != nil {
				return err
			}
		}
		start := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v", errUnsupported, name, err)
		}
		end := d.InputOffset()
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, localName(t.Name))
			if err := visit(tok, start, end, stack); err != nil {
				return err
			}
		case xml.EndElement:
			if err := visit(tok, start, end, stack); err != nil {
				return err
			}
			stack = stack[:len(stack)-1]
		default:
			if err := visit(tok, start, end, stack); err != nil {
				return err
			}
		}
	}
}

func localName(n xml.Name) string {
	if n.Space == nsMain || n.Space == nsMainStrict || n.Space == "" {
		return n.Local
	}
	return "{" + n.Space + "}" + n.Local
}

var (
	tabSelectedAttr = regexp.MustCompile(`\s+tabSelected\s*=\s*("[^"]*"|'[^']*')`)
	cmAttr          = regexp.MustCompile(`\s+cm\s*=\s*("[^"]*"|'[^']*')`)
)

// worksheet removes the formulas and selected tabs of a sheet, counts its
// merged ranges (past maxMerges of the workbook it stops with a
// [BudgetError]) and returns its last row number.
func (p *pkgEdit) worksheet(name string) (lastRow int, err error) {
	b, err := p.read(name)
	if err != nil {
		return 0, err
	}
	merges := 0
	var (
		edits        []splice
		fStart       int64 = -1
		cStart, cEnd int64 = -1, -1
		cTag         string
	)
	err = p.scan(name, b, func(tok xml.Token, start, end int64, stack []string) error {
		switch t := tok.(type) {
		case xml.StartElement:
			n := len(stack)
			switch {
			case n == 3 && stack[0] == "worksheet" && stack[1] == "mergeCells" && stack[2] == "mergeCell":
				merges++
				if p.merges+merges > p.maxMerges {
					return &BudgetError{What: budgetMerges, Limit: int64(p.maxMerges), Got: int64(p.merges + merges)}
				}
			case n == 3 && stack[1] == "sheetData" && stack[2] == "row":
				r := lastRow + 1
				for _, a := range t.Attr {
					if a.Name.Space == "" && a.Name.Local == "r" {
						if v, err := strconv.Atoi(a.Value); err == nil {
							r = v
						}
					}
				}
				lastRow = max(lastRow, r)
			case n >= 2 && stack[n-1] == "c":
				cStart, cEnd, cTag = start, end, string(b[start:end])
			case n >= 2 && stack[n-1] == "f" && stack[n-2] == "c":
				fStart = start
				// Cell metadata (cm) belongs to the formula (dynamic arrays).
				if cStart >= 0 && cmAttr.MatchString(cTag) {
					edits = append(edits, splice{cStart, cEnd, cmAttr.ReplaceAllString(cTag, "")})
					cStart = -1
				}
			case n == 3 && stack[1] == "sheetViews" && stack[2] == "sheetView":
				tag := string(b[start:end])
				if tabSelectedAttr.MatchString(tag) {
					edits = append(edits, splice{start, end, tabSelectedAttr.ReplaceAllString(tag, "")})
				}
			}
		case xml.EndElement:
			n := len(stack)
			if n >= 2 && stack[n-1] == "f" && stack[n-2] == "c" && fStart >= 0 {
				edits = append(edits, splice{fStart, end, ""})
				fStart = -1
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if len(edits) > 0 {
		p.changed[name] = apply(b, edits)
	}
	p.merges += merges
	return lastRow, nil
}

// completeStyles adds the children of the styles part that excelize needs
// and the part lacks (all optional in OOXML), in schema order.
func (p *pkgEdit) completeStyles(name string) error {
	b, err := p.read(name)
	if err != nil {
		return err
	}
	present := map[string]int64{} // child → its start offset
	var rootEnd int64 = -1
	prefix := ""
	err = p.scan(name, b, func(tok xml.Token, start, end int64, stack []string) error {
		switch tok.(type) {
		case xml.StartElement:
			if len(stack) == 1 {
				prefix = rawPrefix(b[start:end])
			}
			if len(stack) == 2 {
				if _, ok := present[stack[1]]; !ok {
					present[stack[1]] = start
				}
			}
		case xml.EndElement:
			if len(stack) == 1 {
				rootEnd = start
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if rootEnd < 0 {
		return fmt.Errorf("%w: %s: not a styleSheet", errUnsupported, name)
	}
	var edits []splice
	for i, el := range styleOrder {
		if el.def == "" {
			continue
		}
		if _, ok := present[el.name]; ok {
			continue
		}
		at := rootEnd
		for _, later := range styleOrder[i+1:] {
			if off, ok := present[later.name]; ok {
				at = off
				break
			}
		}
		def := el.def
		if prefix != "" {
			def = prefixed(def, prefix)
		}
		edits = append(edits, splice{at, at, def})
	}
	if len(edits) > 0 {
		p.changed[name] = apply(b, edits)
	}
	return nil
}

// rawPrefix returns the prefix of an element's start tag ("x:" of "<x:a"),
// or "".
func rawPrefix(tag []byte) string {
	name := bytes.TrimPrefix(tag, []byte("<"))
	if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
		name = name[:i]
	}
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return string(name[:i+1])
	}
	return ""
}

var tagName = regexp.MustCompile(`<(/?)([a-zA-Z])`)

// prefixed gives every element of a snippet the prefix.
func prefixed(snippet, prefix string) string {
	return tagName.ReplaceAllString(snippet, "<${1}"+prefix+"${2}")
}

// dropRelationships removes the relationships with the given ids.
func (p *pkgEdit) dropRelationships(name string, ids map[string]bool) error {
	return p.edit(name, dropChildren("Relationship", "Id", func(id string) bool { return ids[id] }))
}

// dropChildren is a visitor for [pkgEdit.edit] that cuts every child of
// the root element named elem whose attribute attr has a value drop says
// to drop.
func dropChildren(elem, attr string, drop func(string) bool) func(tok xml.Token, start, end int64, stack []string) []splice {
	var from int64 = -1
	return func(tok xml.Token, start, end int64, stack []string) []splice {
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 2 && t.Name.Local == elem {
				for _, a := range t.Attr {
					if a.Name.Local == attr && drop(a.Value) {
						from = start
					}
				}
			}
		case xml.EndElement:
			if len(stack) == 2 && from >= 0 {
				cut := splice{from, end, ""}
				from = -1
				return []splice{cut}
			}
		}
		return nil
	}
}

// edit rewrites part name: visit sees each token (as [pkgEdit.scan] gives
// it) and returns the splices to make there.
func (p *pkgEdit) edit(name string, visit func(tok xml.Token, start, end int64, stack []string) []splice) error {
	b, err := p.read(name)
	if err != nil {
		return err
	}
	var edits []splice
	err = p.scan(name, b, func(tok xml.Token, start, end int64, stack []string) error {
		edits = append(edits, visit(tok, start, end, stack)...)
		return nil
	})
	if err != nil {
		return err
	}
	p.changed[name] = apply(b, edits)
	return nil
}

var externalRef = regexp.MustCompile(`\[\d+\]`)

// unlinkWorkbook removes <externalReferences> and turns every defined name
// that refers to an external workbook ("[1]Data!A1") into #REF!.
func (p *pkgEdit) unlinkWorkbook(name string) error {
	var refsStart int64 = -1
	return p.edit(name, func(tok xml.Token, start, end int64, stack []string) []splice {
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 2 && stack[1] == "externalReferences" {
				refsStart = start
			}
		case xml.EndElement:
			if len(stack) == 2 && stack[1] == "externalReferences" && refsStart >= 0 {
				cut := splice{refsStart, end, ""}
				refsStart = -1
				return []splice{cut}
			}
		case xml.CharData:
			if len(stack) == 3 && stack[1] == "definedNames" && stack[2] == "definedName" && externalRef.Match(t) {
				return []splice{{start, end, "#REF!"}}
			}
		}
		return nil
	})
}

// insertBefore inserts snippet before the end tag of the root element.
func (p *pkgEdit) insertBefore(name, root, snippet string) error {
	b, err := p.read(name)
	if err != nil {
		return err
	}
	var at int64 = -1
	err = p.scan(name, b, func(tok xml.Token, start, end int64, stack []string) error {
		if e, ok := tok.(xml.EndElement); ok && len(stack) == 1 && e.Name.Local == root {
			at = start
		}
		return nil
	})
	if err != nil {
		return err
	}
	if at < 0 {
		return fmt.Errorf("%w: %s: no %s", errUnsupported, name, root)
	}
	p.changed[name] = apply(b, []splice{{at, at, snippet}})
	return nil
}

// fixContentTypes removes the overrides of dropped parts and adds the new one.
func (p *pkgEdit) fixContentTypes() error {
	dropOverrides := dropChildren("Override", "PartName", func(part string) bool { return p.dropped[strings.TrimPrefix(part, "/")] })
	return p.edit("[Content_Types].xml", func(tok xml.Token, start, end int64, stack []string) []splice {
		if _, ok := tok.(xml.EndElement); ok && len(stack) == 1 && p.newOverride != "" {
			// The new override, before the root's end tag.
			return []splice{{start, start, p.newOverride}}
		}
		return dropOverrides(tok, start, end, stack)
	})
}

// write writes the edited package: unchanged parts are copied compressed as
// they are, changed and new parts stored.
func (p *pkgEdit) write(zr *zip.Reader) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if p.dropped[f.Name] {
			continue
		}
		if body, ok := p.changed[f.Name]; ok {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
			if err != nil {
				return nil, err
			}
			if _, err := w.Write(body); err != nil {
				return nil, err
			}
			delete(p.changed, f.Name)
			continue
		}
		r, err := f.OpenRaw()
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", f.Name, err)
		}
		fh := f.FileHeader
		w, err := zw.CreateRaw(&fh)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, r); err != nil {
			return nil, fmt.Errorf("copy %s: %w", f.Name, err)
		}
	}
	// New parts.
	names := make([]string, 0, len(p.changed))
	for n := range p.changed {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(p.changed[n]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
