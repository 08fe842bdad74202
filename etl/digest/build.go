package digest

import (
	"cmp"
	"slices"
	"time"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/facts"
	"github.com/returns-project/returns/etl/locale"
)

// Change compares a figure with a base period, like for like: Cur and Base
// are summed over the same organisations (Orgs of them: those with figures
// in both periods, predecessors counted in their successor). Orgs is 0
// when no organisation has figures in both periods: there is no base (no
// return), which reads differently from a real base of 0. OK says a
// percentage can be computed (a base that is not 0).
type Change struct {
	OK        bool
	Cur, Base int
	Orgs      int
	// Quarters are, for a year-to-date comparison, the quarters compared
	// (those with a return in both years for at least one organisation);
	// Partial when they are not all of Q1..q. Nil otherwise.
	Quarters []int
	Partial  bool
}

// HasBase says some organisation has figures in both periods.
func (c Change) HasBase() bool { return c.Orgs > 0 }

// Delta is Cur − Base.
func (c Change) Delta() int { return c.Cur - c.Base }

// Pct is the change in percent of Base.
func (c Change) Pct() float64 { return 100 * float64(c.Cur-c.Base) / float64(c.Base) }

// Metric is a figure over the whole scope with its two comparisons.
type Metric struct {
	Value    int
	QoQ, YoY Change
}

// Share is a part of a whole in percent, with its change in percentage
// points against the two bases (like for like); OK false is "—".
type Share struct {
	Num, Den     int
	QoQ, YoY     float64 // percentage points
	QoQOK, YoYOK bool
}

// Pct is the share in percent (0 when Den is 0).
func (s Share) Pct() float64 {
	if s.Den == 0 {
		return 0
	}
	return 100 * float64(s.Num) / float64(s.Den)
}

// Unit is one organisation in a list of the digest.
type Unit struct {
	Code, Name string
	Reason     string  // missing: the rejection reason, "" when nothing was received
	Late       bool    // reported after the deadline
	YTD        int     // admissions year to date (ranking)
	Target     int     // annual target (ranking)
	Progress   float64 // YTD / Target in percent (ranking)
	Start, End int     // balance mismatch: this start, the previous end
	Warnings   int
}

// Completeness counts the expected returns of the quarter.
type Completeness struct {
	Expected, Reported, OnTime, Late, Rejected, Missing int
	MissingUnits                                        []Unit // not reported (rejected ones with their reason)
	LateUnits                                           []Unit
}

// TransferRow is one scope of official transfers.
type TransferRow struct {
	Scope   string
	In, Out int
}

// Tally is a count by up to three codes.
type Tally struct {
	Keys [3]string
	N    int
}

// Digest is the computed digest of one scope and quarter: values only.
type Digest struct {
	Scope   domain.Org
	Quarter domain.Quarter
	Prev    domain.Quarter // the quarter before
	YearAgo domain.Quarter // the same quarter last year
	Cutoff  time.Time
	// Deadline is when the quarter's returns were due ([domain.Deadline]:
	// received from then on is late), reckoned with DeadlineDays in Zone,
	// the calendar of the facts; Zone is also the zone times are shown in.
	Deadline     time.Time
	DeadlineDays int
	Zone         *time.Location

	// Values are the figures of [Definitions] by id, Shares the KetNap
	// shares (KindShare) by id. The named fields below are the same
	// values, for the code that reads them by name.
	Values map[string]Metric
	Shares map[string]Share

	Completeness Completeness
	// PrevCompleteness counts the previous quarter's returns (no lists),
	// for the key figures box.
	PrevCompleteness Completeness
	// Below is the number of organisations of the scope below it that are
	// valid in the quarter.
	Below int
	// Empty says the scope has no accepted return for the quarter.
	Empty bool

	MembersStart, MembersEnd, Net Metric
	Official, Probationary        Metric
	Recognised                    Metric

	Admissions    Metric // in the quarter (admitted + readmitted)
	Readmitted    int
	AdmissionsYTD Metric
	Target        int
	// Progress is AdmissionsYTD / Target in percent; ProgressOK false when there is no target.
	Progress   float64
	ProgressOK bool
	// ByQuarter is the scope's admissions of each quarter of Facts, oldest
	// first (the chart), with the target of the quarter's year.
	ByQuarter []QuarterAdmissions

	Women, Youth, Minority, Religious, NonState Share

	Transfers                    []TransferRow // official, by scope
	TransferIn, TransferOut      Metric        // official
	TempIn, TempOut              Metric
	UnmatchedLetters             int
	Supervision, Inspection      Metric
	DisciplineTotal              Metric
	SupervisionByActor           []Tally // actor × activity × form (supervision form or inspection type)
	SupervisionBySubject         []Tally // activity × subject type
	DisciplineByForm             []Tally // form × subject type
	DisciplineByBody             []Tally // decided by × origin (KyLuat, GiamSat)
	Warnings                     int
	WarningUnits                 []Unit
	BalanceMismatches            []Unit
	Top, Bottom                  []Unit
	ZeroAdmissionUnits           []Unit
	People                       []facts.Person
	Restatements                 []facts.Restatement
	Orgs                         map[string]domain.Org
	OrgList                      []domain.Org    // the scope's organisations in registry order
	Figures                      []facts.Figures // the quarter's per-organisation figures (attachment)
	AllFigures                   []facts.Figures
	TransferCounts, SupervCounts []facts.Count
	DisciplineCounts             []facts.Count
	OutcomeCounts                []facts.Count
}

// QuarterAdmissions is one bar of the admissions chart.
type QuarterAdmissions struct {
	Quarter    domain.Quarter
	Admissions int
	Target     int // annual target of the organisations reporting that quarter
	// YTD is the year to date up to this quarter: it restarts each year.
	YTD int
	// Missing are the quarters of the year before this one without any
	// return in the scope: YTD lacks them (a partial year).
	Missing []int
}

// late says whether g, figures of any quarter, came in late: its first
// version received at or after its quarter's [domain.Deadline] (the
// instant itself is late, as on the quarter board).
func (d *Digest) late(g facts.Figures) bool {
	return domain.Late(g.FirstReceivedAt, g.Quarter, d.DeadlineDays, d.Zone)
}

// due is the last minute on time, as the digest states it ("10/10/2025
// 23:59" for a deadline at 11/10 00:00).
func (d *Digest) due() string { return locale.DateTime(d.Deadline.Add(-time.Nanosecond), d.Zone) }

// TopN is how many units the top and bottom lists hold.
const TopN = 5

// Build computes the digest from the facts: every figure of [Definitions].
// The facts' calendar (DeadlineDays, Zone) must be set, as the store sets it.
func Build(f *facts.Facts) *Digest {
	c := f.Quarter
	d := &Digest{Scope: f.Scope, Quarter: c, Prev: c.Prev(), YearAgo: c.YearAgo(), Cutoff: f.Cutoff,
		Deadline: domain.Deadline(c, f.DeadlineDays, f.Zone), DeadlineDays: f.DeadlineDays, Zone: f.Zone,
		People: f.People, Restatements: f.Restatements, Orgs: map[string]domain.Org{}, AllFigures: f.Figures,
		TransferCounts: f.Transfers, SupervCounts: f.Supervisions, DisciplineCounts: f.Disciplines, OutcomeCounts: f.Outcomes,
		OrgList: f.Orgs, Values: map[string]Metric{}, Shares: map[string]Share{}}
	for _, o := range f.Orgs {
		d.Orgs[o.Code] = o
		if o.Code != f.Scope.Code && o.ActiveIn(c) {
			d.Below++
		}
	}
	b := &builder{f: f, d: d, byQ: map[int][]facts.Figures{}}
	for _, g := range f.Figures {
		b.byQ[g.Quarter.Index()] = append(b.byQ[g.Quarter.Index()], g)
	}
	d.Figures = b.byQ[c.Index()]
	d.Empty = len(d.Figures) == 0
	d.Completeness = b.completeness(c, true)
	d.PrevCompleteness = b.completeness(d.Prev, false)
	d.Target = b.yearTarget()

	for _, def := range Definitions {
		switch def.Kind {
		case KindSum, KindNet:
			if def.rows != nil {
				d.Values[def.ID] = b.rowsMetric(def.rows(f), def.count)
			} else {
				d.Values[def.ID] = b.metric(def.value)
			}
		case KindRows:
			d.Values[def.ID] = b.rowsMetric(def.rows(f), def.count)
		case KindYTD:
			ytd, _ := ytdQuarters(c)
			d.Values[def.ID] = Metric{Value: b.sumQuarters(ytd, def.value), YoY: b.ytdChange(def.value)}
		case KindShare:
			s := Share{Num: sum(d.Figures, def.value), Den: sum(d.Figures, def.den)}
			s.QoQ, s.QoQOK = b.pp([]domain.Quarter{c}, []domain.Quarter{d.Prev}, def.value, def.den)
			s.YoY, s.YoYOK = b.pp([]domain.Quarter{c}, []domain.Quarter{d.YearAgo}, def.value, def.den)
			d.Shares[def.ID] = s
		case KindLevel, KindReturns:
			d.Values[def.ID] = Metric{Value: def.level(d)}
		}
	}
	v := d.Values
	d.MembersStart, d.MembersEnd, d.Net = v["members_start"], v["members_end"], v["members_net"]
	d.Official, d.Probationary, d.Recognised = v["members_official"], v["members_probationary"], v["members_recognised"]
	d.Admissions, d.AdmissionsYTD = v["admissions_quarter"], v["admissions_ytd"]
	d.TransferIn, d.TransferOut, d.TempIn, d.TempOut = v["transfers_in"], v["transfers_out"], v["transfers_temp_in"], v["transfers_temp_out"]
	d.Supervision, d.Inspection, d.DisciplineTotal = v["supervisions"], v["inspections"], v["disciplines"]
	sh := d.Shares
	d.Women, d.Youth, d.Minority, d.Religious, d.NonState = sh["share_women"], sh["share_youth"], sh["share_minority"], sh["share_religious"], sh["share_nonstate"]

	d.Readmitted = sum(d.Figures, func(g facts.Figures) int { return g.Readmitted })
	if d.Target > 0 {
		d.Progress, d.ProgressOK = 100*float64(d.AdmissionsYTD.Value)/float64(d.Target), true
	}
	adm := func(g facts.Figures) int { return g.Admitted + g.Readmitted }
	first := domain.Quarter{Year: c.Year - 1, Q: 1}
	run := 0
	var missing []int
	for i := first.Index(); i <= c.Index(); i++ {
		q := domain.QuarterOf(i)
		if q.Q == 1 {
			run, missing = 0, nil // the year to date restarts each year
		}
		n := b.sumQuarters([]domain.Quarter{q}, adm)
		run += n
		if len(b.byQ[i]) == 0 {
			missing = append(missing, q.Q)
			continue // no return for that quarter at all: no point on the chart
		}
		d.ByQuarter = append(d.ByQuarter, QuarterAdmissions{Quarter: q, Admissions: n, YTD: run, Missing: slices.Clone(missing),
			Target: sum(b.byQ[i], func(g facts.Figures) int { return g.Target })})
	}

	b.transfers()
	b.supervision()
	b.quality()
	b.ranking()
	return d
}

type builder struct {
	f   *facts.Facts
	d   *Digest
	byQ map[int][]facts.Figures
}

func sum(fs []facts.Figures, v func(facts.Figures) int) int {
	n := 0
	for _, g := range fs {
		n += v(g)
	}
	return n
}

// ytdQuarters are Q1..q of q's year and the same quarters a year before.
func ytdQuarters(q domain.Quarter) (cur, base []domain.Quarter) {
	for i := 1; i <= q.Q; i++ {
		cur = append(cur, domain.Quarter{Year: q.Year, Q: i})
		base = append(base, domain.Quarter{Year: q.Year - 1, Q: i})
	}
	return cur, base
}

func (b *builder) sumQuarters(qs []domain.Quarter, v func(facts.Figures) int) int {
	n := 0
	for _, q := range qs {
		n += sum(b.byQ[q.Index()], v)
	}
	return n
}

// rep is the organisation that stands for code in the current quarter:
// code itself, or its successor (through a chain of mergers) when code no
// longer exists.
func (b *builder) rep(code string) string {
	cur := b.d.Quarter
	for range 20 { // a registry has no cycles (DV-11); bound it anyway
		o, ok := b.d.Orgs[code]
		if !ok || o.ActiveIn(cur) || o.SuccessorCode == "" {
			return code
		}
		code = o.SuccessorCode
	}
	return code
}

// byRep sums v over the figures of quarters qs, by representative.
func (b *builder) byRep(qs []domain.Quarter, v func(facts.Figures) int) map[string]int {
	m := map[string]int{}
	for _, q := range qs {
		for _, g := range b.byQ[q.Index()] {
			m[b.rep(g.Org)] += v(g)
		}
	}
	return m
}

// present is the set of representatives with figures in qs.
func (b *builder) present(qs []domain.Quarter) map[string]bool {
	m := map[string]bool{}
	for _, q := range qs {
		for _, g := range b.byQ[q.Index()] {
			m[b.rep(g.Org)] = true
		}
	}
	return m
}

// common is the representatives with figures in both cur and base.
func (b *builder) common(cur, base []domain.Quarter) map[string]bool {
	pc, pb := b.present(cur), b.present(base)
	out := map[string]bool{}
	for k := range pc {
		if pb[k] {
			out[k] = true
		}
	}
	return out
}

// change compares v summed over quarters cur with quarters base, like for like.
func (b *builder) change(cur, base []domain.Quarter, v func(facts.Figures) int) Change {
	set := b.common(cur, base)
	mc, mb := b.byRep(cur, v), b.byRep(base, v)
	ch := Change{Orgs: len(set)}
	for k := range set {
		ch.Cur += mc[k]
		ch.Base += mb[k]
	}
	ch.OK = len(set) > 0 && ch.Base != 0
	return ch
}

// pp is the change in percentage points of num/den, like for like.
func (b *builder) pp(cur, base []domain.Quarter, num, den func(facts.Figures) int) (float64, bool) {
	set := b.common(cur, base)
	nc, dc, nb, db := b.byRep(cur, num), b.byRep(cur, den), b.byRep(base, num), b.byRep(base, den)
	var a, x, c, y int
	for k := range set {
		a, x, c, y = a+nc[k], x+dc[k], c+nb[k], y+db[k]
	}
	if x == 0 || y == 0 {
		return 0, false
	}
	return 100*float64(a)/float64(x) - 100*float64(c)/float64(y), true
}

func (b *builder) unit(code string) Unit {
	return Unit{Code: code, Name: b.d.Orgs[code].Name}
}

// completeness counts the expected returns of quarter q (the lists only
// when lists is set): grassroots organisations valid in q, reported when
// they have figures for q, on time when the first version was received
// before q's deadline ([Digest.late]).
func (b *builder) completeness(q domain.Quarter, lists bool) Completeness {
	reported := map[string]facts.Figures{}
	for _, g := range b.byQ[q.Index()] {
		reported[g.Org] = g
	}
	rejected := map[string]string{}
	for _, r := range b.f.Rejected {
		if r.Quarter == q {
			rejected[r.Org] = r.Reason
		}
	}
	var cm Completeness
	for _, o := range b.f.Orgs {
		if !o.Reports() || !o.ActiveIn(q) {
			continue
		}
		cm.Expected++
		g, ok := reported[o.Code]
		if !ok {
			if rejected[o.Code] != "" {
				cm.Rejected++
			}
			cm.Missing++
			if lists {
				u := b.unit(o.Code)
				u.Reason = rejected[o.Code]
				cm.MissingUnits = append(cm.MissingUnits, u)
			}
			continue
		}
		cm.Reported++
		if !b.d.late(g) {
			cm.OnTime++
		} else {
			cm.Late++
			if lists {
				u := b.unit(o.Code)
				u.Late = true
				cm.LateUnits = append(cm.LateUnits, u)
			}
		}
	}
	return cm
}

// metric is v summed over the quarter's returns with its two comparisons.
func (b *builder) metric(v func(facts.Figures) int) Metric {
	d := b.d
	return Metric{Value: sum(d.Figures, v), QoQ: b.change([]domain.Quarter{d.Quarter}, []domain.Quarter{d.Prev}, v),
		YoY: b.change([]domain.Quarter{d.Quarter}, []domain.Quarter{d.YearAgo}, v)}
}

// rowsMetric is a metric of detail rows: what w gives each count, added up
// by organisation and quarter. Counts are only there for organisations
// with rows: an organisation with a return and no row counts 0.
func (b *builder) rowsMetric(counts []facts.Count, w func(facts.Count) int) Metric {
	by := map[int]map[string]int{}
	for _, c := range counts {
		n := w(c)
		if n == 0 {
			continue
		}
		i := c.Quarter.Index()
		if by[i] == nil {
			by[i] = map[string]int{}
		}
		by[i][c.Org] += n
	}
	return b.metric(func(g facts.Figures) int { return by[g.Quarter.Index()][g.Org] })
}

// ytdChange compares the year to date with last year on the same
// (organisation, quarter) pairs: quarter k of the year enters, for an
// organisation (its predecessors counted in it), only when it has figures
// for k in both years. Quarters are the k with at least one such pair.
func (b *builder) ytdChange(v func(facts.Figures) int) Change {
	c := b.d.Quarter
	var ch Change
	units := map[string]bool{}
	for k := 1; k <= c.Q; k++ {
		cur, base := []domain.Quarter{{Year: c.Year, Q: k}}, []domain.Quarter{{Year: c.Year - 1, Q: k}}
		set := b.common(cur, base)
		if len(set) == 0 {
			continue
		}
		ch.Quarters = append(ch.Quarters, k)
		mc, mb := b.byRep(cur, v), b.byRep(base, v)
		for u := range set {
			ch.Cur += mc[u]
			ch.Base += mb[u]
			units[u] = true
		}
	}
	ch.Orgs = len(units)
	ch.Partial = len(ch.Quarters) > 0 && len(ch.Quarters) != c.Q
	ch.OK = ch.Orgs > 0 && ch.Base != 0
	return ch
}

func (b *builder) transfers() {
	d := b.d
	in := func(c facts.Count) bool { return c.Quarter == d.Quarter }
	scopes := map[string]*TransferRow{}
	var order []string
	for _, c := range b.f.Transfers {
		if !in(c) || c.Keys[1] != "CHINH_THUC" {
			continue
		}
		r := scopes[c.Keys[2]]
		if r == nil {
			r = &TransferRow{Scope: c.Keys[2]}
			scopes[c.Keys[2]] = r
			order = append(order, c.Keys[2])
		}
		if c.Keys[0] == "DEN" {
			r.In += c.N
		} else {
			r.Out += c.N
		}
	}
	rank := map[string]int{"NOI_BO": 1, "TRONG_HUYEN": 2, "TRONG_TINH": 3, "NGOAI_TINH": 4, "NUOC_NGOAI": 5}
	slices.SortFunc(order, func(a, b string) int { return cmp.Or(cmp.Compare(rank[a], rank[b]), cmp.Compare(a, b)) })
	for _, s := range order {
		d.Transfers = append(d.Transfers, *scopes[s])
	}
	for _, n := range b.f.UnmatchedTransfers {
		d.UnmatchedLetters += n
	}
}

func tally(counts []facts.Count, q domain.Quarter, key func(facts.Count) [3]string) []Tally {
	m := map[[3]string]int{}
	for _, c := range counts {
		if c.Quarter == q {
			m[key(c)] += c.N
		}
	}
	out := make([]Tally, 0, len(m))
	for k, n := range m {
		out = append(out, Tally{Keys: k, N: n})
	}
	slices.SortFunc(out, func(a, b Tally) int {
		return cmp.Or(cmp.Compare(a.Keys[0], b.Keys[0]), cmp.Compare(a.Keys[1], b.Keys[1]), cmp.Compare(a.Keys[2], b.Keys[2]))
	})
	return out
}

func (b *builder) supervision() {
	d := b.d
	d.SupervisionByActor = tally(b.f.Supervisions, d.Quarter, func(c facts.Count) [3]string { return [3]string{c.Keys[0], c.Keys[1], c.Keys[2]} })
	d.SupervisionBySubject = tally(b.f.Supervisions, d.Quarter, func(c facts.Count) [3]string { return [3]string{c.Keys[1], c.Keys[3]} })
	d.DisciplineByForm = tally(b.f.Disciplines, d.Quarter, func(c facts.Count) [3]string { return [3]string{c.Keys[0], c.Keys[1]} })
	d.DisciplineByBody = tally(b.f.Disciplines, d.Quarter, func(c facts.Count) [3]string { return [3]string{c.Keys[3], c.Keys[2]} })
}

func (b *builder) quality() {
	d := b.d
	prev := map[string]int{}
	for _, g := range b.byQ[d.Prev.Index()] {
		prev[b.rep(g.Org)] += g.End()
	}
	hasPrev := b.present([]domain.Quarter{d.Prev})
	for _, g := range d.Figures {
		d.Warnings += g.Warnings
		if g.Warnings > 0 {
			u := b.unit(g.Org)
			u.Warnings = g.Warnings
			d.WarningUnits = append(d.WarningUnits, u)
		}
		if hasPrev[g.Org] && prev[g.Org] != g.Start() {
			u := b.unit(g.Org)
			u.Start, u.End = g.Start(), prev[g.Org]
			d.BalanceMismatches = append(d.BalanceMismatches, u)
		}
	}
	slices.SortFunc(d.WarningUnits, func(a, b Unit) int { return cmp.Or(cmp.Compare(b.Warnings, a.Warnings), cmp.Compare(a.Code, b.Code)) })
}

func (b *builder) ranking() {
	d := b.d
	ytd, _ := ytdQuarters(d.Quarter)
	adm := b.byRep(ytd, func(g facts.Figures) int { return g.Admitted + g.Readmitted })
	var units []Unit
	for _, g := range d.Figures {
		u := b.unit(g.Org)
		u.YTD, u.Target = adm[g.Org], g.Target
		if u.YTD == 0 {
			d.ZeroAdmissionUnits = append(d.ZeroAdmissionUnits, u)
		}
		if g.Target <= 0 {
			continue
		}
		u.Progress = 100 * float64(u.YTD) / float64(u.Target)
		units = append(units, u)
	}
	slices.SortFunc(units, func(a, b Unit) int { return cmp.Or(cmp.Compare(b.Progress, a.Progress), cmp.Compare(a.Code, b.Code)) })
	// Top and bottom never share a unit: with few units, half each.
	d.Top = units[:min(TopN, (len(units)+1)/2)]
	rest := units[len(d.Top):]
	bottom := slices.Clone(rest[max(0, len(rest)-TopN):])
	slices.Reverse(bottom)
	d.Bottom = bottom
}

// yearTarget is the annual target of the scope: for each organisation (its
// predecessors counted in it) the targets of its latest return of the year
// up to the digest's quarter, so that an organisation that has not
// reported this quarter still counts with the target it reported before.
func (b *builder) yearTarget() int {
	c := b.d.Quarter
	latest := map[string]int{} // representative → latest quarter index with figures
	for i := (domain.Quarter{Year: c.Year, Q: 1}).Index(); i <= c.Index(); i++ {
		for _, g := range b.byQ[i] {
			latest[b.rep(g.Org)] = i
		}
	}
	n := 0
	for rep, i := range latest {
		for _, g := range b.byQ[i] {
			if b.rep(g.Org) == rep {
				n += g.Target
			}
		}
	}
	return n
}
