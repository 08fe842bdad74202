package annotate_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// formulaSheet has a formula of every kind, each with its cached value as
// Excel writes it: a number, a string (t="str"), a boolean, an error, a
// shared formula (master and child), an array formula, a dynamic array
// (cm="1"), a reference to an external workbook, and a volatile formula
// without a cached value.
const formulaSheet = `<sheetData>` +
	`<row r="1"><c r="A1"><v>2</v></c><c r="B1"><f>A1*2</f><v>4</v></c>` +
	`<c r="C1" t="str"><f>"x"&amp;A1</f><v>x2</v></c><c r="D1" t="b"><f>A1&gt;1</f><v>1</v></c>` +
	`<c r="E1" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>` +
	`<row r="2"><c r="A2"><f t="shared" ref="A2:A3" si="0">A1+1</f><v>3</v></c><c r="B2"><f t="array" ref="B2">SUM(A1:A3)</f><v>9</v></c>` +
	`<c r="C2" cm="1"><f t="array" ref="C2:C3">SEQUENCE(2)</f><v>1</v></c><c r="D2"><f>[1]Data!A1</f><v>7</v></c><c r="E2"><f>NOW()</f></c></row>` +
	`<row r="3"><c r="A3"><f t="shared" si="0"/><v>4</v></c><c r="C3"><v>2</v></c></row>` +
	`</sheetData>`

// formulaWorkbook is a workbook with formulaSheet, a calculation chain, an
// external link (to a file on another machine's share) and defined names,
// one of them through the link.
func formulaWorkbook(t *testing.T) []byte {
	return pkg{styles: true, sst: []string{"a"}, docProps: true,
		sheets:      []pkgSheet{{name: "Data", body: formulaSheet}},
		calcChain:   `<c r="B1" i="1"/><c r="C1"/><c r="D1"/><c r="E1"/><c r="A2"/><c r="A3"/><c r="B2"/><c r="C2"/><c r="D2"/><c r="E2"/>`,
		externalRef: true,
		definedName: `<definedName name="Ngoai">[1]Data!$A$1</definedName><definedName name="Trong">Data!$A$1:$B$2</definedName>`,
	}.bytes(t)
}

var formulaElem = regexp.MustCompile(`<(\w+:)?f[\s>/]`)

// TestNoLiveFormula: an annotated copy never carries a live formula. Every
// formula cell keeps its cached value as a plain value, the calculation
// chain is gone, and so is the external link (part, relationship and
// <externalReferences>), the names that used it turned into #REF!. Read back
// with excelize and, where installed, openpyxl.
func TestNoLiveFormula(t *testing.T) {
	t.Parallel()
	res := issueAt("Data!A1")
	out := annotateBytes(t, formulaWorkbook(t), res, options(t))
	ann := requireAnnotated(t, out, []string{"Data"}, res)

	for name, body := range zipParts(t, out) {
		require.NotContains(t, strings.ToLower(name), "calcchain", name)
		require.NotContains(t, strings.ToLower(name), "externallink", name)
		if strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") {
			require.NotRegexp(t, formulaElem, body, "a formula in %s", name)
			require.NotContains(t, body, "calcChain", name)
			require.NotContains(t, body, "externalLink", name)
			require.NotContains(t, body, "externalReference", name)
			require.NotContains(t, body, "attacker.example", name)
		}
	}
	// The cached values, as Excel showed them (raw values; the boolean is 1).
	want := map[string]string{"A1": "2", "B1": "4", "C1": "x2", "D1": "1", "E1": "#DIV/0!",
		"A2": "3", "B2": "9", "C2": "1", "D2": "7", "E2": "", "A3": "4", "C3": "2"}
	for cell, v := range want {
		got, err := ann.GetCellValue("Data", cell, excelizeRaw)
		require.NoError(t, err)
		require.Equal(t, v, got, cell)
		f, err := ann.GetCellFormula("Data", cell)
		require.NoError(t, err)
		require.Empty(t, f, cell)
	}
	names := map[string]string{}
	for _, dn := range originalNames(ann) {
		names[dn.Name] = dn.RefersTo
	}
	require.Equal(t, map[string]string{"Ngoai": "#REF!", "Trong": "Data!$A$1:$B$2"}, names)

	// openpyxl, an independent reader.
	py := python()
	if py == "" {
		t.Skip("openpyxl is not installed (Debian: apt-get install python3-openpyxl): the independent reader's check did not run")
	}
	const script = `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Data"]
out = {"formulas": [], "values": {}, "links": len(wb._external_links)}
for row in ws.iter_rows():
    for c in row:
        if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("=")):
            out["formulas"].append(c.coordinate)
        if c.value is not None:
            out["values"][c.coordinate] = [c.data_type, str(c.value)]
json.dump(out, sys.stdout)
`
	cmd := exec.CommandContext(context.Background(), py, "-c", script, out)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var r struct {
		Formulas []string             `json:"formulas"`
		Values   map[string][2]string `json:"values"`
		Links    int                  `json:"links"`
	}
	require.NoError(t, json.Unmarshal(raw, &r))
	require.Empty(t, r.Formulas)
	require.Zero(t, r.Links)
	require.Equal(t, map[string][2]string{
		"A1": {"n", "2"}, "B1": {"n", "4"}, "C1": {"s", "x2"}, "D1": {"b", "True"}, "E1": {"e", "#DIV/0!"},
		"A2": {"n", "3"}, "B2": {"n", "9"}, "C2": {"n", "1"}, "D2": {"n", "7"}, "A3": {"n", "4"}, "C3": {"n", "2"},
	}, r.Values)
}

// TestNoLiveFormulaStrict: the same in a Strict OOXML workbook, whose
// namespaces and relationship types are not the transitional ones.
func TestNoLiveFormulaStrict(t *testing.T) {
	t.Parallel()
	data := pkg{styles: true, strict: true, sheets: []pkgSheet{{name: "Data", body: formulaSheet}},
		calcChain: `<c r="B1" i="1"/>`}.bytes(t)
	res := issueAt("Data!A1")
	out := annotateBytes(t, data, res, options(t))
	ann := requireAnnotated(t, out, []string{"Data"}, res)
	for name, body := range zipParts(t, out) {
		require.NotContains(t, strings.ToLower(name), "calcchain", name)
		require.NotRegexp(t, formulaElem, body, "a formula in %s", name)
	}
	v, err := ann.GetCellValue("Data", "B1")
	require.NoError(t, err)
	require.Equal(t, "4", v)
}

// TestSampleFormulaIsAValue: the broken sample with a formula keeps no
// formula in its annotated copy.
func TestSampleFormulaIsAValue(t *testing.T) {
	t.Parallel()
	src := filepath.Join(brokenDir, "invalid_formula_no_value.xlsx")
	found := false
	for name, body := range zipParts(t, src) {
		if strings.HasPrefix(name, "xl/worksheets/") && formulaElem.MatchString(body) {
			found = true
		}
	}
	require.True(t, found, "the sample has a formula")
	_, out := annotated(t, src)
	for name, body := range zipParts(t, out) {
		require.NotRegexp(t, formulaElem, body, "a formula in %s", name)
		require.NotContains(t, name, "calcChain")
	}
}
