package digestjob_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
)

// seedBigProvince writes straight into the tables (the loader has its own
// benchmarks) a province of 1,500 organisations: the province committee,
// 20 committees above grassroots and 1,479 grassroots organisations, with
// an accepted return for each of six quarters (2024-Q2 … 2025-Q3): the
// balance, admissions (0–4 KetNap rows), transfers (0–5), supervisions
// (0–4, some concluding in a violation and a discipline) and some
// disciplines on KyLuat. It returns 100 recipients: the province, the
// 20 committees and 79 grassroots organisations.
func seedBigProvince(b *testing.B, st *store.Store) []store.Recipient {
	b.Helper()
	stmts := []string{
		`INSERT INTO returns.submission (org_code, year, quarter, template_version, file_name, sha256, received_at, version, status)
			SELECT o.code, q / 4, q % 4 + 1, 'BCQ-1', 'b.xlsx', md5(o.code || q) || md5(q || o.code),
				make_timestamptz(q / 4, 3 * (q % 4) + 1, 1, 0, 0, 0, 'UTC') + interval '3 months 5 days', 1, 'accepted'
			FROM returns.org_unit o CROSS JOIN generate_series(8097, 8102) q WHERE o.code LIKE 'G%'`,
		`INSERT INTO returns.summary (submission_id, source_sheet, source_row, org_code, org_name, year, quarter,
				members_start_official, members_start_probationary, admitted, readmitted, recognised_official,
				transfer_in_official, transfer_out_official, members_end_official, members_end_probationary, temp_in, temp_out, admission_target_year)
			SELECT s.id, 'ThongTin', 2, s.org_code, 'x', s.year, s.quarter, 40 + s.id % 60, s.id % 5, s.id % 5, 0, s.id % 3,
				s.id % 3, s.id % 2, 40 + s.id % 60 + s.id % 5, s.id % 5, s.id % 2, s.id % 3, 4 + s.id % 9 FROM returns.submission s`,
		`INSERT INTO returns.admission (submission_id, source_sheet, source_row, full_name, gender, ethnicity_code, religion_code,
				workplace_sector, is_youth_union_member, is_readmission, decision_no, ceremony_date)
			SELECT s.id, 'KetNap', 2 + n, 'Người ' || s.id || '-' || n, CASE WHEN n % 2 = 0 THEN 'F' ELSE 'M' END,
				CASE WHEN n % 5 = 0 THEN '02' ELSE '01' END, CASE WHEN n % 7 = 0 THEN '01' ELSE '00' END,
				CASE WHEN n % 4 = 0 THEN 'DN_TU_NHAN' ELSE 'CQ_NHA_NUOC' END, n % 3 = 0, false, n || '-QĐ/ĐU',
				make_date(s.year, 3 * s.quarter - 1, 10)
			FROM returns.submission s CROSS JOIN LATERAL generate_series(1, s.id % 5) n`,
		`INSERT INTO returns.transfer (submission_id, source_sheet, source_row, full_name, direction, transfer_type, scope, card_no,
				counterpart_org_code, letter_no, event_date)
			SELECT s.id, 'ChuyenSinhHoat', 2 + n, 'Người chuyển ' || s.id || '-' || n, CASE WHEN n % 2 = 0 THEN 'DEN' ELSE 'DI' END,
				CASE WHEN n % 4 = 0 THEN 'TAM_THOI' ELSE 'CHINH_THUC' END,
				(ARRAY['NOI_BO', 'TRONG_TINH', 'NGOAI_TINH', 'NUOC_NGOAI'])[1 + n % 4], 'C' || s.id || n,
				CASE WHEN n % 3 = 0 THEN 'G' || lpad((1 + (s.id + n) % 1479)::text, 4, '0') END, n || '-GTSHĐ', make_date(s.year, 3 * s.quarter - 1, 5)
			FROM returns.submission s CROSS JOIN LATERAL generate_series(1, s.id % 6) n`,
		`INSERT INTO returns.supervision (submission_id, source_sheet, source_row, actor, activity, supervision_form, inspection_type, subject_type,
				result, discipline_form, discipline_body)
			SELECT s.id, 'GiamSat', 2 + n, (ARRAY['CAP_UY', 'BTV', 'CHI_BO', 'UBKT'])[1 + n % 4], CASE WHEN n % 2 = 0 THEN 'GIAM_SAT' ELSE 'KIEM_TRA' END,
				CASE WHEN n % 2 = 0 THEN 'THUONG_XUYEN' END, CASE WHEN n % 2 = 1 THEN 'KT_CHAP_HANH' END,
				CASE WHEN n % 3 = 0 THEN 'TO_CHUC_DANG' ELSE 'DANG_VIEN' END,
				CASE WHEN n % 2 = 1 AND s.id % 4 = 0 THEN 'CO_VI_PHAM' WHEN n % 2 = 0 THEN 'THUC_HIEN_TOT' ELSE 'KHONG_VI_PHAM' END,
				CASE WHEN n % 2 = 1 AND s.id % 8 = 0 THEN 'KHIEN_TRACH' END,
				CASE WHEN n % 2 = 1 AND s.id % 8 = 0 THEN 'Ủy ban Kiểm tra Đảng ủy ' || s.org_code END
			FROM returns.submission s CROSS JOIN LATERAL generate_series(1, s.id % 5) n`,
		`INSERT INTO returns.discipline (submission_id, source_sheet, source_row, subject_type, discipline_form)
			SELECT s.id, 'KyLuat', 2, 'DANG_VIEN', CASE WHEN s.id % 2 = 0 THEN 'KHIEN_TRACH' ELSE 'CANH_CAO' END FROM returns.submission s WHERE s.id % 7 = 0`,
		`ANALYZE`,
	}
	storetest.Exec(b, st, storetest.BenchProvince...)
	storetest.Exec(b, st, stmts...)
	rs := []store.Recipient{{Email: "p@bench.example", Name: "P", ScopeOrgCode: "P", Language: "vi", Active: true}}
	for d := 1; d <= 20; d++ {
		rs = append(rs, store.Recipient{Email: fmt.Sprintf("d%02d@bench.example", d), Name: "D", ScopeOrgCode: fmt.Sprintf("D%02d", d), Language: "vi", Active: true})
	}
	for g := 1; len(rs) < 100; g += 18 {
		rs = append(rs, store.Recipient{Email: fmt.Sprintf("g%04d@bench.example", g), Name: "G", ScopeOrgCode: fmt.Sprintf("G%04d", g), Language: "en", Active: true})
	}
	return rs
}

// peakHeap samples the Go heap every 5 ms until stop is called and returns
// the highest value seen, in bytes.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// BenchmarkDigestProvince: the 2025-Q3 digests of 100 recipients of a
// province of 1,500 organisations and six quarters. Each iteration runs the
// SQL alone (DigestFacts for every recipient) and then the whole digest
// (facts, build, HTML, text, chart and workbook) for every recipient, and
// reports both times, their ratio, the peak Go heap of the whole run and
// the process's peak RSS.
//
//	go test ./etl/digestjob -run '^$' -bench BenchmarkDigestProvince -benchtime 1x
func BenchmarkDigestProvince(b *testing.B) {
	ctx := context.Background()
	st := storetest.New(b)
	rs := seedBigProvince(b, st)
	q := domain.Quarter{Year: 2025, Q: 3}
	var sqlTotal, wholeTotal time.Duration
	var peak uint64
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		for _, r := range rs {
			if _, err := st.DigestFacts(ctx, r.ScopeOrgCode, q, store.FactsOptions{Recipient: r.Email, DeadlineDays: 10, Zone: time.UTC}); err != nil {
				b.Fatal(err)
			}
		}
		sqlTotal += time.Since(start)
		runtime.GC()
		stop := peakHeap()
		start = time.Now()
		for _, r := range rs {
			if _, err := digestjob.Build(ctx, st, q, r, calendar(digestjob.Options{})); err != nil {
				b.Fatal(err)
			}
		}
		wholeTotal += time.Since(start)
		peak = max(peak, stop())
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(sqlTotal.Seconds()/n, "sql-s/op")
	b.ReportMetric(wholeTotal.Seconds()/n, "whole-s/op")
	b.ReportMetric(float64(wholeTotal)/float64(sqlTotal), "whole/sql")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MB")
	}
}
