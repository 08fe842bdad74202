package digestjob_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/recipients"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/etl/validate"
)

// ict is the users' zone, UTC+7: what the configuration's time_zone
// (Asia/Ho_Chi_Minh) comes to.
var ict = time.FixedZone("ICT", 7*3600)

// calendar is o with the configuration's reporting calendar, as `returns
// serve` passes it: deadline_days 10, time_zone Vietnam's.
func calendar(o digestjob.Options) digestjob.Options {
	o.DeadlineDays, o.Zone = 10, ict
	return o
}

// importLists starts a fresh database with the registry workbook at
// registryPath and the recipients workbook at recipientsPath imported, as
// `returns registry import` and `returns recipients import` do.
func importLists(t testing.TB, registryPath, recipientsPath string) (*store.Store, *schema.Set) {
	t.Helper()
	ctx := context.Background()
	set := sharedtest.Schemas(t)
	st := storetest.New(t)
	reg, res, err := registry.ReadFile(ctx, registryPath, set)
	require.NoError(t, err)
	require.Equal(t, validate.Accepted, res.Status, "%v", res.Issues)
	_, err = st.ImportRegistry(ctx, store.RegistryMeta{SHA256: res.SHA256, FileName: "registry.xlsx"}, reg.Orgs)
	require.NoError(t, err)
	l, res, err := recipients.ReadFile(ctx, recipientsPath, set, func(code string) bool { return reg.Org(code) != nil })
	require.NoError(t, err)
	require.Equal(t, validate.Accepted, res.Status, "%v", res.Issues)
	var rs []store.Recipient
	for _, r := range l.Recipients {
		rs = append(rs, store.Recipient{Email: r.Email, Name: r.Name, ScopeOrgCode: r.ScopeOrgCode, Language: r.Language, Active: r.Active, SourceRow: r.SourceRow})
	}
	_, err = st.ImportRecipients(ctx, store.RecipientsMeta{SHA256: res.SHA256, FileName: "recipients.xlsx"}, rs)
	require.NoError(t, err)
	return st, set
}
