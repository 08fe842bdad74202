package web

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/returns-project/returns/etl/digest"
	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/store"
)

// The digest as it would be: built now, for one recipient and quarter,
// exactly as the digest job would mail it (digestjob.Build), never queued.

type previewPage struct {
	*base
	Quarter    domain.Quarter
	Recipients []store.Recipient
	Email      string
	Rendered   *digest.Rendered
	Error      string
}

func (s *server) previewOptions() digestjob.Options {
	return digestjob.Options{IncludePersonalData: s.cfg.ManagerPersonalData, DeadlineDays: s.cfg.DeadlineDays, Zone: s.cfg.Zone, Logger: s.log}
}

// preview lists the active recipients and shows the digest of one.
func (s *server) preview(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	p := previewPage{base: b, Quarter: domain.LastEnded(s.cfg.Now(), s.cfg.Zone), Email: r.URL.Query().Get("email")}
	if q, err := domain.ParseQuarter(r.URL.Query().Get("q")); err == nil {
		p.Quarter = q
	}
	b.Title = b.T("Xem trước báo cáo tổng hợp", "Digest preview")
	list, _, err := s.cfg.Store.CurrentRecipients(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, rc := range list {
		if rc.Active {
			p.Recipients = append(p.Recipients, rc)
		}
	}
	if p.Email != "" {
		rd, err := s.build(r, p.Quarter, p.Recipients, p.Email)
		switch {
		case errors.Is(err, digestjob.ErrNoRecipients):
			p.Error = b.T("Không có người nhận này trong danh sách hiện hành.", "No such recipient in the current list.")
		case err != nil:
			p.Error = b.T("Không dựng được báo cáo tổng hợp: ", "The digest could not be built: ") + err.Error()
		default:
			p.Rendered = rd
		}
	}
	s.render(w, r, http.StatusOK, "preview", p)
}

func (s *server) build(r *http.Request, q domain.Quarter, list []store.Recipient, email string) (*digest.Rendered, error) {
	for _, rc := range list {
		if strings.EqualFold(rc.Email, email) {
			d, err := digestjob.Build(r.Context(), s.cfg.Store, q, rc, s.previewOptions())
			if err != nil {
				return nil, err
			}
			return d.Rendered, nil
		}
	}
	return nil, digestjob.ErrNoRecipients
}

// previewHTML serves the digest's HTML for the sandboxed frame, its chart
// inlined as a data URI instead of the mail's cid: reference.
func (s *server) previewHTML(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	q, err := domain.ParseQuarter(r.URL.Query().Get("q"))
	if err != nil {
		s.notFound(w, r, b)
		return
	}
	list, _, err := s.cfg.Store.CurrentRecipients(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rd, err := s.build(r, q, list, r.URL.Query().Get("email"))
	if err != nil {
		s.notFound(w, r, b)
		return
	}
	html := strings.ReplaceAll(rd.HTML, "cid:"+digest.ChartCID, "data:image/png;base64,"+base64.StdEncoding.EncodeToString(rd.Chart))
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(html))
}
