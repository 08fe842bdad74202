package validate

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/samples/generate"
)

// TestSerialDateQuotedAsDate: an issue about a date cell that holds a serial
// quotes the date as the operator sees it (dd/mm/yyyy), not the serial,
// although the validator formats it only when an issue needs it.
func TestSerialDateQuotedAsDate(t *testing.T) {
	t.Parallel()
	set := loadSet(t)
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
