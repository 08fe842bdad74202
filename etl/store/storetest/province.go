package storetest

import (
	"context"
	"testing"

	"github.com/returns-project/returns/etl/store"
)

// BenchProvince writes the registry of the benchmarks' province of 1,500
// organisations: registry version 1 with the province committee P, 20
// committees above grassroots D01…D20 under it and 1,479 grassroots
// organisations G0001…G1479 (every third a chi bộ) under them, all valid
// from 2020-Q1. The benchmarks add their own returns.
var BenchProvince = []string{
	`INSERT INTO returns.registry_version (id, sha256, file_name, org_count) VALUES (1, 'bench', 'bench', 1500)`,
	`INSERT INTO returns.org_unit (registry_version_id, code, name, org_type, parent_code, valid_from_q, source_row)
		VALUES (1, 'P', 'Đảng bộ tỉnh', 'DANG_BO_CAP_TREN_CS', NULL, 8080, 3)`,
	`INSERT INTO returns.org_unit (registry_version_id, code, name, org_type, parent_code, valid_from_q, source_row)
		SELECT 1, 'D' || lpad(d::text, 2, '0'), 'Đảng bộ huyện ' || d, 'DANG_BO_CAP_TREN_CS', 'P', 8080, 3 + d FROM generate_series(1, 20) d`,
	`INSERT INTO returns.org_unit (registry_version_id, code, name, org_type, parent_code, valid_from_q, source_row)
		SELECT 1, 'G' || lpad(g::text, 4, '0'), 'Đảng bộ cơ sở ' || g, CASE WHEN g % 3 = 0 THEN 'CHI_BO_CO_SO' ELSE 'DANG_BO_CO_SO' END,
			'D' || lpad((1 + g % 20)::text, 2, '0'), 8080, 23 + g FROM generate_series(1, 1479) g`,
}

// Exec runs the statements on st in order, failing tb with the first that
// fails.
func Exec(tb testing.TB, st *store.Store, stmts ...string) {
	tb.Helper()
	for _, q := range stmts {
		if _, err := st.DB().ExecContext(context.Background(), q); err != nil {
			tb.Fatalf("seed: %v\n%s", err, q)
		}
	}
}
