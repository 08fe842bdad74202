package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
)

// TestCommitStoresIssues checks that a loaded file's issues are stored
// with its submission and event, all fields and in order, whether Commit
// sends them in its one statement (few) or copies them after it (many).
func TestCommitStoresIssues(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	tmpl := &store.Template{ID: "t", Sheets: []store.Sheet{{Name: "ThongTin", Table: "summary", Summary: true,
		Columns: []string{"org_code", "year", "quarter", "template_version"}}}}
	for i, copied := range []bool{false, true} {
		if copied {
			defer store.SetMaxInlineIssues(2)()
		}
		var issues []store.Issue
		for j := range 5 {
			issues = append(issues, store.Issue{Sheet: "KetNap", Cell: fmt.Sprintf("B%d", j), Row: j, Field: "f", Rule: "R-01",
				Severity: "warning", Value: fmt.Sprintf("v%d", j), MessageVI: "Cảnh báo", MessageEN: "Warning"})
		}
		l, err := st.BeginLoad(ctx, tmpl, store.FileMeta{SHA256: fmt.Sprintf("%064d", i), FileName: "a.xlsx", ReceivedAt: time.Now()})
		require.NoError(t, err)
		require.NoError(t, l.Record(ctx, "ThongTin", 2, []any{fmt.Sprintf("ORG%d", i), int64(2025), int64(3), "1"}))
		sub, err := l.Commit(ctx, store.Outcome{Warnings: len(issues), Issues: issues})
		require.NoError(t, err)
		var got []struct {
			Sub, Event                                        int64
			Sheet, Cell, Field, Rule, Severity, Value, VI, EN string
			Row                                               sql.NullInt64
		}
		require.NoError(t, st.DB().Select(&got, `SELECT i.submission_id AS sub, i.file_event_id AS event, sheet, cell, field,
			rule_id AS rule, severity, value, message_vi AS vi, message_en AS en, source_row AS row
			FROM returns.validation_issue i JOIN returns.file_event e ON e.id = i.file_event_id
			WHERE i.submission_id = $1 AND e.submission_id = $1 ORDER BY i.id`, sub))
		require.Len(t, got, len(issues), "copied: %v", copied)
		for j, g := range got {
			is := issues[j]
			require.Equal(t, []string{is.Sheet, is.Cell, is.Field, is.Rule, is.Severity, is.Value, is.MessageVI, is.MessageEN},
				[]string{g.Sheet, g.Cell, g.Field, g.Rule, g.Severity, g.Value, g.VI, g.EN})
			require.Equal(t, sql.NullInt64{Int64: int64(j), Valid: j > 0}, g.Row)
		}
	}
}
