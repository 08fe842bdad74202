package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/returns-project/returns/etl/normalize"
)

// Finding is what a rule that needs the database found about the file being
// loaded. The store says what and where; the caller words it.
type Finding struct {
	Rule     string // e.g. "TH-02"
	Severity string // "error" or "warning"
	Sheet    string
	Row      int    // source row; 0 for the key-value sheet
	Field    string // the field the finding points at
	Value    string // the value in the file
	Expected string // what the database says it should be, when there is one
	Other    string // the other organisation, quarter or row concerned, when there is one
}

// Rule ids of the database checks (docs/domain.md §4).
const (
	RuleOrgRegistry  = "TH-07"  // organisation in the registry, active in the quarter, right parent (E)
	RuleOrgName      = "TH-07W" // organisation name differs from the registry (W)
	RuleNoRegistry   = "TH-07R" // no registry loaded: the organisation could not be checked (W)
	RuleStartBalance = "TH-02"  // start of quarter = previous quarter's end (E; W across a merger)
	RuleRollUp       = "TH-04"  // a parent's totals = the sum over its children (W)
	RuleEarlierAdmit = "KN-08"  // admitted in an earlier quarter already (W)
	RuleTransferPair = "CS-07"  // transfer letter without its counterpart after 30 days (W)
	RuleTransferLate = "CS-03"  // matched letters more than 30 days apart (W)
)

// Checks runs the rules that need the database on the file being loaded,
// inside its transaction, after all its rows were copied: the file sees
// itself and every current submission, nothing half-done of other loads.
func (l *Load) Checks(ctx context.Context, now time.Time) ([]Finding, error) {
	if l.submissionID == 0 {
		return nil, nil
	}
	if err := l.endCopy(ctx); err != nil {
		return nil, err
	}
	c := &checker{l: l, now: now, q: l.year*4 + l.qtr - 1}
	if err := c.run(ctx); err != nil {
		return nil, fmt.Errorf("store: database rules for %s %d-Q%d: %w", l.org, l.year, l.qtr, err)
	}
	return c.out, nil
}

type checker struct {
	l        *Load
	now      time.Time
	q        int   // quarter index of the file
	registry int64 // current registry version, 0 when none
	out      []Finding
}

func (c *checker) add(f Finding) { c.out = append(c.out, f) }

type summaryRow struct {
	OrgName        sql.NullString `db:"org_name"`
	ParentCode     sql.NullString `db:"parent_code"`
	StartOfficial  sql.NullInt64  `db:"members_start_official"`
	StartProbation sql.NullInt64  `db:"members_start_probationary"`
	EndOfficial    sql.NullInt64  `db:"members_end_official"`
	EndProbation   sql.NullInt64  `db:"members_end_probationary"`
	Admitted       sql.NullInt64  `db:"admitted"`
	TransferInOff  sql.NullInt64  `db:"transfer_in_official"`
	TransferOutOff sql.NullInt64  `db:"transfer_out_official"`
}

const summaryCols = `t.org_name, t.parent_code, t.members_start_official, t.members_start_probationary,
	t.members_end_official, t.members_end_probationary, t.admitted, t.transfer_in_official, t.transfer_out_official`

func (c *checker) run(ctx context.Context) error {
	tx := c.l.tx
	var reg sql.NullInt64
	if err := tx.GetContext(ctx, &reg, `SELECT max(id) FROM returns.registry_version`); err != nil {
		return fmt.Errorf("registry version: %w", err)
	}
	c.registry = reg.Int64
	var me summaryRow
	if err := tx.GetContext(ctx, &me, `SELECT `+summaryCols+` FROM returns.summary t WHERE t.submission_id = $1`, c.l.submissionID); err != nil {
		return fmt.Errorf("read summary: %w", err)
	}
	if err := c.registryChecks(ctx, me); err != nil {
		return err
	}
	if err := c.startBalance(ctx, me); err != nil {
		return err
	}
	if err := c.rollUp(ctx, me); err != nil {
		return err
	}
	if err := c.earlierAdmissions(ctx); err != nil {
		return err
	}
	return c.transferPairs(ctx)
}

// registryChecks: the organisation exists, is active in the quarter, has the
// parent the file names, and (warning) the name the registry knows.
func (c *checker) registryChecks(ctx context.Context, me summaryRow) error {
	if c.registry == 0 {
		c.add(Finding{Rule: RuleNoRegistry, Severity: "warning", Sheet: "ThongTin", Field: "org_code", Value: c.l.org})
		return nil
	}
	var org struct {
		Name   string         `db:"name"`
		Parent sql.NullString `db:"parent_code"`
		From   int            `db:"valid_from_q"`
		To     sql.NullInt64  `db:"valid_to_q"`
	}
	err := c.l.tx.GetContext(ctx, &org, `SELECT name, parent_code, valid_from_q, valid_to_q FROM returns.org_unit
		WHERE registry_version_id = $1 AND code = $2`, c.registry, c.l.org)
	if errors.Is(err, sql.ErrNoRows) {
		c.add(Finding{Rule: RuleOrgRegistry, Severity: "error", Sheet: "ThongTin", Field: "org_code", Value: c.l.org})
		return nil
	}
	if err != nil {
		return fmt.Errorf("registry entry: %w", err)
	}
	if c.q < org.From || (org.To.Valid && c.q > int(org.To.Int64)) {
		active := quarterName(org.From) + " –"
		if org.To.Valid {
			active += " " + quarterName(int(org.To.Int64))
		}
		c.add(Finding{Rule: RuleOrgRegistry, Severity: "error", Sheet: "ThongTin", Field: "org_code", Value: c.l.org, Expected: active})
	}
	if org.Parent.String != me.ParentCode.String {
		c.add(Finding{Rule: RuleOrgRegistry, Severity: "error", Sheet: "ThongTin", Field: "parent_code", Value: me.ParentCode.String, Expected: org.Parent.String})
	}
	if normalize.Key(org.Name) != normalize.Key(me.OrgName.String) {
		c.add(Finding{Rule: RuleOrgName, Severity: "warning", Sheet: "ThongTin", Field: "org_name", Value: me.OrgName.String, Expected: org.Name})
	}
	return nil
}

func quarterName(q int) string { return fmt.Sprintf("%d-Q%d", q/4, q%4+1) }

// previousEnd returns the end-of-quarter members of org's current
// submission for quarter index q.
func (c *checker) previousEnd(ctx context.Context, org string, q int) (off, prob int64, ok bool, err error) {
	var r summaryRow
	err = c.l.tx.GetContext(ctx, &r, `SELECT `+summaryCols+` FROM returns.submission s JOIN returns.summary t ON t.submission_id = s.id
		WHERE s.status = 'accepted' AND s.org_code = $1 AND s.year = $2 AND s.quarter = $3`, org, q/4, q%4+1)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("previous quarter of %s: %w", org, err)
	}
	return r.EndOfficial.Int64, r.EndProbation.Int64, true, nil
}

// startBalance: the start of the quarter is the previous quarter's end;
// across a merger, the sum of the predecessors' ends (a warning then, as
// members may have moved elsewhere in the reorganisation).
func (c *checker) startBalance(ctx context.Context, me summaryRow) error {
	off, prob, ok, err := c.previousEnd(ctx, c.l.org, c.q-1)
	if err != nil {
		return err
	}
	severity, other := "error", quarterName(c.q-1)
	if !ok {
		if c.registry == 0 {
			return nil
		}
		var preds []string
		if err := c.l.tx.SelectContext(ctx, &preds, `SELECT code FROM returns.org_unit
			WHERE registry_version_id = $1 AND successor_code = $2 AND valid_to_q = $3 ORDER BY code`, c.registry, c.l.org, c.q-1); err != nil {
			return fmt.Errorf("predecessors: %w", err)
		}
		if len(preds) == 0 {
			return nil // first return of this organisation: nothing to compare
		}
		for _, p := range preds {
			po, pp, pok, err := c.previousEnd(ctx, p, c.q-1)
			if err != nil {
				return err
			}
			if !pok {
				return nil // a predecessor never reported its last quarter
			}
			off, prob = off+po, prob+pp
		}
		severity, other = "warning", fmt.Sprintf("%v %s", preds, quarterName(c.q-1))
	}
	if me.StartOfficial.Int64 != off {
		c.add(Finding{Rule: RuleStartBalance, Severity: severity, Sheet: "ThongTin", Field: "members_start_official",
			Value: strconv.FormatInt(me.StartOfficial.Int64, 10), Expected: strconv.FormatInt(off, 10), Other: other})
	}
	if me.StartProbation.Int64 != prob {
		c.add(Finding{Rule: RuleStartBalance, Severity: severity, Sheet: "ThongTin", Field: "members_start_probationary",
			Value: strconv.FormatInt(me.StartProbation.Int64, 10), Expected: strconv.FormatInt(prob, 10), Other: other})
	}
	return nil
}

// rollUp: when every child active in the quarter has reported, the parent's
// end-of-quarter members and admissions equal the sum over its children.
func (c *checker) rollUp(ctx context.Context, me summaryRow) error {
	if c.registry == 0 {
		return nil
	}
	var r struct {
		Children int           `db:"children"`
		Reported int           `db:"reported"`
		EndOff   sql.NullInt64 `db:"end_off"`
		EndProb  sql.NullInt64 `db:"end_prob"`
		Admitted sql.NullInt64 `db:"admitted"`
	}
	err := c.l.tx.GetContext(ctx, &r, `
		SELECT count(*) AS children, count(t.submission_id) AS reported,
		       sum(t.members_end_official) AS end_off, sum(t.members_end_probationary) AS end_prob, sum(t.admitted) AS admitted
		FROM returns.org_unit o
		LEFT JOIN returns.submission s ON s.org_code = o.code AND s.year = $3 AND s.quarter = $4 AND s.status = 'accepted'
		LEFT JOIN returns.summary t ON t.submission_id = s.id
		WHERE o.registry_version_id = $1 AND o.parent_code = $2
		  AND o.valid_from_q <= $5 AND (o.valid_to_q IS NULL OR o.valid_to_q >= $5)`,
		c.registry, c.l.org, c.l.year, c.l.qtr, c.q)
	if err != nil {
		return fmt.Errorf("children of %s: %w", c.l.org, err)
	}
	if r.Children == 0 || r.Reported < r.Children {
		return nil
	}
	other := fmt.Sprintf("%d", r.Children)
	for _, f := range []struct {
		field     string
		got, want int64
	}{
		{"members_end_official", me.EndOfficial.Int64, r.EndOff.Int64},
		{"members_end_probationary", me.EndProbation.Int64, r.EndProb.Int64},
		{"admitted", me.Admitted.Int64, r.Admitted.Int64},
	} {
		if f.got != f.want {
			c.add(Finding{Rule: RuleRollUp, Severity: "warning", Sheet: "ThongTin", Field: f.field,
				Value: strconv.FormatInt(f.got, 10), Expected: strconv.FormatInt(f.want, 10), Other: other})
		}
	}
	return nil
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

// earlierAdmissions: a person admitted in this file who was already admitted
// in an earlier quarter (same folded name and birth date, or same citizen
// ID), anywhere in the current submissions: a re-submission or a
// readmission to check.
func (c *checker) earlierAdmissions(ctx context.Context) error {
	var rows []struct {
		Row      int    `db:"source_row"`
		Name     string `db:"full_name"`
		OtherOrg string `db:"org_code"`
		OtherY   int    `db:"year"`
		OtherQ   int    `db:"quarter"`
		OtherRow int    `db:"other_row"`
	}
	bulk := c.l.copied["admission"] > lookupLimit
	if bulk {
		if _, err := c.l.tx.ExecContext(ctx, `SET LOCAL enable_nestloop = off`); err != nil {
			return fmt.Errorf("earlier admissions: %w", err)
		}
	}
	err := c.l.tx.SelectContext(ctx, &rows, earlierAdmissionsByLookup, c.l.submissionID, c.q)
	if err != nil {
		return fmt.Errorf("earlier admissions: %w", err)
	}
	if bulk {
		if _, err := c.l.tx.ExecContext(ctx, `SET LOCAL enable_nestloop = on`); err != nil {
			return fmt.Errorf("earlier admissions: %w", err)
		}
	}
	for _, r := range rows {
		c.add(Finding{Rule: RuleEarlierAdmit, Severity: "warning", Sheet: "KetNap", Row: r.Row, Field: "full_name", Value: r.Name,
			Other: fmt.Sprintf("%s %d-Q%d (dòng/row %d)", r.OtherOrg, r.OtherY, r.OtherQ, r.OtherRow)})
	}
	return nil
}

// transferPairs matches this file's transfer letters with the other side's:
// a DI naming an organisation of the registry should meet a DEN there (and
// the reverse) for the same person within 30 days. A letter older than 30
// days with no counterpart although the counterpart has reported the
// quarter it was due in is flagged (CS-07), as is a pair more than 30 days
// apart (CS-03). Letters still waiting for the other side are listed by the
// view reporting.unmatched_transfers for the digest.
func (c *checker) transferPairs(ctx context.Context) error {
	if c.registry == 0 {
		return nil
	}
	var rows []struct {
		Row       int            `db:"source_row"`
		Name      string         `db:"full_name"`
		Direction string         `db:"direction"`
		Other     string         `db:"counterpart_org_code"`
		Event     time.Time      `db:"event_date"`
		MatchRow  sql.NullInt64  `db:"match_row"`
		MatchDate sql.NullTime   `db:"match_date"`
		Known     bool           `db:"known"`
		Reported  bool           `db:"other_reported"`
		MatchOrg  sql.NullString `db:"match_org"`
	}
	err := c.l.tx.SelectContext(ctx, &rows, `
		SELECT t.source_row, coalesce(t.full_name, '') AS full_name, t.direction, t.counterpart_org_code, t.event_date,
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
		ORDER BY t.source_row`, c.l.submissionID, c.registry)
	if err != nil {
		return fmt.Errorf("transfer pairs: %w", err)
	}
	today := c.now.UTC().Truncate(24 * time.Hour)
	for _, r := range rows {
		switch {
		case !r.Known:
			c.add(Finding{Rule: RuleTransferPair, Severity: "warning", Sheet: "ChuyenSinhHoat", Row: r.Row, Field: "counterpart_org_code", Value: r.Other})
		case !r.MatchRow.Valid:
			// Flagged only once the other side has reported the quarter in
			// which the letter was due (30 days after it), without it: before
			// that, the other side is simply not in yet.
			if r.Reported && today.Sub(r.Event) > 30*24*time.Hour {
				c.add(Finding{Rule: RuleTransferPair, Severity: "warning", Sheet: "ChuyenSinhHoat", Row: r.Row, Field: "event_date",
					Value: r.Event.Format("02/01/2006"), Other: r.Other})
			}
		default:
			gap := r.Event.Sub(r.MatchDate.Time)
			if gap < 0 {
				gap = -gap
			}
			if gap > 30*24*time.Hour {
				c.add(Finding{Rule: RuleTransferLate, Severity: "warning", Sheet: "ChuyenSinhHoat", Row: r.Row, Field: "event_date",
					Value: r.Event.Format("02/01/2006"), Expected: r.MatchDate.Time.Format("02/01/2006"),
					Other: fmt.Sprintf("%s (dòng/row %d)", r.MatchOrg.String, r.MatchRow.Int64)})
			}
		}
	}
	return nil
}
