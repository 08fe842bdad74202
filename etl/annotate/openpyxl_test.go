package annotate_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

// readBack is what openpyxl, an independent reader, sees of an original and
// its annotated copy.
const readBack = `
import json, sys, openpyxl

def dims(ws):
    return sorted([k, d.min, d.max, d.width, bool(d.hidden), bool(d.customWidth)] for k, d in ws.column_dimensions.items())

def dvs(ws):
    return sorted([str(v.sqref), v.type, v.formula1, v.formula2, bool(v.allow_blank), v.operator] for v in ws.data_validations.dataValidation)

def values(ws):
    return {c.coordinate: [c.data_type, str(c.value)] for row in ws.iter_rows() for c in row if c.value is not None}

orig = openpyxl.load_workbook(sys.argv[1])
ann = openpyxl.load_workbook(sys.argv[2])
out = {"orig_sheets": orig.sheetnames, "ann_sheets": ann.sheetnames, "active": ann.index(ann.active),
       "diffs": [], "comments": {}, "fills": {}, "links": {}, "table": [], "formulas": 0, "types": []}
for name in orig.sheetnames:
    a, b = orig[name], ann[name]
    if values(a) != values(b): out["diffs"].append("values of " + name)
    if dims(a) != dims(b): out["diffs"].append("column widths of " + name)
    if dvs(a) != dvs(b): out["diffs"].append("data validations of " + name)
    if sorted(map(str, a.merged_cells.ranges)) != sorted(map(str, b.merged_cells.ranges)): out["diffs"].append("merges of " + name)
    if a.sheet_state != b.sheet_state: out["diffs"].append("visibility of " + name)
    for row in b.iter_rows():
        for c in row:
            if c.comment is not None:
                out["comments"][name + "!" + c.coordinate] = [c.comment.author, c.comment.text]
            rgb = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type == "solid" else None
            if isinstance(rgb, str) and rgb[-6:] in ("FFC7CE", "FFD966"):
                out["fills"][name + "!" + c.coordinate] = rgb[-6:]
            if c.number_format != a[c.coordinate].number_format:
                out["diffs"].append("number format of %s!%s" % (name, c.coordinate))
first = ann.worksheets[0]
for row in first.iter_rows():
    out["table"].append([None if c.value is None else str(c.value) for c in row])
    for c in row:
        if c.hyperlink is not None:
            out["links"][c.coordinate] = c.hyperlink.location
        if c.data_type == "f": out["formulas"] += 1
        if c.value is not None: out["types"].append(c.data_type)
json.dump(out, sys.stdout)
`

type readBackResult struct {
	OrigSheets []string             `json:"orig_sheets"`
	AnnSheets  []string             `json:"ann_sheets"`
	Active     int                  `json:"active"`
	Diffs      []string             `json:"diffs"`
	Comments   map[string][2]string `json:"comments"`
	Fills      map[string]string    `json:"fills"`
	Links      map[string]string    `json:"links"`
	Table      [][]*string          `json:"table"`
	Formulas   int                  `json:"formulas"`
	Types      []string             `json:"types"`
}

// python finds a Python with openpyxl: Debian's (python3-openpyxl) first,
// then the one on PATH.
var python = sync.OnceValue(func() string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import openpyxl").Run() == nil {
			return path
		}
	}
	return ""
})

func openpyxlRead(t *testing.T, orig, ann string) readBackResult {
	t.Helper()
	py := python()
	if py == "" {
		t.Skip("openpyxl is not installed (Debian: apt-get install python3-openpyxl): the independent reader's check did not run")
	}
	cmd := exec.CommandContext(context.Background(), py, "-c", readBack, orig, ann)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var r readBackResult
	require.NoError(t, json.Unmarshal(out, &r))
	return r
}

// TestOpenpyxlReadsTheAnnotations: openpyxl, an independent reader, finds
// every original value, column width, data validation, merge and number
// format unchanged; the sheets in order after "Lỗi", which is active; a
// comment and the right fill on exactly the cells with issues; one link per
// issue to its cell; and on the issues sheet only text and numbers, no
// formula, the injection payloads as text.
func TestOpenpyxlReadsTheAnnotations(t *testing.T) {
	t.Parallel()
	cases := map[string]func(t *testing.T) (string, *validate.Result){
		"invalid_kn01_under18":      brokenCase("invalid_kn01_under18.xlsx"),
		"invalid_gs02_db_khai_tru":  brokenCase("invalid_gs02_db_khai_tru.xlsx"),
		"invalid_merged":            brokenCase("invalid_merged.xlsx"),
		"invalid_kn04_date":         brokenCase("invalid_kn04_ceremony_outside.xlsx"),
		"template_missing_column":   brokenCase("template_missing_column.xlsx"),
		"template_version_bcq9":     brokenCase("template_version_bcq9.xlsx"),
		"warnings_only":             warningsCase,
		"formula_injection_payload": injectionCase,
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if python() == "" {
				t.Skip("openpyxl is not installed (Debian: apt-get install python3-openpyxl): the independent reader's check did not run")
			}
			src, res := mk(t)
			out := filepath.Join(t.TempDir(), annotate.Name(src))
			require.NoError(t, annotate.File(context.Background(), src, out, res, options(t)))
			r := openpyxlRead(t, src, out)
			orig := open(t, src)

			require.Empty(t, r.Diffs)
			require.Equal(t, append([]string{"Lỗi"}, r.OrigSheets...), r.AnnSheets)
			require.Equal(t, 0, r.Active)

			wantFills := map[string]string{}
			for _, is := range res.Issues {
				for _, cell := range issueCells(is) {
					key := is.Sheet + "!" + markCell(t, orig, is.Sheet, cell)
					if is.Severity != schema.Warning {
						wantFills[key] = annotate.ErrorFill
					} else if wantFills[key] == "" {
						wantFills[key] = annotate.WarningFill
					}
					c, ok := r.Comments[key]
					require.True(t, ok, "comment on %s", key)
					require.Equal(t, "Returns", c[0])
					require.Contains(t, c[1], is.Message.VI)
				}
			}
			require.Equal(t, wantFills, r.Fills)
			require.Len(t, r.Comments, len(wantFills))

			// The issues table: row of each issue, link in column C.
			header := -1
			for i, row := range r.Table {
				if len(row) > 0 && row[0] != nil && *row[0] == "STT" {
					header = i
				}
			}
			require.GreaterOrEqual(t, header, 0)
			links := 0
			for i, is := range res.Issues {
				row := r.Table[header+1+i]
				require.Equal(t, is.Rule, str(row[4]))
				cell := cellName(t, 3, header+2+i)
				if is.Cell != "" {
					require.Equal(t, "'"+is.Sheet+"'!"+is.Cell, r.Links[cell])
					links++
				} else if link, ok := r.Links[cell]; ok {
					require.True(t, strings.HasPrefix(link, "'"+is.Sheet+"'!"), link)
					links++
				}
				if v := is.Value; v != "" {
					if strings.IndexByte("=+-@\t\r", v[0]) >= 0 {
						v = "'" + v
					}
					require.Equal(t, v, str(row[6]))
				}
			}
			require.Len(t, r.Links, links)
			require.Zero(t, r.Formulas)
			for _, typ := range r.Types {
				require.Contains(t, []string{"s", "n"}, typ)
			}
		})
	}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func brokenCase(name string) func(t *testing.T) (string, *validate.Result) {
	return func(t *testing.T) (string, *validate.Result) {
		src := filepath.Join(brokenDir, name)
		return src, validateFile(t, src)
	}
}

func warningsCase(t *testing.T) (string, *validate.Result) {
	src := copyWith(t, "BCQ_warn.xlsx", func(f *excelize.File) {
		require.NoError(t, f.SetCellStr("KetNap", fieldCell(t, f, "KetNap", "general_education", 1), "TH"))
	})
	res := validateFile(t, src)
	require.Equal(t, validate.Accepted, res.Status)
	require.Positive(t, res.Warnings)
	return src, res
}

func injectionCase(t *testing.T) (string, *validate.Result) {
	src := copyWith(t, "BCQ_inject.xlsx", func(f *excelize.File) {
		for i, field := range []string{"ethnicity_code", "religion_code", "general_education", "gender"} {
			require.NoError(t, f.SetCellStr("KetNap", fieldCell(t, f, "KetNap", field, 1), payloads[i]))
		}
	})
	res := validateFile(t, src)
	for i, p := range payloads {
		res.Issues = append(res.Issues, validate.Issue{Sheet: "ThongTin", Cell: cellName(t, 4, 2+i), Rule: "X",
			Severity: schema.Warning, Value: p, Message: schema.Text{VI: p}, Hint: schema.Text{VI: p}})
	}
	return src, res
}
