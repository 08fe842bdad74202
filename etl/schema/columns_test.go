package schema_test

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/normalize"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/schemas"
)

// columnTypes reads the PostgreSQL column types of the returns schema from
// the migrations' Up sections (CREATE TABLE and ALTER TABLE … ADD COLUMN),
// independently of the code that loads rows.
func columnTypes(t *testing.T) map[string]map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "store", "migrations", "*.sql"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	create := regexp.MustCompile(`(?s)CREATE TABLE returns\.(\w+) \((.*?)\n\);`)
	column := regexp.MustCompile(`^\s+(\w+)\s+([a-z]+)`)
	add := regexp.MustCompile(`ALTER TABLE returns\.(\w+) ADD COLUMN (\w+) ([a-z]+)`)
	types := map[string]map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		up := string(b)
		if i := strings.Index(up, "+goose Down"); i >= 0 {
			up = up[:i]
		}
		for _, m := range create.FindAllStringSubmatch(up, -1) {
			cols := map[string]string{}
			for _, line := range strings.Split(m[2], "\n") {
				if c := column.FindStringSubmatch(line); c != nil && c[1] != "PRIMARY" && c[1] != "UNIQUE" {
					cols[c[1]] = c[2]
				}
			}
			types[m[1]] = cols
		}
		for _, m := range add.FindAllStringSubmatch(up, -1) {
			types[m[1]][m[2]] = m[3]
		}
	}
	return types
}

// TestEveryAcceptedValueFitsItsColumn walks every field of every template
// that is loaded into the database and checks that the range the validator
// accepts fits the column type: ints within integer (or bigint), dates and
// months within PostgreSQL's date and the 1900–2100 rule, text into text,
// booleans into boolean.
func TestEveryAcceptedValueFitsItsColumn(t *testing.T) {
	t.Parallel()
	set, err := schema.Load(schemas.FS)
	require.NoError(t, err)
	types := columnTypes(t)
	require.Equal(t, "int", types["summary"]["temp_in"], "the migration parser reads column types")

	// The validator's date bounds: PostgreSQL's date starts in 4713 BC and
	// has no year 0; the rule is 1900–2100.
	require.False(t, normalize.MinDate.Before(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)))
	require.False(t, normalize.MaxDate.After(time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)))

	checked := 0
	for _, tmpl := range set.Templates {
		for _, sh := range tmpl.Sheets {
			if sh.Table == "" {
				continue // not loaded into a table of its own (the registry)
			}
			cols := types[sh.Table]
			require.NotNil(t, cols, "table %s of sheet %s", sh.Table, sh.Name)
			for _, f := range sh.Fields {
				typ := cols[f.Name]
				what := sh.Name + "." + f.Name + " (" + string(f.Type) + " → " + typ + ")"
				switch f.Type {
				case schema.TypeInt:
					lo, hi := f.IntBounds()
					switch typ {
					case "int", "integer", "int4":
						require.GreaterOrEqual(t, lo, int64(math.MinInt32), what)
						require.LessOrEqual(t, hi, int64(math.MaxInt32), what)
					case "smallint", "int2":
						require.GreaterOrEqual(t, lo, int64(math.MinInt16), what)
						require.LessOrEqual(t, hi, int64(math.MaxInt16), what)
					case "bigint", "int8":
					default:
						t.Fatalf("%s: an int field needs an integer column", what)
					}
				case schema.TypeDate, schema.TypeMonth:
					require.Equal(t, "date", typ, what)
				case schema.TypeBool:
					require.Equal(t, "boolean", typ, what)
				case schema.TypeDecimal:
					require.Equal(t, "numeric", typ, what)
				default: // text, code, email
					require.Equal(t, "text", typ, what)
				}
				checked++
			}
		}
	}
	require.Greater(t, checked, 100, "every field of BCQ-1 walked")
}

// TestIntFieldsDefaultToTheIntegerColumn: a count without a declared max
// accepts no more than an integer column holds, and a schema that declares
// a wider range does not load.
func TestIntFieldsDefaultToTheIntegerColumn(t *testing.T) {
	t.Parallel()
	f := &schema.Field{Type: schema.TypeInt}
	lo, hi := f.IntBounds()
	require.Equal(t, int64(math.MinInt32), lo)
	require.Equal(t, int64(math.MaxInt32), hi)
	zero, ten := 0.0, 10.0
	f = &schema.Field{Type: schema.TypeInt, Min: &zero, Max: &ten}
	lo, hi = f.IntBounds()
	require.Equal(t, int64(0), lo)
	require.Equal(t, int64(10), hi)
}
