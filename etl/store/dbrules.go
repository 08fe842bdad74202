package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/returns-project/returns/etl/domain"
)

// This file holds the queries of the rules that need the database (TH-07,
// TH-02, TH-04, KN-08, CS-07, CS-03; docs/domain.md §4): what the database
// holds about the file being loaded, as plain values. The rules themselves
// (what differs, how much, which severity) are decided and worded by the
// caller (etl/intake/dbrules.go).

// RuleFacts is what the database holds about the file being loaded, for
// the rules that need the database.
type RuleFacts struct {
	Org     string
	Quarter domain.Quarter
	// Registry says whether a registry of organisations is loaded; Entry
	// is the organisation in its current version, nil when it is not there.
	Registry bool
	Entry    *domain.Org
	// Summary is the file's own key-value record, as stored.
	Summary Summary
	// Previous is the end of the previous quarter (TH-02), nil when there
	// is nothing to compare with.
	Previous *PreviousEnd
	// Children is the roll-up over the organisation's children active in
	// the quarter (TH-04); nil without a registry.
	Children *Children
	// Earlier are the file's admissions of people admitted in an earlier
	// quarter already (KN-08).
	Earlier []EarlierAdmission
	// Transfers are the file's transfer letters with their counterpart's
	// (CS-07, CS-03); nil without a registry.
	Transfers []TransferLetter
}

// Summary is the part of the file's key-value record the rules read (0 or
// "" for a blank).
type Summary struct {
	OrgName           string `db:"org_name"`
	ParentCode        string `db:"parent_code"`
	StartOfficial     int64  `db:"members_start_official"`
	StartProbationary int64  `db:"members_start_probationary"`
	EndOfficial       int64  `db:"members_end_official"`
	EndProbationary   int64  `db:"members_end_probationary"`
	Admitted          int64  `db:"admitted"`
}

// PreviousEnd is the members at the end of the previous quarter: of the
// organisation's own accepted return, or, when it has none, summed over the
// organisations merged into it at that quarter's end (Merged), each of which
// reported it.
type PreviousEnd struct {
	Official, Probationary int64
	Merged                 []string // the predecessors summed; empty for the organisation's own return
}

// Children is the roll-up over the children of the organisation active in
// the quarter: how many there are, how many reported, and the sums over
// their accepted returns.
type Children struct {
	Count           int   `db:"children"`
	Reported        int   `db:"reported"`
	EndOfficial     int64 `db:"end_off"`
	EndProbationary int64 `db:"end_prob"`
	Admitted        int64 `db:"admitted"`
}

// EarlierAdmission is an admission of the file whose person (same folded
// name and birth date, or same citizen ID) was admitted in an earlier
// quarter, in the current submissions: the latest such admission.
type EarlierAdmission struct {
	Row      int    // the file's row
	Name     string // as in the file
	Org      string // the earlier admission's organisation, quarter and row
	Quarter  domain.Quarter
	OtherRow int
}

// TransferLetter is a transfer letter of the file naming a counterpart,
// with the counterpart's letter for the same person that matches it best
// (closest date), if any.
type TransferLetter struct {
	Row         int
	Counterpart string    // the counterpart organisation's code
	Event       time.Time // the letter's date
	// Known says whether the counterpart is in the current registry;
	// CounterpartReported whether it has an accepted return for the quarter
	// in which the letter was due (30 days after it).
	Known, CounterpartReported bool
	// Match is the counterpart's letter; nil when none.
	Match *TransferMatch
}

// TransferMatch is the counterpart's letter matching a [TransferLetter].
type TransferMatch struct {
	Org  string
	Row  int64
	Date time.Time
}

// RuleFacts reads, inside the load's transaction and after all its rows
// were copied, what the rules that need the database judge: the file sees
// itself and every current submission, nothing half-done of other loads.
// Nil before a submission was created (no valid key-value record).
func (l *Load) RuleFacts(ctx context.Context) (*RuleFacts, error) {
	if l.submissionID == 0 {
		return nil, nil
	}
	if err := l.endCopy(ctx); err != nil {
		return nil, err
	}
	f := &RuleFacts{Org: l.org, Quarter: l.quarter}
	if err := l.ruleFacts(ctx, f); err != nil {
		return nil, fmt.Errorf("store: database rules for %s %s: %w", l.org, f.Quarter, err)
	}
	return f, nil
}

// summaryFacts are the columns of returns.summary the rules read, as a
// [Summary]: returned by the summary's INSERT, or read back.
const summaryFacts = `coalesce(org_name, '') AS org_name, coalesce(parent_code, '') AS parent_code,
	coalesce(members_start_official, 0) AS members_start_official, coalesce(members_start_probationary, 0) AS members_start_probationary,
	coalesce(members_end_official, 0) AS members_end_official, coalesce(members_end_probationary, 0) AS members_end_probationary,
	coalesce(admitted, 0) AS admitted`

func (l *Load) ruleFacts(ctx context.Context, f *RuleFacts) error {
	var reg sql.NullInt64
	if err := l.tx.GetContext(ctx, &reg, `SELECT max(id) FROM returns.registry_version`); err != nil {
		return fmt.Errorf("registry version: %w", err)
	}
	registry := reg.Int64
	f.Registry = registry != 0
	if l.stored != nil {
		// The summary insert returned the row as stored.
		f.Summary = *l.stored
	} else if err := l.tx.GetContext(ctx, &f.Summary, `SELECT `+summaryFacts+` FROM returns.summary WHERE submission_id = $1`, l.submissionID); err != nil {
		return fmt.Errorf("read summary: %w", err)
	}
	var err error
	if f.Entry, err = l.registryEntry(ctx, registry); err != nil {
		return err
	}
	if f.Previous, err = l.previousEnd(ctx, registry, f.Quarter.Prev()); err != nil {
		return err
	}
	if f.Children, err = l.children(ctx, registry, f.Quarter); err != nil {
		return err
	}
	if f.Earlier, err = l.earlierAdmissions(ctx, f.Quarter); err != nil {
		return err
	}
	f.Transfers, err = l.transferLetters(ctx, registry)
	return err
}

// registryEntry returns the organisation in registry version registry, nil
// when it is not there (or there is no registry).
func (l *Load) registryEntry(ctx context.Context, registry int64) (*domain.Org, error) {
	if registry == 0 {
		return nil, nil
	}
	var org struct {
		Name   string         `db:"name"`
		Parent sql.NullString `db:"parent_code"`
		From   int            `db:"valid_from_q"`
		To     sql.NullInt64  `db:"valid_to_q"`
	}
	err := l.tx.GetContext(ctx, &org, `SELECT name, parent_code, valid_from_q, valid_to_q FROM returns.org_unit
		WHERE registry_version_id = $1 AND code = $2`, registry, l.org)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("registry entry: %w", err)
	}
	o := &domain.Org{Code: l.org, Name: org.Name, ParentCode: org.Parent.String, ValidFrom: domain.QuarterOf(org.From)}
	if org.To.Valid {
		o.ValidTo = domain.QuarterOf(int(org.To.Int64))
	}
	return o, nil
}

// previousEnd returns the members at the end of quarter prev (see
// [PreviousEnd]): of the organisation's own accepted return, else summed
// over its predecessors in registry, when each of them reported it; nil
// when there is no such return.
func (l *Load) previousEnd(ctx context.Context, registry int64, prev domain.Quarter) (*PreviousEnd, error) {
	if p, err := l.endOf(ctx, l.org, prev); p != nil || err != nil || registry == 0 {
		return p, err
	}
	var preds []string
	if err := l.tx.SelectContext(ctx, &preds, `SELECT code FROM returns.org_unit
		WHERE registry_version_id = $1 AND successor_code = $2 AND valid_to_q = $3 ORDER BY code`, registry, l.org, prev.Index()); err != nil {
		return nil, fmt.Errorf("predecessors: %w", err)
	}
	if len(preds) == 0 {
		return nil, nil // first return of this organisation: nothing to compare
	}
	sum := &PreviousEnd{Merged: preds}
	for _, p := range preds {
		end, err := l.endOf(ctx, p, prev)
		if err != nil || end == nil {
			return nil, err // an error, or a predecessor never reported its last quarter
		}
		sum.Official, sum.Probationary = sum.Official+end.Official, sum.Probationary+end.Probationary
	}
	return sum, nil
}

// endOf returns the end-of-quarter members of org's accepted return for
// quarter q, nil when there is none.
func (l *Load) endOf(ctx context.Context, org string, q domain.Quarter) (*PreviousEnd, error) {
	var r PreviousEnd
	err := l.tx.QueryRowContext(ctx, `SELECT coalesce(t.members_end_official, 0), coalesce(t.members_end_probationary, 0)
		FROM returns.submission s JOIN returns.summary t ON t.submission_id = s.id
		WHERE s.status = 'accepted' AND s.org_code = $1 AND s.year = $2 AND s.quarter = $3`, org, q.Year, q.Q).Scan(&r.Official, &r.Probationary)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("previous quarter of %s: %w", org, err)
	}
	return &r, nil
}

// children returns the roll-up over the organisation's children active in
// quarter q; nil without a registry.
func (l *Load) children(ctx context.Context, registry int64, q domain.Quarter) (*Children, error) {
	if registry == 0 {
		return nil, nil
	}
	var c Children
	err := l.tx.GetContext(ctx, &c, `
		SELECT count(*) AS children, count(t.submission_id) AS reported,
		       coalesce(sum(t.members_end_official), 0) AS end_off, coalesce(sum(t.members_end_probationary), 0) AS end_prob,
		       coalesce(sum(t.admitted), 0) AS admitted
		FROM returns.org_unit o
		LEFT JOIN returns.submission s ON s.org_code = o.code AND s.year = $3 AND s.quarter = $4 AND s.status = 'accepted'
		LEFT JOIN returns.summary t ON t.submission_id = s.id
		WHERE o.registry_version_id = $1 AND o.parent_code = $2
		  AND o.valid_from_q <= $5 AND (o.valid_to_q IS NULL OR o.valid_to_q >= $5)`,
		registry, l.org, q.Year, q.Q, q.Index())
	if err != nil {
		return nil, fmt.Errorf("children of %s: %w", l.org, err)
	}
	return &c, nil
}

// lookupLimit is the number of admissions in a file up to which KN-08
// looks each person up by index; for larger files the same query runs with
// nested loops off, so that both joins are hash joins: a bulk pass over
// the admissions whatever the statistics say. (A single join on an OR of
// the two keys cannot be hashed: with statistics older than the load, the
// planner chose a nested loop over a sequential scan, 60,000 × 60,000 rows,
// and a 60,000-row file took more than 90 s instead of 2 s under load.)
const lookupLimit = 2000

// earlierAdmissionsByLookup finds the file's own admissions first, then
// looks each person up twice by index (admission_person,
// admission_citizen), then their submissions: the materialised steps keep
// that order whatever the planner believes of the tables. With one join on
// an OR, statistics older than a burst of loads (autovacuum analyses a
// minute or more later) made it start from every accepted submission and
// read all their admissions, for every file: 17 ms a file in a database of
// 8,000 admissions, measured. Two lookups a person are slower than a bulk
// join for a file of 100,000 admissions (0.5 s against 25 ms, measured),
// hence hash joins above lookupLimit.
const earlierAdmissionsByLookup = `
	WITH mine AS MATERIALIZED (
		SELECT source_row, full_name, name_key, birth_date, citizen_id FROM returns.admission WHERE submission_id = $1),
	hits AS MATERIALIZED (
		SELECT a.source_row, a.full_name, b.submission_id AS other_sub, b.source_row AS other_row
		FROM mine a JOIN returns.admission b ON b.name_key = a.name_key AND b.birth_date = a.birth_date
		WHERE b.submission_id <> $1
		UNION
		SELECT a.source_row, a.full_name, b.submission_id, b.source_row
		FROM mine a JOIN returns.admission b ON b.citizen_id = a.citizen_id
		WHERE a.citizen_id IS NOT NULL AND b.submission_id <> $1)
	SELECT DISTINCT ON (h.source_row) h.source_row, h.full_name, s.org_code, s.year, s.quarter, h.other_row
	FROM hits h JOIN returns.submission s ON s.id = h.other_sub AND s.status = 'accepted'
	WHERE s.year * 4 + s.quarter - 1 < $2
	ORDER BY h.source_row, s.year DESC, s.quarter DESC, h.other_row`

// earlierAdmissions returns the file's admissions of people already
// admitted in a quarter before q, anywhere in the current submissions.
func (l *Load) earlierAdmissions(ctx context.Context, q domain.Quarter) ([]EarlierAdmission, error) {
	var rows []struct {
		Row      int    `db:"source_row"`
		Name     string `db:"full_name"`
		OtherOrg string `db:"org_code"`
		OtherY   int    `db:"year"`
		OtherQ   int    `db:"quarter"`
		OtherRow int    `db:"other_row"`
	}
	bulk := l.copied["admission"] > lookupLimit
	if bulk {
		if _, err := l.tx.ExecContext(ctx, `SET LOCAL enable_nestloop = off`); err != nil {
			return nil, fmt.Errorf("earlier admissions: %w", err)
		}
	}
	if err := l.tx.SelectContext(ctx, &rows, earlierAdmissionsByLookup, l.submissionID, q.Index()); err != nil {
		return nil, fmt.Errorf("earlier admissions: %w", err)
	}
	if bulk {
		if _, err := l.tx.ExecContext(ctx, `SET LOCAL enable_nestloop = on`); err != nil {
			return nil, fmt.Errorf("earlier admissions: %w", err)
		}
	}
	out := make([]EarlierAdmission, len(rows))
	for i, r := range rows {
		out[i] = EarlierAdmission{Row: r.Row, Name: r.Name, Org: r.OtherOrg, Quarter: domain.Quarter{Year: r.OtherY, Q: r.OtherQ}, OtherRow: r.OtherRow}
	}
	return out, nil
}

// transferLetters returns the file's transfer letters (official or
// temporary, dated, naming a counterpart) with the counterpart's letter for
// the same person (card number, profile number, or folded name and birth
// date) in the other direction that is closest in date; nil without a
// registry. Letters still waiting for the other side are listed by the view
// reporting.unmatched_transfers for the digest.
func (l *Load) transferLetters(ctx context.Context, registry int64) ([]TransferLetter, error) {
	if registry == 0 {
		return nil, nil
	}
	var rows []struct {
		Row       int            `db:"source_row"`
		Other     string         `db:"counterpart_org_code"`
		Event     time.Time      `db:"event_date"`
		MatchRow  sql.NullInt64  `db:"match_row"`
		MatchDate sql.NullTime   `db:"match_date"`
		Known     bool           `db:"known"`
		Reported  bool           `db:"other_reported"`
		MatchOrg  sql.NullString `db:"match_org"`
	}
	err := l.tx.SelectContext(ctx, &rows, `
		SELECT t.source_row, t.counterpart_org_code, t.event_date,
		       m.source_row AS match_row, m.event_date AS match_date, m.org_code AS match_org,
		       EXISTS (SELECT FROM returns.org_unit o WHERE o.registry_version_id = $2 AND o.code = t.counterpart_org_code) AS known,
		       EXISTS (SELECT FROM returns.submission s2 WHERE s2.org_code = t.counterpart_org_code AND s2.status = 'accepted'
		               AND s2.year * 4 + s2.quarter - 1 = extract(year FROM t.event_date + 30)::int * 4 + extract(quarter FROM t.event_date + 30)::int - 1) AS other_reported
		FROM returns.transfer t
		LEFT JOIN LATERAL (
			SELECT u.source_row, u.event_date, s.org_code
			FROM returns.transfer u JOIN returns.submission s ON s.id = u.submission_id AND s.status = 'accepted'
			WHERE s.org_code = t.counterpart_org_code AND u.direction <> t.direction
			  AND u.transfer_type = t.transfer_type
			  AND (u.card_no = t.card_no OR u.profile_no = t.profile_no OR (u.name_key = t.name_key AND u.birth_date = t.birth_date))
			ORDER BY abs(u.event_date - t.event_date)
			LIMIT 1) m ON true
		WHERE t.submission_id = $1 AND t.counterpart_org_code IS NOT NULL AND t.event_date IS NOT NULL
		  AND t.transfer_type IN ('CHINH_THUC', 'TAM_THOI')
		ORDER BY t.source_row`, l.submissionID, registry)
	if err != nil {
		return nil, fmt.Errorf("transfer pairs: %w", err)
	}
	out := make([]TransferLetter, len(rows))
	for i, r := range rows {
		out[i] = TransferLetter{Row: r.Row, Counterpart: r.Other, Event: r.Event, Known: r.Known, CounterpartReported: r.Reported}
		if r.MatchRow.Valid {
			out[i].Match = &TransferMatch{Org: r.MatchOrg.String, Row: r.MatchRow.Int64, Date: r.MatchDate.Time}
		}
	}
	return out, nil
}
