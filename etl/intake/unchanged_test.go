package intake_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/samples/generate"
)

// judge runs one workbook through intake.JudgeReader with the result mail on.
func (b *bundle) judge(t *testing.T, data []byte, name string, received time.Time) *intake.Result {
	t.Helper()
	res, err := intake.JudgeReader(context.Background(), bytes.NewReader(data), int64(len(data)), shaOf(data), b.set, b.st,
		intake.Options{FileName: name, ReceivedAt: received, Notify: true, Zone: time.FixedZone("ICT", 7*60*60), Operators: []string{operator},
			Validate: validate.Options{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}})
	require.NoError(t, err)
	return res
}

// resave opens a workbook with excelize, widens a column, sets new
// document properties and saves it again: other bytes, the same values.
func resave(t *testing.T, data []byte) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, f.SetColWidth("ThongTin", "A", "C", 47))
	require.NoError(t, f.SetDocProps(&excelize.DocProperties{Creator: "LibreOffice", Description: "saved again"}))
	buf, err := f.WriteToBuffer()
	require.NoError(t, err)
	return buf.Bytes()
}

// TestUnchangedResubmission: a return written again with other bytes but
// the same values (inline strings instead of shared ones, counts and dates
// as text; or re-saved with a wider column) is a duplicate of the current
// submission: no new submission, version or rows, the board still shows
// version 1, the ledger names the new bytes once, and the operator and the
// mail are told "unchanged from version 1 received on 05/10/2025". A real
// change of one value is a new version, and a return back to the values of
// a superseded version is a new version too (compared with the current one).
func TestUnchangedResubmission(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	var r *generate.Return
	for _, x := range b.p.Returns {
		if len(x.Admissions) > 0 && len(x.Transfers) > 0 {
			r = x
			break
		}
	}
	require.NotNil(t, r)
	day1 := time.Date(2025, 10, 5, 9, 0, 0, 0, time.UTC)
	later := day1.Add(48 * time.Hour)

	original := write(t, r)
	first := b.judge(t, original, r.FileName(), day1)
	require.Equal(t, domain.Loaded, first.Outcome, "%+v", first.Issues)
	require.Equal(t, 1, first.Version)
	rows := count(t, b.st, `SELECT count(*) FROM returns.admission`)
	require.Equal(t, len(r.Admissions), rows)

	versionOnBoard := func() int64 {
		board, err := b.st.QuarterBoard(ctx, r.Year, r.Quarter)
		require.NoError(t, err)
		for _, row := range board {
			if row.Org == r.Org.Code {
				return row.Current.Version.Int64
			}
		}
		t.Fatalf("%s not on the board", r.Org.Code)
		return 0
	}
	require.EqualValues(t, 1, versionOnBoard())

	var buf bytes.Buffer
	require.NoError(t, generate.WriteReturn(&buf, r, generate.WriteOptions{StreamWriter: true, NumbersAsText: true, DatesAsText: true}))
	variants := map[string][]byte{"inline strings, text numbers and dates": buf.Bytes(), "re-saved, wider column": resave(t, original)}
	events := 0
	for what, data := range variants {
		require.NotEqual(t, shaOf(original), shaOf(data), what)
		res := b.judge(t, data, "saved-again.xlsx", later)
		events++
		require.Equal(t, domain.Duplicate, res.Outcome, "%s: %+v", what, res.Issues)
		require.NotNil(t, res.DuplicateOf, what)
		require.True(t, res.DuplicateOf.Unchanged, what)
		require.Equal(t, first.SubmissionID, res.SubmissionID, what)
		require.Equal(t, 1, res.Version, what)
		// Nothing new: one submission, the same rows, version 1 on the board.
		require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.submission`), what)
		require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.submission WHERE id = $1 AND status = 'accepted'`, first.SubmissionID), what)
		require.Equal(t, rows, count(t, b.st, `SELECT count(*) FROM returns.admission`), what)
		require.EqualValues(t, 1, versionOnBoard(), what)
		// Recorded once, as a duplicate of the first submission, in the
		// event log and in the ledger.
		require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.file_event WHERE sha256 = $1 AND outcome = 'duplicate' AND submission_id = $2`, shaOf(data), first.SubmissionID), what)
		require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.ledger WHERE sha256 = $1 AND submission_id = $2`, shaOf(data), first.SubmissionID), what)
	}
	require.Equal(t, events, count(t, b.st, `SELECT count(*) FROM returns.file_event WHERE outcome = 'duplicate'`))

	// The mail and the operator's report say it in words.
	want := "Báo cáo không thay đổi so với lần nộp số 1 ngày 05/10/2025"
	require.Equal(t, events, count(t, b.st, `SELECT count(*) FROM returns.outbox WHERE body_text LIKE '%' || $1 || '%' AND subject LIKE '%Không thay đổi so với lần nộp số 1%'`, want))
	require.Equal(t, events, count(t, b.st, `SELECT count(*) FROM returns.outbox WHERE body_text LIKE '%The return is unchanged from version 1 received on 05/10/2025%'`))

	// The same re-saved bytes once more: a duplicate at once (the ledger),
	// still said to be unchanged content, and recorded once more as an event
	// but never twice in the ledger.
	again := b.judge(t, variants["re-saved, wider column"], "saved-again.xlsx", later)
	require.Equal(t, domain.Duplicate, again.Outcome)
	require.True(t, again.DuplicateOf.Unchanged)
	require.Equal(t, first.SubmissionID, again.SubmissionID)
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.ledger WHERE sha256 = $1`, shaOf(variants["re-saved, wider column"])))
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.submission`))

	// A real change of one value is a new version.
	changed := *r
	changed.Info.TempIn++
	second := b.judge(t, write(t, &changed), r.FileName(), later)
	require.Equal(t, domain.Loaded, second.Outcome, "%+v", second.Issues)
	require.Equal(t, 2, second.Version)
	require.EqualValues(t, 2, versionOnBoard())
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.submission WHERE id = $1 AND status = 'superseded' AND superseded_by = $2`, first.SubmissionID, second.SubmissionID))

	// The first version's values again, in other bytes: compared with the
	// current version (2), they are a change, so version 3.
	var nfd bytes.Buffer
	require.NoError(t, generate.WriteReturn(&nfd, r, generate.WriteOptions{NFD: true}))
	third := b.judge(t, nfd.Bytes(), r.FileName(), later)
	require.Equal(t, domain.Loaded, third.Outcome, "%+v", third.Issues)
	require.Equal(t, 3, third.Version)
	require.EqualValues(t, 3, versionOnBoard())
}

// TestUnchangedConcurrently: two different re-saves of the loaded return
// judged at the same time are both duplicates of it; neither becomes a
// version.
func TestUnchangedConcurrently(t *testing.T) {
	b := setup(t)
	var r *generate.Return
	for _, x := range b.p.Returns {
		if len(x.Admissions) > 0 {
			r = x
			break
		}
	}
	require.NotNil(t, r)
	day1 := time.Date(2025, 10, 5, 9, 0, 0, 0, time.UTC)
	original := write(t, r)
	require.Equal(t, domain.Loaded, b.judge(t, original, r.FileName(), day1).Outcome)
	var inline bytes.Buffer
	require.NoError(t, generate.WriteReturn(&inline, r, generate.WriteOptions{StreamWriter: true}))
	files := [][]byte{inline.Bytes(), resave(t, original)}
	type got struct {
		res *intake.Result
		err error
	}
	out := make(chan got, len(files))
	for _, data := range files {
		go func() {
			res, err := intake.JudgeReader(context.Background(), bytes.NewReader(data), int64(len(data)), shaOf(data), b.set, b.st,
				intake.Options{FileName: "again.xlsx", ReceivedAt: day1.Add(time.Hour),
					Validate: validate.Options{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}})
			out <- got{res, err}
		}()
	}
	for range files {
		g := <-out
		require.NoError(t, g.err)
		require.Equal(t, domain.Duplicate, g.res.Outcome, "%+v", g.res.Issues)
		require.True(t, g.res.DuplicateOf.Unchanged)
	}
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.submission`))
	require.Equal(t, 3, count(t, b.st, `SELECT count(*) FROM returns.ledger`))
	require.Equal(t, 2, count(t, b.st, `SELECT count(*) FROM returns.file_event WHERE outcome = 'duplicate'`))
}
