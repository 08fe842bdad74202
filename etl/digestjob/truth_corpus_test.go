package digestjob_test

// The corpus of the independent recomputation (truth_test.go): the sample
// province (samples/province, samples/registry.xlsx, samples/recipients.xlsx)
// plus, written at test time into a temporary folder:
//
//   - a registry with one more committee above grassroots (GD-KMO) whose only
//     grassroots unit starts in 2025-Q2 and never reports, and a recipient
//     for it: a scope without data;
//   - a late return in each digested quarter (received after the deadline);
//   - a correction in each digested quarter: a second version of a return
//     with one admission fewer, which supersedes the first (the first was on
//     time: on time is judged by the first receipt);
//   - the base year 2024 has no Q1 (the samples start at 2024-Q2), and the
//     2025 merger (GD-HSG-001 and GD-HSG-002 into GD-HSG-007) is in the
//     samples.
//
// Everything is loaded through the real path: registry import, recipients
// import and ingest into a throwaway PostgreSQL (storetest).

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/recipients"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/samples/generate"
)

// Codes the corpus adds or changes.
const (
	truthEmptyScope     = "GD-KMO"     // a committee whose scope has no data
	truthEmptyUnit      = "GD-KMO-001" // its only unit, from 2025-Q2, never reports
	truthEmptyRecipient = "bithu@gd-kmo.example"
)

// truthFile is one workbook of the corpus, in load order, with when it was received.
type truthFile struct {
	path     string
	received time.Time
	// rejected files must be rejected (the others loaded).
	rejected bool
	// afterDigest files are loaded after the 2025-Q2 digests were sent:
	// the next digest restates their quarter when a figure changed.
	afterDigest bool
	// loadedFrom and loadedTo bracket when it was loaded (the cut-off).
	loadedFrom, loadedTo time.Time
	reason               string // the reason code of a rejected file
	// warnings the validator found (data quality: the digest counts them);
	// filled by loadTruthCorpus.
	warnings int
}

// truthCorpus is where the corpus was written and the order it is loaded in.
type truthCorpus struct {
	registryPath, recipientsPath string
	files                        []truthFile
	// digestSent is when the 2025-Q2 digests were queued (after every
	// file but the afterDigest ones was loaded).
	digestSent time.Time
}

// quarterEndUTC is the first instant after quarter (y, q) in UTC+7 (the
// deadline is reckoned from it in Vietnam's zone), computed here without
// the digest package.
func quarterEndICT(y, q int) time.Time {
	return time.Date(y, time.Month(3*q+1), 1, 0, 0, 0, 0, ict)
}

// corrected is the return of code for (y, q) with its last first-time
// admission removed: one KetNap row, one admitted and one probationary
// member at the end fewer, the balance kept.
func corrected(t testing.TB, p *generate.Province, code string, y, q int) *generate.Return {
	t.Helper()
	r := p.Return(code, generate.Quarter{Year: y, Q: q})
	require.NotNil(t, r, "%s %d-Q%d", code, y, q)
	c := *r
	c.Admissions = append([]generate.Admission(nil), r.Admissions...)
	for i := len(c.Admissions) - 1; i >= 0; i-- {
		if !c.Admissions[i].IsReadmission {
			c.Admissions = append(c.Admissions[:i], c.Admissions[i+1:]...)
			c.Info.Admitted--
			c.Info.MembersEndProbationary--
			c.Info.Phone = "0900 000 002"
			return &c
		}
	}
	t.Fatalf("%s %d-Q%d has no first-time admission to correct", code, y, q)
	return nil
}

// Organisations whose returns the corpus makes late or corrects.
var (
	truthLate = map[[3]string]int{ // org, year, quarter → days after the quarter's end
		{"GD-TPG-003", "2025", "3"}: 25,
		{"GD-KCQ-002", "2025", "2"}: 18,
	}
	truthCorrections = []struct {
		org  string
		y, q int
	}{{"GD-KDN-002", 2025, 3}, {"GD-KCQ-006", 2025, 2}}
)

// writeTruthCorpus writes the registry, the recipients and the extra
// returns into dir and lists every return in load order.
func writeTruthCorpus(t testing.TB, dir string) truthCorpus {
	t.Helper()
	ctx := context.Background()
	set := sharedtest.Schemas(t)
	c := truthCorpus{registryPath: filepath.Join(dir, "registry.xlsx"), recipientsPath: filepath.Join(dir, "recipients.xlsx")}

	reg, res, err := registry.ReadFile(ctx, filepath.Join(samples, "registry.xlsx"), set)
	require.NoError(t, err)
	require.Equal(t, validate.Accepted, res.Status)
	reg.Orgs = append(reg.Orgs,
		domain.Org{Code: truthEmptyScope, Name: "Đảng bộ Khối mới thành lập", Type: generate.OrgTypeDangBoCapTren, ParentCode: "GD",
			ValidFrom: domain.Quarter{Year: 2024, Q: 1}, ContactEmails: []string{"vanphong@gd-kmo.example"}},
		domain.Org{Code: truthEmptyUnit, Name: "Chi bộ Trung tâm Dữ liệu tỉnh", Type: generate.OrgTypeChiBoCoSo, ParentCode: truthEmptyScope,
			ValidFrom: domain.Quarter{Year: 2025, Q: 2}, ContactEmails: []string{"chibo@gd-kmo-001.example"}})
	var buf bytes.Buffer
	require.NoError(t, registry.Write(&buf, set, reg))
	require.NoError(t, os.WriteFile(c.registryPath, buf.Bytes(), 0o644))

	l, res, err := recipients.ReadFile(ctx, filepath.Join(samples, "recipients.xlsx"), set, nil)
	require.NoError(t, err)
	require.Equal(t, validate.Accepted, res.Status)
	l.Recipients = append(l.Recipients, recipients.Recipient{Email: truthEmptyRecipient, Name: "Bí thư Đảng ủy Khối mới",
		ScopeOrgCode: truthEmptyScope, Language: "vi", Active: true})
	buf.Reset()
	require.NoError(t, recipients.Write(&buf, set, l))
	require.NoError(t, os.WriteFile(c.recipientsPath, buf.Bytes(), 0o644))

	for _, sq := range provinceSamples(t) {
		for _, f := range sq.files {
			days := 5
			for k, v := range truthLate {
				if filepath.Base(f) == "BCQ_"+k[0]+"_"+k[1]+"Q"+k[2]+".xlsx" {
					days = v
				}
			}
			c.files = append(c.files, truthFile{path: f, received: quarterEndICT(sq.year, sq.q).AddDate(0, 0, days)})
		}
	}
	p := generate.Generate(1)
	for i, k := range truthCorrections {
		r := corrected(t, p, k.org, k.y, k.q)
		path := filepath.Join(dir, "v2_"+r.FileName())
		var b bytes.Buffer
		require.NoError(t, generate.WriteReturn(&b, r, generate.WriteOptions{}))
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
		c.files = append(c.files, truthFile{path: path, received: quarterEndICT(k.y, k.q).AddDate(0, 0, 30+i), afterDigest: true})
	}
	// A 2025-Q3 return corrected to drop an official transfer in from an
	// organisation of the province: the letter of the other side (a DI)
	// is left without its DEN, an unmatched letter (CS-07).
	func() {
		for _, r := range p.ReturnsIn(generate.Quarter{Year: 2025, Q: 3}) {
			for i, tr := range r.Transfers {
				if tr.Direction != "DEN" || tr.TransferType != "CHINH_THUC" || tr.CounterpartOrgCode == "" || tr.MemberStatus != "CT" {
					continue
				}
				u := *r
				u.Transfers = append(append([]generate.Transfer(nil), r.Transfers[:i]...), r.Transfers[i+1:]...)
				u.Info.TransferInOfficial--
				u.Info.MembersEndOfficial--
				path := filepath.Join(dir, "v2u_"+u.FileName())
				var b bytes.Buffer
				require.NoError(t, generate.WriteReturn(&b, &u, generate.WriteOptions{}))
				require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
				c.files = append(c.files, truthFile{path: path, received: quarterEndICT(2025, 3).AddDate(0, 0, 33), afterDigest: true})
				return
			}
		}
		t.Fatal("no 2025-Q3 return has an official transfer in from the province")
	}()
	// A return sent again with a new phone number only: a new version, no
	// figure changed, so no restatement.
	phone := *p.Return("GD-TPG-001", generate.Quarter{Year: 2025, Q: 2})
	phone.Info.Phone = "0900 000 003"
	path := filepath.Join(dir, "v2_"+phone.FileName())
	var pb bytes.Buffer
	require.NoError(t, generate.WriteReturn(&pb, &phone, generate.WriteOptions{}))
	require.NoError(t, os.WriteFile(path, pb.Bytes(), 0o644))
	c.files = append(c.files, truthFile{path: path, received: quarterEndICT(2025, 2).AddDate(0, 0, 40), afterDigest: true})
	// A return of the empty scope's unit that must be rejected: it names
	// the wrong committee above it.
	r := *p.Return("GD-KCQ-004", generate.Quarter{Year: 2025, Q: 3})
	r.Info.OrgCode, r.Info.OrgName, r.Info.ParentCode = truthEmptyUnit, "Chi bộ Trung tâm Dữ liệu tỉnh", "GD-KCQ"
	path = filepath.Join(dir, "BCQ_"+truthEmptyUnit+"_2025Q3.xlsx")
	var b bytes.Buffer
	require.NoError(t, generate.WriteReturn(&b, &r, generate.WriteOptions{}))
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	c.files = append(c.files, truthFile{path: path, received: quarterEndICT(2025, 3).AddDate(0, 0, 3), rejected: true})
	return c
}

// loadTruthCorpus loads the corpus through the real path into a fresh database.
func loadTruthCorpus(t testing.TB, c *truthCorpus) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, set := importLists(t, c.registryPath, c.recipientsPath)
	load := func(f *truthFile) {
		at := f.received
		f.loadedFrom = time.Now()
		r, err := intake.JudgeFile(ctx, f.path, set, st, intake.Options{ReceivedAt: at, FileName: filepath.Base(f.path),
			Validate: validate.Options{Now: func() time.Time { return at }}})
		require.NoError(t, err)
		f.loadedTo = time.Now()
		if f.rejected {
			require.Equal(t, domain.Rejected, r.Outcome, "%s", f.path)
			f.reason = string(r.Reason)
			return
		}
		require.Equal(t, domain.Loaded, r.Outcome, "%s: %v", f.path, r.Issues)
		f.warnings = r.Warnings
	}
	// Load order: every file but the afterDigest ones, the 2025-Q2 digests
	// queued, then the afterDigest files.
	sort.SliceStable(c.files, func(i, j int) bool { return !c.files[i].afterDigest && c.files[j].afterDigest })
	for i := range c.files {
		if !c.files[i].afterDigest {
			load(&c.files[i])
		}
	}
	_, err := digestjob.Send(ctx, st, domain.Quarter{Year: 2025, Q: 2}, calendar(digestjob.Options{}))
	require.NoError(t, err)
	c.digestSent = time.Now()
	for i := range c.files {
		if c.files[i].afterDigest {
			load(&c.files[i])
		}
	}
	return st
}
