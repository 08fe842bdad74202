package annotate_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/validate"
)

// requireListAlone checks that out is the issue list alone, with the note
// that says why (want) and every issue in its table.
func requireListAlone(t *testing.T, out string, res *validate.Result, want string) {
	t.Helper()
	ann := open(t, out)
	require.Equal(t, []string{"Lỗi"}, ann.GetSheetList())
	text := allText(t, ann)
	require.Contains(t, text, "Không đánh dấu được trên chính tệp của bạn")
	require.Contains(t, text, want)
	require.NotContains(t, text, "Những vấn đề không gắn với một ô", "every issue has its cell")
	table, _ := issuesTable(t, ann)
	require.Len(t, table, len(res.Issues))
}

// TestBudgetsGiveTheList: an original past any budget gets the issue list
// alone, with a note that says which budget and by how much, never an
// error and never a partial workbook; the hostile files of issue 11 among
// them (200,000 merged ranges; shared strings that unpack to 20 MB, past
// the 16 MiB budget, as the 150 MB ones of the benchmark).
func TestBudgetsGiveTheList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := func(name string, write func(testing.TB, string)) []byte {
		p := filepath.Join(dir, name)
		write(t, p)
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		return b
	}
	merges200k := file("m.xlsx", func(t testing.TB, p string) { hostileMerges(t, p, 200_000) })
	sparse := pkg{sheets: []pkgSheet{{name: "Sheet1", body: `<sheetData><row r="1"><c r="A1"><v>1</v></c></row>` +
		`<row r="60000"><c r="A60000"><v>1</v></c></row></sheetData>`}}}.bytes(t)
	small := pkg{sheets: []pkgSheet{{name: "Sheet1", body: simpleData}}}.bytes(t)
	merges := func(n int) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<mergeCells count="%d">`, n)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, `<mergeCell ref="C%d:D%d"/>`, i, i)
		}
		return b.String() + `</mergeCells>`
	}
	cases := map[string]struct {
		data  []byte
		cell  string
		limit func(*annotate.Limits)
		want  string
	}{
		"merges-200k": {merges200k, "Sheet1!A1", nil, "trang Sheet1 có 7 MB dữ liệu, giới hạn 2 MB"},
		"merges-200k-sheet-size-allowed": {merges200k, "Sheet1!A1", func(l *annotate.Limits) { l.MaxSheetSize = 64 << 20 },
			"5.001 vùng ô gộp, giới hạn 5.000"},
		"shared-strings-20MB": {file("s.xlsx", func(t testing.TB, p string) { hostileStrings(t, p, 20<<20) }), "Sheet1!B1", nil,
			"dung lượng khi giải nén 21 MB, giới hạn 16 MB"},
		"merges-over-limit": {pkg{sheets: []pkgSheet{{name: "Sheet1", body: simpleData + merges(11)}}}.bytes(t), "Sheet1!A1",
			func(l *annotate.Limits) { l.MaxMerges = 10 }, "11 vùng ô gộp, giới hạn 10"},
		"sheet-size":  {small, "Sheet1!A1", func(l *annotate.Limits) { l.MaxSheetSize = 100 }, "trang Sheet1 có 1 MB dữ liệu, giới hạn 1 MB"},
		"rows":        {sparse, "Sheet1!A1", nil, "trang Sheet1 có dữ liệu đến dòng 60.000, giới hạn 50.000"},
		"cell-row":    {small, "Sheet1!A70000", nil, "trang Sheet1 có dữ liệu đến dòng 70.000, giới hạn 50.000"},
		"cell-column": {small, "Sheet1!XFD1", nil, "trang Sheet1 có ô cần đánh dấu ở cột thứ 16.384, giới hạn 1.024"},
		"file-size":   {small, "Sheet1!A1", func(l *annotate.Limits) { l.MaxFileSize = 100 }, "tệp 1 MB, giới hạn 1 MB"},
		"time":        {small, "Sheet1!A1", func(l *annotate.Limits) { l.Time = time.Nanosecond }, "xử lý quá 0 giây"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := issueAt(c.cell)
			opts := options(t)
			if c.limit != nil {
				c.limit(&opts.Limits)
			}
			out := annotateBytes(t, c.data, res, opts)
			requireListAlone(t, out, res, c.want)
		})
	}
}

// cancelOnRead cancels its context when the original is read: the
// annotation has started and must stop at its next check.
type cancelOnRead struct {
	r      *bytes.Reader
	cancel context.CancelFunc
	reads  atomic.Int32
}

func (c *cancelOnRead) ReadAt(p []byte, off int64) (int, error) {
	c.reads.Add(1)
	c.cancel()
	return c.r.ReadAt(p, off)
}

// TestCancel: a cancelled context stops the annotation with its error and
// nothing written, whether it ends before or during the work.
func TestCancel(t *testing.T) {
	t.Parallel()
	data := pkg{sheets: []pkgSheet{{name: "Sheet1", body: simpleData}}}.bytes(t)
	res := issueAt("Sheet1!B2")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	err := annotate.WriteContext(ctx, &out, bytes.NewReader(data), int64(len(data)), res, options(t))
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, out.Len())

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	src := &cancelOnRead{r: bytes.NewReader(data), cancel: cancel}
	err = annotate.WriteContext(ctx, &out, src, int64(len(data)), res, options(t))
	require.ErrorIs(t, err, context.Canceled)
	require.Positive(t, src.reads.Load(), "the original was read: the work had started")
	require.Zero(t, out.Len())
	require.False(t, errors.Is(err, annotate.ErrBudget))
}
