package inbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/annotate"
	"golang.org/x/text/unicode/norm"
)

// stageOne drops rel with content, waits until it is ready and stages it.
func (b *testBundle) stageOne(t *testing.T, rel string, content []byte) *Staged {
	t.Helper()
	b.write(t, rel, content)
	ready, _ := b.settle(t, 2)
	for _, r := range ready {
		if r.Rel == rel {
			st, err := b.ib.Stage(t.Context(), r)
			require.NoError(t, err)
			return st
		}
	}
	t.Fatalf("%s never ready", rel)
	return nil
}

func TestArchiveMovesOriginal(t *testing.T) {
	t.Parallel()
	b := setup(t)
	st := b.stageOne(t, "GD-KCQ-001/BCQ_2025Q3.xlsx", []byte("workbook"))

	dest, err := b.ib.Archive(t.Context(), st, 2025, 3, "GD-KCQ-001")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(b.state, "archive", "2025-Q3", "GD-KCQ-001", "BCQ_2025Q3.xlsx"), dest)
	got, err := os.ReadFile(dest)
	require.NoError(t, err)
	require.Equal(t, "workbook", string(got))
	fi, err := os.Stat(dest)
	require.NoError(t, err)
	require.Equal(t, st.Ino, fingerprintOf(fi).ino, "the original itself was moved, not a copy")

	_, err = os.Stat(filepath.Join(b.inbox, "GD-KCQ-001/BCQ_2025Q3.xlsx"))
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = os.Stat(st.Path)
	require.ErrorIs(t, err, os.ErrNotExist, "the staging copy is dropped")
	r, q := b.settle(t, 3)
	require.Empty(t, r)
	require.Empty(t, q)
	b.requireNoNames(t, "BCQ_2025Q3", "GD-KCQ-001")
}

func TestArchiveNameCollisionNeverOverwrites(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first := b.stageOne(t, "a/BCQ.xlsx", []byte("first"))
	second := b.stageOne(t, "b/BCQ.xlsx", []byte("second"))

	d1, err := b.ib.Archive(t.Context(), first, 2025, 3, "GD-001")
	require.NoError(t, err)
	d2, err := b.ib.Archive(t.Context(), second, 2025, 3, "GD-001")
	require.NoError(t, err)
	require.Equal(t, "BCQ.xlsx", filepath.Base(d1))
	require.Equal(t, "BCQ-"+second.SHA256[:8]+".xlsx", filepath.Base(d2))

	// The same content under the same name again: the hash suffix is taken
	// too, so a counter follows.
	third := b.stageOne(t, "c/BCQ.xlsx", []byte("second"))
	d3, err := b.ib.Archive(t.Context(), third, 2025, 3, "GD-001")
	require.NoError(t, err)
	require.Equal(t, "BCQ-"+second.SHA256[:8]+"-2.xlsx", filepath.Base(d3))

	for d, want := range map[string]string{d1: "first", d2: "second", d3: "second"} {
		got, err := os.ReadFile(d)
		require.NoError(t, err)
		require.Equal(t, want, string(got))
	}
}

func TestArchiveLongNameAndHostileOrg(t *testing.T) {
	t.Parallel()
	b := setup(t)
	long := strings.Repeat("ễ", 83) + "a.xlsx"
	st := b.stageOne(t, long, []byte("long"))
	dest, err := b.ib.Archive(t.Context(), st, 2025, 4, "../../../etc")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(dest, filepath.Join(b.state, "archive", "2025-Q4")+"/"), dest)
	require.LessOrEqual(t, len(filepath.Base(dest)), maxBase)
	require.Equal(t, ".xlsx", filepath.Ext(dest))

	st2 := b.stageOne(t, "x.xlsx", []byte("x"))
	for _, bad := range []struct {
		y, q int
		org  string
	}{{2025, 0, "GD"}, {2025, 5, "GD"}, {99, 1, "GD"}, {2025, 1, ""}, {2025, 1, "/"}} {
		_, err := b.ib.Archive(t.Context(), st2, bad.y, bad.q, bad.org)
		require.Error(t, err, "%+v", bad)
	}
	_, err = os.Stat(filepath.Join(b.inbox, "x.xlsx"))
	require.NoError(t, err, "a refused archive moves nothing")
}

// The operator replaces the file after it was staged: the new file stays in
// the inbox for the next scan, the staging copy is dropped, nothing is
// archived.
func TestArchiveReplacedInTheMeantime(t *testing.T) {
	t.Parallel()
	b := setup(t)
	st := b.stageOne(t, "BCQ.xlsx", []byte("version 1"))

	tmp := filepath.Join(b.inbox, "BCQ.xlsx.part")
	require.NoError(t, os.WriteFile(tmp, []byte("version 2, corrected"), 0o640))
	require.NoError(t, os.Rename(tmp, filepath.Join(b.inbox, "BCQ.xlsx")))

	_, err := b.ib.Archive(t.Context(), st, 2025, 3, "GD-001")
	require.ErrorIs(t, err, ErrChanged)
	got, err := os.ReadFile(filepath.Join(b.inbox, "BCQ.xlsx"))
	require.NoError(t, err)
	require.Equal(t, "version 2, corrected", string(got))
	_, err = os.Stat(st.Path)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.Empty(t, b.dirNames(t, "archive"))

	ready, _ := b.settle(t, 3)
	require.Len(t, ready, 1, "the new version is offered once")
	require.Equal(t, int64(len("version 2, corrected")), ready[0].Size)

	// The same for Reject, with an edit in place (same inode, new size).
	st2, err := b.ib.Stage(t.Context(), ready[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(b.inbox, "BCQ.xlsx"), []byte("version 3"), 0o640))
	_, err = b.ib.Reject(t.Context(), st2, map[string][]byte{"loi.txt": []byte("x")})
	require.ErrorIs(t, err, ErrChanged)
	require.Empty(t, b.dirNames(t, "rejected"), "no report left for a file that was not rejected")
}

func TestRejectWritesReportsBeside(t *testing.T) {
	t.Parallel()
	b := setup(t)
	st := b.stageOne(t, "org/BCQ sai.xlsx", []byte("bad workbook"))
	reports := map[string][]byte{
		"loi.txt":        []byte("Lỗi: ô C5 ..."),
		"json":           []byte(`{"status":"rejected"}`),
		"annotated.xlsx": []byte("annotated"),
	}
	dest, err := b.ib.Reject(t.Context(), st, reports)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(b.state, "rejected", "BCQ sai.xlsx"), dest)
	got, err := os.ReadFile(dest)
	require.NoError(t, err)
	require.Equal(t, "bad workbook", string(got))
	for k, v := range reports {
		got, err := os.ReadFile(ReportName(dest, k))
		require.NoError(t, err)
		require.Equal(t, v, got)
	}
	require.Len(t, b.dirNames(t, "rejected"), 4, "no temp file left")
	_, err = os.Stat(st.Path)
	require.ErrorIs(t, err, os.ErrNotExist)

	// Same name again: the workbook and all its reports take the suffix.
	st2 := b.stageOne(t, "BCQ sai.xlsx", []byte("bad again"))
	dest2, err := b.ib.Reject(t.Context(), st2, reports)
	require.NoError(t, err)
	require.Equal(t, "BCQ sai-"+st2.SHA256[:8]+".xlsx", filepath.Base(dest2))
	_, err = os.Stat(strings.TrimSuffix(dest2, ".xlsx") + ".loi.txt")
	require.NoError(t, err)
	got, err = os.ReadFile(strings.TrimSuffix(dest, ".xlsx") + ".loi.txt")
	require.NoError(t, err)
	require.Equal(t, reports["loi.txt"], got, "the first report is not overwritten")
}

func TestRejectRefusesBadReportKeys(t *testing.T) {
	t.Parallel()
	b := setup(t)
	st := b.stageOne(t, "x.xlsx", []byte("x"))
	for _, key := range []string{"../escape", "a/b", "", ".hidden", strings.Repeat("k", 41), "x\n"} {
		_, err := b.ib.Reject(t.Context(), st, map[string][]byte{key: []byte("r")})
		require.Error(t, err, "%q", key)
	}
	require.Empty(t, b.dirNames(t, "rejected"))
	_, err := os.Stat(filepath.Join(b.inbox, "x.xlsx"))
	require.NoError(t, err)
}

// NFC and NFD spellings of one name are two files in the inbox; archived
// under the NFC name, the second takes a suffix instead of overwriting.
func TestArchiveNFCTwins(t *testing.T) {
	t.Parallel()
	b := setup(t)
	nfc := norm.NFC.String("Hà Nội.xlsx")
	st1 := b.stageOne(t, nfc, []byte("nfc"))
	st2 := b.stageOne(t, norm.NFD.String(nfc), []byte("nfd"))
	d1, err := b.ib.Archive(t.Context(), st1, 2025, 3, "HN")
	require.NoError(t, err)
	d2, err := b.ib.Archive(t.Context(), st2, 2025, 3, "HN")
	require.NoError(t, err)
	require.Equal(t, nfc, filepath.Base(d1))
	require.Equal(t, norm.NFC.String("Hà Nội-"+st2.SHA256[:8]+".xlsx"), filepath.Base(d2))
}

// TestReportNameMatchesTheMail: the annotated workbook in rejected/ has the
// name the result mail and `returns validate --annotate` give it
// (annotate.Name), not "x.xlsx.loi.xlsx".
func TestReportNameMatchesTheMail(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"BCQ_GD-KCQ-001_2025Q3.xlsx", "bao cao.XLSX", "BCQ sai-1234abcd.xlsx"} {
		require.Equal(t, annotate.Name(name), ReportName(name, "loi.xlsx"), name)
	}
	require.Equal(t, "x.loi.txt", ReportName("x.xlsx", "loi.txt"))
	require.Equal(t, "x.json", ReportName("x.xlsx", "json"))
}
