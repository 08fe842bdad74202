package workbook

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/reason"
)

// cfbFile hand-builds a minimal OLE2 compound file (version 3, 512-byte
// sectors) holding one 4,096-byte stream, large enough to live in regular
// sectors so that no mini stream is needed. mscfb only reads compound files,
// so this is how the tests get an .xls ("Workbook" stream) or an encrypted
// package ("EncryptionInfo") without committing binary samples. Layout:
// header, sector 0 = FAT, sector 1 = directory, sectors 2..9 = the stream.
func cfbFile(stream string, payload []byte) []byte {
	const (
		freeSect   = 0xFFFFFFFF
		endOfChain = 0xFFFFFFFE
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
	)
	le16 := binary.LittleEndian.PutUint16
	le32 := binary.LittleEndian.PutUint32
	hdr := make([]byte, 512)
	copy(hdr, cfbMagic)
	le16(hdr[0x18:], 0x3E)
	le16(hdr[0x1A:], 3)
	le16(hdr[0x1C:], 0xFFFE)
	le16(hdr[0x1E:], 9)
	le16(hdr[0x20:], 6)
	le32(hdr[0x2C:], 1)
	le32(hdr[0x30:], 1)
	le32(hdr[0x38:], 4096)
	le32(hdr[0x3C:], endOfChain)
	le32(hdr[0x44:], endOfChain)
	le32(hdr[0x4C:], 0)
	for i := 1; i < 109; i++ {
		le32(hdr[0x4C+4*i:], freeSect)
	}
	fat := make([]byte, 512)
	for i := 0; i < 128; i++ {
		v := uint32(freeSect)
		switch {
		case i == 0:
			v = fatSect
		case i == 1 || i == 9:
			v = endOfChain
		case i >= 2 && i < 9:
			v = uint32(i + 1)
		}
		le32(fat[4*i:], v)
	}
	dir := make([]byte, 512)
	entry := func(i int, name string, typ byte, child, start, size uint32) {
		e := dir[128*i : 128*(i+1)]
		u := utf16.Encode([]rune(name))
		for k, c := range u {
			le16(e[2*k:], c)
		}
		le16(e[0x40:], uint16(2*len(u)+2))
		e[0x42], e[0x43] = typ, 1
		le32(e[0x44:], noStream)
		le32(e[0x48:], noStream)
		le32(e[0x4C:], child)
		le32(e[0x74:], start)
		le32(e[0x78:], size)
	}
	entry(0, "Root Entry", 5, 1, endOfChain, 0)
	entry(1, stream, 2, noStream, 2, 4096)
	for i := 2; i < 4; i++ {
		e := dir[128*i:]
		le32(e[0x44:], noStream)
		le32(e[0x48:], noStream)
		le32(e[0x4C:], noStream)
	}
	data := make([]byte, 4096)
	copy(data, payload)
	return bytes.Join([][]byte{hdr, fat, dir, data}, nil)
}

// deflated compresses b with a fresh compressor and a sync flush, so that
// copies of the result can be concatenated into one valid deflate stream.
func deflated(t testing.TB, b []byte, final bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	require.NoError(t, err)
	_, err = w.Write(b)
	require.NoError(t, err)
	if final {
		require.NoError(t, w.Close())
	} else {
		require.NoError(t, w.Flush())
	}
	return buf.Bytes()
}

// bombSheet builds a package whose sheet inflates to about mib MiB of valid
// sheet XML from a few hundred KiB, without ever holding the XML in memory.
func bombSheet(t testing.TB, mib int) []byte {
	t.Helper()
	head := []byte(xmlDecl + `<worksheet xmlns="` + nsMain + `"><sheetData>`)
	chunk := bytes.Repeat([]byte(`<row><c><v>1</v></c></row>`), (1<<20)/26)
	tail := []byte(`</sheetData></worksheet>`)
	var comp bytes.Buffer
	comp.Write(deflated(t, head, false))
	dc := deflated(t, chunk, false)
	crc := crc32.Update(0, crc32.IEEETable, head)
	for i := 0; i < mib; i++ {
		comp.Write(dc)
		crc = crc32.Update(crc, crc32.IEEETable, chunk)
	}
	comp.Write(deflated(t, tail, true))
	crc = crc32.Update(crc, crc32.IEEETable, tail)
	usize := uint64(len(head)) + uint64(mib)*uint64(len(chunk)) + uint64(len(tail))
	return rawSheetPackage(t, comp.Bytes(), crc, usize)
}

// rawSheetPackage is the skeleton package with the sheet entry written raw:
// compressed bytes, CRC and declared size exactly as given.
func rawSheetPackage(t testing.TB, comp []byte, crc uint32, usize uint64) []byte {
	t.Helper()
	parts := skeleton("", "")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} {
		w, err := zw.Create(n)
		require.NoError(t, err)
		_, err = w.Write([]byte(parts[n]))
		require.NoError(t, err)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CRC32: crc, CompressedSize64: uint64(len(comp)), UncompressedSize64: usize})
	require.NoError(t, err)
	_, err = w.Write(comp)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func sheetPkg(t testing.TB, rows string) []byte {
	return zipMap(t, skeleton(sheetXML(rows), ""))
}

// sheetPkgSST is a one-sheet package with a shared-strings table.
func sheetPkgSST(t testing.TB, rows string, items ...string) []byte {
	return zipMap(t, skeleton(sheetXML(rows), sstXML(items...)))
}

func encryptedWorkbook(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	require.NoError(t, f.SetCellValue("Sheet1", "A1", "bí mật"))
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf, excelize.Options{Password: "x"}))
	require.NoError(t, f.Close())
	return buf.Bytes()
}

// hostileCase is one file of the hostile corpus with the code it must get.
type hostileCase struct {
	name string
	data func(t testing.TB) []byte
	lim  Limits
	code reason.Code
}

func hostileCorpus() []hostileCase {
	bytesOf := func(b []byte) func(testing.TB) []byte { return func(testing.TB) []byte { return b } }
	pkgWith := func(edit func(map[string]string)) func(testing.TB) []byte {
		return func(t testing.TB) []byte {
			p := skeleton(sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`), "")
			edit(p)
			return zipMap(t, p)
		}
	}
	rows := func(r string) func(testing.TB) []byte { return func(t testing.TB) []byte { return sheetPkg(t, r) } }
	return []hostileCase{
		// NOT_XLSX
		{"empty", bytesOf(nil), Limits{}, reason.NotXLSX},
		{"text", bytesOf([]byte("STT,Họ và tên\n1,Nguyễn Văn An\n")), Limits{}, reason.NotXLSX},
		{"garbage", bytesOf(bytes.Repeat([]byte{0x00, 0x13, 0x37}, 500)), Limits{}, reason.NotXLSX},
		{"docx", pkgWith(func(p map[string]string) {
			p["[Content_Types].xml"] = strings.Replace(p["[Content_Types].xml"], ctWorkbookMain,
				"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", 1)
		}), Limits{}, reason.NotXLSX},
		{"zip-without-content-types", pkgWith(func(p map[string]string) { delete(p, "[Content_Types].xml") }), Limits{}, reason.NotXLSX},
		// legacy and foreign formats
		{"xls", bytesOf(cfbFile("Workbook", []byte{0x09, 0x08, 0x10, 0x00})), Limits{}, reason.FormatXLS},
		{"encrypted-cfb", bytesOf(cfbFile("EncryptionInfo", []byte{4, 0, 4, 0})), Limits{}, reason.Encrypted},
		{"encrypted-excelize", encryptedWorkbook, Limits{}, reason.Encrypted},
		{"xlsb-part", pkgWith(func(p map[string]string) { p["xl/workbook.bin"] = "\x83\x01\x00" }), Limits{}, reason.FormatXLSB},
		{"xlsb-type", pkgWith(func(p map[string]string) {
			p["[Content_Types].xml"] = strings.Replace(p["[Content_Types].xml"], ctWorkbookMain, "application/vnd.ms-excel.sheet.binary.macroEnabled.main", 1)
		}), Limits{}, reason.FormatXLSB},
		{"xlsm-vba", pkgWith(func(p map[string]string) { p["xl/vbaProject.bin"] = "vba" }), Limits{}, reason.FormatXLSM},
		{"xlsm-type", pkgWith(func(p map[string]string) {
			p["[Content_Types].xml"] = strings.Replace(p["[Content_Types].xml"], ctWorkbookMain, "application/vnd.ms-excel.sheet.macroEnabled.main+xml", 1)
		}), Limits{}, reason.FormatXLSM},
		{"xltx-type", pkgWith(func(p map[string]string) {
			p["[Content_Types].xml"] = strings.Replace(p["[Content_Types].xml"], ctWorkbookMain, "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", 1)
		}), Limits{}, reason.FormatXLSM},
		{"ods", func(t testing.TB) []byte {
			return zipEntries(t, entry{name: "mimetype", data: []byte(ctODS), stored: true},
				entry{name: "content.xml", data: []byte(xmlDecl + `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>`)})
		}, Limits{}, reason.FormatODS},
		// archive damage
		{"truncated-zip", func(t testing.TB) []byte { d := sheetPkg(t, `<row r="1"/>`); return d[:len(d)*2/3] }, Limits{}, reason.CorruptZip},
		{"only-pk", bytesOf([]byte("PK\x03\x04")), Limits{}, reason.CorruptZip},
		{"dotdot-name", func(t testing.TB) []byte {
			return zipEntries(t, entry{name: "[Content_Types].xml", data: []byte("<Types/>")}, entry{name: "xl/../../evil.xml", data: []byte("x")})
		}, Limits{}, reason.CorruptZip},
		{"backslash-name", pkgWith(func(p map[string]string) { p[`xl\worksheets\sheet2.xml`] = "x" }), Limits{}, reason.CorruptZip},
		{"absolute-name", pkgWith(func(p map[string]string) { p["/etc/passwd"] = "x" }), Limits{}, reason.CorruptZip},
		{"duplicate-name", func(t testing.TB) []byte {
			p := skeleton(sheetXML(`<row r="1"/>`), "")
			return zipEntries(t, entry{name: "[Content_Types].xml", data: []byte(p["[Content_Types].xml"])},
				entry{name: "xl/workbook.xml", data: []byte(p["xl/workbook.xml"])}, entry{name: "XL/Workbook.xml", data: []byte(p["xl/workbook.xml"])})
		}, Limits{}, reason.CorruptZip},
		{"sheet-part-missing", pkgWith(func(p map[string]string) { delete(p, "xl/worksheets/sheet1.xml") }), Limits{}, reason.CorruptZip},
		{"sheet-rel-missing", pkgWith(func(p map[string]string) {
			p["xl/workbook.xml"] = strings.Replace(p["xl/workbook.xml"], `r:id="rId1"`, `r:id="rId9"`, 1)
		}), Limits{}, reason.CorruptXML},
		{"crc-mismatch", func(t testing.TB) []byte {
			p := skeleton(sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`), "")
			d := zipEntries(t, entry{name: "[Content_Types].xml", data: []byte(p["[Content_Types].xml"])},
				entry{name: "_rels/.rels", data: []byte(p["_rels/.rels"])}, entry{name: "xl/workbook.xml", data: []byte(p["xl/workbook.xml"])},
				entry{name: "xl/_rels/workbook.xml.rels", data: []byte(p["xl/_rels/workbook.xml.rels"])},
				entry{name: "xl/worksheets/sheet1.xml", data: []byte(p["xl/worksheets/sheet1.xml"]), stored: true})
			i := bytes.Index(d, []byte("<v>1</v>"))
			d[i+3] = '7' // same size, wrong CRC
			return d
		}, Limits{}, reason.CorruptPart},
		{"size-lies", func(t testing.TB) []byte {
			x := []byte(sheetXML(strings.Repeat(`<row><c><v>1</v></c></row>`, 1000)))
			return rawSheetPackage(t, deflated(t, x, true), crc32.ChecksumIEEE(x), 1000)
		}, Limits{}, reason.CorruptPart},
		{"unused-part-damaged", func(t testing.TB) []byte {
			p := skeleton(sheetXML(`<row r="1"/>`), "")
			p["docProps/app.xml"] = strings.Repeat("damaged later ", 100)
			d := zipMap(t, p)
			i := bytes.Index(d, []byte("docProps/app.xml")) // local header name
			f := bytes.Index(d[i:], []byte("xl/"))
			mid := i + 16 + (f-16)/2
			d[mid] ^= 0xFF
			return d
		}, Limits{}, reason.CorruptPart},
		// XML damage
		{"mismatched-tags", rows(`<row r="1"><c r="A1"><v>1</c></v></row>`), Limits{}, reason.CorruptXML},
		{"unquoted-attr", rows(`<row r=1><c r="A1"><v>1</v></c></row>`), Limits{}, reason.CorruptXML},
		{"unknown-entity", rows(`<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>`), Limits{}, reason.CorruptXML},
		{"invalid-utf8", rows("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\xff\xfe</t></is></c></row>"), Limits{}, reason.CorruptXML},
		{"trailing-garbage", pkgWith(func(p map[string]string) { p["xl/worksheets/sheet1.xml"] += "<extra/>" }), Limits{}, reason.CorruptXML},
		{"bad-merge", pkgWith(func(p map[string]string) {
			p["xl/worksheets/sheet1.xml"] = xmlDecl + `<worksheet xmlns="` + nsMain + `"><sheetData/><mergeCells><mergeCell ref="A1:"/></mergeCells></worksheet>`
		}), Limits{}, reason.CorruptXML},
		{"workbook-malformed", pkgWith(func(p map[string]string) { p["xl/workbook.xml"] = p["xl/workbook.xml"][:len(p["xl/workbook.xml"])-5] }), Limits{}, reason.CorruptXML},
		// DTD
		{"doctype-workbook", pkgWith(func(p map[string]string) {
			p["xl/workbook.xml"] = strings.Replace(p["xl/workbook.xml"], "<workbook", `<!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]><workbook`, 1)
		}), Limits{}, reason.DTD},
		{"xxe-sst", func(t testing.TB) []byte {
			return zipMap(t, skeleton(sheetXML(`<row r="1"/>`), xmlDecl+`<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><sst xmlns="`+nsMain+`"><si><t>&xxe;</t></si></sst>`))
		}, Limits{}, reason.DTD},
		// sheet structure
		{"sst-index-too-big", func(t testing.TB) []byte {
			return sheetPkgSST(t, `<row r="1"><c r="A1" t="s"><v>2</v></c></row>`, "a", "b")
		}, Limits{}, reason.CorruptSST},
		{"sst-index-not-number", func(t testing.TB) []byte {
			return sheetPkgSST(t, `<row r="1"><c r="A1" t="s"><v>1e0</v></c></row>`, "a", "b")
		}, Limits{}, reason.CorruptSST},
		{"sst-without-table", rows(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`), Limits{}, reason.CorruptSST},
		{"sst-two-t", func(t testing.TB) []byte {
			return zipMap(t, skeleton(sheetXML(`<row r="1"/>`), xmlDecl+`<sst xmlns="`+nsMain+`"><si><t>a</t><t>b</t></si></sst>`))
		}, Limits{}, reason.CorruptSST},
		{"row-zero", rows(`<row r="0"/>`), Limits{}, reason.CorruptRows},
		{"rows-decreasing", rows(`<row r="5"/><row r="3"/>`), Limits{}, reason.CorruptRows},
		{"rows-duplicate", rows(`<row r="5"/><row r="5"/>`), Limits{}, reason.CorruptRows},
		{"row-after-max", rows(`<row r="1048576"/><row/>`), Limits{}, reason.CorruptRows},
		{"cell-in-other-row", rows(`<row r="2"><c r="A3"><v>1</v></c></row>`), Limits{}, reason.CorruptCells},
		{"cell-duplicate-col", rows(`<row r="1"><c r="B1"><v>1</v></c><c r="B1"><v>2</v></c></row>`), Limits{}, reason.CorruptCells},
		{"cell-beyond-xfd", rows(`<row r="1"><c r="XFD1"><v>1</v></c><c><v>2</v></c></row>`), Limits{}, reason.CorruptCells},
		{"cell-bad-ref", rows(`<row r="1"><c r="1A"><v>1</v></c></row>`), Limits{}, reason.CorruptCells},
		{"cell-outside-row", rows(`<c r="A1"><v>1</v></c>`), Limits{}, reason.CorruptRows},
		{"bool-not-01", rows(`<row r="1"><c r="A1" t="b"><v>TRUE</v></c></row>`), Limits{}, reason.CorruptCells},
		{"unknown-type", rows(`<row r="1"><c r="A1" t="x"><v>1</v></c></row>`), Limits{}, reason.CorruptCells},
		// caps
		{"file-too-big", rows(`<row r="1"/>`), Limits{MaxFileSize: 100}, reason.TooLarge},
		{"cell-over-hard-cap", rows(`<row r="1"><c r="A1" t="inlineStr"><is><t>` + strings.Repeat("ư", 101) + `</t></is></c></row>`), Limits{MaxCellChars: 10}, reason.TooLarge},
		{"shared-text-cap", func(t testing.TB) []byte {
			return sheetPkgSST(t, `<row r="1"/>`, strings.Repeat("a", 600), strings.Repeat("b", 600))
		}, Limits{MaxSharedText: 1000}, reason.TooLarge},
		{"too-many-rows", rows(strings.Repeat(`<row><c><v>1</v></c></row>`, 20)), Limits{MaxRows: 10}, reason.TooManyRows},
		{"entry-too-big", rows(strings.Repeat(`<row><c><v>1</v></c></row>`, 200)), Limits{MaxEntrySize: 1000}, reason.TooLarge},
		{"total-too-big", rows(`<row r="1"/>`), Limits{MaxTotalSize: 500}, reason.TooLarge},
	}
}

func TestHostileCorpus(t *testing.T) {
	t.Parallel()
	seen := map[reason.Code]bool{}
	for _, c := range hostileCorpus() {
		seen[c.code] = true
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			data := c.data(t)
			start := time.Now()
			_, err := readBytes(data, c.lim)
			re := requireCode(t, err, c.code)
			require.NotContains(t, re.Detail, "Nguyễn", "details never carry cell values")
			require.Less(t, time.Since(start), 10*time.Second)
		})
	}
	for _, code := range []reason.Code{reason.NotXLSX, reason.FormatXLS, reason.FormatXLSB, reason.FormatXLSM, reason.FormatODS,
		reason.Encrypted, reason.CorruptZip, reason.CorruptPart, reason.CorruptXML, reason.DTD, reason.CorruptSST,
		reason.CorruptRows, reason.CorruptCells, reason.TooLarge, reason.TooManyRows} {
		require.True(t, seen[code], "no hostile case for %s", code)
	}
}

// excelize20k is an excelize-written workbook with 20,000 rows.
func excelize20k(t testing.TB) []byte { return streamWorkbook(t, 20000) }

// sheetEntry finds the sheet entry's compressed bytes in a zip.
func sheetEntry(t testing.TB, data []byte, name string) (off, n int64) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	for _, f := range zr.File {
		if f.Name == name {
			off, err := f.DataOffset()
			require.NoError(t, err)
			return off, int64(f.CompressedSize64)
		}
	}
	t.Fatalf("no entry %s", name)
	return 0, 0
}

// TestSilentLoss covers the seven cases of docs/reliability.md §0 where excelize
// returns rows and a nil error for a damaged file: each is rejected here
// with its own code, and the test shows excelize staying silent.
func TestSilentLoss(t *testing.T) {
	t.Parallel()
	base := excelize20k(t)
	small := func(rows string, items ...string) []byte { return sheetPkgSST(t, rows, items...) }
	cases := []struct {
		name           string
		data           []byte
		code           reason.Code
		excelizeSilent bool // excelize's Rows returns a nil error (measured)
	}{
		{"corrupt-deflate-mid-sheet", func() []byte {
			d := bytes.Clone(base)
			off, n := sheetEntry(t, d, "xl/worksheets/sheet1.xml")
			for i := off + n/2; i < off+n/2+64; i++ {
				d[i] = 0xFF
			}
			return d
		}(), reason.CorruptPart, true},
		{"xml-truncated-at-half", mutate(t, base, "xl/worksheets/sheet1.xml", func(b []byte) []byte { return b[:len(b)/2] }), reason.CorruptXML, true},
		{"dtd-billion-laughs", mutate(t, base, "xl/worksheets/sheet1.xml", func(b []byte) []byte {
			dtd := `<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>`
			i := bytes.Index(b, []byte("<worksheet"))
			return append(append(append([]byte{}, b[:i]...), dtd...), b[i:]...)
		}), reason.DTD, true},
		{"negative-sst-index", small(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>-1</v></c></row>`, "a"), reason.CorruptSST, true},
		{"row-minus-one", small(`<row r="1"><c r="A1"><v>1</v></c></row><row r="-1"><c r="A2"><v>2</v></c></row>`), reason.CorruptRows, true},
		{"row-two-million", small(`<row r="1"><c r="A1"><v>1</v></c></row><row r="2000000"><c r="A2000000"><v>2</v></c></row>`), reason.CorruptRows, false},
		{"cells-unordered", small(`<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c></row>`), reason.CorruptCells, true},
	}
	silent := 0
	for _, c := range cases {
		_, err := readBytes(c.data, Limits{})
		requireCode(t, err, c.code)
		sheet := "Sheet1"
		if strings.Contains(c.name, "-sheet") || strings.Contains(c.name, "half") || strings.Contains(c.name, "dtd") {
			sheet = "KetNap"
		}
		if !c.excelizeSilent {
			// r=2000000: excelize reports ErrMaxRows when the sheet is in
			// memory (and walks two million empty rows to get there); it
			// is silent once the sheet is spilled to a temp file.
			continue
		}
		_, xn, xerr := excelizeGrid(c.data, sheet)
		require.NoError(t, xerr, "%s: excelize stays silent", c.name)
		if sheet == "KetNap" && c.code != reason.DTD {
			require.Less(t, xn, 20001, "%s: excelize lost rows without an error", c.name)
		}
		silent++
	}
	require.Equal(t, 6, silent)
}

func TestZipBombs(t *testing.T) {
	t.Parallel()
	t.Run("300MB-of-xml", func(t *testing.T) {
		t.Parallel()
		data := bombSheet(t, 300)
		require.Less(t, len(data), 2<<20)
		start := time.Now()
		_, err := readBytes(data, Limits{})
		re := requireCode(t, err, reason.TooLarge)
		require.Contains(t, re.Detail, "ratio")
		require.Less(t, time.Since(start), time.Second, "refused before inflating")
		// With the ratio check out of the way, the declared size still binds.
		_, err = readBytes(data, Limits{MinRatio: 1e-9, MaxEntrySize: 64 << 20})
		requireCode(t, err, reason.TooLarge)
	})
	t.Run("zip64-16GB-declared", func(t *testing.T) {
		t.Parallel()
		x := []byte(sheetXML(`<row r="1"/>`))
		_, err := readBytes(rawSheetPackage(t, deflated(t, x, true), crc32.ChecksumIEEE(x), 16<<30), Limits{MinRatio: 1e-12})
		requireCode(t, err, reason.TooLarge)
		_, err = readBytes(rawSheetPackage(t, deflated(t, x, true), crc32.ChecksumIEEE(x), 1<<63+5), Limits{})
		re := requireCode(t, err, reason.TooLarge)
		require.Contains(t, re.Detail, "overflow")
	})
	t.Run("10k-tiny-entries", func(t *testing.T) {
		t.Parallel()
		p := skeleton(sheetXML(`<row r="1"/>`), "")
		for i := 0; i < 10000; i++ {
			p[fmt.Sprintf("xl/media/image%d.png", i)] = "x"
		}
		_, err := readBytes(zipMap(t, p), Limits{})
		re := requireCode(t, err, reason.TooLarge)
		require.Contains(t, re.Detail, "entries")
	})
	t.Run("ratio", func(t *testing.T) {
		t.Parallel()
		x := []byte(sheetXML(strings.Repeat(`<row><c><v>1</v></c></row>`, 20000)))
		data := rawSheetPackage(t, deflated(t, x, true), crc32.ChecksumIEEE(x), uint64(len(x)))
		_, err := readBytes(data, Limits{MinRatio: 0.01})
		requireCode(t, err, reason.TooLarge)
		res, err := readBytes(data, Limits{MinRatio: 0.0001})
		require.NoError(t, err, "the same file passes a looser ratio")
		require.Len(t, res.rows["Sheet1"], 20000)
	})
}

func TestReadSheetContract(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := sheetPkg(t, `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>`)
	b, err := Open(ctx, bytes.NewReader(data), int64(len(data)), Limits{})
	require.NoError(t, err)
	_, err = b.ReadSheet(ctx, "Nope", func(*Row) error { return nil })
	require.Error(t, err)
	_, isReason := reason.Of(err)
	require.False(t, isReason, "an unknown sheet name is a programming error, not a rejection")
	stop := fmt.Errorf("stop")
	_, err = b.ReadSheet(ctx, "Sheet1", func(*Row) error { return stop })
	require.ErrorIs(t, err, stop)
	_, err = b.ReadSheet(ctx, "Sheet1", func(*Row) error { return nil })
	require.Error(t, err, "a sheet is read once")
	require.NoError(t, b.Close(), "Close finishes the partly read sheet")
	require.NoError(t, b.Close(), "Close twice is safe")

	// a cancelled context stops the read
	big := sheetPkg(t, strings.Repeat(`<row><c><v>1</v></c></row>`, 3*ctxEvery))
	b, err = Open(ctx, bytes.NewReader(big), int64(len(big)), Limits{MinRatio: 1e-9})
	require.NoError(t, err)
	cctx, cancel := context.WithCancel(ctx)
	n := 0
	_, err = b.ReadSheet(cctx, "Sheet1", func(*Row) error {
		n++
		if n == 10 {
			cancel()
		}
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, n, 2*ctxEvery)
	_ = b.Close()

	// TOO_MANY_ROWS stops early and Close still runs
	b, err = Open(ctx, bytes.NewReader(big), int64(len(big)), Limits{MaxRows: 100, MinRatio: 1e-9})
	require.NoError(t, err)
	n = 0
	_, err = b.ReadSheet(ctx, "Sheet1", func(*Row) error { n++; return nil })
	requireCode(t, err, reason.TooManyRows)
	require.Equal(t, 100, n)
	requireCode(t, b.Close(), reason.TooManyRows)
	requireCode(t, b.Close(), reason.TooManyRows)
}

// TestLongCellDelivered: above MaxCellChars but under the hard cap, the
// cell is delivered for the validator to judge.
func TestLongCellDelivered(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ữ", 50)
	res, err := readBytes(sheetPkg(t, `<row r="1"><c r="A1" t="inlineStr"><is><t>`+long+`</t></is></c></row>`), Limits{MaxCellChars: 10})
	require.NoError(t, err)
	require.Equal(t, long, res.rows["Sheet1"][0].Cells[0].Value)
}
