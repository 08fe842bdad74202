package validate

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/samples/generate"
)

// buffer is an in-memory file for generate.Scale.Write.
type buffer struct{ bytes.Buffer }

func (*buffer) Close() error { return nil }

// TestScaleReturnsAccepted: every return of a scaled set (a country of two
// provinces, three organisations each, two quarters, 25 rows a return) is
// accepted, lists its rows, balances with its organisation's previous
// quarter, and admits nobody another return admits.
func TestScaleReturnsAccepted(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	s := generate.Scale{Provinces: 2, Orgs: 3, Quarters: 2, Rows: 25}
	files := map[string]*buffer{}
	var names []string
	require.NoError(t, s.Write(func(name string) (io.WriteCloser, error) {
		files[name] = &buffer{}
		names = append(names, name)
		return files[name], nil
	}))
	require.Len(t, names, 2*3*2)
	people := map[string]string{}
	endProbationary := map[string]int64{}
	for _, name := range names {
		rec := &recorder{}
		res := check(t, set, files[name].Bytes(), rec)
		require.Equal(t, Accepted, res.Status, "%s: %+v", name, firstIssues(res))
		require.Equal(t, s.Rows, res.Rows["KetNap"], name)
		info := rec.rows["ThongTin"][0]
		if prev, ok := endProbationary[res.Org]; ok {
			require.Equal(t, prev, info["members_start_probationary"], name)
		}
		endProbationary[res.Org] = info["members_end_probationary"].(int64)
		for _, row := range rec.rows["KetNap"] {
			key := fmt.Sprintf("%s %s", row["full_name"], row["birth_date"].(time.Time).Format(time.DateOnly))
			require.NotContains(t, people, key, "%s admitted in %s and %s", key, people[key], name)
			people[key] = name
		}
	}
	require.Len(t, s.Registry(), 2)
}
