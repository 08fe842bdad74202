package digestjob_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/digest"
	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/samples/generate"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const samples = "../../samples"

// loadProvince imports samples/registry.xlsx and samples/recipients.xlsx
// and ingests every return of samples/province, oldest quarter first, each
// received five days after its quarter ended.
func loadProvince(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, set := importLists(t, filepath.Join(samples, "registry.xlsx"), filepath.Join(samples, "recipients.xlsx"))
	for _, sq := range provinceSamples(t) {
		received := domain.Quarter{Year: sq.year, Q: sq.q}.End(time.UTC).AddDate(0, 0, 5)
		for _, f := range sq.files {
			r, err := intake.JudgeFile(ctx, f, set, st, intake.Options{ReceivedAt: received,
				Validate: validate.Options{Now: func() time.Time { return received }}})
			require.NoError(t, err)
			require.Equal(t, domain.Loaded, r.Outcome, "%s", f)
		}
	}
	return st
}

// sampleQuarter is a folder of samples/province: a quarter and its
// returns, sorted by name.
type sampleQuarter struct {
	year, q int
	files   []string
}

// provinceSamples lists the quarters of samples/province, oldest first.
func provinceSamples(t testing.TB) []sampleQuarter {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(samples, "province", "20*"))
	require.NoError(t, err)
	sort.Strings(dirs)
	var out []sampleQuarter
	for _, dir := range dirs {
		y, _ := strconv.Atoi(filepath.Base(dir)[:4])
		q, _ := strconv.Atoi(filepath.Base(dir)[5:])
		files, err := filepath.Glob(filepath.Join(dir, "*.xlsx"))
		require.NoError(t, err)
		sort.Strings(files)
		out = append(out, sampleQuarter{year: y, q: q, files: files})
	}
	return out
}

// sampleRow is one data row of a sheet of a sample workbook, by field name
// (the hidden field row), read with excelize apart from the reader of the
// returns.
type sampleRow map[string]string

type sampleReturn struct {
	org     string
	q       domain.Quarter
	info    sampleRow
	ketnap  []sampleRow
	chuyen  []sampleRow
	giamsat []sampleRow
	kyluat  []sampleRow
}

func readSample(t testing.TB, path string) sampleReturn {
	t.Helper()
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	var r sampleReturn
	rows, err := f.GetRows("ThongTin")
	require.NoError(t, err)
	r.info = sampleRow{}
	for _, row := range rows[1:] {
		if len(row) >= 3 {
			r.info[row[1]] = row[2]
		} else if len(row) == 2 {
			r.info[row[1]] = ""
		}
	}
	table := func(sheet string) []sampleRow {
		rows, err := f.GetRows(sheet)
		if err != nil {
			return nil // the sheet is absent
		}
		var out []sampleRow
		for _, row := range rows[2:] {
			m := sampleRow{}
			empty := true
			for i, name := range rows[1] {
				if i < len(row) {
					m[name] = row[i]
					empty = empty && row[i] == ""
				}
			}
			if !empty {
				out = append(out, m)
			}
		}
		return out
	}
	r.ketnap, r.chuyen, r.giamsat, r.kyluat = table("KetNap"), table("ChuyenSinhHoat"), table("GiamSat"), table("KyLuat")
	r.org = r.info["org_code"]
	y, _ := strconv.Atoi(r.info["year"])
	q, _ := strconv.Atoi(r.info["quarter"])
	r.q = domain.Quarter{Year: y, Q: q}
	return r
}

func (r sampleRow) int(name string) int {
	n, _ := strconv.Atoi(r[name])
	return n
}

// expected computes, from the sample workbooks and registry alone, the
// figures the digest of scope must show for quarter q.
type expected struct {
	expectedReturns, reported                int
	membersEnd, membersEndYoYBase            int
	admissions, ytd, target                  int
	women, ketnapRows                        int
	transferIn, transferOut                  map[string]int
	supervisions, inspections                int
	yoyOrgs                                  int
	membersEndQoQBase, membersEndQoQCur, qoq int
	// disciplines: KyLuat rows + GiamSat rows with a discipline form.
	disciplines, disciplinesGiamSat int
	disciplinesByForm               map[string]int
	// Year to date against last year on the (organisation, quarter)
	// pairs with a return in both years.
	ytdQuarters     []int
	ytdCur, ytdBase int
}

var (
	samplesOnce sync.Once
	allSamples  []sampleReturn
)

func sampleReturns(t testing.TB) []sampleReturn {
	samplesOnce.Do(func() {
		files, err := filepath.Glob(filepath.Join(samples, "province", "20*", "*.xlsx"))
		require.NoError(t, err)
		for _, f := range files {
			allSamples = append(allSamples, readSample(t, f))
		}
	})
	return allSamples
}

// registryRows reads DonVi of samples/registry.xlsx: code → parent, successor, type, to.
func registryRows(t testing.TB) map[string]sampleRow {
	f, err := excelize.OpenFile(filepath.Join(samples, "registry.xlsx"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("DonVi")
	require.NoError(t, err)
	out := map[string]sampleRow{}
	for _, row := range rows[2:] {
		m := sampleRow{}
		for i, name := range rows[1] {
			if i < len(row) {
				m[name] = row[i]
			}
		}
		out[m["org_code"]] = m
	}
	return out
}

func computeExpected(t testing.TB, scope string, q domain.Quarter) expected {
	reg := registryRows(t)
	in := map[string]bool{scope: true}
	for changed := true; changed; {
		changed = false
		for code, o := range reg {
			if !in[code] && (in[o["parent_code"]] || (o["successor_code"] != "" && in[o["successor_code"]])) {
				in[code], changed = true, true
			}
		}
	}
	// The organisation an old one counts in now: its successor when it ended.
	now := func(code string) string {
		if s := reg[code]["successor_code"]; s != "" && reg[code]["valid_to"] != "" && reg[code]["valid_to"] < q.String() {
			return s
		}
		return code
	}
	e := expected{transferIn: map[string]int{}, transferOut: map[string]int{}, disciplinesByForm: map[string]int{}}
	for code, o := range reg {
		if in[code] && (o["org_type"] == "DANG_BO_CO_SO" || o["org_type"] == "CHI_BO_CO_SO") && o["valid_from"] <= q.String() &&
			(o["valid_to"] == "" || o["valid_to"] >= q.String()) {
			e.expectedReturns++
		}
	}
	cur := map[string]int{}
	yoy := map[string]int{}
	prev := map[string]int{}
	// admissions by quarter number of this year and last year, by unit now.
	admThis, admLast := map[int]map[string]int{}, map[int]map[string]int{}
	for k := 1; k <= 4; k++ {
		admThis[k], admLast[k] = map[string]int{}, map[string]int{}
	}
	for _, r := range sampleReturns(t) {
		if !in[r.org] {
			continue
		}
		if r.q.Year == q.Year && r.q.Q <= q.Q {
			admThis[r.q.Q][now(r.org)] += r.info.int("admitted") + r.info.int("readmitted")
		}
		if r.q.Year == q.Year-1 && r.q.Q <= q.Q {
			admLast[r.q.Q][now(r.org)] += r.info.int("admitted") + r.info.int("readmitted")
		}
		end := r.info.int("members_end_official") + r.info.int("members_end_probationary")
		adm := r.info.int("admitted") + r.info.int("readmitted")
		if r.q.Year == q.Year && r.q.Q <= q.Q {
			e.ytd += adm
		}
		switch r.q {
		case q:
			e.reported++
			e.membersEnd += end
			cur[r.org] = end
			e.admissions += adm
			e.target += r.info.int("admission_target_year")
			e.ketnapRows += len(r.ketnap)
			for _, k := range r.ketnap {
				if k["gender"] == "Nữ" || k["gender"] == "F" {
					e.women++
				}
			}
			for _, c := range r.chuyen {
				if c["transfer_type"] != "CHINH_THUC" {
					continue
				}
				if c["direction"] == "DEN" {
					e.transferIn[c["scope"]]++
				} else {
					e.transferOut[c["scope"]]++
				}
			}
			for _, g := range r.giamsat {
				switch g["activity"] {
				case "GIAM_SAT":
					e.supervisions++
				case "KIEM_TRA":
					e.inspections++
				}
				if g["discipline_form"] != "" {
					e.disciplines++
					e.disciplinesGiamSat++
					e.disciplinesByForm[g["discipline_form"]]++
				}
			}
			for _, k := range r.kyluat {
				e.disciplines++
				e.disciplinesByForm[k["discipline_form"]]++
			}
		case q.YearAgo():
			yoy[now(r.org)] += end
		case q.Prev():
			prev[now(r.org)] += end
		}
	}
	for k := 1; k <= q.Q; k++ {
		pair := false
		for u, n := range admThis[k] {
			if b, ok := admLast[k][u]; ok {
				e.ytdCur += n
				e.ytdBase += b
				pair = true
			}
		}
		if pair {
			e.ytdQuarters = append(e.ytdQuarters, k)
		}
	}
	for code := range cur {
		if _, ok := yoy[code]; ok {
			e.yoyOrgs++
			e.membersEndYoYBase += yoy[code]
		}
		if _, ok := prev[code]; ok {
			e.membersEndQoQBase += prev[code]
			e.membersEndQoQCur += cur[code]
			e.qoq++
		}
	}
	return e
}

// provinceDigestFiguresMatchTheSamples: every active recipient's digest of
// 2025-Q3 has the figures computed from the sample workbooks themselves
// (read here with excelize, apart from the loader), and says them in the
// recipient's language and number format.
func provinceDigestFiguresMatchTheSamples(t *testing.T, st *store.Store) {
	ctx := context.Background()
	q := domain.Quarter{Year: 2025, Q: 3}
	list, _, err := st.CurrentRecipients(ctx)
	require.NoError(t, err)
	scopes := 0
	for _, r := range list {
		if !r.Active {
			continue
		}
		scopes++
		e := computeExpected(t, r.ScopeOrgCode, q)
		d, err := digestjob.Build(ctx, st, q, r, calendar(digestjob.Options{}))
		require.NoError(t, err, r.ScopeOrgCode)
		g := d.Digest
		name := r.ScopeOrgCode
		require.Equal(t, e.expectedReturns, g.Completeness.Expected, name)
		require.Equal(t, e.reported, g.Completeness.Reported, name)
		require.Equal(t, e.reported, g.Completeness.OnTime, name)
		require.Equal(t, e.membersEnd, g.MembersEnd.Value, name)
		require.Equal(t, e.yoyOrgs, g.MembersEnd.YoY.Orgs, name)
		require.Equal(t, e.membersEndYoYBase, g.MembersEnd.YoY.Base, name)
		require.Equal(t, e.qoq, g.MembersEnd.QoQ.Orgs, name)
		require.Equal(t, e.membersEndQoQBase, g.MembersEnd.QoQ.Base, name)
		require.Equal(t, e.membersEndQoQCur, g.MembersEnd.QoQ.Cur, name)
		require.Equal(t, e.admissions, g.Admissions.Value, name)
		require.Equal(t, e.ketnapRows, g.Admissions.Value, "%s: ThongTin admissions equal the KetNap rows", name)
		require.Equal(t, e.ytd, g.AdmissionsYTD.Value, name)
		require.Equal(t, e.target, g.Target, name)
		require.Equal(t, e.women, g.Women.Num, name)
		require.Equal(t, e.ketnapRows, g.Women.Den, name)
		gotIn, gotOut := map[string]int{}, map[string]int{}
		for _, tr := range g.Transfers {
			if tr.In > 0 {
				gotIn[tr.Scope] = tr.In
			}
			if tr.Out > 0 {
				gotOut[tr.Scope] = tr.Out
			}
		}
		require.Equal(t, e.transferIn, gotIn, name)
		require.Equal(t, e.transferOut, gotOut, name)
		require.Equal(t, e.supervisions, g.Supervision.Value, name)
		require.Equal(t, e.inspections, g.Inspection.Value, name)
		// Disciplines: KyLuat rows and GiamSat rows with a discipline
		// form (issue 10, defect 1), by form.
		require.Equal(t, e.disciplines, g.DisciplineTotal.Value, name)
		require.Equal(t, e.disciplinesGiamSat, g.Values["disciplines_giamsat"].Value, name)
		byForm := map[string]int{}
		for _, x := range g.DisciplineByForm {
			byForm[x.Keys[0]] += x.N
		}
		if e.disciplines == 0 {
			require.Empty(t, byForm, name)
		} else {
			require.Equal(t, e.disciplinesByForm, byForm, name)
		}
		byBody := 0
		for _, x := range g.DisciplineByBody {
			byBody += x.N
		}
		require.Equal(t, e.disciplines, byBody, "%s: every discipline has who decided", name)
		// Year to date against 2024: 2024-Q1 was never loaded, so the
		// comparison is on Q2–Q3 of both years and says so (defect 2).
		ytd := g.AdmissionsYTD.YoY
		require.Equal(t, e.ytdQuarters, ytd.Quarters, name)
		require.Equal(t, e.ytdCur, ytd.Cur, name)
		require.Equal(t, e.ytdBase, ytd.Base, name)
		if len(e.ytdQuarters) > 0 && len(e.ytdQuarters) < q.Q {
			require.Contains(t, d.Rendered.Text, digest.YTDLabel(r.Language, e.ytdQuarters, 2024), name)
		}

		// The rendering says it in the recipient's language and format.
		lang := r.Language
		html, text := d.Rendered.HTML, d.Rendered.Text
		for _, s := range []string{locale.Quarter(lang, 2025, 3), locale.Int(lang, int64(e.membersEnd)), locale.Int(lang, int64(e.ytd))} {
			require.Contains(t, html, s, name)
			require.Contains(t, text, s, name)
		}
		if e.target > 0 {
			p := 100 * float64(e.ytd) / float64(e.target)
			want := fmt.Sprintf("đạt %s chỉ tiêu năm", locale.Percent("vi", p))
			if p > 100 {
				want += fmt.Sprintf(" (vượt %s)", locale.Percent("vi", p-100))
			}
			if lang == "en" {
				want = locale.Percent("en", p) + " of the annual target"
			}
			require.Contains(t, text, want, name)
		}
		require.NotContains(t, html, "<script", name)
		require.Contains(t, html, `src="cid:`+digest.ChartCID+`"`)
	}
	require.GreaterOrEqual(t, scopes, 5)
}

// provinceMergerComparedLikeForLike: the district of the 2025 merger compares
// 2025-Q3 with 2024-Q3 on the same organisations, the two old communes
// counted in the new one.
func provinceMergerComparedLikeForLike(t *testing.T, st *store.Store) {
	ctx := context.Background()
	q := domain.Quarter{Year: 2025, Q: 3}
	d, err := digestjob.Build(ctx, st, q, store.Recipient{Email: "x@x.example", ScopeOrgCode: "GD-HSG-007", Language: "vi"}, calendar(digestjob.Options{}))
	require.NoError(t, err)
	e := computeExpected(t, "GD-HSG-007", q)
	require.Equal(t, 1, d.Digest.MembersEnd.YoY.Orgs)
	require.True(t, d.Digest.MembersEnd.YoY.OK)
	require.Equal(t, e.membersEndYoYBase, d.Digest.MembersEnd.YoY.Base)
	var old []string
	for _, r := range sampleReturns(t) {
		if r.q == q.YearAgo() && (r.org == "GD-HSG-001" || r.org == "GD-HSG-002") {
			old = append(old, r.org)
		}
	}
	slices.Sort(old)
	require.Equal(t, []string{"GD-HSG-001", "GD-HSG-002"}, old, "the base is the two predecessors")
	require.NotContains(t, d.Rendered.Text, "GD-HSG-003", "a sibling is outside the scope")
}

// provincePreviewWritesFiles writes the preview of one recipient.
func provincePreviewWritesFiles(t *testing.T, st *store.Store) {
	ctx := context.Background()
	dir := t.TempDir()
	dirs, err := digestjob.Preview(ctx, st, domain.Quarter{Year: 2025, Q: 3}, dir, calendar(digestjob.Options{Recipient: "advisor@gd.example"}))
	require.NoError(t, err)
	require.Len(t, dirs, 1)
	names, err := os.ReadDir(dirs[0])
	require.NoError(t, err)
	var got []string
	for _, n := range names {
		got = append(got, n.Name())
	}
	require.ElementsMatch(t, []string{"digest.html", "digest.txt", "bieu-do.png", "digest.eml", "BaoCaoNhanh_GD_2025-Q3.xlsx"}, got)
	eml, err := os.ReadFile(filepath.Join(dirs[0], "digest.eml"))
	require.NoError(t, err)
	require.Contains(t, string(eml), "Content-Id: <"+digest.ChartCID+">")
	require.Contains(t, string(eml), "multipart/alternative")
	html, err := os.ReadFile(filepath.Join(dirs[0], "digest.html"))
	require.NoError(t, err)
	require.True(t, strings.Contains(string(html), `src="bieu-do.png"`))
	if out := os.Getenv("DIGEST_PREVIEW_DIR"); out != "" {
		require.NoError(t, os.CopyFS(out, os.DirFS(dirs[0])))
	}
}

// xlsxText is every text a workbook holds: its shared strings and the
// inline strings of its sheets.
func xlsxText(t testing.TB, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	var all strings.Builder
	for _, f := range zr.File {
		if f.Name == "xl/sharedStrings.xml" || strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			rc, err := f.Open()
			require.NoError(t, err)
			data, err := io.ReadAll(rc)
			rc.Close()
			require.NoError(t, err)
			all.Write(data)
		}
	}
	return all.String()
}

// correctedReturn is the province's return of code for the quarter with a
// different preparer's phone (same figures, new content, a new version),
// then changed by edit (nil: nothing else).
func correctedReturn(t testing.TB, code string, y, q int, edit func(*generate.Return)) []byte {
	t.Helper()
	p := generate.Generate(1)
	r := p.Return(code, generate.Quarter{Year: y, Q: q})
	require.NotNil(t, r)
	c := *r
	c.Info.Phone = "0900 000 001"
	if edit != nil {
		edit(&c)
	}
	var buf bytes.Buffer
	require.NoError(t, generate.WriteReturn(&buf, &c, generate.WriteOptions{}))
	return buf.Bytes()
}

func loadBytes(t testing.TB, st *store.Store, b []byte, name string) {
	t.Helper()
	set := sharedtest.Schemas(t)
	sum := sha256.Sum256(b)
	res, err := intake.JudgeReader(context.Background(), bytes.NewReader(b), int64(len(b)), hex.EncodeToString(sum[:]), set, st,
		intake.Options{FileName: name, ReceivedAt: time.Now()})
	require.NoError(t, err)
	require.Equal(t, domain.Loaded, res.Outcome, "%v", res.Issues)
}

// TestProvince loads the sample province once for the tests that only read it.
func TestProvince(t *testing.T) {
	t.Parallel()
	st := loadProvince(t)
	for name, fn := range map[string]func(*testing.T, *store.Store){
		"DigestFiguresMatchTheSamples": provinceDigestFiguresMatchTheSamples,
		"MergerComparedLikeForLike":    provinceMergerComparedLikeForLike,
		"PreviewWritesFiles":           provincePreviewWritesFiles,
		"ScreenshotInChromium":         provinceScreenshotInChromium,
		"DisciplinesAllForAnalysts":    provinceDisciplinesAllForAnalysts,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, st)
		})
	}
}

// provinceDisciplinesAllForAnalysts: reporting.disciplines_all, read as
// the analysts' role, holds the KyLuat rows and the GiamSat rows with a
// discipline form of the sample workbooks; reporting.disciplines keeps
// holding the KyLuat rows.
func provinceDisciplinesAllForAnalysts(t *testing.T, st *store.Store) {
	ctx := context.Background()
	want := map[string]int{}
	for _, r := range sampleReturns(t) {
		if r.q != (domain.Quarter{Year: 2025, Q: 3}) {
			continue
		}
		want["KyLuat"] += len(r.kyluat)
		for _, g := range r.giamsat {
			if g["discipline_form"] != "" {
				want["GiamSat"]++
			}
		}
	}
	require.NotZero(t, want["GiamSat"])
	tx, err := st.DB().BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `SET LOCAL ROLE returns_reader`)
	require.NoError(t, err)
	var rows []struct {
		Origin string `db:"origin"`
		N      int    `db:"n"`
	}
	require.NoError(t, tx.SelectContext(ctx, &rows, `SELECT origin, count(*) AS n FROM reporting.disciplines_all
		WHERE year = 2025 AND quarter = 3 AND discipline_form IS NOT NULL AND decided_by IS NOT NULL GROUP BY origin`))
	got := map[string]int{}
	for _, r := range rows {
		got[r.Origin] = r.N
	}
	require.Equal(t, want, got)
	var kyluat int
	require.NoError(t, tx.GetContext(ctx, &kyluat, `SELECT count(*) FROM reporting.disciplines WHERE year = 2025 AND quarter = 3`))
	require.Equal(t, want["KyLuat"], kyluat, "reporting.disciplines keeps meaning the KyLuat rows")
}
