package workbook

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/returns-project/returns/etl/reason"
)

// Content types that decide the format (ECMA-376 Part 1, MS-XLSB, MS-OFFMACRO).
const (
	ctWorkbookMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
	ctODS          = "application/vnd.oasis.opendocument.spreadsheet"
)

var (
	binaryTypes = []string{
		"application/vnd.ms-excel.sheet.binary.macroEnabled.main",
	}
	macroOrTemplateTypes = []string{
		"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
		"application/vnd.ms-excel.template.macroEnabled.main+xml",
		"application/vnd.ms-excel.addin.macroEnabled.main+xml",
		"application/vnd.ms-office.vbaProject",
	}
)

type book struct {
	ctx      context.Context
	lim      Limits
	ent      *entries
	sheets   []SheetInfo
	byName   map[string]int
	sheetIdx []int // zip entry of each sheet
	read     []bool
	date1904 bool
	// fullCalcOnLoad: the workbook asks Excel to recalculate every formula
	// when it opens the file (calcPr fullCalcOnLoad, ECMA-376 Part 1 18.2.2).
	fullCalcOnLoad bool
	sst            *sst
	styles         []styleHides // by cell format index
	damage         error        // first damage found; Close returns it
	closed         bool
	closeErr       error
}

func open(ctx context.Context, r io.ReaderAt, size int64, lim Limits) (_ Book, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = recovered(p, "", "internal error while reading the package")
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lim = lim.withDefaults()
	if size < 0 {
		return nil, reason.Errorf(reason.NotXLSX, "", "negative file size")
	}
	lim.MaxSharedText = lim.sharedTextCap(size)
	if size > lim.MaxFileSize {
		return nil, reason.Errorf(reason.TooLarge, "", "file of %d bytes exceeds the limit of %d", size, lim.MaxFileSize)
	}
	if err := sniffHead(r, size); err != nil {
		return nil, err
	}
	ent, err := openZip(r, size, lim)
	if err != nil {
		return nil, err
	}
	b := &book{ctx: ctx, lim: lim, ent: ent}
	if err := b.classify(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return b, nil
}

// classify tells the package format apart and reads the structure: content
// types, package relationships, workbook relationships, the workbook and the
// shared strings.
func (b *book) classify() error {
	if err := b.refuseOtherPackages(); err != nil {
		return err
	}
	types, isSpreadsheet, err := b.partTypes()
	if err != nil {
		return err
	}
	wbPart, wbIdx, err := b.mainWorkbook(types, isSpreadsheet)
	if err != nil {
		return err
	}
	// Made here, not in workbookRels, so that it can stay on the stack.
	wbRels := map[string]relationship{}
	sstPart, stylesPart, err := b.workbookRels(wbPart, wbRels)
	if err != nil {
		return err
	}
	if err := b.readWorkbook(wbIdx, wbRels); err != nil {
		return err
	}
	if err := b.loadStyles(stylesPart); err != nil {
		return err
	}
	return b.loadSharedStrings(sstPart)
}

// refuseOtherPackages refuses, by their tell-tale parts, the packages that
// are not an xlsx workbook: OpenDocument, binary (xlsb) and macro (xlsm).
func (b *book) refuseOtherPackages() error {
	e := b.ent
	if i, ok := e.lookup("mimetype"); ok {
		_, hasContent := e.lookup("content.xml")
		mt, err := b.readTiny(i, 256)
		if err != nil {
			return err
		}
		if strings.TrimSpace(mt) == ctODS || hasContent {
			return reason.Errorf(reason.FormatODS, "mimetype", "OpenDocument package")
		}
	}
	for _, f := range e.files {
		name := strings.ToLower(f.Name)
		switch {
		case path.Base(name) == "workbook.bin":
			return reason.Errorf(reason.FormatXLSB, f.Name, "binary workbook part")
		case path.Base(name) == "vbaproject.bin":
			return reason.Errorf(reason.FormatXLSM, f.Name, "VBA macro project")
		}
	}
	return nil
}

// contentTypes is what [Content_Types].xml declares: a type per extension
// (defaults) and per part (overrides), both keyed in lower case.
type contentTypes struct {
	defaults, overrides map[string]string
}

// of is the type of a part: the type its Override gives, or else the
// Default of its extension (ECMA-376 Part 2, 10.1.2.4).
func (ct contentTypes) of(part string) string {
	if t, ok := ct.overrides[strings.ToLower(part)]; ok {
		return t
	}
	return ct.defaults[strings.ToLower(strings.TrimPrefix(path.Ext(part), "."))]
}

// partTypes reads the content types and refuses a package any of whose
// parts is typed as binary, macro or template; it reports whether a part is
// typed as a workbook.
func (b *book) partTypes() (contentTypes, bool, error) {
	e := b.ent
	ctIdx, ok := e.lookup("[Content_Types].xml")
	if !ok {
		return contentTypes{}, false, reason.Errorf(reason.NotXLSX, "", "zip without [Content_Types].xml (not an Office package)")
	}
	defaults, overrides, err := b.readContentTypes(ctIdx)
	if err != nil {
		return contentTypes{}, false, err
	}
	types := contentTypes{defaults: defaults, overrides: overrides}
	// Only overrides name parts: excelize, for one, declares a Default for
	// the "bin" extension as a VBA project in every workbook it writes.
	for _, t := range overrides {
		if err := formatOfType(t); err != nil {
			return contentTypes{}, false, err
		}
	}
	// Every part present has a type: a VBA project typed through a Default
	// is as much a macro as one with an Override.
	for _, f := range e.files {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		if err := formatOfType(types.of(f.Name)); err != nil {
			re := err.(*reason.Error)
			re.Part = f.Name
			return contentTypes{}, false, re
		}
	}
	isSpreadsheet := false
	for _, t := range overrides {
		if strings.TrimSpace(t) == ctWorkbookMain {
			isSpreadsheet = true
		}
	}
	return types, isSpreadsheet, nil
}

// mainWorkbook follows the package relationships to the main document and
// checks that it is a spreadsheet workbook present in the zip. It returns
// the workbook part's name as the zip spells it, and its index. A package
// typed as a spreadsheet (isSpreadsheet) that lacks the way to its workbook
// is corrupt rather than something else.
func (b *book) mainWorkbook(types contentTypes, isSpreadsheet bool) (string, int, error) {
	e := b.ent
	relsIdx, ok := e.lookup("_rels/.rels")
	if !ok {
		if isSpreadsheet {
			return "", 0, reason.Errorf(reason.CorruptZip, "", "package relationships _rels/.rels missing")
		}
		return "", 0, reason.Errorf(reason.NotXLSX, "", "not a spreadsheet package")
	}
	rels, err := b.readRels(relsIdx)
	if err != nil {
		return "", 0, err
	}
	wbPart := ""
	for _, r := range rels {
		if !r.external && hasTypeSuffix(r.typ, "officeDocument") {
			p, ok := resolveTarget("", r.target)
			if !ok {
				return "", 0, reason.Errorf(reason.CorruptZip, "_rels/.rels", "main document target points outside the package")
			}
			wbPart = p
			break
		}
	}
	if wbPart == "" {
		if isSpreadsheet {
			return "", 0, reason.Errorf(reason.CorruptZip, "_rels/.rels", "no officeDocument relationship")
		}
		return "", 0, reason.Errorf(reason.NotXLSX, "", "package has no main document")
	}
	if err := formatOfType(types.of(wbPart)); err != nil {
		return "", 0, err
	}
	if strings.TrimSpace(types.of(wbPart)) != ctWorkbookMain {
		return "", 0, reason.Errorf(reason.NotXLSX, wbPart, "main document is not a spreadsheet workbook")
	}
	wbIdx, ok := e.lookup(wbPart)
	if !ok {
		return "", 0, reason.Errorf(reason.CorruptZip, wbPart, "workbook part missing from the zip")
	}
	return e.files[wbIdx].Name, wbIdx, nil
}

// workbookRels reads the workbook's relationships (to its sheets, shared
// strings and styles), refusing duplicate ids, a VBA project and a second
// shared-strings part. It puts them by id into rels and returns the
// shared-strings and styles parts, "" if there are none.
func (b *book) workbookRels(wbPart string, rels map[string]relationship) (sstPart, stylesPart string, err error) {
	relsPart := relsPartFor(wbPart)
	ri, ok := b.ent.lookup(relsPart)
	if !ok {
		return "", "", nil
	}
	list, err := b.readRels(ri)
	if err != nil {
		return "", "", err
	}
	for _, r := range list {
		if r.external {
			continue
		}
		if _, dup := rels[r.id]; dup {
			return "", "", reason.Errorf(reason.CorruptXML, relsPart, "duplicate relationship id %q", r.id)
		}
		rels[r.id] = r
		if hasTypeSuffix(r.typ, "vbaProject") {
			return "", "", reason.Errorf(reason.FormatXLSM, relsPart, "workbook relationship to a VBA project (%s)", r.target)
		}
		if hasTypeSuffix(r.typ, "styles") && stylesPart == "" {
			if p, ok := resolveTarget(wbPart, r.target); ok {
				stylesPart = p
			}
		}
		if hasTypeSuffix(r.typ, "sharedStrings") {
			if sstPart != "" {
				return "", "", reason.Errorf(reason.CorruptXML, relsPart, "more than one shared-strings relationship")
			}
			p, ok := resolveTarget(wbPart, r.target)
			if !ok {
				return "", "", reason.Errorf(reason.CorruptZip, relsPart, "shared-strings target points outside the package")
			}
			sstPart = p
		}
	}
	return sstPart, stylesPart, nil
}

// loadStyles reads which styles hide their cells from the styles part, if
// there is one and it is present.
func (b *book) loadStyles(stylesPart string) error {
	if stylesPart == "" {
		return nil
	}
	i, ok := b.ent.lookup(stylesPart)
	if !ok {
		return nil
	}
	hides, err := b.readStyles(i)
	if err != nil {
		return err
	}
	b.styles = hides
	return nil
}

// loadSharedStrings reads the shared-strings table, if the workbook has
// one; it must then be present.
func (b *book) loadSharedStrings(sstPart string) error {
	if sstPart == "" {
		return nil
	}
	e := b.ent
	i, ok := e.lookup(sstPart)
	if !ok {
		return reason.Errorf(reason.CorruptZip, sstPart, "shared-strings part missing from the zip")
	}
	f := e.files[i]
	rc, err := f.Open()
	if err != nil {
		return reason.Wrap(reason.CorruptPart, f.Name, err)
	}
	table, err := readSST(rc, f.Name, b.lim, int64(min(f.UncompressedSize64, uint64(b.lim.MaxSharedText))))
	if err != nil {
		err = preferPartDamage(err, rc, f.Name)
	}
	rc.Close()
	if err != nil {
		return err
	}
	b.sst = table
	e.done[i] = true
	return nil
}

// formatOfType refuses the content types of binary, macro-enabled and
// template workbooks.
func formatOfType(t string) error {
	t = strings.TrimSpace(t)
	for _, bt := range binaryTypes {
		if strings.EqualFold(t, bt) {
			return reason.Errorf(reason.FormatXLSB, "[Content_Types].xml", "binary workbook content type")
		}
	}
	for _, mt := range macroOrTemplateTypes {
		if strings.EqualFold(t, mt) {
			return reason.Errorf(reason.FormatXLSM, "[Content_Types].xml", "macro-enabled or template content type %s", mt)
		}
	}
	return nil
}

// readTiny reads a small entry whole (the ODS mimetype).
func (b *book) readTiny(i int, max int64) (string, error) {
	f := b.ent.files[i]
	if f.UncompressedSize64 > uint64(max) {
		return "", nil
	}
	rc, err := f.Open()
	if err != nil {
		return "", reason.Wrap(reason.CorruptPart, f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return "", reason.Wrap(reason.CorruptPart, f.Name, err)
	}
	b.ent.done[i] = true
	return string(data), nil
}

// readContentTypes returns the Default types by lower-case extension and the
// Override types by lower-case part name (without the leading slash).
func (b *book) readContentTypes(i int) (defaults, overrides map[string]string, err error) {
	defaults, overrides = map[string]string{}, map[string]string{}
	part := b.ent.files[i].Name
	err = b.readSmallXML(i, func(depth int, se xml.StartElement) error {
		switch {
		case depth == 1 && se.Name.Local != "Types":
			return reason.Errorf(reason.NotXLSX, part, "root element is not Types")
		case depth == 2 && se.Name.Local == "Default":
			ext, _ := attrValue(se, "Extension")
			t, _ := attrValue(se, "ContentType")
			defaults[strings.ToLower(ext)] = t
		case depth == 2 && se.Name.Local == "Override":
			name, _ := attrValue(se, "PartName")
			t, _ := attrValue(se, "ContentType")
			overrides[strings.ToLower(strings.TrimPrefix(name, "/"))] = t
		}
		return nil
	})
	return defaults, overrides, err
}

// readWorkbook reads the sheet list and the date system.
func (b *book) readWorkbook(i int, rels map[string]relationship) error {
	wbPart := b.ent.files[i].Name
	b.byName = map[string]int{}
	folded := map[string]bool{}
	var open []xml.Name // the open elements, by depth
	err := b.readSmallXML(i, func(depth int, se xml.StartElement) error {
		open = append(open[:depth-1], se.Name)
		main := se.Name.Space == nsMainTransitional || se.Name.Space == nsMainStrict
		if se.Name.Local == "sheet" && !(depth == 3 && main && open[1].Local == "sheets" &&
			(open[1].Space == nsMainTransitional || open[1].Space == nsMainStrict)) {
			// A sheet in another namespace or inside markup-compatibility
			// choices is one Excel may or may not list.
			return reason.Errorf(reason.ForeignMarkup, wbPart, "a sheet element (namespace %s) outside the workbook's sheet list", se.Name.Space)
		}
		if depth > 1 && !main {
			return nil
		}
		switch {
		case depth == 1 && (se.Name.Local != "workbook" || !main):
			return reason.Errorf(reason.CorruptXML, wbPart, "root element is not a SpreadsheetML workbook")
		case depth == 2 && se.Name.Local == "calcPr":
			if v, ok := attrValue(se, "fullCalcOnLoad"); ok {
				d, good := parseBool([]byte(v))
				if !good {
					return reason.Errorf(reason.CorruptXML, wbPart, "fullCalcOnLoad is not a boolean")
				}
				b.fullCalcOnLoad = d
			}
		case depth == 2 && se.Name.Local == "workbookPr":
			if v, ok := attrValue(se, "date1904"); ok {
				d, good := parseBool([]byte(v))
				if !good {
					return reason.Errorf(reason.CorruptXML, wbPart, "date1904 is not a boolean")
				}
				b.date1904 = d
			}
		case depth == 3 && se.Name.Local == "sheet":
			name, _ := attrValue(se, "name")
			if name == "" {
				return reason.Errorf(reason.CorruptXML, wbPart, "sheet %d has no name", len(b.sheets)+1)
			}
			if folded[strings.ToLower(name)] {
				return reason.Errorf(reason.CorruptXML, wbPart, "two sheets named %q", name)
			}
			folded[strings.ToLower(name)] = true
			state, _ := attrValue(se, "state")
			var st SheetState
			switch state {
			case "", "visible":
				st = Visible
			case "hidden":
				st = Hidden
			case "veryHidden":
				st = VeryHidden
			default:
				return reason.Errorf(reason.CorruptXML, wbPart, "sheet %q has an unknown state", name)
			}
			id := ""
			for _, a := range se.Attr {
				if a.Name.Local == "id" && (a.Name.Space == nsRelTransitional || a.Name.Space == nsRelStrict) {
					id = a.Value
				}
			}
			if id == "" {
				return reason.Errorf(reason.CorruptXML, wbPart, "sheet %q has no relationship id", name)
			}
			rel, ok := rels[id]
			if !ok {
				return reason.Errorf(reason.CorruptXML, wbPart, "sheet %q refers to relationship %q, which does not exist", name, id)
			}
			p, ok := resolveTarget(wbPart, rel.target)
			if !ok {
				return reason.Errorf(reason.CorruptZip, wbPart, "sheet %q points outside the package", name)
			}
			idx, ok := b.ent.lookup(p)
			if !ok {
				return reason.Errorf(reason.CorruptZip, p, "part of sheet %q missing from the zip", name)
			}
			b.byName[name] = len(b.sheets)
			b.sheets = append(b.sheets, SheetInfo{Name: name, State: st, Part: b.ent.files[idx].Name})
			b.sheetIdx = append(b.sheetIdx, idx)
		}
		return nil
	})
	b.read = make([]bool, len(b.sheets))
	return err
}

func (b *book) Sheets() []SheetInfo { return append([]SheetInfo(nil), b.sheets...) }

func (b *book) Date1904() bool { return b.date1904 }

func (b *book) RecalcOnLoad() bool { return b.fullCalcOnLoad }

func (b *book) ReadSheet(ctx context.Context, name string, fn func(*Row) error) (meta SheetMeta, err error) {
	if b.closed {
		return SheetMeta{}, errors.New("workbook: ReadSheet after Close")
	}
	si, ok := b.byName[name]
	if !ok {
		return SheetMeta{}, fmt.Errorf("workbook: no sheet named %q", name)
	}
	if b.read[si] {
		return SheetMeta{}, fmt.Errorf("workbook: sheet %q already read", name)
	}
	if b.damage != nil {
		return SheetMeta{}, b.damage
	}
	b.read[si] = true
	idx := b.sheetIdx[si]
	f := b.ent.files[idx]
	// A panic from fn is the caller's and goes on; any other one is
	// damage the reader failed to foresee.
	inFn := false
	var fnErr error
	wrapped := func(r *Row) error {
		inFn = true
		fnErr = fn(r)
		inFn = false
		return fnErr
	}
	defer func() {
		if p := recover(); p != nil {
			if inFn {
				panic(p)
			}
			err = recovered(p, f.Name, "internal error while reading the sheet")
		}
		var re *reason.Error
		if err != nil && err != fnErr && errors.As(err, &re) && b.damage == nil {
			b.damage = err
		}
	}()
	if err := ctx.Err(); err != nil {
		return SheetMeta{}, fmt.Errorf("read sheet %q: %w", name, err)
	}
	rc, err := f.Open()
	if err != nil {
		return SheetMeta{}, reason.Wrap(reason.CorruptPart, f.Name, err)
	}
	defer rc.Close()
	if panicHook != nil {
		panicHook(f.Name)
	}
	meta, err = readSheet(ctx, rc, f.Name, b.sst, b.styles, b.lim, wrapped)
	if err != nil {
		if fnErr != nil && err == fnErr {
			return meta, err // the caller's own error, as is
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return meta, fmt.Errorf("read sheet %q: %w", name, err)
		}
		return meta, preferPartDamage(err, rc, f.Name)
	}
	b.ent.done[idx] = true
	return meta, nil
}

func (b *book) Close() (err error) {
	if b.closed {
		return b.closeErr
	}
	b.closed = true
	defer func() {
		if p := recover(); p != nil {
			err = recovered(p, "", "internal error while finishing the package")
		}
		b.closeErr = err
	}()
	if b.damage != nil {
		// The file is rejected already; reading on (perhaps through a
		// monster sheet) would prove nothing more.
		return b.damage
	}
	buf := make([]byte, 32<<10)
	for i, f := range b.ent.files {
		if b.ent.done[i] {
			continue
		}
		if err := b.ctx.Err(); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return reason.Wrap(reason.CorruptPart, f.Name, err)
		}
		_, err = io.CopyBuffer(io.Discard, rc, buf)
		rc.Close()
		if err != nil {
			return reason.Wrap(reason.CorruptPart, f.Name, err)
		}
		b.ent.done[i] = true
	}
	return nil
}

// preferPartDamage: when the XML of a part looks wrong, the cause may be a
// damaged deflate stream that produced garbage before its CRC could be
// checked at the end. The rest of the entry is read (its declared size
// passed the caps) and a damaged stream is reported as what it is.
func preferPartDamage(err error, rc io.Reader, part string) error {
	code, ok := reason.Of(err)
	if !ok {
		return err
	}
	switch code {
	case reason.CorruptXML, reason.DTD, reason.CorruptSST, reason.CorruptRows, reason.CorruptCells:
	default:
		return err
	}
	if _, derr := io.Copy(io.Discard, rc); derr != nil {
		return &reason.Error{Code: reason.CorruptPart, Part: part, Detail: "damaged compressed data (" + err.Error() + ")", Err: derr}
	}
	return err
}
