package workbook

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/reason"
)

// entry is one zip entry of a hand-built package.
type entry struct {
	name   string
	data   []byte
	method uint16 // zip.Deflate unless set to zip.Store (0 means Deflate)
	stored bool
}

// zipEntries writes entries in order into an in-memory zip.
func zipEntries(t testing.TB, es ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range es {
		m := zip.Deflate
		if e.stored {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: m})
		require.NoError(t, err)
		_, err = w.Write(e.data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// zipMap writes a map of part name to content, [Content_Types].xml first and
// the rest sorted, so that packages are deterministic.
func zipMap(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if names[i] == "[Content_Types].xml" || names[j] == "[Content_Types].xml" {
			return names[i] == "[Content_Types].xml"
		}
		return names[i] < names[j]
	})
	es := make([]entry, 0, len(names))
	for _, n := range names {
		es = append(es, entry{name: n, data: []byte(parts[n])})
	}
	return zipEntries(t, es...)
}

const (
	xmlDecl    = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsMain     = `http://schemas.openxmlformats.org/spreadsheetml/2006/main`
	nsRel      = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
	nsPkgRel   = `http://schemas.openxmlformats.org/package/2006/relationships`
	relOffice  = `http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument`
	relSheet   = `http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet`
	relStrings = `http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings`
)

// skeleton returns the parts of a one-sheet workbook ("Sheet1") with the
// given sheet XML and, when sst is not empty, a shared-strings part.
func skeleton(sheetXML, sst string) map[string]string {
	ct := xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="` + ctWorkbookMain + `"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	wbRels := xmlDecl + `<Relationships xmlns="` + nsPkgRel + `">` +
		`<Relationship Id="rId1" Type="` + relSheet + `" Target="worksheets/sheet1.xml"/>`
	if sst != "" {
		ct += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
		wbRels += `<Relationship Id="rId2" Type="` + relStrings + `" Target="sharedStrings.xml"/>`
	}
	ct += `</Types>`
	wbRels += `</Relationships>`
	parts := map[string]string{
		"[Content_Types].xml": ct,
		"_rels/.rels": xmlDecl + `<Relationships xmlns="` + nsPkgRel + `">` +
			`<Relationship Id="rId1" Type="` + relOffice + `" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": xmlDecl + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` +
			`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": wbRels,
		"xl/worksheets/sheet1.xml":   sheetXML,
	}
	if sst != "" {
		parts["xl/sharedStrings.xml"] = sst
	}
	return parts
}

// sheetXML wraps rows in a worksheet.
func sheetXML(rows string) string {
	return xmlDecl + `<worksheet xmlns="` + nsMain + `"><sheetData>` + rows + `</sheetData></worksheet>`
}

// sstXML builds a shared-strings part from plain strings.
func sstXML(items ...string) string {
	var b strings.Builder
	b.WriteString(xmlDecl + `<sst xmlns="` + nsMain + `">`)
	for _, it := range items {
		b.WriteString(`<si><t xml:space="preserve">` + it + `</t></si>`)
	}
	b.WriteString(`</sst>`)
	return b.String()
}

// result is everything a full read of a workbook gives.
type result struct {
	sheets []SheetInfo
	rows   map[string][]Row // by sheet name, deep copies
	meta   map[string]SheetMeta
	d1904  bool
}

// readBytes opens data, reads every sheet and closes, returning the first error.
func readBytes(data []byte, lim Limits) (*result, error) {
	ctx := context.Background()
	b, err := Open(ctx, bytes.NewReader(data), int64(len(data)), lim)
	if err != nil {
		return nil, err
	}
	res := &result{sheets: b.Sheets(), rows: map[string][]Row{}, meta: map[string]SheetMeta{}, d1904: b.Date1904()}
	for _, s := range res.sheets {
		meta, err := b.ReadSheet(ctx, s.Name, func(r *Row) error {
			cp := *r
			cp.Cells = append([]Cell(nil), r.Cells...)
			res.rows[s.Name] = append(res.rows[s.Name], cp)
			return nil
		})
		if err != nil {
			_ = b.Close()
			return res, err
		}
		res.meta[s.Name] = meta
	}
	if err := b.Close(); err != nil {
		return res, err
	}
	return res, nil
}

func requireCode(t testing.TB, err error, code reason.Code) *reason.Error {
	t.Helper()
	require.Error(t, err)
	var re *reason.Error
	require.True(t, errors.As(err, &re), "not a reason.Error: %v", err)
	require.Equal(t, code, re.Code, "error: %v", err)
	require.NotEmpty(t, re.Error())
	return re
}

// excelizeBytes writes f to memory.
func excelizeBytes(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	buf, err := f.WriteToBuffer()
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return buf.Bytes()
}

// unzip returns the entry names in order and their contents.
func unzip(t testing.TB, data []byte) ([]string, map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var names []string
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
		names = append(names, f.Name)
		parts[f.Name] = b
	}
	return names, parts
}

// rezip writes names (in order) with contents from parts.
func rezip(t testing.TB, names []string, parts map[string][]byte) []byte {
	t.Helper()
	es := make([]entry, 0, len(names))
	for _, n := range names {
		es = append(es, entry{name: n, data: parts[n]})
	}
	return zipEntries(t, es...)
}

// mutate rewrites one part of a package.
func mutate(t testing.TB, data []byte, part string, fn func([]byte) []byte) []byte {
	t.Helper()
	names, parts := unzip(t, data)
	_, ok := parts[part]
	require.True(t, ok, "no part %s", part)
	parts[part] = fn(parts[part])
	return rezip(t, names, parts)
}

// excelizeGrid reads a sheet with excelize's streaming reader and raw values
// and returns the non-empty values by A1 name, with the error it reports.
func excelizeGrid(data []byte, sheet string) (map[string]string, int, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, 0, err
	}
	grid := map[string]string{}
	n := 0
	for rows.Next() {
		n++
		cols, err := rows.Columns()
		if err != nil {
			return grid, n, err
		}
		for i, v := range cols {
			if v != "" {
				grid[cellName(i+1, n)] = v
			}
		}
	}
	if err := rows.Error(); err != nil {
		return grid, n, err
	}
	return grid, n, rows.Close()
}

// ourGrid turns rows into the same shape as excelizeGrid.
func ourGrid(rows []Row) map[string]string {
	grid := map[string]string{}
	for _, r := range rows {
		for _, c := range r.Cells {
			if c.Value != "" {
				grid[cellName(c.Col, r.Num)] = c.Value
			}
		}
	}
	return grid
}

// requireSameAsExcelize checks every sheet of data against excelize.
func requireSameAsExcelize(t testing.TB, data []byte) *result {
	t.Helper()
	res, err := readBytes(data, Limits{})
	require.NoError(t, err)
	for _, s := range res.sheets {
		want, _, err := excelizeGrid(data, s.Name)
		require.NoError(t, err, "excelize on sheet %s", s.Name)
		require.Equal(t, want, ourGrid(res.rows[s.Name]), "sheet %s", s.Name)
	}
	return res
}

func cellsOf(res *result, sheet string) map[string]Cell {
	m := map[string]Cell{}
	for _, r := range res.rows[sheet] {
		for _, c := range r.Cells {
			m[cellName(c.Col, r.Num)] = c
		}
	}
	return m
}

var _ = fmt.Sprintf
