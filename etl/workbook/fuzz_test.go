package workbook

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/reason"
)

// stdlibAccepts is the reference for the scanner: encoding/xml in strict
// mode, with the rules the reader adds on top of it (no directives, exactly
// one root element, only white space outside it, a leading BOM allowed).
func stdlibAccepts(doc []byte) bool {
	doc = bytes.TrimPrefix(doc, []byte("\xEF\xBB\xBF"))
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return roots == 1
		}
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return false
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.Directive:
			return false
		case xml.CharData:
			if depth == 0 && strings.Trim(string(t), " \t\r\n") != "" {
				return false
			}
		}
	}
}

// scannerAccepts runs the scanner over doc to its end.
func scannerAccepts(doc []byte) (bool, error) {
	s := newScanner(bytes.NewReader(doc), "test.xml", 1<<20)
	for {
		switch s.next() {
		case tokEOF:
			return true, nil
		case tokErr:
			return false, s.err
		}
	}
}

// readFailure says what is wrong with an error of the reader under fuzzing:
// anything but a rejection, or a rejection that hides a recovered panic (the
// reader recovers so that a hostile file cannot crash the daemon; a fuzz
// target must still see the panic, with its stack).
func readFailure(err error) string {
	if err == nil {
		return ""
	}
	var pe *PanicError
	if errors.As(err, &pe) {
		return fmt.Sprintf("reader panicked (recovered): %v\n%s", pe.Value, pe.Stack)
	}
	if _, ok := reason.Of(err); !ok {
		return fmt.Sprintf("not a reason error: %v", err)
	}
	return ""
}

// TestFuzzTargetsSeeRecoveredPanics: a panic inside the reader, recovered
// into a rejection, is still a failure for the fuzz targets' check.
func TestFuzzTargetsSeeRecoveredPanics(t *testing.T) {
	data := zipMap(t, skeleton(sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`), sstXML("a")))
	panicHook = func(part string) { panic("injected in " + part) }
	defer func() { panicHook = nil }()
	_, err := readBytes(data, Limits{})
	require.Equal(t, reason.CorruptXML, requireCode(t, err, reason.CorruptXML).Code, "a panic still rejects the file")
	msg := readFailure(err)
	require.Contains(t, msg, "injected in xl/worksheets/sheet1.xml")
	require.Contains(t, msg, "goroutine", "the stack comes with it")
}

var charRef = regexp.MustCompile(`&#(x[0-9a-fA-F]+|[0-9]+);`)

// knownDifference reports the deliberate differences documented in
// scanner.go: surrogate character references, and invalid UTF-8 inside
// comments or processing instructions, which encoding/xml accepts.
func knownDifference(doc []byte) bool {
	if !utf8.Valid(doc) {
		return true
	}
	for _, m := range charRef.FindAllSubmatch(doc, -1) {
		s, base := string(m[1]), 10
		if s[0] == 'x' {
			s, base = s[1:], 16
		}
		if n, err := strconv.ParseUint(s, base, 64); err == nil && n >= 0xD800 && n <= 0xDFFF {
			return true
		}
	}
	return false
}

func scannerSeeds() []string {
	return []string{
		`<a/>`, `<a></a>`, "\xEF\xBB\xBF<a/>", `<?xml version="1.0" encoding="UTF-8"?><a x="1" y='2'>t&amp;&#x1EA0;&#65;</a>`,
		`<x:a xmlns:x="u"><x:b/></x:a>`, `<a><!-- c --><![CDATA[<x>]]><?pi data?></a>`, `<a>]]></a>`, `<a>&bad;</a>`,
		`<!DOCTYPE a><a/>`, `<a/><b/>`, `<a/>text`, `<a>`, `<a x=1/>`, `<a x="<"/>`, "<a>\r\n</a>", `<a:b:c/>`, `<:a/>`,
		`<a>&#xD800;</a>`, `<a>&#0;</a>`, `<a><!--->--></a>`, `<?xml version="1.1"?><a/>`, `<a x="1"y="2"/>`, `<a></ a>`, `<a></a >`,
		`<é/>`, `<a b:c="1" b:d="2"/>`, "<a>\x01</a>", "<a>\uFFFE</a>", `<a>&#x110000;</a>`, `<a>&#X41;</a>`, `<?xml?><a/>`,
	}
}

// FuzzScanner keeps the scanner and encoding/xml in agreement on what is
// well-formed.
func FuzzScanner(f *testing.F) {
	for _, s := range scannerSeeds() {
		f.Add([]byte(s))
	}
	for _, parts := range handBuilt() {
		f.Add([]byte(parts["xl/worksheets/sheet1.xml"]))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, err := scannerAccepts(doc)
		if msg := readFailure(err); msg != "" {
			t.Fatal(msg)
		}
		want := stdlibAccepts(doc)
		if got != want && !knownDifference(doc) {
			t.Fatalf("scanner accepts=%v (%v), encoding/xml accepts=%v, doc %q", got, err, want, doc)
		}
	})
}

func TestScannerSeeds(t *testing.T) {
	t.Parallel()
	for _, s := range scannerSeeds() {
		got, err := scannerAccepts([]byte(s))
		if !knownDifference([]byte(s)) {
			if got != stdlibAccepts([]byte(s)) {
				t.Fatalf("%q: scanner %v (%v)", s, got, err)
			}
		} else if got {
			t.Fatalf("%q: known difference must be refused", s)
		}
	}
}

// FuzzSheetXML mutates the sheet XML inside an otherwise valid package.
// It must never panic; every failure is a reason; and when the file is
// accepted, excelize must read the same values.
func FuzzSheetXML(f *testing.F) {
	for _, parts := range handBuilt() {
		f.Add([]byte(parts["xl/worksheets/sheet1.xml"]))
	}
	f.Add([]byte(sheetXML(`<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c></row>`)))
	f.Add([]byte(sheetXML(`<row r="-1"><c r="A1" t="s"><v>-1</v></c></row>`)))
	sst := sstXML("a", "Nguyễn Văn An", " b ")
	f.Fuzz(func(t *testing.T, sheet []byte) {
		parts := skeleton(string(sheet), sst)
		data := zipMap(t, parts)
		res, err := readBytes(data, Limits{MaxRows: 1000})
		if err != nil {
			if msg := readFailure(err); msg != "" {
				t.Fatal(msg)
			}
			return
		}
		prev := 0
		for _, r := range res.rows["Sheet1"] {
			if r.Num <= prev || r.Num > 1000 {
				t.Fatalf("rows out of order: %d after %d", r.Num, prev)
			}
			prev = r.Num
			col := 0
			for _, c := range r.Cells {
				if c.Col <= col || c.Col > excelMaxCols {
					t.Fatalf("cells out of order in row %d", r.Num)
				}
				col = c.Col
			}
		}
		if sheetDiffersFromExcelizeByDesign(sheet) {
			return
		}
		want, _, xerr := excelizeGrid(data, "Sheet1")
		if xerr != nil {
			return // excelize refusing a file we accept is not a loss
		}
		got := ourGrid(res.rows["Sheet1"])
		if len(got) != len(want) {
			t.Fatalf("values differ from excelize:\n got %q\nwant %q", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("cell %s: got %q, excelize %q", k, got[k], v)
			}
		}
	})
}

// sheetDiffersFromExcelizeByDesign: excelize binds attributes by local name
// whatever their prefix (xmlns:r counts as r), keeps the last of duplicate
// elements, and walks rows only by their tag name; the reader ignores
// prefixed attributes. Such inputs are checked for robustness only.
func sheetDiffersFromExcelizeByDesign(sheet []byte) bool {
	return bytes.Contains(sheet, []byte(":r=")) || bytes.Contains(sheet, []byte(":t=")) ||
		bytes.Contains(sheet, []byte(":hidden=")) || bytes.Contains(sheet, []byte(":s="))
}

// FuzzOpen feeds raw bytes to Open: no panic, and every failure a reason.
func FuzzOpen(f *testing.F) {
	for _, c := range hostileCorpus() {
		if strings.HasPrefix(c.name, "encrypted-excelize") {
			continue
		}
		f.Add(c.data(f))
	}
	paths, _ := filepath.Glob("testdata/*.xlsx")
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := readBytes(data, Limits{MaxRows: 1000})
		if msg := readFailure(err); msg != "" {
			t.Fatal(msg)
		}
	})
}
