package digestjob_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/store"
)

// TestEmptyScopeDoesNotStopOthers: a recipient whose scope has no return
// at all gets a digest that says so, and every other recipient still gets
// theirs (issue 10: `digest` used to exit with "chart: no quarters" for
// every later recipient).
func TestEmptyScopeDoesNotStopOthers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := loadProvince(t)
	orgs, _, err := st.CurrentRegistry(ctx)
	require.NoError(t, err)
	last := 0
	for _, o := range orgs {
		last = max(last, o.SourceRow)
	}
	orgs = append(orgs, domain.Org{Code: "GD-TRONG", Name: "Đảng bộ Khối Trống", Type: "DANG_BO_CAP_TREN_CS", ParentCode: "GD",
		ValidFrom: domain.Quarter{Year: 2024, Q: 1}, SourceRow: last + 1})
	_, err = st.ImportRegistry(ctx, store.RegistryMeta{SHA256: "empty-scope-registry", FileName: "registry.xlsx"}, orgs)
	require.NoError(t, err)
	list, _, err := st.CurrentRecipients(ctx)
	require.NoError(t, err)
	active := 0
	for i := range list {
		list[i].SourceRow++
		if list[i].Active {
			active++
		}
	}
	// The empty scope comes first, before every other recipient.
	list = append([]store.Recipient{{Email: "empty@gd.example", Name: "Trống", ScopeOrgCode: "GD-TRONG", Language: "vi", Active: true, SourceRow: 1}}, list...)
	_, err = st.ImportRecipients(ctx, store.RecipientsMeta{SHA256: "empty-scope-recipients", FileName: "recipients.xlsx"}, list)
	require.NoError(t, err)

	q := domain.Quarter{Year: 2025, Q: 3}
	d, err := digestjob.Build(ctx, st, q, list[0], calendar(digestjob.Options{}))
	require.NoError(t, err)
	require.True(t, d.Digest.Empty)
	require.Contains(t, d.Rendered.Text, "Phạm vi này chưa có báo cáo nào được chấp nhận cho Quý III/2025")
	require.NotContains(t, d.Rendered.Text, "1970")

	dirs, err := digestjob.Preview(ctx, st, q, t.TempDir(), calendar(digestjob.Options{}))
	require.NoError(t, err)
	require.Len(t, dirs, active+1)
	rep, err := digestjob.Send(ctx, st, q, calendar(digestjob.Options{}))
	require.NoError(t, err)
	require.Equal(t, digestjob.Report{Queued: active + 1}, rep)
}
