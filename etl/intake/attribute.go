package intake

import (
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/returns-project/returns/etl/validate"
)

// Attribution is an organisation a file is taken to come from, and how it
// was found.
type Attribution struct {
	Org string
	// Year and Quarter, when the same source says them (the workbook or the
	// file name); zero otherwise.
	Year, Quarter int
	// From is where the organisation was read: "folder" (inbox/<org>/),
	// "workbook" (ThongTin) or "name" (BCQ_<org>_<yyyy>Q<q>.xlsx).
	From string
}

// fileNameConvention is the name the template asks for:
// BCQ_<org>_<yyyy>Q<q>.xlsx (case and the separators _ - or a space
// tolerated; anything may follow the quarter, such as " (2)").
var fileNameConvention = regexp.MustCompile(`(?i)^BCQ[-_ ]+([A-Z0-9][A-Z0-9.-]*[A-Z0-9])[-_ ]+([0-9]{4})[-_ ]?Q([1-4])(?:[^0-9].*)?$`)

// FromFileName reads the organisation and quarter out of a file name that
// follows the convention BCQ_<org>_<yyyy>Q<q>.xlsx; ok is false otherwise.
func FromFileName(name string) (a Attribution, ok bool) {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	if ext := path.Ext(base); strings.EqualFold(ext, ".xlsx") || strings.EqualFold(ext, ".xls") || strings.EqualFold(ext, ".xlsm") {
		base = base[:len(base)-len(ext)]
	}
	m := fileNameConvention.FindStringSubmatch(base)
	if m == nil {
		return Attribution{}, false
	}
	y, _ := strconv.Atoi(m[2])
	q, _ := strconv.Atoi(m[3])
	if y < 1900 || y > 2100 {
		return Attribution{}, false
	}
	return Attribution{Org: strings.ToUpper(m[1]), Year: y, Quarter: q, From: "name"}, true
}

// Candidates lists, in the order they are tried, the organisations a file
// may be attributed to: the inbox folder it was dropped in (folder, "" for
// none), the workbook's own ThongTin (res, when it could be read), the
// file-name convention. Repeats are dropped.
func Candidates(folder string, res *validate.Result, fileName string) []Attribution {
	var out []Attribution
	add := func(a Attribution) {
		if a.Org == "" {
			return
		}
		for _, b := range out {
			if strings.EqualFold(a.Org, b.Org) {
				return
			}
		}
		out = append(out, a)
	}
	add(Attribution{Org: folder, From: "folder"})
	if res != nil {
		add(Attribution{Org: res.Org, Year: res.Year, Quarter: res.Quarter, From: "workbook"})
	}
	if a, ok := FromFileName(fileName); ok {
		add(a)
	}
	return out
}

// Attribute is the first of [Candidates]; its Year and Quarter are filled
// from the workbook or the file name when the first source does not say
// them. The zero Attribution means the file cannot be attributed.
func Attribute(folder string, res *validate.Result, fileName string) Attribution {
	c := Candidates(folder, res, fileName)
	if len(c) == 0 {
		return Attribution{}
	}
	a := c[0]
	for _, b := range c[1:] {
		if a.Year == 0 && b.Year != 0 {
			a.Year, a.Quarter = b.Year, b.Quarter
		}
	}
	return a
}
