package schema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/returns-project/returns/etl/normalize"
)

// ErrInvalidSchema is matched (errors.Is) by the error Load returns when a
// schema file is wrong: the daemon must not start.
var ErrInvalidSchema = errors.New("invalid schema")

// LoadError lists every problem found in the schema files, one per line, each
// naming its file and the field or rule; the first is the first found.
type LoadError struct {
	Problems []error
}

func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems.
func (e *LoadError) Unwrap() []error { return e.Problems }

// Is makes errors.Is(err, ErrInvalidSchema) true.
func (e *LoadError) Is(target error) bool { return target == ErrInvalidSchema }

// Load reads, checks and compiles the schema files of fsys.
//
// Layout: every *.yaml file at the root of fsys is a Template; its sheets
// are listed in the template (paths relative to the template file, e.g.
// bcq-1/ketnap.yaml); every codelists/*.yaml is a CodeList. Other files are
// ignored. YAML is decoded strictly: an unknown key is an error.
//
// Checks: types, code lists, duplicate names, rule ids unique within a sheet
// and within a template's workbook rules (the same §4 id may serve two
// sheets, such as GS-02 on GiamSat and KyLuat), references from rules,
// uniques and aggregates to sheets and fields, severities, Vietnamese and
// English messages and hints, patterns (RE2), CEL expressions (parse, type,
// bool result, names of fields read), code lists (duplicate codes or
// spellings, empty labels). All problems are returned together as an
// *LoadError (errors.Is ErrInvalidSchema).
func Load(fsys fs.FS) (*Set, error) {
	c, err := newCompiler()
	if err != nil {
		return nil, err
	}
	l := &loader{fsys: fsys, c: c, set: &Set{Templates: map[string]*Template{}, CodeLists: map[string]*CodeList{}}}
	l.codeLists()
	l.templates()
	if len(l.problems) > 0 {
		return nil, &LoadError{Problems: l.problems}
	}
	return l.set, nil
}

type loader struct {
	fsys     fs.FS
	c        *compiler
	set      *Set
	problems []error
	// kv is the key-value sheet of the template being loaded (info.FIELD),
	// cur the sheet whose rules are being loaded (row.FIELD; nil for
	// workbook rules).
	kv, cur *Sheet
}

func (l *loader) add(file, format string, args ...any) {
	l.problems = append(l.problems, fmt.Errorf("%s: "+format, append([]any{origin(l.fsys, file)}, args...)...))
}

// decode reads file strictly into v.
func (l *loader) decode(file string, v any) bool {
	data, err := fs.ReadFile(l.fsys, file)
	if err != nil {
		l.add(file, "%v", err)
		return false
	}
	l.set.Files = append(l.set.Files, file)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			l.add(file, "empty file")
		} else {
			l.add(file, "%v", err)
		}
		return false
	}
	return true
}

func (l *loader) codeLists() {
	files, err := fs.Glob(l.fsys, "codelists/*.yaml")
	if err != nil {
		l.add("codelists", "%v", err)
		return
	}
	for _, f := range files {
		var cl CodeList
		if !l.decode(f, &cl) {
			continue
		}
		cl.File = f
		if cl.ID == "" {
			l.add(f, "code list has no id")
			continue
		}
		if prev, dup := l.set.CodeLists[cl.ID]; dup {
			l.add(f, "code list %q is also defined in %s", cl.ID, prev.File)
			continue
		}
		l.text(f, "code list "+cl.ID+": title", cl.Title)
		if len(cl.Codes) == 0 {
			l.add(f, "code list %q has no codes", cl.ID)
		}
		seen := map[string]bool{}
		for _, cd := range cl.Codes {
			switch {
			case cd.Code == "":
				l.add(f, "code list %q: a code is empty", cl.ID)
			case seen[cd.Code]:
				l.add(f, "code list %q: duplicate code %q", cl.ID, cd.Code)
			}
			seen[cd.Code] = true
			if strings.TrimSpace(cd.Label.VI) == "" || strings.TrimSpace(cd.Label.EN) == "" {
				l.add(f, "code list %q: code %q: empty label (want vi and en)", cl.ID, cd.Code)
			}
			if cd.Label.VI != normalize.Text(cd.Label.VI) {
				l.add(f, "code list %q: code %q: label %q is not clean NFC text", cl.ID, cd.Code, cd.Label.VI)
			}
		}
		for _, p := range cl.buildIndex() {
			l.add(f, "code list %q: %v", cl.ID, p)
		}
		l.set.CodeLists[cl.ID] = &cl
	}
}

func (l *loader) templates() {
	entries, err := fs.ReadDir(l.fsys, ".")
	if err != nil {
		l.add(".", "%v", err)
		return
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		l.template(e.Name())
	}
	if len(l.set.Templates) == 0 && len(l.problems) == 0 {
		l.add(".", "no template (*.yaml at the root)")
	}
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func (l *loader) template(file string) {
	t := &Template{}
	if !l.decode(file, t) {
		return
	}
	t.File = file
	switch {
	case t.ID == "":
		l.add(file, "template has no id")
		return
	case l.set.Templates[t.ID] != nil:
		l.add(file, "template %q is also defined in %s", t.ID, l.set.Templates[t.ID].File)
		return
	}
	if t.Version == "" {
		l.add(file, "template %q has no version", t.ID)
	}
	l.text(file, "title", t.Title)
	if t.Misfiled != nil {
		l.text(file, "misfiled: message", t.Misfiled.Message)
		l.text(file, "misfiled: hint", t.Misfiled.Hint)
	}
	for i, p := range t.Instructions {
		l.text(file, fmt.Sprintf("instructions[%d]", i), p)
	}
	if len(t.SheetFiles) == 0 {
		l.add(file, "template %q lists no sheets", t.ID)
	}
	names := map[string]string{}
	for _, sf := range t.SheetFiles {
		sfile := path.Join(path.Dir(file), sf)
		s := &Sheet{}
		if !l.decode(sfile, s) {
			continue
		}
		s.File = sfile
		if s.Name == "" {
			l.add(sfile, "sheet has no name")
			continue
		}
		if prev, dup := names[normalize.Key(s.Name)]; dup {
			l.add(sfile, "sheet %q is also defined in %s", s.Name, prev)
			continue
		}
		names[normalize.Key(s.Name)] = sfile
		t.Sheets = append(t.Sheets, s)
	}
	var info map[string]bool
	l.kv = t.KeyValue()
	if l.kv != nil {
		info = fieldSet(l.kv)
	}
	tables := 0
	for _, s := range t.Sheets {
		l.cur = s
		l.sheet(s, info)
		if s.Table != "" {
			tables++
		}
	}
	l.cur = nil
	if tables > 0 && tables < len(t.Sheets) {
		l.add(file, "template %q: %d of its %d sheets name a table: every sheet or none", t.ID, tables, len(t.Sheets))
	}
	l.aggregates(t)
	l.workbookRules(t, info)
	l.set.Templates[t.ID] = t
}

func fieldSet(s *Sheet) map[string]bool {
	m := make(map[string]bool, len(s.Fields))
	for _, f := range s.Fields {
		if f.Name != "" {
			m[f.Name] = true
		}
	}
	return m
}

var typeList = "text, int, decimal, date, bool, code, month, email"

func validType(t FieldType) bool {
	switch t {
	case TypeText, TypeInt, TypeDecimal, TypeDate, TypeBool, TypeCode, TypeMonth, TypeEmail:
		return true
	}
	return false
}

func (l *loader) sheet(s *Sheet, info map[string]bool) {
	f := s.File
	switch s.Layout {
	case "":
		s.Layout = Table
	case Table, KeyValue:
	default:
		l.add(f, "sheet %q: unknown layout %q (want table or keyvalue)", s.Name, s.Layout)
	}
	l.text(f, "sheet "+s.Name+": title", s.Title)
	if s.Table != "" && !nameRE.MatchString(s.Table) {
		l.add(f, "sheet %q: table %q: want lower case letters, digits and _", s.Name, s.Table)
	}
	if s.HeaderRow < 0 || s.FieldRow < 0 || s.DataRow < 0 || s.MaxRows < 0 {
		l.add(f, "sheet %q: negative row number", s.Name)
	}
	if s.Layout == Table && s.DataRow > 0 && (s.DataRow <= s.HeaderRow || s.DataRow <= s.FieldRow) {
		l.add(f, "sheet %q: data_row %d must come after header_row and field_row", s.Name, s.DataRow)
	}
	if len(s.Fields) == 0 {
		l.add(f, "sheet %q has no fields", s.Name)
	}
	seen := map[string]bool{}
	labels := map[string]string{}
	for _, fl := range s.Fields {
		l.field(s, fl, seen, labels)
	}
	fields := fieldSet(s)
	rowScope := scope{row: fields, info: info}
	if s.Layout == KeyValue {
		rowScope.info = fields
	}
	for _, fl := range s.Fields {
		if fl.RequiredWhen == "" {
			continue
		}
		prg, _, err := l.c.compile(fl.RequiredWhen, rowScope)
		if err != nil {
			l.add(f, "field %q: required_when: %v", fl.Name, err)
			continue
		}
		fl.RequiredWhenProgram = prg
	}
	for _, u := range s.Unique {
		what := fmt.Sprintf("unique %q", u.ID)
		if u.ID == "" {
			l.add(f, "unique %v: no id", u.Fields)
		}
		if len(u.Fields) == 0 {
			l.add(f, "%s: no fields", what)
		}
		for _, name := range u.Fields {
			if !fields[name] {
				l.add(f, "%s: unknown field %q", what, name)
			}
		}
		l.severity(f, what, &u.Severity)
		l.text(f, what+": message", u.Message)
		l.text(f, what+": hint", u.Hint)
	}
	ids := map[string]bool{}
	for _, r := range s.Rules {
		r.Sheet = s.Name
		l.rule(f, r, ids, fields, rowScope)
	}
}

func (l *loader) field(s *Sheet, fl *Field, seen map[string]bool, labels map[string]string) {
	f := s.File
	if !nameRE.MatchString(fl.Name) {
		l.add(f, "field %q: bad name (want lowercase letters, digits and _)", fl.Name)
	}
	if seen[fl.Name] {
		l.add(f, "field %q: duplicate field name", fl.Name)
	}
	seen[fl.Name] = true
	what := fmt.Sprintf("field %q", fl.Name)
	l.text(f, what+": label", fl.Label)
	for _, lab := range append([]string{fl.Label.VI, fl.Label.EN}, fl.Aliases...) {
		k := normalize.Key(lab)
		if k == "" {
			continue
		}
		if prev, dup := labels[k]; dup && prev != fl.Name {
			l.add(f, "%s: label %q also names field %q", what, lab, prev)
		}
		labels[k] = fl.Name
	}
	if !validType(fl.Type) {
		l.add(f, "%s: unknown type %q (want %s)", what, fl.Type, typeList)
	}
	switch {
	case fl.Type == TypeCode && fl.CodeList == "":
		l.add(f, "%s: type code needs a codelist", what)
	case fl.Type == TypeCode && l.set.CodeLists[fl.CodeList] == nil:
		l.add(f, "%s: unknown codelist %q", what, fl.CodeList)
	case fl.Type != TypeCode && fl.CodeList != "":
		l.add(f, "%s: codelist %q on a field of type %s (want type code)", what, fl.CodeList, fl.Type)
	}
	if fl.Type == TypeCode && fl.Rule == "" {
		fl.Rule = s.CodeRule
	}
	if fl.Pattern != "" {
		re, err := regexp.Compile(fl.Pattern)
		if err != nil {
			l.add(f, "%s: pattern %q: %v", what, fl.Pattern, err)
		} else {
			fl.PatternRE = re
		}
	}
	if (fl.Min != nil || fl.Max != nil) && fl.Type != TypeInt && fl.Type != TypeDecimal {
		l.add(f, "%s: min/max on a field of type %s (want int or decimal)", what, fl.Type)
	}
	if fl.Type == TypeInt && (fl.Min != nil && (*fl.Min < MinInt || *fl.Min > MaxInt) || fl.Max != nil && (*fl.Max < MinInt || *fl.Max > MaxInt)) {
		l.add(f, "%s: min/max outside the range of the integer column it is stored in (%d to %d)", what, MinInt, MaxInt)
	}
	if fl.Min != nil && fl.Max != nil && *fl.Min > *fl.Max {
		l.add(f, "%s: min %v is above max %v", what, *fl.Min, *fl.Max)
	}
	if fl.MinLen < 0 || fl.MaxLen < 0 || (fl.MaxLen > 0 && fl.MinLen > fl.MaxLen) {
		l.add(f, "%s: bad min_len/max_len", what)
	}
	if fl.Hint != (Text{}) {
		l.text(f, what+": hint", fl.Hint)
	}
}

// text checks that a message has both languages.
func (l *loader) text(file, what string, t Text) {
	switch {
	case strings.TrimSpace(t.VI) == "" && strings.TrimSpace(t.EN) == "":
		l.add(file, "%s: missing (want vi and en)", what)
	case strings.TrimSpace(t.VI) == "":
		l.add(file, "%s: missing vi", what)
	case strings.TrimSpace(t.EN) == "":
		l.add(file, "%s: missing en", what)
	}
}

func (l *loader) severity(file, what string, s *Severity) {
	switch *s {
	case Error, Warning:
	case "":
		l.add(file, "%s: no severity (want error or warning)", what)
	default:
		l.add(file, "%s: bad severity %q (want error or warning)", what, *s)
	}
}

func (l *loader) rule(file string, r *Rule, ids map[string]bool, fields map[string]bool, sc scope) {
	r.File = file
	what := fmt.Sprintf("rule %q", r.ID)
	switch {
	case r.ID == "":
		l.add(file, "rule with check %q: no id", clip(r.Check))
	case ids[r.ID]:
		l.add(file, "%s: duplicate rule id", what)
	}
	ids[r.ID] = true
	l.severity(file, what, &r.Severity)
	l.text(file, what+": message", r.Message)
	l.text(file, what+": hint", r.Hint)
	for _, name := range r.Fields {
		if !fields[name] {
			l.add(file, "%s: fields: unknown field %q", what, name)
		}
	}
	if r.When != "" {
		prg, usesPeriod, err := l.c.compile(r.When, sc)
		if err != nil {
			l.add(file, "%s: when: %v", what, err)
		}
		r.WhenProgram, r.UsesPeriod = prg, usesPeriod
	}
	if strings.TrimSpace(r.Check) == "" {
		l.add(file, "%s: no check", what)
		return
	}
	prg, usesPeriod, err := l.c.compile(r.Check, sc)
	if err != nil {
		l.add(file, "%s: check: %v", what, err)
	}
	r.CheckProgram, r.UsesPeriod = prg, r.UsesPeriod || usesPeriod
	// The cells the terms read are marked when they are cells of the
	// record the issue points into: the row of a sheet rule, the
	// key-value record of a workbook rule.
	marked := "row"
	if sc.row == nil {
		marked = "info"
	}
	l.expect(file, what, r, sc, marked)
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

func (l *loader) aggregates(t *Template) {
	seen := map[string]bool{}
	for _, a := range t.Aggregates {
		what := fmt.Sprintf("aggregate %q", a.Name)
		if !nameRE.MatchString(a.Name) {
			l.add(t.File, "%s: bad name (want lowercase letters, digits and _)", what)
		}
		if seen[a.Name] {
			l.add(t.File, "%s: duplicate aggregate name", what)
		}
		seen[a.Name] = true
		s := t.Sheet(a.Sheet)
		if s == nil {
			l.add(t.File, "%s: unknown sheet %q", what, a.Sheet)
			continue
		}
		if a.Sum != "" {
			if fl := s.Field(a.Sum); fl == nil || fl.Type != TypeInt {
				l.add(t.File, "%s: sum: %q is not an int field of sheet %s", what, a.Sum, s.Name)
			}
		}
		if a.Where != "" {
			var info map[string]bool
			if kv := t.KeyValue(); kv != nil {
				info = fieldSet(kv)
			}
			prg, _, err := l.c.compile(a.Where, scope{row: fieldSet(s), info: info})
			if err != nil {
				l.add(t.File, "%s: where: %v", what, err)
				continue
			}
			a.WhereProgram = prg
		}
	}
}

func (l *loader) workbookRules(t *Template, info map[string]bool) {
	aggs := map[string]bool{}
	for _, a := range t.Aggregates {
		aggs[a.Name] = true
	}
	fields := info
	if fields == nil {
		fields = map[string]bool{}
	}
	ids := map[string]bool{}
	for _, r := range t.Rules {
		l.rule(t.File, r, ids, fields, scope{info: info, agg: aggs})
	}
	// Rule ids of workbook rules must not reuse a sheet rule's id either.
	for _, r := range t.Rules {
		for _, s := range t.Sheets {
			if slices.ContainsFunc(s.Rules, func(sr *Rule) bool { return sr.ID == r.ID }) {
				l.add(t.File, "rule %q: duplicate rule id (also on sheet %s)", r.ID, s.Name)
			}
		}
	}
}
