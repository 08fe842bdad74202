package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
)

func sha(n int) string { return strings.Repeat(fmt.Sprintf("%x", n%16), 64) }

// smallRegistry is a province, a bloc under it and two grassroots
// organisations merged into a third in 2025-Q3.
func smallRegistry() []domain.Org {
	q := func(y, n int) domain.Quarter { return domain.Quarter{Year: y, Q: n} }
	return []domain.Org{
		{Code: "P", Name: "Đảng bộ tỉnh", Type: "DANG_BO_CAP_TREN_CS", ValidFrom: q(2020, 4), ContactEmails: []string{"vp@p.example"}, SourceRow: 3},
		{Code: "P-B", Name: "Đảng bộ Khối", Type: "DANG_BO_CAP_TREN_CS", ParentCode: "P", ValidFrom: q(2020, 4), ContactEmails: []string{"a@b.example", "c@b.example"}, SourceRow: 4},
		{Code: "P-B-1", Name: "Đảng bộ xã Một", Type: "DANG_BO_CO_SO", ParentCode: "P-B", ValidFrom: q(2020, 4), ValidTo: q(2025, 2), SuccessorCode: "P-B-3", ContactEmails: []string{}, SourceRow: 5},
		{Code: "P-B-2", Name: "Đảng bộ xã Hai", Type: "DANG_BO_CO_SO", ParentCode: "P-B", ValidFrom: q(2020, 4), ValidTo: q(2025, 2), SuccessorCode: "P-B-3", ContactEmails: []string{"x@2.example"}, SourceRow: 6},
		{Code: "P-B-3", Name: "Đảng bộ xã Ba", Type: "DANG_BO_CO_SO", ParentCode: "P-B", ValidFrom: q(2025, 3), ContactEmails: []string{"x@3.example"}, SourceRow: 7},
	}
}

func TestRegistryImportAndRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)

	_, _, err := st.CurrentRegistry(ctx)
	require.ErrorIs(t, err, store.ErrNoRegistry)
	versions, err := st.RegistryVersions(ctx)
	require.NoError(t, err)
	require.Empty(t, versions)

	orgs := smallRegistry()
	v1, err := st.ImportRegistry(ctx, store.RegistryMeta{SHA256: sha(1), FileName: "registry.xlsx"}, orgs)
	require.NoError(t, err)
	require.Positive(t, v1)
	got, cur, err := st.CurrentRegistry(ctx)
	require.NoError(t, err)
	require.Equal(t, v1, cur)
	// An empty e-mail list reads back empty, not nil.
	orgs[2].ContactEmails = nil
	got[2].ContactEmails = nil
	require.Equal(t, orgs, got)

	// The same content again: nothing written, the current version named.
	again, err := st.ImportRegistry(ctx, store.RegistryMeta{SHA256: sha(1), FileName: "copy.xlsx"}, orgs)
	require.ErrorIs(t, err, store.ErrRegistryUnchanged)
	require.Equal(t, v1, again)

	// New content: a new, higher version, current from now; the old one kept.
	orgs2 := smallRegistry()[:2]
	v2, err := st.ImportRegistry(ctx, store.RegistryMeta{SHA256: sha(2), FileName: "registry2.xlsx"}, orgs2)
	require.NoError(t, err)
	require.Greater(t, v2, v1)
	got, cur, err = st.CurrentRegistry(ctx)
	require.NoError(t, err)
	require.Equal(t, v2, cur)
	require.Len(t, got, 2)
	old, err := st.RegistryOrgs(ctx, v1)
	require.NoError(t, err)
	require.Len(t, old, 5)

	// Back to the first content: not the current one, so a new version.
	v3, err := st.ImportRegistry(ctx, store.RegistryMeta{SHA256: sha(1), FileName: "registry.xlsx"}, smallRegistry())
	require.NoError(t, err)
	require.Greater(t, v3, v2)

	versions, err = st.RegistryVersions(ctx)
	require.NoError(t, err)
	require.Len(t, versions, 3)
	require.Equal(t, []int64{v3, v2, v1}, []int64{versions[0].ID, versions[1].ID, versions[2].ID})
	require.Equal(t, 2, versions[1].OrgCount)
	require.Equal(t, "registry2.xlsx", versions[1].FileName)
	require.False(t, versions[0].ImportedAt.IsZero())

	// The SQL view of "active in 2025-Q3" the database rules use.
	var active []string
	require.NoError(t, st.DB().Select(&active, `SELECT code FROM returns.org_unit
		WHERE registry_version_id = (SELECT max(id) FROM returns.registry_version)
		  AND valid_from_q <= returns.qidx(2025, 3) AND (valid_to_q IS NULL OR valid_to_q >= returns.qidx(2025, 3))
		ORDER BY code`))
	require.Equal(t, []string{"P", "P-B", "P-B-3"}, active)
}

// TestRegistryImportIsAtomic: a row the database refuses half-way through
// leaves no version and no organisation behind.
func TestRegistryImportIsAtomic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	v1, err := st.ImportRegistry(ctx, store.RegistryMeta{SHA256: sha(1), FileName: "good.xlsx"}, smallRegistry())
	require.NoError(t, err)

	for name, edit := range map[string]func([]domain.Org) []domain.Org{
		"duplicate code": func(o []domain.Org) []domain.Org { o[4].Code = o[3].Code; return o },
		"valid_to before valid_from": func(o []domain.Org) []domain.Org {
			o[4].ValidTo = o[4].ValidFrom.Prev()
			return o
		},
	} {
		_, err := st.ImportRegistry(ctx, store.RegistryMeta{SHA256: sha(2), FileName: "bad.xlsx"}, edit(smallRegistry()))
		require.Error(t, err, name)
		require.NotErrorIs(t, err, store.ErrRegistryUnchanged)
		var n int
		require.NoError(t, st.DB().Get(&n, `SELECT count(*) FROM returns.registry_version`))
		require.Equal(t, 1, n, name)
		require.NoError(t, st.DB().Get(&n, `SELECT count(*) FROM returns.org_unit`))
		require.Equal(t, 5, n, name)
		_, cur, err := st.CurrentRegistry(ctx)
		require.NoError(t, err)
		require.Equal(t, v1, cur, name)
	}

	// A cancelled context: nothing either.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = st.ImportRegistry(cctx, store.RegistryMeta{SHA256: sha(3), FileName: "late.xlsx"}, smallRegistry())
	require.Error(t, err)
	versions, err := st.RegistryVersions(ctx)
	require.NoError(t, err)
	require.Len(t, versions, 1)
}

// TestRegistryConcurrentImportsOfOneContent: two imports of the same new
// content at once make one version; the other says unchanged.
func TestRegistryConcurrentImportsOfOneContent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.ImportRegistry(ctx, store.RegistryMeta{SHA256: sha(7), FileName: "r.xlsx"}, smallRegistry())
		}()
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		if err == nil {
			created++
		} else {
			require.ErrorIs(t, err, store.ErrRegistryUnchanged)
		}
	}
	require.Equal(t, 1, created)
	versions, err := st.RegistryVersions(ctx)
	require.NoError(t, err)
	require.Len(t, versions, 1)
}
