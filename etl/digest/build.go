package digest

import (
	"cmp"
	"slices"
	"time"
)

// Change compares a figure with a base period, like for like: Cur and Base
// are summed over the same organisations (Orgs of them: those with figures
// in both periods, predecessors counted in their successor). OK is false
// when there is no base (nothing to compare, or a base of 0): shown as "—".
type Change struct {
	OK        bool
	Cur, Base int
	Orgs      int
}

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
	Scope    Org
	Quarter  Quarter
	Prev     Quarter // the quarter before
	YearAgo  Quarter // the same quarter last year
	Cutoff   time.Time
	Deadline time.Time

	Completeness Completeness

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
	Warnings                     int
	WarningUnits                 []Unit
	BalanceMismatches            []Unit
	Top, Bottom                  []Unit
	ZeroAdmissionUnits           []Unit
	People                       []Person
	Restatements                 []Restatement
	Orgs                         map[string]Org
	Figures                      []Figures // the quarter's per-organisation figures (attachment)
	AllFigures                   []Figures
	TransferCounts, SupervCounts []Count
	DisciplineCounts             []Count
}

// QuarterAdmissions is one bar of the admissions chart.
type QuarterAdmissions struct {
	Quarter    Quarter
	Admissions int
	Target     int // annual target of the organisations reporting that quarter
	YTD        int
}

// TopN is how many units the top and bottom lists hold.
const TopN = 5

// Build computes the digest from the facts.
func Build(f *Facts) *Digest {
	c := f.Quarter
	d := &Digest{Scope: f.Scope, Quarter: c, Prev: c.Prev(), YearAgo: c.YearAgo(), Cutoff: f.Cutoff, Deadline: f.Deadline,
		People: f.People, Restatements: f.Restatements, Orgs: map[string]Org{}, AllFigures: f.Figures,
		TransferCounts: f.Transfers, SupervCounts: f.Supervisions, DisciplineCounts: f.Disciplines}
	for _, o := range f.Orgs {
		d.Orgs[o.Code] = o
	}
	b := &builder{f: f, d: d, byQ: map[int][]Figures{}}
	for _, g := range f.Figures {
		b.byQ[g.Quarter.Index()] = append(b.byQ[g.Quarter.Index()], g)
	}
	d.Figures = b.byQ[c.Index()]
	b.completeness()

	metric := func(v func(Figures) int) Metric {
		return Metric{Value: sum(d.Figures, v), QoQ: b.change([]Quarter{c}, []Quarter{d.Prev}, v), YoY: b.change([]Quarter{c}, []Quarter{d.YearAgo}, v)}
	}
	d.MembersStart = metric(Figures.Start)
	d.MembersEnd = metric(Figures.End)
	d.Net = metric(func(g Figures) int { return g.End() - g.Start() })
	// A net change of 0 is a base for the difference (not for a percentage).
	d.Net.QoQ.OK, d.Net.YoY.OK = d.Net.QoQ.Orgs > 0, d.Net.YoY.Orgs > 0
	d.Official = metric(func(g Figures) int { return g.EndOfficial })
	d.Probationary = metric(func(g Figures) int { return g.EndProbationary })
	d.Recognised = metric(func(g Figures) int { return g.Recognised })
	adm := func(g Figures) int { return g.Admitted + g.Readmitted }
	d.Admissions = metric(adm)
	d.Readmitted = sum(d.Figures, func(g Figures) int { return g.Readmitted })
	ytd, ytdBase := ytdQuarters(c)
	d.AdmissionsYTD = Metric{Value: b.sumQuarters(ytd, adm), YoY: b.change(ytd, ytdBase, adm)}
	d.Target = b.yearTarget()
	if d.Target > 0 {
		d.Progress, d.ProgressOK = 100*float64(d.AdmissionsYTD.Value)/float64(d.Target), true
	}
	first := Quarter{c.Year - 1, 1}
	run := 0
	for i := first.Index(); i <= c.Index(); i++ {
		q := QuarterOf(i)
		if q.Q == 1 {
			run = 0
		}
		n := b.sumQuarters([]Quarter{q}, adm)
		run += n
		if len(b.byQ[i]) == 0 {
			continue // no return for that quarter at all: no point on the chart
		}
		d.ByQuarter = append(d.ByQuarter, QuarterAdmissions{Quarter: q, Admissions: n, YTD: run,
			Target: sum(b.byQ[i], func(g Figures) int { return g.Target })})
	}

	share := func(num func(Figures) int) Share {
		den := func(g Figures) int { return g.AdmissionRows }
		s := Share{Num: sum(d.Figures, num), Den: sum(d.Figures, den)}
		s.QoQ, s.QoQOK = b.pp([]Quarter{c}, []Quarter{d.Prev}, num, den)
		s.YoY, s.YoYOK = b.pp([]Quarter{c}, []Quarter{d.YearAgo}, num, den)
		return s
	}
	d.Women = share(func(g Figures) int { return g.Women })
	d.Youth = share(func(g Figures) int { return g.Youth })
	d.Minority = share(func(g Figures) int { return g.Minority })
	d.Religious = share(func(g Figures) int { return g.Religious })
	d.NonState = share(func(g Figures) int { return g.NonState })

	b.transfers()
	b.supervision()
	b.quality()
	b.ranking()
	return d
}

type builder struct {
	f   *Facts
	d   *Digest
	byQ map[int][]Figures
}

func sum(fs []Figures, v func(Figures) int) int {
	n := 0
	for _, g := range fs {
		n += v(g)
	}
	return n
}

// ytdQuarters are Q1..q of q's year and the same quarters a year before.
func ytdQuarters(q Quarter) (cur, base []Quarter) {
	for i := 1; i <= q.Q; i++ {
		cur = append(cur, Quarter{q.Year, i})
		base = append(base, Quarter{q.Year - 1, i})
	}
	return cur, base
}

func (b *builder) sumQuarters(qs []Quarter, v func(Figures) int) int {
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
func (b *builder) byRep(qs []Quarter, v func(Figures) int) map[string]int {
	m := map[string]int{}
	for _, q := range qs {
		for _, g := range b.byQ[q.Index()] {
			m[b.rep(g.Org)] += v(g)
		}
	}
	return m
}

// present is the set of representatives with figures in qs.
func (b *builder) present(qs []Quarter) map[string]bool {
	m := map[string]bool{}
	for _, q := range qs {
		for _, g := range b.byQ[q.Index()] {
			m[b.rep(g.Org)] = true
		}
	}
	return m
}

// common is the representatives with figures in both cur and base.
func (b *builder) common(cur, base []Quarter) map[string]bool {
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
func (b *builder) change(cur, base []Quarter, v func(Figures) int) Change {
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
func (b *builder) pp(cur, base []Quarter, num, den func(Figures) int) (float64, bool) {
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

func (b *builder) completeness() {
	d := b.d
	reported := map[string]Figures{}
	for _, g := range d.Figures {
		reported[g.Org] = g
	}
	rejected := map[string]string{}
	for _, r := range b.f.Rejected {
		if r.Quarter == d.Quarter {
			rejected[r.Org] = r.Reason
		}
	}
	cm := &d.Completeness
	for _, o := range b.f.Orgs {
		if !o.Reports() || !o.ActiveIn(d.Quarter) {
			continue
		}
		cm.Expected++
		g, ok := reported[o.Code]
		if !ok {
			u := b.unit(o.Code)
			u.Reason = rejected[o.Code]
			if u.Reason != "" {
				cm.Rejected++
			}
			cm.Missing++
			cm.MissingUnits = append(cm.MissingUnits, u)
			continue
		}
		cm.Reported++
		if !g.FirstReceivedAt.After(d.Deadline) {
			cm.OnTime++
		} else {
			cm.Late++
			u := b.unit(o.Code)
			u.Late = true
			cm.LateUnits = append(cm.LateUnits, u)
		}
	}
}

func (b *builder) countChange(counts []Count, match func(Count) bool) Metric {
	d := b.d
	by := map[int]map[string]int{}
	for _, c := range counts {
		if !match(c) {
			continue
		}
		i := c.Quarter.Index()
		if by[i] == nil {
			by[i] = map[string]int{}
		}
		by[i][c.Org] += c.N
	}
	// Counts are only there for organisations with rows: compare over the
	// organisations that reported in both quarters (zero rows count as 0).
	val := func(g Figures) int { return by[g.Quarter.Index()][g.Org] }
	return Metric{Value: sum(d.Figures, val), QoQ: b.change([]Quarter{d.Quarter}, []Quarter{d.Prev}, val),
		YoY: b.change([]Quarter{d.Quarter}, []Quarter{d.YearAgo}, val)}
}

func (b *builder) transfers() {
	d := b.d
	in := func(c Count) bool { return c.Quarter == d.Quarter }
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
	d.TransferIn = b.countChange(b.f.Transfers, func(c Count) bool { return c.Keys[0] == "DEN" && c.Keys[1] == "CHINH_THUC" })
	d.TransferOut = b.countChange(b.f.Transfers, func(c Count) bool { return c.Keys[0] == "DI" && c.Keys[1] == "CHINH_THUC" })
	d.TempIn = b.countChange(b.f.Transfers, func(c Count) bool { return c.Keys[0] == "DEN" && c.Keys[1] == "TAM_THOI" })
	d.TempOut = b.countChange(b.f.Transfers, func(c Count) bool { return c.Keys[0] == "DI" && c.Keys[1] == "TAM_THOI" })
	for _, n := range b.f.UnmatchedTransfers {
		d.UnmatchedLetters += n
	}
}

func tally(counts []Count, q Quarter, key func(Count) [3]string) []Tally {
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
	d.Supervision = b.countChange(b.f.Supervisions, func(c Count) bool { return c.Keys[1] == "GIAM_SAT" })
	d.Inspection = b.countChange(b.f.Supervisions, func(c Count) bool { return c.Keys[1] == "KIEM_TRA" })
	d.DisciplineTotal = b.countChange(b.f.Disciplines, func(Count) bool { return true })
	d.SupervisionByActor = tally(b.f.Supervisions, d.Quarter, func(c Count) [3]string { return [3]string{c.Keys[0], c.Keys[1], c.Keys[2]} })
	d.SupervisionBySubject = tally(b.f.Supervisions, d.Quarter, func(c Count) [3]string { return [3]string{c.Keys[1], c.Keys[3]} })
	d.DisciplineByForm = tally(b.f.Disciplines, d.Quarter, func(c Count) [3]string { return [3]string{c.Keys[0], c.Keys[1]} })
}

func (b *builder) quality() {
	d := b.d
	prev := map[string]int{}
	for _, g := range b.byQ[d.Prev.Index()] {
		prev[b.rep(g.Org)] += g.End()
	}
	hasPrev := b.present([]Quarter{d.Prev})
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
	adm := b.byRep(ytd, func(g Figures) int { return g.Admitted + g.Readmitted })
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
	for i := (Quarter{c.Year, 1}).Index(); i <= c.Index(); i++ {
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
