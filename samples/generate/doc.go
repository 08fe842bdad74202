// Package generate builds the fictional province "Tỉnh Giả Định" (code GD)
// and its quarterly BCQ-1 returns, and writes them as workbooks.
//
// Everything is deterministic from a seed and nothing is global: Generate(seed)
// returns a *Province holding the dated organisation tree (province committee →
// cấp trên cơ sở committees → grassroots TCCS, with chi bộ cells, one đảng bộ
// bộ phận and one 2025 commune merger) and one Return per grassroots
// organisation active in each quarter from 2024-Q2 to 2025-Q3. The returns
// satisfy the rules of docs/domain.md §4: balances add up (TH-01), each quarter
// starts where the previous one ended (TH-02; a merger's successor starts at
// the sum of its predecessors), and the ThongTin counts equal the detail rows
// (TH-03, KN-09).
//
// The model is exported so that tests of the loader and of the digest can
// compute expected figures from the same data. WriteReturn writes one return
// in the layout of docs/domain.md §7 (with WriteOptions variants for readers and
// validators), WriteBig writes a KetNap-heavy workbook for benchmarks, and
// Registry and Dump give JSON views for the registry and for other writers.
package generate
