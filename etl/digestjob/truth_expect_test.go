package digestjob_test

// The digest's figures computed by the independent model (docs/domain.md §6.2),
// for one scope and quarter.

import (
	"sort"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// tChange compares a figure with a base period like for like: summed over
// the organisations (after successors) with a return in both periods. has
// is false when no organisation has one in both: a missing base.
type tChange struct {
	has             bool
	cur, base, orgs int
}

func (c tChange) delta() int { return c.cur - c.base }

// pct is the change in percent; ok false for a base of 0.
func (c tChange) pct() (float64, bool) {
	if !c.has || c.base == 0 {
		return 0, false
	}
	return 100 * float64(c.cur-c.base) / float64(c.base), true
}

type tMetric struct {
	value    int
	qoq, yoy tChange
}

type tShare struct {
	num, den     int
	qoq, yoy     float64
	qoqOK, yoyOK bool
}

type tUnit struct {
	code, name     string
	reason         string
	ytd, target    int
	progress       float64
	start, prevEnd int
	warnings       int
}

type tTally struct {
	keys [3]string
	n    int
}

type tQA struct {
	q                tq
	adm, ytd, target int
}

type tTransferRow struct {
	scope   string
	in, out int
}

// tDigest is the model's digest of one scope and quarter.
type tDigest struct {
	scope *tOrg
	q     tq
	// below counts the organisations of the scope under it valid in the quarter.
	below int

	expected, reported, onTime, late, rejected, missing int
	missingUnits, lateUnits                             []tUnit

	start, end, net, official, prob, recognised tMetric
	adm, ytd                                    tMetric
	readmitted                                  int
	// ytdQuarters are the quarters of the year to date compared with the
	// same quarters of the year before (those both years have).
	ytdQuarters []int
	target      int
	progress    float64
	progressOK  bool
	byQuarter   []tQA

	women, youth, minority, religious, nonState tShare

	transfers                        []tTransferRow
	tin, tout, tnet, tempIn, tempOut tMetric
	left                             map[string]tMetric
	violation, signs                 tMetric
	discGS, discKL                   tMetric
	discByBody                       []tTally
	// prevExpected and prevOnTime are the previous quarter's completeness (key figures).
	prevExpected, prevOnTime int
	// prevCount is every completeness count of the previous quarter, by figure id.
	prevCount                      map[string]int
	unmatched                      int
	superv, inspect, disc          tMetric
	byActor, bySubject, discByForm []tTally

	warnings              int
	warnUnits, mismatches []tUnit
	top, bottom           []tUnit
	zero                  []tUnit

	rets []*tRet // the quarter's current returns
	// restated are the returns of earlier quarters loaded after the
	// previous digest whose figures changed.
	restated []*tRet
	// cutoffFrom and cutoffTo bracket the newest load of the scope (zero: none).
	cutoffFrom, cutoffTo time.Time
	deadline             time.Time
	// people are the persons a manager must act on, when personal data is
	// allowed (nil otherwise).
	people []tPerson
	// zeroBases counts the comparisons with a real base of 0 (the corpus must have some).
	zeroBases int
}

// expectDigest computes the digest of scope for quarter q from the model.
func (w *tWorld) expectDigest(scopeCode string, q tq, cutoff time.Time) *tDigest {
	in := w.scope(scopeCode)
	d := &tDigest{scope: w.orgs[scopeCode], q: q}
	for code := range in {
		if code != scopeCode && w.orgs[code].activeIn(q) {
			d.below++
		}
	}
	d.rets = w.retsIn(in, q)
	if !w.digestSent.IsZero() {
		for code := range in {
			for k, vs := range w.hist[code] {
				cur := vs[len(vs)-1]
				if k >= q || !cur.loadedFrom.After(w.digestSent) {
					continue
				}
				var before *tRet
				for _, v := range vs {
					if v.loadedTo.Before(w.digestSent) {
						before = v
					}
				}
				if before == nil || figures(before) != figures(cur) {
					d.restated = append(d.restated, cur)
				}
			}
		}
		sort.Slice(d.restated, func(i, j int) bool {
			a, b := d.restated[i], d.restated[j]
			if a.org != b.org {
				return a.org < b.org
			}
			return a.q < b.q
		})
	}
	deadline := quarterEndICT(q.year(), q.qn()).AddDate(0, 0, 10).Add(-time.Nanosecond)
	d.deadline = deadline
	for code := range in {
		for _, r := range w.cur[code] {
			if r.loadedTo.After(d.cutoffTo) {
				d.cutoffFrom, d.cutoffTo = r.loadedFrom, r.loadedTo
			}
		}
	}

	// Completeness: grassroots organisations of the scope valid in the quarter.
	for _, code := range w.order {
		o := w.orgs[code]
		if !in[code] || !o.grassroots() || !o.activeIn(q) {
			continue
		}
		d.expected++
		if w.cur[code][q] == nil {
			d.missing++
			u := tUnit{code: code, name: o.name, reason: w.rejected[code][q]}
			if u.reason != "" {
				d.rejected++
			}
			d.missingUnits = append(d.missingUnits, u)
			continue
		}
		d.reported++
		if w.first[code][q].After(deadline) {
			d.late++
			d.lateUnits = append(d.lateUnits, tUnit{code: code, name: o.name})
		} else {
			d.onTime++
		}
	}

	prevDeadline := quarterEndICT(q.prev().year(), q.prev().qn()).AddDate(0, 0, 10).Add(-time.Nanosecond)
	d.prevCount = map[string]int{}
	for _, code := range w.order {
		o := w.orgs[code]
		if in[code] && o.grassroots() && o.activeIn(q.prev()) {
			d.prevExpected++
			d.prevCount["returns_expected"]++
			switch {
			case w.cur[code][q.prev()] == nil:
				d.prevCount["returns_missing"]++
			case !w.first[code][q.prev()].After(prevDeadline):
				d.prevOnTime++
				d.prevCount["returns_on_time"]++
				d.prevCount["returns_reported"]++
			default:
				d.prevCount["returns_late"]++
				d.prevCount["returns_reported"]++
			}
		}
	}

	qs := func(x ...tq) []tq { return x }
	// sumOver is m summed over the returns of quarters qs whose
	// representative is in set (nil: all).
	byRep := func(qs []tq, m measure) map[string]int {
		out := map[string]int{}
		for _, x := range qs {
			for _, r := range w.retsIn(in, x) {
				out[w.rep(r.org, q)] += m(r)
			}
		}
		return out
	}
	present := func(qs []tq) map[string]bool {
		out := map[string]bool{}
		for _, x := range qs {
			for _, r := range w.retsIn(in, x) {
				out[w.rep(r.org, q)] = true
			}
		}
		return out
	}
	change := func(cur, base []tq, m measure) tChange {
		pc, pb := present(cur), present(base)
		mc, mb := byRep(cur, m), byRep(base, m)
		var c tChange
		for k := range pc {
			if pb[k] {
				c.orgs++
				c.cur += mc[k]
				c.base += mb[k]
			}
		}
		c.has = c.orgs > 0
		if c.has && c.base == 0 {
			d.zeroBases++
		}
		return c
	}
	value := func(m measure) int {
		n := 0
		for _, r := range d.rets {
			n += m(r)
		}
		return n
	}
	metric := func(m measure) tMetric {
		return tMetric{value: value(m), qoq: change(qs(q), qs(q.prev()), m), yoy: change(qs(q), qs(q.yearAgo()), m)}
	}
	d.start, d.end, d.net = metric(mStart), metric(mEnd), metric(mNet)
	d.official, d.prob = metric(info("members_end_official")), metric(info("members_end_probationary"))
	d.recognised = metric(info("recognised_official"))
	d.adm = metric(mAdm)
	d.readmitted = value(info("readmitted"))

	// Year to date: Q1..q of the year, compared on the quarters the base year has too.
	var cur, base []tq
	for k := 1; k <= q.qn(); k++ {
		c, b := mkq(q.year(), k), mkq(q.year()-1, k)
		d.ytd.value += value2(w.retsIn(in, c), mAdm)
		if len(w.retsIn(in, b)) > 0 && len(w.retsIn(in, c)) > 0 {
			cur, base = append(cur, c), append(base, b)
			d.ytdQuarters = append(d.ytdQuarters, k)
		}
	}
	if len(cur) > 0 {
		d.ytd.yoy = change(cur, base, mAdm)
	}

	// Annual target: each organisation's (successor's) latest return of the year.
	latest := map[string]tq{}
	for k := mkq(q.year(), 1); k <= q; k++ {
		for _, r := range w.retsIn(in, k) {
			latest[w.rep(r.org, q)] = k
		}
	}
	for rp, k := range latest {
		for _, r := range w.retsIn(in, k) {
			if w.rep(r.org, q) == rp {
				d.target += r.info.n("admission_target_year")
			}
		}
	}
	if d.target > 0 {
		d.progress, d.progressOK = 100*float64(d.ytd.value)/float64(d.target), true
	}
	run := 0
	for k := mkq(q.year()-1, 1); k <= q; k++ {
		if k.qn() == 1 {
			run = 0
		}
		rs := w.retsIn(in, k)
		n := value2(rs, mAdm)
		run += n
		if len(rs) == 0 {
			continue
		}
		d.byQuarter = append(d.byQuarter, tQA{q: k, adm: n, ytd: run, target: value2(rs, info("admission_target_year"))})
	}

	share := func(num measure) tShare {
		s := tShare{num: value(num), den: value(mKetNap)}
		pp := func(base tq) (float64, bool) {
			pc, pb := present(qs(q)), present(qs(base))
			nc, dc, nb, db := byRep(qs(q), num), byRep(qs(q), mKetNap), byRep(qs(base), num), byRep(qs(base), mKetNap)
			var a, x, c, y int
			for k := range pc {
				if pb[k] {
					a, x, c, y = a+nc[k], x+dc[k], c+nb[k], y+db[k]
				}
			}
			if x == 0 || y == 0 {
				return 0, false
			}
			return 100*float64(a)/float64(x) - 100*float64(c)/float64(y), true
		}
		s.qoq, s.qoqOK = pp(q.prev())
		s.yoy, s.yoyOK = pp(q.yearAgo())
		return s
	}
	d.women, d.youth, d.minority, d.religious, d.nonState = share(mWomen), share(mYouth), share(mMinority), share(mReligious), share(mNonState)

	// Transfers: official ones by scope, in the order of the code list.
	rank := map[string]int{"NOI_BO": 1, "TRONG_HUYEN": 2, "TRONG_TINH": 3, "NGOAI_TINH": 4, "NUOC_NGOAI": 5}
	byScope := map[string]*tTransferRow{}
	for _, r := range d.rets {
		for _, x := range r.sheets["ChuyenSinhHoat"] {
			if x["transfer_type"] != "CHINH_THUC" {
				continue
			}
			tr := byScope[x["scope"]]
			if tr == nil {
				tr = &tTransferRow{scope: x["scope"]}
				byScope[x["scope"]] = tr
			}
			if x["direction"] == "DEN" {
				tr.in++
			} else {
				tr.out++
			}
		}
	}
	for _, tr := range byScope {
		d.transfers = append(d.transfers, *tr)
	}
	sort.Slice(d.transfers, func(i, j int) bool {
		a, b := d.transfers[i], d.transfers[j]
		if rank[a.scope] != rank[b.scope] {
			return rank[a.scope] < rank[b.scope]
		}
		return a.scope < b.scope
	})
	d.tin, d.tout = metric(mTransfer("DEN", "CHINH_THUC")), metric(mTransfer("DI", "CHINH_THUC"))
	d.tnet = metric(func(r *tRet) int { return mTransfer("DEN", "CHINH_THUC")(r) - mTransfer("DI", "CHINH_THUC")(r) })
	d.tempIn, d.tempOut = metric(mTransfer("DEN", "TAM_THOI")), metric(mTransfer("DI", "TAM_THOI"))
	d.unmatched = w.unmatched(in, q, cutoff)

	d.superv, d.inspect, d.disc = metric(mGiamSat), metric(mKiemTra), metric(mDisc)
	d.violation = metric(rows("GiamSat", func(x tRow) bool { return x["result"] == "CO_VI_PHAM" }))
	d.signs = metric(rows("GiamSat", func(x tRow) bool { return x["result"] == "CO_DAU_HIEU_VI_PHAM" }))
	d.discGS, d.discKL = metric(mDiscGS), metric(mDiscKL)
	d.left = map[string]tMetric{}
	for _, k := range []string{"deceased", "struck_off", "resigned", "expelled", "decrease_other"} {
		d.left[k] = metric(info(k))
	}
	tally := func(sheet string, key func(tRow) ([3]string, bool)) []tTally {
		m := map[[3]string]int{}
		for _, r := range d.rets {
			for _, x := range r.sheets[sheet] {
				if k, ok := key(x); ok {
					m[k]++
				}
			}
		}
		var out []tTally
		for k, n := range m {
			out = append(out, tTally{keys: k, n: n})
		}
		return out
	}
	form := func(x tRow) string {
		if x["supervision_form"] != "" {
			return x["supervision_form"]
		}
		return x["inspection_type"]
	}
	d.byActor = tally("GiamSat", func(x tRow) ([3]string, bool) { return [3]string{x["actor"], x["activity"], form(x)}, true })
	d.bySubject = tally("GiamSat", func(x tRow) ([3]string, bool) { return [3]string{x["activity"], x["subject_type"]}, true })
	d.discByForm = append(tally("KyLuat", func(x tRow) ([3]string, bool) { return [3]string{x["discipline_form"], x["subject_type"]}, true }),
		tally("GiamSat", func(x tRow) ([3]string, bool) {
			return [3]string{x["discipline_form"], x["subject_type"]}, x["discipline_form"] != ""
		})...)
	d.discByForm = mergeTallies(d.discByForm)
	d.discByBody = mergeTallies(append(tally("KyLuat", func(x tRow) ([3]string, bool) { return [3]string{decidedBy(x["discipline_body"]), "KyLuat"}, true }),
		tally("GiamSat", func(x tRow) ([3]string, bool) {
			return [3]string{decidedBy(x["discipline_body"]), "GiamSat"}, x["discipline_form"] != ""
		})...))

	// Data quality.
	prevEnd := byRep(qs(q.prev()), mEnd)
	hasPrev := present(qs(q.prev()))
	for _, r := range d.rets {
		d.warnings += r.warnings
		if r.warnings > 0 {
			d.warnUnits = append(d.warnUnits, tUnit{code: r.org, name: w.orgs[r.org].name, warnings: r.warnings})
		}
		if hasPrev[r.org] && prevEnd[r.org] != mStart(r) {
			d.mismatches = append(d.mismatches, tUnit{code: r.org, name: w.orgs[r.org].name, start: mStart(r), prevEnd: prevEnd[r.org]})
		}
	}
	sort.Slice(d.warnUnits, func(i, j int) bool {
		a, b := d.warnUnits[i], d.warnUnits[j]
		if a.warnings != b.warnings {
			return a.warnings > b.warnings
		}
		return a.code < b.code
	})

	// Ranking by progress to the annual target.
	var ytdQs []tq
	for k := 1; k <= q.qn(); k++ {
		ytdQs = append(ytdQs, mkq(q.year(), k))
	}
	ytdBy := byRep(ytdQs, mAdm)
	var units []tUnit
	for _, r := range d.rets {
		u := tUnit{code: r.org, name: w.orgs[r.org].name, ytd: ytdBy[r.org], target: r.info.n("admission_target_year")}
		if u.ytd == 0 {
			d.zero = append(d.zero, u)
		}
		if u.target <= 0 {
			continue
		}
		u.progress = 100 * float64(u.ytd) / float64(u.target)
		units = append(units, u)
	}
	sort.Slice(units, func(i, j int) bool {
		if units[i].progress != units[j].progress {
			return units[i].progress > units[j].progress
		}
		return units[i].code < units[j].code
	})
	nTop := min(5, (len(units)+1)/2)
	d.top = units[:nTop]
	rest := units[nTop:]
	for i := len(rest) - 1; i >= max(0, len(rest)-5); i-- {
		d.bottom = append(d.bottom, rest[i])
	}
	return d
}

// decidedBy classifies who decided a discipline from the free-text body:
// the inspection commission, the standing committee, a cell, a party
// committee, or other (the rule documented for reporting.disciplines_all).
func decidedBy(body string) string {
	b := strings.ToLower(norm.NFC.String(strings.Join(strings.Fields(body), " ")))
	b = strings.ReplaceAll(b, "uỷ", "ủy")
	word := func(p string) bool {
		return b == p || strings.HasPrefix(b, p+" ")
	}
	switch {
	case b == "":
		return "KHAC"
	case strings.HasPrefix(b, "ủy ban kiểm tra") || word("ubkt"):
		return "UBKT"
	case strings.HasPrefix(b, "ban thường vụ") || word("btv"):
		return "BTV"
	case strings.HasPrefix(b, "chi bộ"):
		return "CHI_BO"
	}
	for _, p := range []string{"đảng ủy", "tỉnh ủy", "thành ủy", "huyện ủy", "quận ủy", "thị ủy", "đảng bộ"} {
		if strings.HasPrefix(b, p) {
			return "CAP_UY"
		}
	}
	return "KHAC"
}

func value2(rs []*tRet, m measure) int {
	n := 0
	for _, r := range rs {
		n += m(r)
	}
	return n
}

func mergeTallies(ts []tTally) []tTally {
	m := map[[3]string]int{}
	for _, t := range ts {
		m[t.keys] += t.n
	}
	var out []tTally
	for k, n := range m {
		out = append(out, tTally{keys: k, n: n})
	}
	return out
}

// unmatched counts the transfer letters of the scope up to quarter q, 30
// days old or more at the cut-off, between organisations of the registry,
// whose other side is in no current return (CS-07).
func (w *tWorld) unmatched(in map[string]bool, q tq, cutoff time.Time) int {
	type side struct {
		org, dir, typ, card, profile, name, birth string
	}
	var all []side
	for code, byQ := range w.cur {
		for _, r := range byQ {
			for _, x := range r.sheets["ChuyenSinhHoat"] {
				all = append(all, side{code, x["direction"], x["transfer_type"], x["card_no"], x["profile_no"],
					strings.ToLower(norm.NFC.String(strings.Join(strings.Fields(x["full_name"]), " "))), x["birth_date"]})
			}
		}
	}
	old := cutoff.AddDate(0, 0, -30)
	n := 0
	for code := range in {
		for k, r := range w.cur[code] {
			if k > q {
				continue
			}
			for _, x := range r.sheets["ChuyenSinhHoat"] {
				cp, typ := x["counterpart_org_code"], x["transfer_type"]
				if cp == "" || (typ != "CHINH_THUC" && typ != "TAM_THOI") || serialDate(x["event_date"]).After(old) {
					continue
				}
				name := strings.ToLower(norm.NFC.String(strings.Join(strings.Fields(x["full_name"]), " ")))
				found := false
				for _, s := range all {
					if s.org == cp && s.dir != x["direction"] && s.typ == typ &&
						((s.card != "" && s.card == x["card_no"]) || (s.profile != "" && s.profile == x["profile_no"]) ||
							(s.name == name && s.birth == x["birth_date"])) {
						found = true
						break
					}
				}
				if !found {
					n++
				}
			}
		}
	}
	return n
}

// tPerson is someone a manager must act on.
type tPerson struct {
	org, kind, name, detail string
	date                    time.Time
	row                     int
}

// people lists, for personal-data digests, the unmatched transfer letters
// of the scope (as unmatched counts them), then the admitted members whose
// twelve months of probation end in quarter q (KN-06: the ceremony date
// plus 12 months, the day clamped to the month's end), each list by
// organisation, date and row.
func (w *tWorld) people(in map[string]bool, q tq, cutoff time.Time) []tPerson {
	var unmatched, probation []tPerson
	nameKey := func(s string) string { return strings.ToLower(norm.NFC.String(strings.Join(strings.Fields(s), " "))) }
	old := cutoff.AddDate(0, 0, -30)
	first := time.Date(q.year(), time.Month(3*q.qn()-2), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 3, -1)
	for code := range in {
		for k, r := range w.cur[code] {
			for i, x := range r.sheets["ChuyenSinhHoat"] {
				cp, typ := x["counterpart_org_code"], x["transfer_type"]
				if k > q || cp == "" || (typ != "CHINH_THUC" && typ != "TAM_THOI") || serialDate(x["event_date"]).After(old) {
					continue
				}
				found := false
				for _, byQ := range w.cur[cp] {
					for _, y := range byQ.sheets["ChuyenSinhHoat"] {
						if y["direction"] != x["direction"] && y["transfer_type"] == typ &&
							((y["card_no"] != "" && y["card_no"] == x["card_no"]) || (y["profile_no"] != "" && y["profile_no"] == x["profile_no"]) ||
								(nameKey(y["full_name"]) == nameKey(x["full_name"]) && y["birth_date"] == x["birth_date"])) {
							found = true
						}
					}
				}
				if !found {
					unmatched = append(unmatched, tPerson{org: code, kind: "unmatched", name: norm.NFC.String(x["full_name"]),
						detail: x["direction"] + " " + x["letter_no"], date: serialDate(x["event_date"]), row: i})
				}
			}
			for i, x := range r.sheets["KetNap"] {
				c := serialDate(x["ceremony_date"])
				if c.IsZero() {
					continue
				}
				end := time.Date(c.Year()+1, c.Month(), 1, 0, 0, 0, 0, time.UTC)
				end = end.AddDate(0, 0, min(c.Day(), end.AddDate(0, 1, -1).Day())-1)
				if end.Before(first) || end.After(last) {
					continue
				}
				probation = append(probation, tPerson{org: code, kind: "probation", name: norm.NFC.String(x["full_name"]),
					detail: x["decision_no"], date: end, row: i})
			}
		}
	}
	order := func(ps []tPerson) {
		sort.Slice(ps, func(i, j int) bool {
			a, b := ps[i], ps[j]
			if a.org != b.org {
				return a.org < b.org
			}
			if !a.date.Equal(b.date) {
				return a.date.Before(b.date)
			}
			return a.row < b.row
		})
	}
	order(unmatched)
	order(probation)
	return append(unmatched, probation...)
}
