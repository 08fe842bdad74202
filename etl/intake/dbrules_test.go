package intake_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/samples/generate"
)

func rules(res *intake.Result) map[string][]string {
	m := map[string][]string{}
	for _, is := range res.Issues {
		m[is.Rule] = append(m[is.Rule], string(is.Severity)+" "+is.Cell)
	}
	return m
}

// TestProvinceLoadsCleanWithDatabaseRules loads all six quarters of the
// fictional province, oldest first, with its registry: the database rules
// (TH-07, TH-02 across the merger, KN-08, CS-07/CS-03, TH-04) find nothing
// in consistent data.
func TestProvinceLoadsCleanWithDatabaseRules(t *testing.T) {
	t.Parallel()
	b := setupJudge(t)
	seedRegistry(t, b.st, b.p)
	for _, r := range b.p.Returns {
		res := b.judge(t, writeWith(t, r, generate.WriteOptions{}), r.FileName())
		require.Equal(t, domain.Loaded, res.Outcome, "%s: %v", r.FileName(), rules(res))
		require.Empty(t, rules(res), "%s", r.FileName())
	}
	require.Equal(t, len(b.p.Returns), count(t, b.st, `SELECT count(*) FROM reporting.submissions`))
}

// TestDatabaseRulesFire breaks, one at a time, what only the database can
// see, and checks the rule, its severity and the cell it points at.
func TestDatabaseRulesFire(t *testing.T) {
	t.Parallel()
	b := setupJudge(t)
	seedRegistry(t, b.st, b.p)
	// Two consecutive quarters of one organisation with rows everywhere.
	var first, second *generate.Return
	for _, r := range b.p.Returns {
		next := b.p.Return(r.Org.Code, r.Period().Next())
		if next != nil && len(r.Admissions) > 0 && len(next.Admissions) > 0 {
			first, second = r, next
			break
		}
	}
	require.NotNil(t, first)
	res := b.judge(t, writeWith(t, first, generate.WriteOptions{}), first.FileName())
	require.Equal(t, domain.Loaded, res.Outcome, "%v", rules(res))

	t.Run("TH-02 start differs from last quarter's end", func(t *testing.T) {
		r := *second
		r.Info.MembersStartOfficial++
		r.Info.MembersEndOfficial++ // keep the balance (TH-01) true
		res := b.judge(t, writeWith(t, &r, generate.WriteOptions{}), r.FileName())
		require.Equal(t, domain.Rejected, res.Outcome)
		require.Equal(t, "INVALID_DATA", string(res.Reason))
		require.Contains(t, rules(res)["TH-02"], "error C10", "%v", rules(res))
	})
	t.Run("TH-07 unknown organisation and wrong parent", func(t *testing.T) {
		r := *second
		r.Info.ParentCode = "GD-XXX"
		res := b.judge(t, writeWith(t, &r, generate.WriteOptions{}), r.FileName())
		require.Equal(t, domain.Rejected, res.Outcome)
		require.NotEmpty(t, rules(res)["TH-07"], "%v", rules(res))
	})
	t.Run("KN-08 admitted again in a later quarter is a warning", func(t *testing.T) {
		r := *second
		r.Admissions = append([]generate.Admission(nil), second.Admissions...)
		a := first.Admissions[0]
		a.CeremonyDate = r.Admissions[0].CeremonyDate
		a.DecisionDate = r.Admissions[0].DecisionDate
		r.Admissions[0] = a
		res := b.judge(t, writeWith(t, &r, generate.WriteOptions{}), r.FileName())
		require.Equal(t, domain.Loaded, res.Outcome, "%v", rules(res))
		require.Contains(t, rules(res)["KN-08"], "warning A3", "%v", rules(res))
		require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.validation_issue WHERE rule_id = 'KN-08' AND severity = 'warning' AND submission_id = $1`, res.SubmissionID))
	})
	// Each of the two ways a person is recognised finds them on its own.
	for _, tc := range []struct {
		name string
		edit func(a *generate.Admission)
	}{
		{"by citizen ID alone", func(a *generate.Admission) { a.FullName += " Văn" }},
		{"by name and birth date alone", func(a *generate.Admission) { a.CitizenID = "" }},
	} {
		t.Run("KN-08 "+tc.name, func(t *testing.T) {
			require.NotEmpty(t, first.Admissions[0].CitizenID, "the sample's first admission has a citizen ID")
			r := *second
			r.Admissions = append([]generate.Admission(nil), second.Admissions...)
			a := first.Admissions[0]
			a.CeremonyDate = r.Admissions[0].CeremonyDate
			a.DecisionDate = r.Admissions[0].DecisionDate
			tc.edit(&a)
			r.Admissions[0] = a
			// A different content from the subtest above: a correction of the
			// same quarter, which supersedes it.
			res := b.judge(t, writeWith(t, &r, generate.WriteOptions{}), r.FileName())
			require.Equal(t, domain.Loaded, res.Outcome, "%v", rules(res))
			require.Contains(t, rules(res)["KN-08"], "warning A3", "%v", rules(res))
		})
	}
}

// TestNoRegistryIsAWarning: with no registry loaded returns still load, and
// say the organisation could not be checked.
func TestNoRegistryIsAWarning(t *testing.T) {
	t.Parallel()
	b := setupJudge(t)
	r := rich(t, b.p)
	res := b.judge(t, writeWith(t, r, generate.WriteOptions{}), r.FileName())
	require.Equal(t, domain.Loaded, res.Outcome)
	require.Equal(t, []string{"warning C2"}, rules(res)["TH-07R"])
	_ = context.Background()
}

// TestUnmatchedTransferFlagged: once the counterpart has reported the
// quarter in which a letter was due and has no matching letter, the letter
// is flagged (CS-07).
func TestUnmatchedTransferFlagged(t *testing.T) {
	t.Parallel()
	b := setupJudge(t)
	seedRegistry(t, b.st, b.p)
	var from *generate.Return
	var ti int
	for _, r := range b.p.Returns {
		for i, tr := range r.Transfers {
			if tr.Direction == "DI" && tr.CounterpartOrgCode != "" && b.p.Return(tr.CounterpartOrgCode, r.Period()) != nil &&
				r.Period().Contains(tr.EventDate.AddDate(0, 0, 30)) {
				from, ti = r, i
			}
		}
		if from != nil {
			break
		}
	}
	require.NotNil(t, from, "an in-province transfer due within its quarter")
	to := b.p.Return(from.Transfers[ti].CounterpartOrgCode, from.Period())
	res := b.judge(t, writeWith(t, to, generate.WriteOptions{}), to.FileName())
	require.Equal(t, domain.Loaded, res.Outcome, "%v", rules(res))

	// The same letter, but the person's identifiers no longer match the
	// other side's: it is unmatched.
	r := *from
	r.Transfers = append([]generate.Transfer(nil), from.Transfers...)
	r.Transfers[ti].CardNo = "99999999"
	r.Transfers[ti].ProfileNo = ""
	r.Transfers[ti].FullName = "Người Khác Hẳn"
	res = b.judge(t, writeWith(t, &r, generate.WriteOptions{}), r.FileName())
	require.Equal(t, domain.Loaded, res.Outcome, "warnings do not reject: %v", rules(res))
	require.NotEmpty(t, rules(res)["CS-07"], "%v", rules(res))

	// The original letter matches.
	var clean generate.Return = *from
	clean.Info.PreparedOn = clean.Info.PreparedOn.AddDate(0, 0, 1) // other content, same data
	res = b.judge(t, writeWith(t, &clean, generate.WriteOptions{}), clean.FileName())
	require.Equal(t, domain.Loaded, res.Outcome)
	require.Empty(t, rules(res)["CS-07"], "%v", rules(res))
}
