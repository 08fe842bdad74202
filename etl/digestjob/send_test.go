package digestjob_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/digest"
	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/domain"
	rmail "github.com/returns-project/returns/etl/mail"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/samples/generate"
)

// inbox is a real SMTP server (go-smtp) on 127.0.0.1 that keeps what it receives.
type inbox struct {
	mu   sync.Mutex
	msgs [][]byte
	srv  *smtp.Server
	port int
}

type smtpSession struct{ in *inbox }

func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.in.mu.Lock()
	s.in.msgs = append(s.in.msgs, b)
	s.in.mu.Unlock()
	return nil
}
func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }

func startInbox(t *testing.T) *inbox {
	t.Helper()
	in := &inbox{}
	in.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{in: in}, nil }))
	in.srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	in.port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = in.srv.Serve(l) }()
	t.Cleanup(func() { _ = in.srv.Close() })
	return in
}

func (in *inbox) messages() [][]byte {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([][]byte(nil), in.msgs...)
}

// parts walks a MIME message and returns each leaf part's content type
// and headers.
func parts(t *testing.T, ct string, body io.Reader, out *[]map[string]string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ct)
	require.NoError(t, err)
	if !strings.HasPrefix(mt, "multipart/") {
		*out = append(*out, map[string]string{"type": mt})
		return
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return
		}
		require.NoError(t, err)
		var buf bytes.Buffer
		_, _ = io.Copy(&buf, p)
		pct := p.Header.Get("Content-Type")
		if strings.HasPrefix(pct, "multipart/") {
			parts(t, pct, &buf, out)
			continue
		}
		pmt, _, _ := mime.ParseMediaType(pct)
		*out = append(*out, map[string]string{"type": pmt, "cid": p.Header.Get("Content-Id"), "disposition": p.Header.Get("Content-Disposition"), "parent": mt})
	}
}

// TestSendThroughSMTP: the digests are queued once, delivered by the
// outbox sender to a real SMTP server with the chart inline and the
// workbook attached; a delivery repeated after a lost acknowledgement
// carries the same Message-ID; queueing again sends nothing new.
func TestSendThroughSMTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := loadProvince(t)
	in := startInbox(t)
	q := domain.Quarter{Year: 2025, Q: 3}
	rep, err := digestjob.Send(ctx, st, q, calendar(digestjob.Options{}))
	require.NoError(t, err)
	require.Equal(t, 7, rep.Queued)
	again, err := digestjob.Send(ctx, st, q, calendar(digestjob.Options{}))
	require.NoError(t, err)
	require.Equal(t, digestjob.Report{AlreadySent: 7}, again)

	sender, err := rmail.NewSender(rmail.Config{Host: "127.0.0.1", Port: in.port, From: "returns@gd.example", TLS: rmail.TLSNone, Timeout: 5 * time.Second})
	require.NoError(t, err)
	sent, retried, failed, err := sender.Deliver(ctx, st)
	require.NoError(t, err)
	require.Equal(t, [3]int{7, 0, 0}, [3]int{sent, retried, failed})
	msgs := in.messages()
	require.Len(t, msgs, 7)
	ids := map[string]bool{}
	var advisor *mail.Message
	for _, b := range msgs {
		m, err := mail.ReadMessage(bytes.NewReader(b))
		require.NoError(t, err)
		ids[m.Header.Get("Message-ID")] = true
		if strings.Contains(m.Header.Get("To"), "advisor@gd.example") {
			advisor = m
		}
	}
	require.Len(t, ids, 7)
	require.NotNil(t, advisor)
	var ps []map[string]string
	parts(t, advisor.Header.Get("Content-Type"), advisor.Body, &ps)
	var types []string
	for _, p := range ps {
		types = append(types, p["type"])
		if p["type"] == "image/png" {
			require.Equal(t, "<"+digest.ChartCID+">", p["cid"])
			require.Equal(t, "multipart/related", p["parent"])
		}
	}
	require.Equal(t, []string{"text/plain", "text/html", "image/png", digestjob.XLSXType}, types)

	// At least once: the server's 250 was lost, the row is due again and is
	// sent again, with the same Message-ID.
	sentRows, err := st.DigestsSent(ctx, q)
	require.NoError(t, err)
	_, err = st.DB().ExecContext(ctx, `UPDATE returns.outbox SET status = 'pending', sent_at = NULL, next_attempt_at = now() - interval '1 second' WHERE id = $1`, sentRows[0].OutboxID)
	require.NoError(t, err)
	sent, _, _, err = sender.Deliver(ctx, st)
	require.NoError(t, err)
	require.Equal(t, 1, sent)
	msgs = in.messages()
	require.Len(t, msgs, 8)
	m, err := mail.ReadMessage(bytes.NewReader(msgs[7]))
	require.NoError(t, err)
	require.Equal(t, sentRows[0].MessageID, m.Header.Get("Message-ID"))
	require.True(t, ids[m.Header.Get("Message-ID")], "the duplicate repeats a Message-ID already delivered")
}

// TestRestatementFlagged: a return for a quarter already digested, loaded
// after the digest was sent, is flagged in the next digest when a figure
// of the digest changed, and only then: a new phone number is not a
// restatement (issue 10).
func TestRestatementFlagged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := loadProvince(t)
	r := store.Recipient{Email: "advisor@gd.example", Name: "Province advisor", ScopeOrgCode: "GD", Language: "en", Active: true}
	// The 2025-Q3 digest went out; then one organisation's 2025-Q2 return
	// is corrected (a new version).
	_, err := digestjob.Send(ctx, st, domain.Quarter{Year: 2025, Q: 3}, calendar(digestjob.Options{Recipient: r.Email}))
	require.NoError(t, err)
	d, err := digestjob.Build(ctx, st, domain.Quarter{Year: 2025, Q: 3}, r, calendar(digestjob.Options{}))
	require.NoError(t, err)
	require.Empty(t, d.Digest.Restatements)
	time.Sleep(10 * time.Millisecond) // loaded_at after the cut-off
	phone := correctedReturn(t, "GD-KCQ-001", 2025, 2, nil)
	loadBytes(t, st, phone, "BCQ_GD-KCQ-001_2025Q2.xlsx")
	d, err = digestjob.Build(ctx, st, domain.Quarter{Year: 2025, Q: 4}, r, calendar(digestjob.Options{}))
	require.NoError(t, err)
	require.Empty(t, d.Digest.Restatements, "a new phone number changes no figure")
	require.NotContains(t, d.Rendered.Text, "Restated figures")
	corrected := correctedReturn(t, "GD-KCQ-001", 2025, 2, func(r *generate.Return) { r.Info.AdmissionTargetYear += 3 })
	loadBytes(t, st, corrected, "BCQ_GD-KCQ-001_2025Q2_v3.xlsx")
	d, err = digestjob.Build(ctx, st, domain.Quarter{Year: 2025, Q: 4}, r, calendar(digestjob.Options{}))
	require.NoError(t, err)
	require.Len(t, d.Digest.Restatements, 1)
	require.Equal(t, "GD-KCQ-001", d.Digest.Restatements[0].Org)
	require.Equal(t, 3, d.Digest.Restatements[0].Version)
	require.Contains(t, d.Rendered.Text, "Restated figures")
	require.Contains(t, d.Rendered.HTML, "Restated figures")
	// Another recipient who never got a digest has nothing restated.
	other := store.Recipient{Email: "other@gd.example", Name: "X", ScopeOrgCode: "GD", Language: "vi", Active: true}
	d, err = digestjob.Build(ctx, st, domain.Quarter{Year: 2025, Q: 4}, other, calendar(digestjob.Options{}))
	require.NoError(t, err)
	require.Empty(t, d.Digest.Restatements)
}

// TestCanaryScopeInRenderedDigests: for a tree of 33 organisations with
// one marked member each and one recipient each, every rendered digest
// (HTML, text and the workbook) names exactly the marked members of its
// subtree; without personal data, none.
func TestCanaryScopeInRenderedDigests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	tree := storetest.Canaries(t, st)
	q := domain.Quarter{Year: storetest.CanaryYear, Q: storetest.CanaryQ}
	for _, o := range tree.Orgs {
		r := store.Recipient{Email: strings.ToLower(o.Code) + "@canary.example", Name: "M", ScopeOrgCode: o.Code, Language: "vi", Active: true}
		d, err := digestjob.Build(ctx, st, q, r, calendar(digestjob.Options{IncludePersonalData: true}))
		require.NoError(t, err, o.Code)
		want := tree.Subtree(o.Code)
		xlsx := xlsxText(t, d.Rendered.XLSX)
		for _, other := range tree.Orgs {
			name := storetest.CanaryName(other.Code) + "<" // the canary and the end of its cell/element
			inScope := contains(want, other.Code)
			require.Equal(t, inScope, strings.Contains(d.Rendered.HTML, storetest.CanaryName(other.Code)+"</td>"), "%s sees %s in HTML", o.Code, other.Code)
			require.Equal(t, inScope, strings.Contains(d.Rendered.Text, storetest.CanaryName(other.Code)+" "), "%s sees %s in text", o.Code, other.Code)
			require.Equal(t, inScope, strings.Contains(xlsx, name), "%s sees %s in the workbook", o.Code, other.Code)
		}
		d, err = digestjob.Build(ctx, st, q, r, calendar(digestjob.Options{}))
		require.NoError(t, err)
		require.NotContains(t, d.Rendered.HTML, "CANARY")
		require.NotContains(t, d.Rendered.Text, "CANARY")
		require.NotContains(t, xlsxText(t, d.Rendered.XLSX), "CANARY")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
