package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/store"
)

// deadline is the instant from which a return of q is late (as the daemon,
// `returns status` and the digest judge it: [domain.Deadline]).
func (s *server) deadline(q domain.Quarter) time.Time {
	return domain.Deadline(q, s.cfg.DeadlineDays, s.cfg.Zone)
}

// defaultQuarter is the quarter the board opens on, chosen as `returns
// status` chooses it (registry.BoardQuarter), with the reason in words.
func (s *server) defaultQuarter(r *http.Request, lang string) (domain.Quarter, string) {
	latest, ok, err := s.cfg.Store.LatestReturnQuarter(r.Context())
	if err != nil {
		ok = false
	}
	return registry.BoardQuarter(s.cfg.Now(), s.cfg.Zone, s.cfg.DeadlineDays, latest, ok, lang)
}

// boardLine is one organisation on the board.
type boardLine struct {
	store.BoardRow
	Status string // loaded, rejected or missing
	Late   bool
}

type boardPage struct {
	*base
	Quarter, Prev, Next domain.Quarter
	Deadline            time.Time
	Parent              string
	Parents             []store.ConsoleOrg
	Names               map[string]string
	Lines               []boardLine
	Total, Loaded, Late int
	Rejected, Missing   int
	NoRegistry          bool
	Why                 string // why this quarter, when it was chosen rather than asked for
}

// board is the quarter board: the same lines and figures as `returns
// status` (an administrator's come from store.QuarterBoard itself),
// filtered by a parent unit.
func (s *server) board(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	q, why := s.defaultQuarter(r, b.Lang)
	if qs := r.URL.Query().Get("q"); qs != "" {
		if pq, err := domain.ParseQuarter(qs); err == nil {
			q, why = pq, ""
		}
	}
	p := boardPage{base: b, Quarter: q, Prev: domain.QuarterOf(q.Index() - 1), Next: domain.QuarterOf(q.Index() + 1),
		Deadline: s.deadline(q), Parent: r.URL.Query().Get("parent"), Names: map[string]string{}, Why: why}
	b.Title = b.T("Bảng tổng hợp quý", "Quarter board")
	var rows []store.BoardRow
	var orgs []store.ConsoleOrg
	ctx := r.Context()
	err := s.cfg.Store.View(ctx, v.store(), func(c *store.Console) error {
		var err error
		if orgs, err = c.Orgs(ctx); err != nil {
			return err
		}
		if v.admin() {
			rows, err = s.cfg.Store.QuarterBoard(ctx, q.Year, q.Q)
		} else {
			rows, err = c.Board(ctx, q.Year, q.Q)
		}
		return err
	})
	if errors.Is(err, store.ErrNoRegistry) {
		p.NoRegistry = true
		s.render(w, r, http.StatusOK, "board", p)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	children := map[string][]string{}
	for _, o := range orgs {
		p.Names[o.Code] = o.Name
		if o.Parent != "" {
			children[o.Parent] = append(children[o.Parent], o.Code)
		}
		if !domain.IsReportingType(o.Type) && o.ToQ == 0 {
			p.Parents = append(p.Parents, o)
		}
	}
	// The filter keeps the units under the parent, at any depth.
	var under map[string]bool
	if p.Parent != "" {
		under = map[string]bool{}
		stack := []string{p.Parent}
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, k := range children[c] {
				if !under[k] {
					under[k] = true
					stack = append(stack, k)
				}
			}
		}
	}
	for _, row := range rows {
		if under != nil && !under[row.Org] {
			continue
		}
		l := boardLine{BoardRow: row, Status: "missing"}
		if row.Rejected > 0 {
			l.Status = "rejected"
		}
		if row.Current.SubmissionID.Valid {
			l.Status = "loaded"
			l.Late = !row.FirstReceivedAt.Time.Before(p.Deadline)
		}
		switch l.Status {
		case "loaded":
			p.Loaded++
			if l.Late {
				p.Late++
			}
		case "rejected":
			p.Rejected++
		default:
			p.Missing++
		}
		p.Lines = append(p.Lines, l)
	}
	p.Total = len(p.Lines)
	s.render(w, r, http.StatusOK, "board", p)
}

// DeadlineDay is the last day on time (the deadline is the next midnight).
func (p boardPage) DeadlineDay() string {
	return p.Deadline.Add(-time.Second).In(p.zone).Format("02/01/2006")
}

type filesPage struct {
	*base
	Org, Want string
	Files     []store.FileEvent
}

func (s *server) files(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	p := filesPage{base: b, Org: r.URL.Query().Get("org"), Want: r.URL.Query().Get("outcome")}
	b.Title = b.T("Tệp đã nhận", "Files received")
	ctx := r.Context()
	err := s.cfg.Store.View(ctx, v.store(), func(c *store.Console) (err error) {
		p.Files, err = c.Files(ctx, store.FileFilter{Org: p.Org, Outcome: p.Want, Limit: 200})
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "files", p)
}

// Took is how long a file waited for its verdict.
func (b *base) Took(e store.FileEvent) string {
	d := e.DecidedAt.Sub(e.ReceivedAt).Round(time.Second)
	if d < 0 {
		d = 0
	}
	return d.String()
}

// issueGroup is the issues of one sheet and rule.
type issueGroup struct {
	Sheet, Rule, Severity, Message string
	Issues                         []store.IssueRow
}

type filePage struct {
	*base
	File       store.FileEvent
	Groups     []issueGroup
	Errors     int
	Warnings   int
	Versions   []versionLine
	Annotated  bool
	ShowValues bool
}

// file is one file's page: its outcome, its report grouped by sheet and
// rule, its annotated workbook and the versions of its organisation's
// return for the quarter.
func (s *server) file(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	id, ok := s.pathID(w, r, b)
	if !ok {
		return
	}
	var e *store.FileEvent
	p := filePage{base: b, ShowValues: s.personal(v)}
	ctx := r.Context()
	err := s.cfg.Store.View(ctx, v.store(), func(c *store.Console) error {
		var err error
		if e, err = c.File(ctx, id); err != nil || e == nil {
			return err
		}
		issues, err := c.Issues(ctx, e)
		if err != nil {
			return err
		}
		for _, is := range issues {
			if is.Severity == "error" {
				p.Errors++
			} else {
				p.Warnings++
			}
			n := len(p.Groups)
			if n == 0 || p.Groups[n-1].Sheet != is.Sheet || p.Groups[n-1].Rule != is.Rule {
				msg := is.MessageVI
				if b.Lang == "en" {
					msg = is.MessageEN
				}
				p.Groups = append(p.Groups, issueGroup{Sheet: is.Sheet, Rule: is.Rule, Severity: is.Severity, Message: msg})
				n++
			}
			p.Groups[n-1].Issues = append(p.Groups[n-1].Issues, is)
		}
		if e.Org == "" || e.Year == 0 {
			return nil
		}
		vs, err := c.Versions(ctx, e.Org, e.Year, e.Quarter)
		if err != nil {
			return err
		}
		for i, ver := range vs {
			l := versionLine{Version: ver, First: i == len(vs)-1}
			if !l.First {
				prev := vs[i+1]
				if l.Rows, err = c.Diff(ctx, prev.ID, ver.ID); err != nil {
					return err
				}
				l.Figures = figureChanges(b, prev.Figures, ver.Figures)
			}
			p.Versions = append(p.Versions, l)
		}
		return nil
	})
	if s.unanswerable(w, r, b, err, e != nil) {
		return
	}
	p.File = *e
	if e.Outcome == "rejected" {
		_, p.Annotated = s.findAnnotated(e.SHA256, e.FileName)
	}
	b.Title = e.FileName
	s.render(w, r, http.StatusOK, "file", p)
}

// versionLine is one version of a return with what changed from the one before.
type versionLine struct {
	store.Version
	First   bool
	Rows    []store.SheetDiff
	Figures []string
}

// figureChanges says which ThongTin figures changed between two versions.
func figureChanges(b *base, old, cur store.Figures) []string {
	var out []string
	for _, f := range []struct {
		vi, en string
		a, b   int64
	}{
		{"ĐV cuối kỳ", "members at the end", old.MembersEnd, cur.MembersEnd},
		{"kết nạp", "admitted", old.Admitted, cur.Admitted},
		{"chuyển đến", "transferred in", old.TransferIn, cur.TransferIn},
		{"chuyển đi", "transferred out", old.TransferOut, cur.TransferOut},
	} {
		if f.a != f.b {
			out = append(out, b.T(f.vi, f.en)+" "+b.N(f.a)+" → "+b.N(f.b))
		}
	}
	return out
}

// personal reports whether the viewer may see names of people.
func (s *server) personal(v *viewer) bool {
	return v.admin() || v.role() == store.RoleOperator || s.cfg.ManagerPersonalData
}

// pathID is the {id} of the request's path; a page that is not found is
// sent when it is not a number.
func (s *server) pathID(w http.ResponseWriter, r *http.Request, b *base) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r, b)
		return 0, false
	}
	return id, true
}

// unanswerable answers a request whose look-up failed (err: the failure
// page) or found nothing (not found), and reports whether it did.
func (s *server) unanswerable(w http.ResponseWriter, r *http.Request, b *base, err error, found bool) bool {
	switch {
	case err != nil:
		s.fail(w, r, err)
	case !found:
		s.notFound(w, r, b)
	default:
		return false
	}
	return true
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request, b *base) {
	b.Title = b.T("Không tìm thấy", "Not found")
	s.render(w, r, http.StatusNotFound, "message", messagePage{base: b,
		Text: b.T("Không có trang này, hoặc bạn không được xem nó.", "There is no such page, or it is not yours to see.")})
}

// point is one quarter of an organisation's chart.
type point struct {
	Label string
	V     store.Version
	X     int
	H     [4]int // bar heights: members at the end, admitted, transferred in, out
}

type orgPage struct {
	*base
	Org      store.ConsoleOrg
	Current  []store.Version // current version of each quarter, oldest first
	Versions []store.Version // every version, newest first
	Points   []point
	Max      int64
	Max2     int64
}

// org is an organisation's page: its returns over the quarters, a chart of
// its key figures, each figure linking to the rows behind it.
func (s *server) org(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	code := r.PathValue("code")
	p := orgPage{base: b}
	var o *store.ConsoleOrg
	ctx := r.Context()
	err := s.cfg.Store.View(ctx, v.store(), func(c *store.Console) (err error) {
		if o, err = c.Org(ctx, code); err != nil || o == nil {
			return err
		}
		p.Versions, err = c.Versions(ctx, code, 0, 0)
		return err
	})
	if s.unanswerable(w, r, b, err, o != nil) {
		return
	}
	p.Org = *o
	for _, ver := range p.Versions {
		if ver.Status == "accepted" {
			p.Current = append(p.Current, ver)
		}
	}
	slices.Reverse(p.Current)
	if len(p.Current) > 12 {
		p.Current = p.Current[len(p.Current)-12:]
	}
	for _, c := range p.Current {
		p.Max = max(p.Max, c.MembersEnd)
		p.Max2 = max(p.Max2, c.Admitted, c.TransferIn, c.TransferOut)
	}
	for i, c := range p.Current {
		pt := point{Label: b.Q(c.Year, c.Quarter), V: c, X: 60 + i*100}
		pt.H[0] = scale(c.MembersEnd, p.Max)
		pt.H[1] = scale(c.Admitted, p.Max2)
		pt.H[2] = scale(c.TransferIn, p.Max2)
		pt.H[3] = scale(c.TransferOut, p.Max2)
		p.Points = append(p.Points, pt)
	}
	b.Title = o.Name
	s.render(w, r, http.StatusOK, "org", p)
}

// scale maps n in [0, max] to a bar of at most 120 pixels.
func scale(n, maxN int64) int {
	if maxN <= 0 || n <= 0 {
		return 0
	}
	return int(max(1, n*120/maxN))
}

// ChartWidth is the width of the chart's drawing.
func (p orgPage) ChartWidth() int { return max(60+len(p.Points)*100, 460) }

type rowsPage struct {
	*base
	Sheet   string
	Version store.Version
	Org     store.ConsoleOrg
	Rows    []store.SourceRow
	Names   bool
}

// rows lists the rows of one sheet of a current submission, each with its
// source: the file, the sheet and the row.
func (s *server) rows(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	sheet := r.PathValue("sheet")
	if err != nil || !slices.Contains(store.RowSheets, sheet) {
		s.notFound(w, r, b)
		return
	}
	p := rowsPage{base: b, Sheet: sheet, Names: s.personal(v)}
	found := false
	ctx := r.Context()
	err = s.cfg.Store.View(ctx, v.store(), func(c *store.Console) error {
		var ver store.Version
		// The submission must be visible: find it among its organisation's versions.
		var org string
		if err := c.SubmissionOrg(ctx, id, &org); err != nil || org == "" {
			return err
		}
		vs, err := c.Versions(ctx, org, 0, 0)
		if err != nil {
			return err
		}
		for _, x := range vs {
			if x.ID == id {
				ver, found = x, true
			}
		}
		if !found {
			return nil
		}
		o, err := c.Org(ctx, org)
		if err != nil {
			return err
		}
		if o != nil {
			p.Org = *o
		} else {
			p.Org = store.ConsoleOrg{Code: org, Name: org}
		}
		p.Version = ver
		p.Rows, err = c.Rows(ctx, id, sheet)
		return err
	})
	if s.unanswerable(w, r, b, err, found) {
		return
	}
	b.Title = sheet + " — " + p.Org.Name
	s.render(w, r, http.StatusOK, "rows", p)
}

type outboxPage struct {
	*base
	Status string
	Mails  []store.OutboxLine
}

func (s *server) outbox(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	p := outboxPage{base: b, Status: r.URL.Query().Get("status")}
	b.Title = b.T("Hộp thư đi", "Outbox")
	var err error
	if p.Mails, err = s.cfg.Store.Outbox(r.Context(), p.Status, 200); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "outbox", p)
}

type mailPage struct {
	*base
	Mail store.OutboxMailBody
}

func (s *server) outboxMail(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	m := s.mail(w, r, b)
	if m == nil {
		return
	}
	b.Title = m.Subject
	s.render(w, r, http.StatusOK, "mail", mailPage{base: b, Mail: *m})
}

// outboxHTML serves a mail's HTML body for the sandboxed frame of its page:
// no script, nothing loaded from anywhere.
func (s *server) outboxHTML(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	m := s.mail(w, r, b)
	if m == nil {
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(m.HTML.String))
}

func (s *server) mail(w http.ResponseWriter, r *http.Request, b *base) *store.OutboxMailBody {
	id, ok := s.pathID(w, r, b)
	if !ok {
		return nil
	}
	m, err := s.cfg.Store.OutboxMail(r.Context(), id)
	if s.unanswerable(w, r, b, err, m != nil) {
		return nil
	}
	return m
}

type digestsPage struct {
	*base
	Digests []store.DigestLine
}

func (s *server) digests(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	p := digestsPage{base: b}
	b.Title = b.T("Báo cáo tổng hợp đã gửi", "Digests")
	var err error
	if p.Digests, err = s.cfg.Store.Digests(r.Context(), 500); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "digests", p)
}
