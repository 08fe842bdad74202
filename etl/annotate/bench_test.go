package annotate_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/sharedtest"
)

// hostileMerges writes a one-sheet workbook with n merged ranges (A1:B1,
// A2:B2, ...): excelize's merge handling costs the square of n.
func hostileMerges(t testing.TB, path string, n int) {
	t.Helper()
	writeHostile(t, path, func(zw *zip.Writer) {
		w, err := zw.Create("xl/worksheets/sheet1.xml")
		require.NoError(t, err)
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, `%s<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells count="%d">`, xmlHead, nsMain, n)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(bw, `<mergeCell ref="A%d:B%d"/>`, i, i)
		}
		bw.WriteString(`</mergeCells></worksheet>`)
		require.NoError(t, bw.Flush())
	}, false)
}

// hostileStrings writes a one-sheet workbook whose shared-string table
// unpacks to about size bytes (strings of 1,000 characters).
func hostileStrings(t testing.TB, path string, size int) {
	t.Helper()
	writeHostile(t, path, func(zw *zip.Writer) {
		w, err := zw.Create("xl/worksheets/sheet1.xml")
		require.NoError(t, err)
		fmt.Fprintf(w, `%s<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>2</v></c></row></sheetData></worksheet>`, xmlHead, nsMain)
		w, err = zw.Create("xl/sharedStrings.xml")
		require.NoError(t, err)
		bw := bufio.NewWriter(w)
		long := strings.Repeat("x", 1000)
		n := size / (len(long) + 20)
		fmt.Fprintf(bw, `%s<sst xmlns="%s" count="%d" uniqueCount="%d">`, xmlHead, nsMain, n, n)
		for i := range n {
			fmt.Fprintf(bw, `<si><t>%s%d</t></si>`, long, i)
		}
		bw.WriteString(`</sst>`)
		require.NoError(t, bw.Flush())
	}, true)
}

// bigSheet writes a workbook whose first sheet has rows×10 cells (numbers
// and inline strings: about 42 bytes of XML a cell) and, when small, a
// second sheet "Small" with two cells.
func bigSheet(t testing.TB, path string, rows int, small bool) {
	t.Helper()
	writeHostileSheets(t, path, small, func(zw *zip.Writer) {
		w, err := zw.Create("xl/worksheets/sheet1.xml")
		require.NoError(t, err)
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, `%s<worksheet xmlns="%s"><sheetData>`, xmlHead, nsMain)
		for r := 1; r <= rows; r++ {
			fmt.Fprintf(bw, `<row r="%d">`, r)
			for c := range 10 {
				if c%2 == 0 {
					fmt.Fprintf(bw, `<c r="%c%d"><v>%d</v></c>`, 'A'+c, r, r*10+c)
				} else {
					fmt.Fprintf(bw, `<c r="%c%d" t="inlineStr"><is><t>v%d</t></is></c>`, 'A'+c, r, r)
				}
			}
			bw.WriteString(`</row>`)
		}
		bw.WriteString(`</sheetData></worksheet>`)
		require.NoError(t, bw.Flush())
	})
}

// writeHostile writes the package parts around the worksheet (and shared
// strings) that sheet writes.
func writeHostile(t testing.TB, path string, sheet func(zw *zip.Writer), sst bool) {
	t.Helper()
	writeHostileParts(t, path, sheet, sst, false)
}

func writeHostileSheets(t testing.TB, path string, small bool, sheet func(zw *zip.Writer)) {
	t.Helper()
	writeHostileParts(t, path, sheet, false, small)
}

func writeHostileParts(t testing.TB, path string, sheet func(zw *zip.Writer), sst, small bool) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	put := func(name, body string) {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(body))
		require.NoError(t, err)
	}
	ct := `<Override PartName="/xl/workbook.xml" ContentType="` + ctBase + `sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="` + ctBase + `styles+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="` + ctBase + `worksheet+xml"/>`
	rels := `<Relationship Id="rId1" Type="` + relBase + `worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId9" Type="` + relBase + `styles" Target="styles.xml"/>`
	sheets := `<sheet name="Sheet1" sheetId="1" r:id="rId1"/>`
	if sst {
		ct += `<Override PartName="/xl/sharedStrings.xml" ContentType="` + ctBase + `sharedStrings+xml"/>`
		rels += `<Relationship Id="rId2" Type="` + relBase + `sharedStrings" Target="sharedStrings.xml"/>`
	}
	if small {
		ct += `<Override PartName="/xl/worksheets/sheet2.xml" ContentType="` + ctBase + `worksheet+xml"/>`
		rels += `<Relationship Id="rId3" Type="` + relBase + `worksheet" Target="worksheets/sheet2.xml"/>`
		sheets += `<sheet name="Small" sheetId="2" r:id="rId3"/>`
		put("xl/worksheets/sheet2.xml", sheetXML(simpleData))
	}
	put("[Content_Types].xml", xmlHead+`<Types xmlns="`+nsCT+`"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`+
		`<Default Extension="xml" ContentType="application/xml"/>`+ct+`</Types>`)
	put("_rels/.rels", xmlHead+`<Relationships xmlns="`+nsPkg+`"><Relationship Id="rId1" Type="`+relBase+`officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", xmlHead+`<workbook xmlns="`+nsMain+`" xmlns:r="`+nsRel+`"><sheets>`+sheets+`</sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", xmlHead+`<Relationships xmlns="`+nsPkg+`">`+rels+`</Relationships>`)
	// A styles part, as Excel always writes one.
	put("xl/styles.xml", xmlHead+`<styleSheet xmlns="`+nsMain+`"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>`+
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>`+
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>`+
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`+
		`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>`)
	sheet(zw)
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

// BenchmarkHostile measures the time and the peak memory (the process's
// VmHWM, reset before each case, in MB) of annotating a file with 200,000
// merged ranges and one whose shared strings unpack to 150 MB, against a
// real return (the baseline) in the same run. Run each case in its own
// process so that VmHWM is the case's own:
//
//	go test -run XXX -bench 'BenchmarkHostile/real' -benchtime 1x ./etl/annotate/
//	go test -run XXX -bench 'BenchmarkHostile/merges' -benchtime 1x ./etl/annotate/
//	go test -run XXX -bench 'BenchmarkHostile/strings' -benchtime 1x ./etl/annotate/
func BenchmarkHostile(b *testing.B) {
	dir := b.TempDir()
	cases := []struct {
		name, path string
		make       func(testing.TB, string)
		cell       string
	}{
		{"real", validSample, nil, "KetNap!C3"},
		{"merges-200k", filepath.Join(dir, "merges.xlsx"), func(t testing.TB, p string) { hostileMerges(t, p, 200_000) }, "Sheet1!A1"},
		{"strings-150MB", filepath.Join(dir, "strings.xlsx"), func(t testing.TB, p string) { hostileStrings(t, p, 150<<20) }, "Sheet1!B1"},
		// Within the default budgets: the largest work an original may cost.
		{"merges-5k", filepath.Join(dir, "merges5k.xlsx"), func(t testing.TB, p string) { hostileMerges(t, p, 5_000) }, "Sheet1!A1"},
		{"sheet-2MB", filepath.Join(dir, "big.xlsx"), func(t testing.TB, p string) { bigSheet(t, p, 4_900, false) }, ""},
		{"strings-15MB", filepath.Join(dir, "strings15.xlsx"), func(t testing.TB, p string) { hostileStrings(t, p, 15<<20) }, "Sheet1!B1"},
		{"unmarked-15MB", filepath.Join(dir, "unmarked.xlsx"), func(t testing.TB, p string) { bigSheet(t, p, 36_000, true) }, "Small!B2"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if c.make != nil {
				c.make(b, c.path)
			}
			data, err := os.ReadFile(c.path)
			require.NoError(b, err)
			res := issueAt(c.cell)
			if c.cell == "" {
				// 1,000 issues (the validator's cap) spread over the sheet.
				var cells []string
				for i := range 1000 {
					cells = append(cells, fmt.Sprintf("Sheet1!%c%d", 'A'+i%10, 1+i*4))
				}
				res = issueAt(cells...)
			}
			opts := annotate.Options{Limits: annotate.Limits{TmpDir: b.TempDir()}}
			runtime.GC()
			debug.FreeOSMemory()
			resetHWM()
			var out bytes.Buffer
			start := time.Now()
			b.ResetTimer()
			for range b.N {
				out.Reset()
				require.NoError(b, annotate.Write(&out, bytes.NewReader(data), int64(len(data)), res, opts))
			}
			b.StopTimer()
			elapsed := time.Since(start) / time.Duration(b.N)
			hwm := float64(sharedtest.VmHWM()) / 1024
			b.ReportMetric(hwm, "peak-RSS-MB")
			b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			require.NoError(b, err)
			var unpacked uint64
			for _, f := range zr.File {
				unpacked += f.UncompressedSize64
			}
			b.Logf("%s: file %.2f MB (%.1f MB unpacked), %s per annotation, peak RSS %.0f MB, output %d bytes, %s",
				c.name, float64(len(data))/(1<<20), float64(unpacked)/(1<<20), elapsed, hwm, out.Len(), kind(b, out.Bytes()))
		})
	}
}

// kind says whether an output is the annotated original or the issue list alone.
func kind(t testing.TB, out []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	require.NoError(t, err)
	sheets := 0
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			sheets++
		}
	}
	if sheets > 1 {
		return "annotated"
	}
	return "issue list alone"
}

// resetHWM resets the process's peak RSS (VmHWM) to its current RSS.
func resetHWM() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }
