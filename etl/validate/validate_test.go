package validate

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/samples/generate"
)

// recorder is a Sink that keeps copies of every record.
type recorder struct {
	rows map[string][]map[string]any
}

func (r *recorder) Record(_ context.Context, s *schema.Sheet, _ int, values []any) error {
	if r.rows == nil {
		r.rows = map[string][]map[string]any{}
	}
	m := map[string]any{}
	for i, v := range values {
		if v != nil {
			m[s.Fields[i].Name] = v
		}
	}
	r.rows[s.Name] = append(r.rows[s.Name], m)
	return nil
}

func write(t *testing.T, r *generate.Return, opts generate.WriteOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, generate.WriteReturn(&buf, r, opts))
	return buf.Bytes()
}

func check(t *testing.T, set *schema.Set, b []byte, sink Sink) *Result {
	t.Helper()
	res, err := CheckReader(context.Background(), bytes.NewReader(b), int64(len(b)), set, Options{Sink: sink, Now: fixedNow})
	require.NoError(t, err)
	return res
}

func fixedNow() time.Time { return time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC) }

// richReturn picks a return with rows on every detail sheet.
func richReturn(t *testing.T, p *generate.Province) *generate.Return {
	t.Helper()
	for _, r := range p.Returns {
		if len(r.Admissions) > 1 && len(r.Transfers) > 1 && len(r.Supervisions) > 0 && len(r.Disciplines) > 0 {
			return r
		}
	}
	t.Fatal("no return with rows on every sheet")
	return nil
}

// sameValues checks what the validator typed against what the generator
// wrote: text exactly (NFC), dates to the day, counts, and presence of codes
// and yes/no values.
func sameValues(t *testing.T, want map[string]any, got map[string]any, where string) {
	t.Helper()
	for k, w := range want {
		if w == nil || w == "" {
			require.NotContains(t, got, k, "%s: %s should be empty", where, k)
			continue
		}
		g, ok := got[k]
		require.True(t, ok, "%s: %s missing (want %v)", where, k, w)
		switch w := w.(type) {
		case time.Time:
			gt, ok := g.(time.Time)
			require.True(t, ok, "%s: %s is %T", where, k, g)
			require.Equal(t, w.Format("2006-01-02"), gt.Format("2006-01-02"), "%s: %s", where, k)
		case int:
			require.Equal(t, int64(w), g, "%s: %s", where, k)
		case string:
			if k == "dues_paid_through" {
				require.Equal(t, w, g.(time.Time).Format("01/2006"), "%s: %s", where, k)
				continue
			}
			if s, ok := g.(string); ok && len(s) > 2 && !strings.Contains(w, "@") {
				require.Equal(t, norm.NFC.String(w), s, "%s: %s", where, k)
			}
		}
	}
}

// TestGeneratedReturnsAcceptedInEveryVariant writes the same return in every
// layout variant a writer may produce and checks it is accepted with the same
// typed values each time.
func TestGeneratedReturnsAcceptedInEveryVariant(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	p := generate.Generate(1)
	r := richReturn(t, p)
	variants := map[string]generate.WriteOptions{
		"default":         {},
		"dates-as-text":   {DatesAsText: true},
		"no-field-row":    {NoFieldRow: true},
		"field-row-shown": {FieldRowVisible: true},
		"date1904":        {Date1904: true},
		"nfd":             {NFD: true},
		"numbers-as-text": {NumbersAsText: true},
		"shuffled":        {ShuffleColumns: true, ShuffleSeed: 7},
		"stream-writer":   {StreamWriter: true},
		"everything":      {DatesAsText: true, NoFieldRow: true, NFD: true, NumbersAsText: true, ShuffleColumns: true, ShuffleSeed: 3},
	}
	for name, opts := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			res := check(t, set, write(t, r, opts), rec)
			require.Equal(t, Accepted, res.Status, "%+v", res.Issues)
			require.Zero(t, res.Errors)
			require.Equal(t, r.Org.Code, res.Org)
			require.Equal(t, fmt.Sprintf("%d-Q%d", r.Year, r.Quarter), res.Period)
			require.Equal(t, len(r.Admissions), res.Rows["KetNap"])
			require.Equal(t, len(r.Transfers), res.Rows["ChuyenSinhHoat"])
			require.Equal(t, len(r.Supervisions), res.Rows["GiamSat"])
			require.Equal(t, len(r.Disciplines), res.Rows["KyLuat"])
			sameValues(t, generate.InfoValues(&r.Info), rec.rows["ThongTin"][0], "ThongTin")
			for i := range r.Admissions {
				sameValues(t, generate.AdmissionValues(&r.Admissions[i]), rec.rows["KetNap"][i], fmt.Sprintf("KetNap[%d]", i))
			}
			for i := range r.Transfers {
				sameValues(t, generate.TransferValues(&r.Transfers[i]), rec.rows["ChuyenSinhHoat"][i], fmt.Sprintf("ChuyenSinhHoat[%d]", i))
			}
			for i := range r.Supervisions {
				sameValues(t, generate.SupervisionValues(&r.Supervisions[i]), rec.rows["GiamSat"][i], fmt.Sprintf("GiamSat[%d]", i))
			}
		})
	}
}

// TestEveryGeneratedReturnAccepted runs the whole fictional province (six
// quarters) through the validator.
func TestEveryGeneratedReturnAccepted(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	p := generate.Generate(1)
	require.GreaterOrEqual(t, len(p.Returns), 100)
	for _, r := range p.Returns {
		res := check(t, set, write(t, r, generate.WriteOptions{}), nil)
		require.Equal(t, Accepted, res.Status, "%s: %+v", r.FileName(), res.Issues)
	}
}

// setLabels rewrites row 1 of a table sheet of a workbook written without
// its field-name row.
func setLabels(t *testing.T, b []byte, sheet string, f func(label string) string) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	defer x.Close()
	rows, err := x.GetRows(sheet)
	require.NoError(t, err)
	for i, label := range rows[0] {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		require.NoError(t, x.SetCellStr(sheet, cell, f(label)))
	}
	var out bytes.Buffer
	require.NoError(t, x.Write(&out))
	return out.Bytes()
}

// TestHeaderVariantsMatch checks docs/reliability.md T27: labels in twelve
// spellings (NFD, NBSP, double spaces, zero-width, case, no diacritics...)
// all match their fields when the field-name row is absent.
func TestHeaderVariantsMatch(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	r := richReturn(t, generate.Generate(1))
	base := write(t, r, generate.WriteOptions{NoFieldRow: true})
	stripMarks := func(s string) string {
		var b strings.Builder
		for _, c := range norm.NFD.String(s) {
			if c >= 0x300 && c <= 0x36f {
				continue
			}
			switch c {
			case 'đ':
				c = 'd'
			case 'Đ':
				c = 'D'
			}
			b.WriteRune(c)
		}
		return b.String()
	}
	variants := map[string]func(string) string{
		"nfd":            norm.NFD.String,
		"nbsp":           func(s string) string { return strings.ReplaceAll(s, " ", "\u00a0") },
		"double-space":   func(s string) string { return strings.ReplaceAll(s, " ", "  ") },
		"zero-width":     func(s string) string { return "\u200b" + s + "\u200b" },
		"bom":            func(s string) string { return "\ufeff" + s },
		"upper":          strings.ToUpper,
		"lower":          strings.ToLower,
		"no-diacritics":  stripMarks,
		"trailing-space": func(s string) string { return s + "   " },
		"leading-tab":    func(s string) string { return "\t" + s },
		"newline":        func(s string) string { return strings.Replace(s, " ", "\n", 1) },
		"upper-no-marks": func(s string) string { return strings.ToUpper(stripMarks(s)) },
	}
	require.Len(t, variants, 12)
	for name, f := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := base
			for _, sheet := range []string{"KetNap", "ChuyenSinhHoat", "GiamSat"} {
				b = setLabels(t, b, sheet, f)
			}
			res := check(t, set, b, nil)
			require.Equal(t, Accepted, res.Status, "%+v", res.Issues)
			require.Equal(t, len(r.Admissions), res.Rows["KetNap"])
			for _, is := range res.Issues {
				require.NotEqual(t, RuleColumnUnknown, is.Rule, "%+v", is)
			}
		})
	}
}

// mutate opens a generated workbook with excelize, applies f and returns the bytes.
func mutate(t *testing.T, b []byte, f func(x *excelize.File)) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	defer x.Close()
	f(x)
	var out bytes.Buffer
	require.NoError(t, x.Write(&out))
	return out.Bytes()
}

// colOf finds the column of a field in a table sheet written with its field row.
func colOf(t *testing.T, x *excelize.File, sheet, field string) string {
	t.Helper()
	rows, err := x.GetRows(sheet)
	require.NoError(t, err)
	for i, v := range rows[1] {
		if v == field {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return name
		}
	}
	t.Fatalf("no field %s in %s", field, sheet)
	return ""
}

func issueRules(res *Result) map[string][]Issue {
	m := map[string][]Issue{}
	for _, is := range res.Issues {
		m[is.Rule] = append(m[is.Rule], is)
	}
	return m
}

// TestBuiltInChecks breaks one thing at a time and checks the issue points
// at the right cell with the right rule, and that everything else about the
// file is still reported.
func TestBuiltInChecks(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	r := richReturn(t, generate.Generate(1))
	base := write(t, r, generate.WriteOptions{})
	cases := []struct {
		name   string
		f      func(t *testing.T, x *excelize.File) string // returns the cell expected
		rule   string
		reason reason.Code
		sheet  string
	}{
		{"ambiguous number", func(t *testing.T, x *excelize.File) string {
			return setKV(t, x, "admitted", "4.04")
		}, RuleAmbiguousNumber, reason.InvalidData, "ThongTin"},
		{"ambiguous date", func(t *testing.T, x *excelize.File) string {
			return setKetNap(t, x, "birth_date", "03/15/1990")
		}, RuleAmbiguousDate, reason.InvalidData, "KetNap"},
		{"unknown code", func(t *testing.T, x *excelize.File) string {
			return setKetNap(t, x, "ethnicity_code", "99")
		}, "KN-10", reason.InvalidData, "KetNap"},
		{"formula without value", func(t *testing.T, x *excelize.File) string {
			// On an empty cell excelize writes the formula with no cached value.
			c := colOf(t, x, "KetNap", "note") + "3"
			v, err := x.GetCellValue("KetNap", c)
			require.NoError(t, err)
			require.Empty(t, v)
			require.NoError(t, x.SetCellFormula("KetNap", c, `CONCAT("1","-QĐ")`))
			return c
		}, RuleFormula, reason.InvalidData, "KetNap"},
		{"hidden data row", func(t *testing.T, x *excelize.File) string {
			require.NoError(t, x.SetRowVisible("KetNap", 3, false))
			return "A3"
		}, RuleHiddenRow, reason.InvalidData, "KetNap"},
		{"merged cells", func(t *testing.T, x *excelize.File) string {
			require.NoError(t, x.MergeCell("KetNap", "A3", "B3"))
			return "A3"
		}, RuleMerged, reason.InvalidData, "KetNap"},
		{"hidden sheet", func(t *testing.T, x *excelize.File) string {
			require.NoError(t, x.SetSheetVisible("GiamSat", false))
			return ""
		}, RuleHiddenSheet, reason.InvalidData, "GiamSat"},
		{"missing required column", func(t *testing.T, x *excelize.File) string {
			require.NoError(t, x.RemoveCol("KetNap", colOf(t, x, "KetNap", "birth_date")))
			return ""
		}, RuleColumnMissing, reason.TemplateMismatch, "KetNap"},
		{"missing sheet", func(t *testing.T, x *excelize.File) string {
			require.NoError(t, x.DeleteSheet("ChuyenSinhHoat"))
			return ""
		}, RuleSheetMissing, reason.TemplateMismatch, "ChuyenSinhHoat"},
		{"unknown template version", func(t *testing.T, x *excelize.File) string {
			return setKV(t, x, "template_version", "BCQ-9")
		}, RuleTemplateVersion, reason.TemplateMismatch, "ThongTin"},
		{"required empty", func(t *testing.T, x *excelize.File) string {
			return setKetNap(t, x, "full_name", "")
		}, RuleRequired, reason.InvalidData, "KetNap"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var cell string
			b := mutate(t, base, func(x *excelize.File) { cell = tc.f(t, x) })
			res := check(t, set, b, nil)
			require.Equal(t, Rejected, res.Status)
			require.Equal(t, tc.reason, res.Reason, "%+v", res.Issues)
			got := issueRules(res)[tc.rule]
			require.NotEmpty(t, got, "want %s among %+v", tc.rule, res.Issues)
			require.Equal(t, tc.sheet, got[0].Sheet)
			if cell != "" {
				require.Equal(t, cell, got[0].Cell, "%+v", got[0])
			}
			require.NotEmpty(t, got[0].Message.VI)
			require.NotEmpty(t, got[0].Message.EN)
			require.NotEmpty(t, got[0].Hint.VI)
		})
	}
}

// setKetNap writes value into field of the first KetNap data row (row 3)
// and returns the cell's address.
func setKetNap(t *testing.T, x *excelize.File, field, value string) string {
	t.Helper()
	c := colOf(t, x, "KetNap", field) + "3"
	require.NoError(t, x.SetCellStr("KetNap", c, value))
	return c
}

// setKV sets the value of a ThongTin field and returns its cell.
func setKV(t *testing.T, x *excelize.File, field, value string) string {
	t.Helper()
	rows, err := x.GetRows("ThongTin")
	require.NoError(t, err)
	for i, row := range rows {
		if len(row) > 1 && row[1] == field {
			c := fmt.Sprintf("C%d", i+1)
			require.NoError(t, x.SetCellStr("ThongTin", c, value))
			return c
		}
	}
	t.Fatalf("no ThongTin field %s", field)
	return ""
}

// TestIssueCap keeps the first issues and counts the rest.
func TestIssueCap(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	r := richReturn(t, generate.Generate(1))
	b := mutate(t, write(t, r, generate.WriteOptions{}), func(x *excelize.File) {
		c := colOf(t, x, "KetNap", "ethnicity_code")
		for row := 3; row < 3+len(r.Admissions); row++ {
			require.NoError(t, x.SetCellStr("KetNap", fmt.Sprintf("%s%d", c, row), "99"))
		}
	})
	res, err := CheckReader(context.Background(), bytes.NewReader(b), int64(len(b)), set, Options{MaxIssues: 1, Now: fixedNow})
	require.NoError(t, err)
	require.Equal(t, Rejected, res.Status)
	require.Len(t, res.Issues, 1)
	require.Equal(t, len(r.Admissions)-1, res.IssuesOmitted)
	require.GreaterOrEqual(t, res.Errors, len(r.Admissions))
}

// TestTooManyRows stops early with TOO_MANY_ROWS.
func TestTooManyRows(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	var buf bytes.Buffer
	require.NoError(t, generate.WriteBig(&buf, 300))
	b := buf.Bytes()
	res, err := CheckReader(context.Background(), bytes.NewReader(b), int64(len(b)), set, Options{MaxRows: 100, Now: fixedNow})
	require.NoError(t, err)
	require.Equal(t, Rejected, res.Status)
	require.Equal(t, reason.TooManyRows, res.Reason)
	res, err = CheckReader(context.Background(), bytes.NewReader(b), int64(len(b)), set, Options{Now: fixedNow})
	require.NoError(t, err)
	require.Equal(t, Accepted, res.Status, "%+v", firstIssues(res))
}

// TestUniquenessSpill checks repeats are found the same way before and
// after the keys leave the map for the sorted slice, and across the two.
func TestUniquenessSpill(t *testing.T) {
	t.Parallel()
	sheet := &schema.Sheet{Name: "S", Fields: []*schema.Field{{Name: "id", Type: schema.TypeText, Unique: true}}}
	u := newUniqueness(sheet)
	v := &validator{opts: Options{MaxIssues: 100}.withDefaults(), res: &Result{}}
	rec := newRecord(sheet)
	n := spillAt + 5000
	for row := 1; row <= n; row++ {
		rec.reset()
		id := fmt.Sprintf("k%d", row)
		switch row {
		case 10, spillAt + 100: // repeats of row 1: one found in the map, one after the spill
			id = "k1"
		case spillAt + 200, spillAt + 300: // repeats among spilled keys
			id = fmt.Sprintf("k%d", spillAt+150)
		}
		rec.raw[0], rec.where[0] = id, cellRef{row, 2}
		rec.set(0, id)
		u.check(v, rec, row)
	}
	u.finish(v)
	var got []string
	for _, is := range v.res.Issues {
		got = append(got, fmt.Sprintf("%s %s", is.Cell, is.Message.EN[strings.Index(is.Message.EN, "(same"):]))
	}
	require.Equal(t, []string{
		"B10 (same as row 1)",
		fmt.Sprintf("B%d (same as row 1)", spillAt+100),
		fmt.Sprintf("B%d (same as row %d)", spillAt+200, spillAt+150),
		fmt.Sprintf("B%d (same as row %d)", spillAt+300, spillAt+150),
	}, got)
}

// TestSerialDateQuotedAsDate: an issue about a date cell that holds a serial
// quotes the date as the operator sees it (dd/mm/yyyy), not the serial,
// although the validator formats it only when an issue needs it.
func TestSerialDateQuotedAsDate(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	r := richReturn(t, generate.Generate(1))
	born := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) // under 18 on any decision date
	b := mutate(t, write(t, r, generate.WriteOptions{}), func(x *excelize.File) {
		c := colOf(t, x, "KetNap", "birth_date") + "3"
		require.NoError(t, x.SetCellFloat("KetNap", c, generate.ExcelSerial(born, false), -1, 64))
	})
	res := check(t, set, b, nil)
	kn01 := issueRules(res)["KN-01"]
	require.Len(t, kn01, 1, "%+v", res.Issues)
	require.Equal(t, "01/01/2020", kn01[0].Value)
}
