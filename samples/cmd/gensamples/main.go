// Command gensamples (re)writes the committed sample set of the fictional
// province "Tỉnh Giả Định" from samples/generate:
//
//	go run ./samples/cmd/gensamples -out samples -seed 1
//
// It writes <out>/province.json (the organisation registry),
// <out>/registry.xlsx (the same registry as a DONVI workbook, for
// `returns registry import`; rejected variants in <out>/broken/registry/),
// <out>/recipients.xlsx (the digest's recipients, a NGUOINHAN workbook for
// `returns recipients import`), <out>/valid/
// (valid BCQ-1 returns, one per writer variant, with README.md),
// <out>/broken/ (one or more workbooks per rejection reason, README.md and
// expected.json) and <out>/other/return.json (the input of
// samples/other/make.sh, which makes the openpyxl and LibreOffice files).
// With -big it also writes broken/too_many_rows.xlsx (200,001 KetNap rows,
// about 14 MB, not committed).
//
// With -orgs N it writes a scaled set instead, for throughput measurements
// (generate.Scale): -provinces P provinces of N grassroots organisations,
// each reporting -quarters Q quarters of -rows R KetNap rows:
//
//	go run ./samples/cmd/gensamples -out /tmp/country -provinces 50 -orgs 1000 -quarters 1 -rows 20
//
// writes <out>/returns/BCQ_<org>_<quarter>.xlsx, <out>/registry.xlsx (every
// organisation of every province, a DONVI workbook for `returns registry
// import`) and <out>/registry/<province>.json.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/samples/generate"
	"github.com/returns-project/returns/schemas"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gensamples:", err)
		os.Exit(1)
	}
}

// TooManyRows is the number of KetNap rows of broken/too_many_rows.xlsx: one
// more than the 200,000 data rows a sheet may hold (schema.Sheet.MaxRows default).
const TooManyRows = 200_001

func run(args []string, stdout io.Writer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	fs := flag.NewFlagSet("gensamples", flag.ContinueOnError)
	out := fs.String("out", "samples", "output folder")
	seed := fs.Int64("seed", 1, "generator seed")
	big := fs.Bool("big", false, "also write broken/too_many_rows.xlsx (about 14 MB, not committed)")
	bomb := fs.Int("bomb-mb", 300, "size in MB of the zero-filled entry of broken/too_large_bomb.xlsx (0: skip)")
	var scale generate.Scale
	fs.IntVar(&scale.Orgs, "orgs", 0, "write a scaled set instead of the samples: this many grassroots organisations per province (see samples/README.md)")
	fs.IntVar(&scale.Provinces, "provinces", 1, "scaled set: number of provinces (more than one: a country)")
	fs.IntVar(&scale.Quarters, "quarters", 1, "scaled set: consecutive quarters each organisation reports, ending with 2025Q3")
	fs.IntVar(&scale.Rows, "rows", 100, "scaled set: KetNap rows in every return")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if scale.Orgs > 0 {
		return writeScaled(scale, *out, stdout)
	}
	p := generate.Generate(*seed)
	if err := writeRegistry(p, *out); err != nil {
		return err
	}
	if err := writeRegistryWorkbooks(p, *out); err != nil {
		return err
	}
	if err := writeRecipients(p, *out); err != nil {
		return err
	}
	if err := writeValid(p, filepath.Join(*out, "valid")); err != nil {
		return err
	}
	if err := writeBroken(p, filepath.Join(*out, "broken"), *bomb<<20, *big); err != nil {
		return err
	}
	if err := writeOther(p, filepath.Join(*out, "other")); err != nil {
		return err
	}
	if err := writeProvince(p, filepath.Join(*out, "province")); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gensamples: wrote %s (seed %d, %d organisations, %d returns)\n", *out, *seed, len(p.Orgs), len(p.Returns))
	return nil
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(path, append(b, '\n'))
}

func writeRegistry(p *generate.Province, out string) error {
	return writeJSON(filepath.Join(out, "province.json"), p.Registry())
}

type validFile struct {
	code    string
	q       generate.Quarter
	opts    generate.WriteOptions
	what    string
	pickFor func(*generate.Return) bool
}

func writeValid(p *generate.Province, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.xlsx"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	q := func(y, n int) generate.Quarter { return generate.Quarter{Year: y, Q: n} }
	files := []validFile{
		{code: "GD-KCQ-003", q: q(2024, 4), what: "default layout (1900 dates, hidden field row); with the next file, TH-02 across quarters"},
		{code: "GD-KCQ-003", q: q(2025, 1), what: "default layout; starts where 2024Q4 ended"},
		{code: generate.MergedA, q: q(2025, 2), what: "last return of Sơn Thượng before the 2025 merger"},
		{code: generate.MergedB, q: q(2025, 2), what: "last return of Sơn Hạ before the 2025 merger"},
		{code: generate.Successor, q: q(2025, 3), what: "first return of the merged Sơn Hòa: start = sum of the two predecessors' ends"},
		{code: "GD-KDN-002", q: q(2025, 1), opts: generate.WriteOptions{DatesAsText: true}, what: "DatesAsText: every date is dd/mm/yyyy text"},
		{code: "GD-TPG-005", q: q(2024, 3), opts: generate.WriteOptions{NoFieldRow: true}, what: "NoFieldRow: labels only in row 1, data from row 2 (match by Vietnamese label)"},
		{code: "GD-KCQ-006", q: q(2025, 2), opts: generate.WriteOptions{FieldRowVisible: true}, what: "FieldRowVisible: field-name row 2 not hidden"},
		{code: "GD-HSG-003", q: q(2025, 3), opts: generate.WriteOptions{Date1904: true}, what: "Date1904: workbook in the 1904 date system, serials from 1904-01-01"},
		{code: "GD-TPG-002", q: q(2025, 1), opts: generate.WriteOptions{NFD: true}, what: "NFD: all text in Unicode NFD (decomposed)"},
		{code: generate.BigOrg, q: q(2025, 3), opts: generate.WriteOptions{NumbersAsText: true}, what: "NumbersAsText: ThongTin counts as text, \"1.178\" style grouping (org has > 1,000 members)"},
		{code: "GD-KDN-004", q: q(2024, 4), opts: generate.WriteOptions{ShuffleColumns: true, ShuffleSeed: 7}, what: "ShuffleColumns: table columns permuted; match by field name"},
		{code: "GD-HSG-004", q: q(2025, 2), opts: generate.WriteOptions{StreamWriter: true}, what: "StreamWriter: data sheets written by excelize StreamWriter (inline strings)"},
		{pickFor: func(r *generate.Return) bool {
			return len(r.Admissions) == 0 && len(r.Transfers) > 0 && len(r.Supervisions) > 0 && r.Year == 2025
		},
			what: "zero admissions: KetNap is header-only (still valid)"},
	}
	var readme strings.Builder
	readme.WriteString("# Valid BCQ-1 samples\n\nWritten by `go run ./samples/cmd/gensamples -out samples -seed 1` (package `samples/generate`, excelize v2.11.0). " +
		"Every file must be ACCEPTED with no error; all pass docs/domain.md §4. Fictional data only.\n\n" +
		"| file | org | writer variant / what it exercises | KetNap / ChuyenSinhHoat / GiamSat / KyLuat rows |\n|---|---|---|---|\n")
	seen := map[string]bool{}
	for _, vf := range files {
		var r *generate.Return
		if vf.pickFor != nil {
			for _, x := range p.Returns {
				if vf.pickFor(x) && !seen[x.FileName()] {
					r = x
					break
				}
			}
		} else {
			r = p.Return(vf.code, vf.q)
		}
		if r == nil {
			return fmt.Errorf("valid: no return %s %s", vf.code, vf.q)
		}
		if seen[r.FileName()] {
			return fmt.Errorf("valid: %s twice", r.FileName())
		}
		seen[r.FileName()] = true
		var buf bytes.Buffer
		if err := generate.WriteReturn(&buf, r, vf.opts); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, r.FileName()), buf.Bytes()); err != nil {
			return err
		}
		kl := "—"
		if len(r.Disciplines) > 0 {
			kl = fmt.Sprint(len(r.Disciplines))
		}
		fmt.Fprintf(&readme, "| `%s` | %s | %s | %d / %d / %d / %s |\n", r.FileName(), r.Org.Name, vf.what,
			len(r.Admissions), len(r.Transfers), len(r.Supervisions), kl)
	}
	readme.WriteString("\nConventions (all files): codes are text cells (`01`, `THPT`); gender `Nam`/`Nữ`; yes/no `C`/`K`; " +
		"dates are numbers with the `dd/mm/yyyy` format in the workbook's date system unless DatesAsText; `dues_paid_through` is `MM/YYYY` text; " +
		"a chi bộ cơ sở uses its own org code as `cell_code`; KyLuat is present only when the return has KyLuat rows; " +
		"DanhMuc (code lists) is hidden; HuongDan is protected without a password.\n")
	return writeFile(filepath.Join(dir, "README.md"), []byte(readme.String()))
}

func writeBroken(p *generate.Province, dir string, bomb int, big bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := brokenSamples(p, bomb)
	expected := map[string]Expect{}
	for _, f := range files {
		if _, dup := expected[f.name]; dup {
			return errors.New("broken: duplicate " + f.name)
		}
		expected[f.name] = f.expect
		if err := writeFile(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	tooMany := Expect{Reason: "TOO_MANY_ROWS", What: fmt.Sprintf("valid return whose KetNap has %d data rows (cap 200,000); about 14 MB, so not committed", TooManyRows),
		Generated: fmt.Sprintf("generate.WriteBig(w, %d), or go run ./samples/cmd/gensamples -big", TooManyRows)}
	expected["too_many_rows.xlsx"] = tooMany
	if big {
		f, err := os.Create(filepath.Join(dir, "too_many_rows.xlsx"))
		if err != nil {
			return err
		}
		if err := generate.WriteBig(f, TooManyRows); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if err := writeJSON(filepath.Join(dir, "expected.json"), expected); err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(expected))
	base := pickBase(p)
	var b strings.Builder
	fmt.Fprintf(&b, "# Broken samples\n\nWritten by `go run ./samples/cmd/gensamples -out samples -seed 1`. Unless said otherwise each file starts from the valid return "+
		"`%s` (%s, 2025Q1, written with default options) and breaks one thing. `expected.json` holds the same table for tests: "+
		"file → `reason` (etl/reason code), `rules` (rule ids that must be among the issues reported; others may appear too), `cells` (Sheet!A1).\n\n"+
		"| file | reason | rules | cells | what |\n|---|---|---|---|---|\n", base.FileName(), base.Org.Name)
	for _, n := range names {
		e := expected[n]
		what := e.What
		if e.Generated != "" {
			what += "; make it with `" + e.Generated + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", n, e.Reason, strings.Join(e.Rules, ", "), strings.Join(e.Cells, ", "), strings.ReplaceAll(what, "|", "\\|"))
	}
	b.WriteString("\nHow some were made:\n\n" +
		"- `format_xls.xlsx`: a Compound File (MS-CFB v3) written byte by byte in `samples/cmd/gensamples/cfb.go`: 512-byte header, one FAT sector, one directory sector " +
		"(Root Entry + a `Workbook` stream), the stream padded to 4,096 bytes so that no mini stream is needed; the stream starts with BIFF8 BOF/EOF records. " +
		"It opens with github.com/richardlehane/mscfb (checked by the command's test). `xl/vbaProject.bin` in `format_xlsm.xlsx` is the same kind of container with a `VBA` stream.\n" +
		"- `encrypted.xlsx`: excelize `WriteTo(w, Options{Password: \"GiaDinh@2025\"})`: a real encrypted OOXML package in a CFB container (EncryptionInfo + EncryptedPackage).\n" +
		"- `corrupt_part_ketnap.xlsx`: the KetNap entry's compressed data is rebuilt as a valid deflate stream of the first half of the sheet (sync-flushed) followed by a block header of the reserved type 11: inflating gives half the XML then a flate error. " +
		"All other entries are copied raw with `zip.Writer.CreateRaw`; the headers keep the original CRC-32 and uncompressed size. (Flipping random bytes instead often decodes to garbage XML first, which a gate reports as CORRUPT_XML.)\n" +
		"- `too_large_bomb.xlsx`: an extra entry `xl/media/zeros.bin` of 300 MB of zeros (deflated at best compression to about 300 KB). `too_large_entries.xlsx`: 2,000 extra `customXml/item*.xml` entries.\n" +
		"- `too_many_rows.xlsx` is **not committed** (about 14 MB for 200,001 rows): tests make it with `generate.WriteBig(w, 200001)`.\n" +
		"- INVALID_DATA and TEMPLATE_MISMATCH files were edited with excelize after writing (cell values, a formula without a value, a hidden row or sheet, a merge, a removed column or sheet).\n")
	b.WriteString(shownNotes)
	return writeFile(filepath.Join(dir, "README.md"), []byte(b.String()))
}

// OtherReturn is the return dumped for samples/other (openpyxl and LibreOffice).
var OtherReturn = struct {
	Code string
	Q    generate.Quarter
}{"GD-TPG-003", generate.Quarter{Year: 2025, Q: 2}}

func writeOther(p *generate.Province, dir string) error {
	r := p.Return(OtherReturn.Code, OtherReturn.Q)
	if r == nil {
		return errors.New("other: no return")
	}
	b, err := generate.MarshalDump(r)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "return.json"), append(b, '\n')); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := generate.WriteReturn(&buf, r, generate.WriteOptions{}); err != nil {
		return err
	}
	// The excelize original that make.sh hands to LibreOffice; kept out of git (samples/.gitignore).
	return writeFile(filepath.Join(dir, "source", r.FileName()), buf.Bytes())
}

// writeProvince writes every return of the province, six quarters, one
// folder a quarter (2024Q2 … 2025Q3, so that a sorted glob loads them in
// order): what README's two-command load uses.
func writeProvince(p *generate.Province, dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for _, r := range p.Returns {
		var buf bytes.Buffer
		if err := generate.WriteReturn(&buf, r, generate.WriteOptions{}); err != nil {
			return fmt.Errorf("write %s: %w", r.FileName(), err)
		}
		q := fmt.Sprintf("%dQ%d", r.Year, r.Quarter)
		if err := writeFile(filepath.Join(dir, q, r.FileName()), buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// writeScaled writes the scaled set s into out: the returns, the registry
// of the whole set as a DONVI workbook, and each province's as JSON.
func writeScaled(s generate.Scale, out string, stdout io.Writer) error {
	if s.Provinces < 1 || s.Quarters < 1 || s.Rows < 1 {
		return errors.New("-provinces, -quarters and -rows must be at least 1")
	}
	set, err := schema.Load(schemas.FS)
	if err != nil {
		return err
	}
	all := &registry.Registry{}
	for _, p := range s.Registry() {
		all.Orgs = append(all.Orgs, RegistryOf(p).Orgs...)
		if err := writeJSON(filepath.Join(out, "registry", p.Code+".json"), p.Registry()); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := registry.Write(&buf, set, all); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if err := writeFile(filepath.Join(out, "registry.xlsx"), buf.Bytes()); err != nil {
		return err
	}
	dir := filepath.Join(out, "returns")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	n := 0
	err = s.Write(func(name string) (io.WriteCloser, error) {
		n++
		return os.Create(filepath.Join(dir, name))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d returns of %d rows (%d provinces × %d organisations × %d quarters) in %s\n", n, s.Rows, s.Provinces, s.Orgs, s.Quarters, dir)
	return nil
}
