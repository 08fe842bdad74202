package template_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/template"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/samples/generate"
)

func blank(t *testing.T) (*schema.Set, []byte) {
	t.Helper()
	set := sharedtest.Schemas(t)
	var buf bytes.Buffer
	require.NoError(t, template.Write(&buf, set, set.Templates["BCQ-1"], template.Options{}))
	return set, buf.Bytes()
}

// TestTemplateLayout checks what an operator sees: Vietnamese labels, the
// hidden field-name row, drop-downs, a hidden code-list sheet, the
// instructions sheet and the version stamp.
func TestTemplateLayout(t *testing.T) {
	t.Parallel()
	set, b := blank(t)
	tmpl := set.Templates["BCQ-1"]
	x, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	defer x.Close()

	sheets := x.GetSheetList()
	for _, s := range tmpl.Sheets {
		require.Contains(t, sheets, s.Name)
	}
	require.Contains(t, sheets, template.CodeListSheet)
	require.Contains(t, sheets, template.InstructionsSheet)
	visible, err := x.GetSheetVisible(template.CodeListSheet)
	require.NoError(t, err)
	require.False(t, visible, "the code-list sheet is hidden")

	ketnap := tmpl.Sheet("KetNap")
	rows, err := x.GetRows("KetNap")
	require.NoError(t, err)
	for i, f := range ketnap.Fields {
		require.Contains(t, rows[0][i], f.Label.VI)
		require.Equal(t, f.Name, rows[1][i])
	}
	vis, err := x.GetRowVisible("KetNap", 2)
	require.NoError(t, err)
	require.False(t, vis, "the field-name row is hidden")

	dvs, err := x.GetDataValidations("KetNap")
	require.NoError(t, err)
	codeFields := 0
	for _, f := range ketnap.Fields {
		if f.Type == schema.TypeCode || f.Type == schema.TypeBool {
			codeFields++
		}
	}
	require.Len(t, dvs, codeFields, "one drop-down per code or yes/no column")
	foundListRef := false
	for _, dv := range dvs {
		if len(dv.Formula1) > 0 && bytes.Contains([]byte(dv.Formula1), []byte(template.CodeListSheet+"!")) {
			foundListRef = true
		}
	}
	require.True(t, foundListRef, "drop-downs read their codes from the code-list sheet")

	// The version stamp: pre-filled in ThongTin and in the document properties.
	tt, err := x.GetRows("ThongTin")
	require.NoError(t, err)
	stamped := false
	for _, row := range tt {
		if len(row) >= 3 && row[1] == "template_version" {
			require.Equal(t, tmpl.Version, row[2])
			stamped = true
		}
	}
	require.True(t, stamped)
	props, err := x.GetCustomProps()
	require.NoError(t, err)
	require.Contains(t, fmt.Sprint(props), tmpl.Version)
	instr, err := x.GetRows(template.InstructionsSheet)
	require.NoError(t, err)
	require.Greater(t, len(instr), 10)
}

// TestFilledTemplateIsAccepted fills the blank template the way an operator
// would (values typed into its cells) with a generated return, and checks
// the validator accepts it with all its rows.
func TestFilledTemplateIsAccepted(t *testing.T) {
	t.Parallel()
	set, b := blank(t)
	p := generate.Generate(1)
	var r *generate.Return
	for _, c := range p.Returns {
		if len(c.Admissions) > 0 && len(c.Transfers) > 0 && len(c.Supervisions) > 0 {
			r = c
			break
		}
	}
	require.NotNil(t, r)
	x, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	defer x.Close()
	put := func(sheet, cell string, v any) {
		switch v := v.(type) {
		case nil:
		case string:
			if v != "" {
				require.NoError(t, x.SetCellStr(sheet, cell, v))
			}
		case time.Time:
			require.NoError(t, x.SetCellValue(sheet, cell, v))
		default:
			require.NoError(t, x.SetCellValue(sheet, cell, v))
		}
	}
	tt, err := x.GetRows("ThongTin")
	require.NoError(t, err)
	info := generate.InfoValues(&r.Info)
	for i, row := range tt {
		if len(row) > 1 {
			if v, ok := info[row[1]]; ok {
				put("ThongTin", fmt.Sprintf("C%d", i+1), v)
			}
		}
	}
	fill := func(sheet string, recs []map[string]any) {
		rows, err := x.GetRows(sheet)
		require.NoError(t, err)
		for ri, rec := range recs {
			for ci, name := range rows[1] {
				cell, _ := excelize.CoordinatesToCellName(ci+1, ri+3)
				put(sheet, cell, rec[name])
			}
		}
	}
	fill("KetNap", generate.SheetRows(r, "KetNap"))
	fill("ChuyenSinhHoat", generate.SheetRows(r, "ChuyenSinhHoat"))
	fill("GiamSat", generate.SheetRows(r, "GiamSat"))
	if len(r.Disciplines) > 0 {
		fill("KyLuat", generate.SheetRows(r, "KyLuat"))
	}
	var out bytes.Buffer
	require.NoError(t, x.Write(&out))
	res, err := validate.CheckReader(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()), set, validate.Options{})
	require.NoError(t, err)
	require.Equal(t, validate.Accepted, res.Status, "%+v", res.Issues)
	require.Equal(t, len(r.Admissions), res.Rows["KetNap"])
	require.Equal(t, len(r.Transfers), res.Rows["ChuyenSinhHoat"])
	require.Equal(t, len(r.Supervisions), res.Rows["GiamSat"])
}
