package digest_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/digest"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/facts"
)

const evilName = `<script>alert(1)</script>=HYPERLINK("http://evil.example","x")`

// mustRender renders d and requires it to succeed.
func mustRender(t *testing.T, d *digest.Digest, opts digest.RenderOptions) *digest.Rendered {
	t.Helper()
	r, err := digest.Render(d, opts)
	require.NoError(t, err)
	return r
}

// sampleFacts is a small scope: R above grassroots A (new in 2025-Q3, the merger
// of O1 and O2, which ended in 2025-Q2), B (always there), C (rejected in
// 2025-Q3) and D (new in 2025-Q3, nothing to compare with).
func sampleFacts(q domain.Quarter) *facts.Facts {
	i := func(y, n int) domain.Quarter { return domain.Quarter{Year: y, Q: n} }
	f := &facts.Facts{Quarter: q, DeadlineDays: 10, Zone: time.UTC, Cutoff: q.End(time.UTC).AddDate(0, 0, 20),
		UnmatchedTransfers: map[string]int{"B": 2}}
	f.Orgs = []domain.Org{
		{Code: "R", Name: "Đảng bộ Khối", Type: "DANG_BO_CAP_TREN_CS", ValidFrom: i(2020, 1)},
		{Code: "O1", Name: "Xã Cũ Một", Type: "DANG_BO_CO_SO", ParentCode: "R", ValidFrom: i(2020, 1), ValidTo: i(2025, 2), SuccessorCode: "A"},
		{Code: "O2", Name: "Xã Cũ Hai", Type: "DANG_BO_CO_SO", ParentCode: "R", ValidFrom: i(2020, 1), ValidTo: i(2025, 2), SuccessorCode: "A"},
		{Code: "A", Name: "Xã Hợp Nhất", Type: "DANG_BO_CO_SO", ParentCode: "R", ValidFrom: i(2025, 3)},
		{Code: "B", Name: evilName, Type: "CHI_BO_CO_SO", ParentCode: "R", ValidFrom: i(2020, 1)},
		{Code: "C", Name: "Chi bộ Ba", Type: "CHI_BO_CO_SO", ParentCode: "R", ValidFrom: i(2020, 1)},
		{Code: "D", Name: "-Chi bộ Mới (tên như công thức)", Type: "CHI_BO_CO_SO", ParentCode: "R", ValidFrom: i(2025, 3)},
	}
	f.Scope = f.Orgs[0]
	on := q.End(time.UTC).AddDate(0, 0, 3)
	fig := func(org string, y, n, end, adm, target int) facts.Figures {
		return facts.Figures{Org: org, Quarter: domain.Quarter{Year: y, Q: n}, Version: 1, FirstReceivedAt: on, ReceivedAt: on,
			StartOfficial: end, EndOfficial: end, Admitted: adm, Target: target, AdmissionRows: adm, Women: adm / 2}
	}
	for y := 2024; y <= 2025; y++ {
		for n := 1; n <= 4; n++ {
			if (domain.Quarter{Year: y, Q: n}).Index() > q.Index() {
				continue
			}
			if i(y, n).Index() <= i(2025, 2).Index() {
				f.Figures = append(f.Figures, fig("O1", y, n, 100, 2, 8), fig("O2", y, n, 50, 1, 4), fig("C", y, n, 30, 1, 4))
			} else {
				f.Figures = append(f.Figures, fig("A", y, n, 160, 4, 12), fig("D", y, n, 20, 1, 2))
			}
			f.Figures = append(f.Figures, fig("B", y, n, 40+n, 3, 3))
		}
	}
	f.Rejected = []facts.Rejected{{Org: "C", Quarter: q, Reason: "INVALID_DATA"}}
	f.Supervisions = []facts.Count{{Org: "B", Quarter: q, Keys: [4]string{"CHI_BO", "KIEM_TRA", "KT_CHAP_HANH", "DANG_VIEN"}, N: 2}}
	f.People = []facts.Person{{Org: "B", Kind: facts.PersonUnmatchedTransfer, Name: "=cmd|' /C calc'!A0", Detail: "DI 12-GTSHĐ", Date: q.End(time.UTC)}}
	return f
}

func TestBuildComparesLikeForLike(t *testing.T) {
	t.Parallel()
	q := domain.Quarter{Year: 2025, Q: 3}
	d := digest.Build(sampleFacts(q))
	// Completeness: A, B, C, D expected; C rejected.
	require.Equal(t, 4, d.Completeness.Expected)
	require.Equal(t, 3, d.Completeness.Reported)
	require.Equal(t, 1, d.Completeness.Rejected)
	require.Equal(t, "C", d.Completeness.MissingUnits[0].Code)
	// End of quarter: A 160 + B 43 + D 20.
	require.Equal(t, 223, d.MembersEnd.Value)
	// Same quarter last year, like for like: A against O1+O2, B against B;
	// D has no base, C is not in this quarter.
	yoy := d.MembersEnd.YoY
	require.Equal(t, digest.Change{OK: true, Cur: 160 + 43, Base: 100 + 50 + 43, Orgs: 2}, yoy)
	// Admissions YTD 2025: Q1 and Q2 from O1, O2, C, B (2+1+1+3 each); Q3
	// A 4, D 1, B 3.
	require.Equal(t, 7+7+8, d.AdmissionsYTD.Value)
	// Target: the latest return of the year of each: A 12 (for O1 and O2
	// too), B 3, D 2, and C 4 from its Q2 return.
	require.Equal(t, 12+3+2+4, d.Target)
	require.InDelta(t, 100*22.0/21, d.Progress, 1e-9)
	// Inspections: a real 0 in the previous quarter (B reported, with none).
	require.Equal(t, 2, d.Inspection.Value)
	require.False(t, d.Inspection.QoQ.OK, "no percentage of a base of 0")
	require.True(t, d.Inspection.QoQ.HasBase(), "but a base: B reported in Q2 with no inspection")
	require.Equal(t, 0, d.Inspection.QoQ.Base)
	require.Equal(t, 2, d.UnmatchedLetters)
}

func TestFirstQuarterComparesWithFourthOfYearBefore(t *testing.T) {
	t.Parallel()
	q := domain.Quarter{Year: 2025, Q: 1}
	d := digest.Build(sampleFacts(q))
	require.Equal(t, domain.Quarter{Year: 2024, Q: 4}, d.Prev)
	require.Equal(t, domain.Quarter{Year: 2024, Q: 1}, d.YearAgo)
	// B: 41 in Q1 2025 against 44 in Q4 2024 (and O1, O2, C unchanged).
	require.Equal(t, digest.Change{OK: true, Cur: 100 + 50 + 30 + 41, Base: 100 + 50 + 30 + 44, Orgs: 4}, d.MembersEnd.QoQ)
	require.Equal(t, 2+1+1+3, d.AdmissionsYTD.Value, "year to date restarts in Q1")
}

func TestRenderVietnameseAndEnglish(t *testing.T) {
	t.Parallel()
	q := domain.Quarter{Year: 2025, Q: 3}
	d := digest.Build(sampleFacts(q))
	vi := mustRender(t, d, digest.RenderOptions{Name: "Nguyễn Văn A"})
	require.Contains(t, vi.Subject, "Quý III/2025")
	require.NotContains(t, vi.Subject, "=cmd", "no personal data in the subject")
	require.Contains(t, vi.Text, "đạt 104,76% chỉ tiêu năm (vượt 4,76%)")
	require.Contains(t, vi.Text, "Kính gửi Nguyễn Văn A,")
	require.Contains(t, vi.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;", "names are escaped")
	require.NotContains(t, vi.HTML, "<script")
	require.Contains(t, vi.HTML, "điểm %")
	require.Contains(t, vi.Text, "Chi bộ Ba (C): bị từ chối: INVALID_DATA")
	en := mustRender(t, d, digest.RenderOptions{Lang: "en"})
	require.Contains(t, en.Text, "Q3 2025")
	require.Contains(t, en.Text, "104.76% of the annual target (4.76% over)")
	// B reported in Q2 with no inspection: a real base of 0, printed with
	// the change; only the percentage is "—" (issue 10, defect 3).
	require.Contains(t, en.Text, "- Inspections: 2 | +2 (—) from 0 |")
	require.Contains(t, vi.Text, "- Kiểm tra (lượt): 2 | +2 (—) từ 0 |")
	for _, r := range []*digest.Rendered{vi, en} {
		require.Equal(t, []byte("\x89PNG"), r.Chart[:4])
		require.Equal(t, []byte("PK"), r.XLSX[:2])
	}
}

// readXLSX is what openpyxl, an independent reader, sees of the attachment.
const readXLSX = `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = {"sheets": wb.sheetnames, "charts": {}, "formulas": 0, "cells": {}, "quoted": {}}
for ws in wb.worksheets:
    out["charts"][ws.title] = len(ws._charts)
    for row in ws.iter_rows():
        for c in row:
            if c.data_type == "f": out["formulas"] += 1
            if isinstance(c.value, str) and c.value[:1] in "=+-@":
                out["cells"][ws.title + "!" + c.coordinate] = c.data_type
                out["quoted"][ws.title + "!" + c.coordinate] = bool(c.quotePrefix)
print(json.dumps(out))
`

func TestAttachmentReadByOpenpyxl(t *testing.T) {
	t.Parallel()
	py := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import openpyxl").Run() == nil {
			py = path
			break
		}
	}
	if py == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("openpyxl is not installed in CI (apt-get install python3-openpyxl)")
		}
		t.Skip("openpyxl is not installed (apt-get install python3-openpyxl): the independent reader's check did not run")
	}
	d := digest.Build(sampleFacts(domain.Quarter{Year: 2025, Q: 3}))
	b, err := digest.XLSX(d, "vi")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "digest.xlsx")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	out, err := exec.CommandContext(context.Background(), py, "-c", readXLSX, path).Output()
	require.NoError(t, err)
	var got struct {
		Sheets   []string
		Charts   map[string]int
		Formulas int
		Cells    map[string]string
		Quoted   map[string]bool
	}
	require.NoError(t, json.Unmarshal(out, &got))
	require.Equal(t, []string{digest.SheetSummary, digest.SheetUnits, digest.SheetReturns, digest.SheetQuarters, digest.SheetHistory, digest.SheetTransfers,
		digest.SheetSuperv, digest.SheetPeople}, got.Sheets)
	require.Equal(t, 1, got.Charts[digest.SheetQuarters], "native chart of admissions by quarter")
	require.Equal(t, 1, got.Charts[digest.SheetUnits], "native chart of progress by organisation")
	require.Zero(t, got.Formulas, "no formula anywhere")
	require.NotEmpty(t, got.Cells, "the formula-like texts are there")
	for cell, typ := range got.Cells {
		require.Equal(t, "s", typ, cell)
		require.True(t, got.Quoted[cell], "%s has the quote prefix", cell)
	}
	require.Contains(t, got.Cells, digest.SheetPeople+"!D2", "the member's name that looks like a formula")
	streamed := 0
	for cell := range got.Cells {
		if strings.HasPrefix(cell, digest.SheetHistory+"!") {
			streamed++
		}
	}
	require.NotZero(t, streamed, "the streamed history sheet has the formula-like name too")

	// The per-organisation sheet adds up to the digest's figures.
	f, err := excelize.OpenReader(strings.NewReader(string(b)))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows(digest.SheetUnits, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	end := 0
	for _, r := range rows[1:] {
		if len(r) > 7 && r[1] != "C" {
			n := 0
			for _, ch := range r[7] {
				n = n*10 + int(ch-'0')
			}
			end += n
		}
	}
	require.Equal(t, d.MembersEnd.Value, end)
}

func TestSingleQuarterChart(t *testing.T) {
	t.Parallel()
	f := sampleFacts(domain.Quarter{Year: 2025, Q: 3})
	var only []facts.Figures
	for _, g := range f.Figures {
		if g.Quarter == f.Quarter {
			only = append(only, g)
		}
	}
	f.Figures = only
	r := mustRender(t, digest.Build(f), digest.RenderOptions{})
	require.Equal(t, []byte("\x89PNG"), r.Chart[:4])
}

// TestReceivedAtDeadlineIsLate: a first version received at the deadline
// instant itself (00:00:00 the day after the due day) is late, as on the
// quarter board ([domain.Late]); a microsecond before is on time.
func TestReceivedAtDeadlineIsLate(t *testing.T) {
	t.Parallel()
	q := domain.Quarter{Year: 2025, Q: 3}
	f := sampleFacts(q)
	due := domain.Deadline(q, f.DeadlineDays, f.Zone)
	for i, g := range f.Figures {
		if g.Quarter == q {
			f.Figures[i].FirstReceivedAt = due.Add(-time.Microsecond)
			if g.Org == "B" {
				f.Figures[i].FirstReceivedAt = due
			}
		}
	}
	d := digest.Build(f)
	require.Equal(t, 1, d.Completeness.Late)
	require.Len(t, d.Completeness.LateUnits, 1)
	require.Equal(t, "B", d.Completeness.LateUnits[0].Code)
	require.Equal(t, d.Completeness.Reported-1, d.Completeness.OnTime)
}
