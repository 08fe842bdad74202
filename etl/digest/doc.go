// Package digest builds and renders the managers' quarterly digest
// (docs/domain.md §6): completeness, membership, admissions against the
// annual target, composition, transfers, supervision and discipline, data
// quality and the units ranked by progress, each figure against the
// previous quarter (Q1 against Q4 of the year before) and the same quarter
// last year, like for like on the same organisations through the merger
// map, with "—" where there is no base.
//
// The digest renders from values, not from a database handle: [Facts] is
// what the store read under the recipient's scope (per organisation and
// quarter; the scope itself is enforced by PostgreSQL, see package store),
// [Build] computes the [Digest] from it, and [Render] writes the mail parts:
// HTML (html/template, tables and inline CSS, no scripts), a plain-text
// alternative, a chart as an inline PNG (go-chart) and an .xlsx attachment
// (excelize) with the per-organisation figures behind every number and
// native Excel charts, every text cell safe from formula injection.
// Vietnamese by default, English per recipient (package locale).
//
// Personal data (names) appears only where a manager must act on a person
// (an unmatched transfer letter, a probation that has ended) and only when
// [Facts.People] holds it, which the store fills only when the
// configuration allows it.
package digest
