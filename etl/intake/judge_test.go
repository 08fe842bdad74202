package intake_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/samples/generate"
)

// judgeBundle is what the tests of one file judged alone need: the
// schemas, a migrated store with no registry, a fictional province.
type judgeBundle struct {
	set *schema.Set
	st  *store.Store
	p   *generate.Province
}

func setupJudge(t *testing.T) *judgeBundle {
	t.Helper()
	set := sharedtest.Schemas(t)
	st := storetest.New(t)
	require.NoError(t, st.CheckColumns(context.Background(), intake.StoreTemplate(set.Templates["BCQ-1"])))
	return &judgeBundle{set: set, st: st, p: generate.Generate(1)}
}

// judge is judgeBytes, which must not fail.
func (b *judgeBundle) judge(t *testing.T, data []byte, name string) *intake.Result {
	t.Helper()
	res, err := judgeBytes(context.Background(), b.set, b.st, data, name)
	require.NoError(t, err)
	return res
}

func writeWith(t *testing.T, r *generate.Return, opts generate.WriteOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, generate.WriteReturn(&buf, r, opts))
	return buf.Bytes()
}

func rich(t *testing.T, p *generate.Province) *generate.Return {
	t.Helper()
	for _, r := range p.Returns {
		if len(r.Admissions) > 0 && len(r.Transfers) > 0 && len(r.Supervisions) > 0 && len(r.Disciplines) > 0 {
			return r
		}
	}
	t.Fatal("no rich return")
	return nil
}

// TestLoadDuplicateSupersede walks one organisation's quarter through a
// load, the same content again, and a corrected version.
func TestLoadDuplicateSupersede(t *testing.T) {
	t.Parallel()
	b := setupJudge(t)
	r := rich(t, b.p)
	data := writeWith(t, r, generate.WriteOptions{})

	res := b.judge(t, data, r.FileName())
	require.Equal(t, domain.Loaded, res.Outcome, "%+v", res.Issues)
	require.Equal(t, 1, res.Version)
	sub := res.SubmissionID
	require.Equal(t, len(r.Admissions), count(t, b.st, `SELECT count(*) FROM reporting.admissions WHERE submission_id = $1`, sub))
	require.Equal(t, len(r.Transfers), count(t, b.st, `SELECT count(*) FROM reporting.transfers WHERE submission_id = $1`, sub))
	require.Equal(t, len(r.Supervisions), count(t, b.st, `SELECT count(*) FROM reporting.supervisions WHERE submission_id = $1`, sub))
	require.Equal(t, len(r.Disciplines), count(t, b.st, `SELECT count(*) FROM reporting.disciplines WHERE submission_id = $1`, sub))
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM reporting.summaries WHERE submission_id = $1 AND members_end_official = $2`, sub, r.Info.MembersEndOfficial))
	// Every row is traceable to its cell: sheet and source row from 3 on.
	require.Equal(t, 0, count(t, b.st, `SELECT count(*) FROM reporting.admissions WHERE source_sheet <> 'KetNap' OR source_row < 3`))

	// The same content again is a duplicate and loads nothing.
	dup := b.judge(t, data, "renamed.xlsx")
	require.Equal(t, domain.Duplicate, dup.Outcome)
	require.Equal(t, sub, dup.SubmissionID)
	require.Contains(t, dup.DuplicateOf.Error(), "duplicate of submission")
	require.Equal(t, len(r.Admissions), count(t, b.st, `SELECT count(*) FROM returns.admission`))
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.file_event WHERE outcome = 'duplicate'`))

	// The same values in other bytes (dates as text) are unchanged
	// content: a duplicate too, no new version.
	resaved := b.judge(t, writeWith(t, r, generate.WriteOptions{DatesAsText: true}), r.FileName())
	require.Equal(t, domain.Duplicate, resaved.Outcome, "%+v", resaved.Issues)
	require.True(t, resaved.DuplicateOf.Unchanged)
	require.Equal(t, sub, resaved.SubmissionID)
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.submission`))

	// A corrected return (a value changed) supersedes the first one;
	// history is kept.
	fixed := *r
	fixed.Info.TempIn++
	corrected := writeWith(t, &fixed, generate.WriteOptions{DatesAsText: true})
	res2 := b.judge(t, corrected, r.FileName())
	require.Equal(t, domain.Loaded, res2.Outcome, "%+v", res2.Issues)
	require.Equal(t, 2, res2.Version)
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM reporting.submissions WHERE org_code = $1`, r.Org.Code))
	require.Equal(t, 2, count(t, b.st, `SELECT count(*) FROM returns.submission WHERE org_code = $1`, r.Org.Code))
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.submission WHERE id = $1 AND status = 'superseded' AND superseded_by = $2`, sub, res2.SubmissionID))
	require.Equal(t, len(r.Admissions), count(t, b.st, `SELECT count(*) FROM reporting.admissions`))
}

// TestRejectedFileLoadsNothing checks that a file rejected for its data
// leaves no row behind, only its event and issues.
func TestRejectedFileLoadsNothing(t *testing.T) {
	t.Parallel()
	b := setupJudge(t)
	r := *rich(t, b.p)
	r.Info.MembersEndOfficial++ // the balance no longer adds up (TH-01)
	res := b.judge(t, writeWith(t, &r, generate.WriteOptions{}), r.FileName())
	require.Equal(t, domain.Rejected, res.Outcome)
	for _, table := range []string{"submission", "summary", "admission", "transfer", "supervision", "discipline", "ledger"} {
		require.Zero(t, count(t, b.st, `SELECT count(*) FROM returns.`+table), table)
	}
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.file_event WHERE outcome = 'rejected' AND reason = 'INVALID_DATA'`))
	require.Positive(t, count(t, b.st, `SELECT count(*) FROM returns.validation_issue WHERE rule_id = 'TH-01'`))
}

// TestLoaderCannotAlter checks the loader role's limits.
func TestLoaderCannotAlter(t *testing.T) {
	t.Parallel()
	b := setupJudge(t)
	db := b.st.DB()
	for _, q := range []string{
		`DROP TABLE returns.admission`,
		`ALTER TABLE returns.admission ADD COLUMN x int`,
		`TRUNCATE returns.admission`,
		`DELETE FROM returns.ledger`,
		`CREATE TABLE returns.x (id int)`,
	} {
		tx, err := db.Beginx()
		require.NoError(t, err)
		_, err = tx.Exec(`SET LOCAL ROLE returns_loader`)
		require.NoError(t, err)
		_, err = tx.Exec(q)
		require.Error(t, err, q)
		require.Regexp(t, `must be owner|permission denied`, err.Error(), q)
		require.NoError(t, tx.Rollback())
	}
}

// TestReaderRoleReadsReportingOnly checks the read-only role: the stable
// views answer, everything else is refused.
func TestReaderRoleReadsReportingOnly(t *testing.T) {
	t.Parallel()
	b := setupJudge(t)
	r := rich(t, b.p)
	require.Equal(t, domain.Loaded, b.judge(t, writeWith(t, r, generate.WriteOptions{}), r.FileName()).Outcome)
	db := b.st.DB()
	as := func(q string) error {
		tx, err := db.Beginx()
		require.NoError(t, err)
		defer tx.Rollback()
		_, err = tx.Exec(`SET LOCAL ROLE returns_reader`)
		require.NoError(t, err)
		_, err = tx.Exec(q)
		return err
	}
	for _, v := range []string{"submissions", "summaries", "admissions", "transfers", "supervisions", "disciplines", "unmatched_transfers"} {
		require.NoError(t, as(`SELECT * FROM reporting.`+v), v)
	}
	for _, q := range []string{
		`SELECT * FROM returns.admission`,
		`SELECT * FROM returns.ledger`,
		`INSERT INTO returns.ledger (sha256, submission_id) VALUES (repeat('a', 64), 1)`,
		`DELETE FROM returns.submission`,
		`UPDATE returns.submission SET status = 'superseded'`,
		`CREATE TABLE reporting.x (id int)`,
		`CREATE VIEW reporting.y AS SELECT 1`,
		`DROP VIEW reporting.admissions`,
		`TRUNCATE returns.summary`,
		`COPY returns.admission TO STDOUT`,
		`SELECT * FROM pg_read_file('/etc/passwd')`,
	} {
		err := as(q)
		require.Error(t, err, q)
		require.Regexp(t, `permission denied|must be owner`, err.Error(), q)
	}
}
