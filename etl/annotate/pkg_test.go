package annotate_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// OOXML namespaces and content types used by the hand-built packages.
const (
	nsMain  = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkg   = "http://schemas.openxmlformats.org/package/2006/relationships"
	nsCT    = "http://schemas.openxmlformats.org/package/2006/content-types"
	relBase = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	ctBase  = "application/vnd.openxmlformats-officedocument.spreadsheetml."
	xmlHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

// pkg is a hand-built xlsx package: every part is written as given, so that
// a test controls exactly which optional elements and parts are there.
type pkg struct {
	sheets      []pkgSheet
	styles      bool   // an xl/styles.xml part
	stylesXML   string // its body, when not the minimal one
	sst         []string
	sstRaw      string // when set, the whole xl/sharedStrings.xml
	docProps    bool
	calcChain   string // when set, xl/calcChain.xml's body
	externalRef bool   // an external link to another workbook
	definedName string // when set, one workbook-level <definedName>
	extra       map[string]pkgPart
	strict      bool // Strict OOXML: its namespaces and relationship types
}

type pkgSheet struct {
	name string
	// xml is the worksheet's whole XML; built from body when empty.
	xml string
	// body goes inside <worksheet> as is (sheetData and the rest).
	body string
	// rels are the sheet's relationships: id → (type, target).
	rels [][3]string
}

type pkgPart struct {
	contentType string
	body        string
}

func sheetXML(body string) string {
	return xmlHead + `<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` + body + `</worksheet>`
}

// bytes writes the package.
func (p pkg) bytes(t testing.TB) []byte {
	t.Helper()
	parts := map[string]string{}
	overrides := map[string]string{"/xl/workbook.xml": ctBase + "sheet.main+xml"}
	var wbRels, sheets strings.Builder
	rid := 0
	addWbRel := func(typ, target string) string {
		rid++
		id := fmt.Sprintf("rId%d", rid)
		fmt.Fprintf(&wbRels, `<Relationship Id="%s" Type="%s" Target="%s"/>`, id, relBase+typ, target)
		return id
	}
	for i, s := range p.sheets {
		path := fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
		x := s.xml
		if x == "" {
			x = sheetXML(s.body)
		}
		parts[path] = x
		overrides["/"+path] = ctBase + "worksheet+xml"
		id := addWbRel("worksheet", fmt.Sprintf("worksheets/sheet%d.xml", i+1))
		fmt.Fprintf(&sheets, `<sheet name="%s" sheetId="%d" r:id="%s"/>`, s.name, i+1, id)
		if len(s.rels) > 0 {
			var r strings.Builder
			r.WriteString(xmlHead + `<Relationships xmlns="` + nsPkg + `">`)
			for _, rel := range s.rels {
				fmt.Fprintf(&r, `<Relationship Id="%s" Type="%s" Target="%s"/>`, rel[0], relBase+rel[1], rel[2])
			}
			r.WriteString(`</Relationships>`)
			parts[fmt.Sprintf("xl/worksheets/_rels/sheet%d.xml.rels", i+1)] = r.String()
		}
	}
	if p.stylesXML != "" {
		parts["xl/styles.xml"] = p.stylesXML
	} else if p.styles {
		parts["xl/styles.xml"] = xmlHead + `<styleSheet xmlns="` + nsMain + `"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>` +
			`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
			`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
			`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
			`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>`
	}
	if p.styles || p.stylesXML != "" {
		overrides["/xl/styles.xml"] = ctBase + "styles+xml"
		addWbRel("styles", "styles.xml")
	}
	if p.sst != nil || p.sstRaw != "" {
		x := p.sstRaw
		if x == "" {
			var b strings.Builder
			fmt.Fprintf(&b, xmlHead+`<sst xmlns="%s" count="%d" uniqueCount="%d">`, nsMain, len(p.sst), len(p.sst))
			for _, s := range p.sst {
				b.WriteString(`<si><t>` + s + `</t></si>`)
			}
			b.WriteString(`</sst>`)
			x = b.String()
		}
		parts["xl/sharedStrings.xml"] = x
		overrides["/xl/sharedStrings.xml"] = ctBase + "sharedStrings+xml"
		addWbRel("sharedStrings", "sharedStrings.xml")
	}
	if p.calcChain != "" {
		parts["xl/calcChain.xml"] = xmlHead + `<calcChain xmlns="` + nsMain + `">` + p.calcChain + `</calcChain>`
		overrides["/xl/calcChain.xml"] = ctBase + "calcChain+xml"
		addWbRel("calcChain", "calcChain.xml")
	}
	extRefs := ""
	if p.externalRef {
		parts["xl/externalLinks/externalLink1.xml"] = xmlHead + `<externalLink xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` +
			`<externalBook r:id="rId1"><sheetNames><sheetName val="Data"/></sheetNames>` +
			`<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>7</v></cell></row></sheetData></sheetDataSet>` +
			`</externalBook></externalLink>`
		parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = xmlHead + `<Relationships xmlns="` + nsPkg + `">` +
			`<Relationship Id="rId1" Type="` + relBase + `externalLinkPath" Target="file:///\\attacker.example\share\other.xlsx" TargetMode="External"/></Relationships>`
		overrides["/xl/externalLinks/externalLink1.xml"] = ctBase + "externalLink+xml"
		id := addWbRel("externalLink", "externalLinks/externalLink1.xml")
		extRefs = `<externalReferences><externalReference r:id="` + id + `"/></externalReferences>`
	}
	for name, part := range p.extra {
		parts[name] = part.body
		if part.contentType != "" {
			overrides["/"+name] = part.contentType
		}
	}
	names := ""
	if p.definedName != "" {
		names = `<definedNames>` + p.definedName + `</definedNames>`
	}
	parts["xl/workbook.xml"] = xmlHead + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>` +
		sheets.String() + `</sheets>` + extRefs + names + `</workbook>`
	parts["xl/_rels/workbook.xml.rels"] = xmlHead + `<Relationships xmlns="` + nsPkg + `">` + wbRels.String() + `</Relationships>`
	rootRels := `<Relationship Id="rId1" Type="` + relBase + `officeDocument" Target="xl/workbook.xml"/>`
	if p.docProps {
		parts["docProps/core.xml"] = xmlHead + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>x</dc:creator></cp:coreProperties>`
		overrides["/docProps/core.xml"] = "application/vnd.openxmlformats-package.core-properties+xml"
		rootRels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>`
	}
	parts["_rels/.rels"] = xmlHead + `<Relationships xmlns="` + nsPkg + `">` + rootRels + `</Relationships>`
	var ct strings.Builder
	ct.WriteString(xmlHead + `<Types xmlns="` + nsCT + `"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/><Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>`)
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&ct, `<Override PartName="%s" ContentType="%s"/>`, k, overrides[k])
	}
	ct.WriteString(`</Types>`)
	parts["[Content_Types].xml"] = ct.String()

	if p.strict {
		for name, body := range parts {
			body = strings.ReplaceAll(body, relBase, "http://purl.oclc.org/ooxml/officeDocument/relationships/")
			body = strings.ReplaceAll(body, nsRel, "http://purl.oclc.org/ooxml/officeDocument/relationships")
			parts[name] = strings.ReplaceAll(body, nsMain, "http://purl.oclc.org/ooxml/spreadsheetml/main")
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	order := make([]string, 0, len(parts))
	for k := range parts {
		order = append(order, k)
	}
	sort.Strings(order)
	for _, name := range append([]string{"[Content_Types].xml"}, order...) {
		body, ok := parts[name]
		if !ok {
			continue
		}
		delete(parts, name)
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// simpleData is a small sheetData with numbers and an inline string.
const simpleData = `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Tên</t></is></c><c r="B1"><v>1</v></c></row>` +
	`<row r="2"><c r="A2" t="inlineStr"><is><t>An</t></is></c><c r="B2"><v>2</v></c></row></sheetData>`
