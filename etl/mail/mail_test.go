package mail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rmail "github.com/returns-project/returns/etl/mail"
	"github.com/returns-project/returns/etl/mail/outmail"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var _ rmail.Outbox = (*store.Store)(nil) // the store is the outbox

type testBundle struct {
	st   *store.Store
	d    *smtpd
	clk  *sharedtest.Clock
	s    *rmail.Sender
	logs *sharedtest.Buffer
	cfg  rmail.Config
}

// setup gives a migrated store, a recording SMTP server and a Sender on an
// injected clock, plain SMTP unless tweak says otherwise.
func setup(t *testing.T, tweak func(*rmail.Config)) *testBundle {
	t.Helper()
	b := &testBundle{d: newSMTPD(t), clk: newClock()}
	b.st = newStore(t, b.clk)
	logger, logs := testLogger(t)
	b.logs = logs
	b.cfg = rmail.Config{
		Host: "127.0.0.1", Port: b.d.port(), From: "Returns <returns@tinhuy.example.vn>", TLS: rmail.TLSNone,
		Timeout: 5 * time.Second, DialContext: b.d.dial, Now: b.clk.Now, Logger: logger,
	}
	if tweak != nil {
		tweak(&b.cfg)
	}
	s, err := rmail.NewSender(b.cfg)
	require.NoError(t, err)
	b.s = s
	return b
}

// newStore opens a migrated test database whose clock is the test's.
func newStore(t *testing.T, clk *sharedtest.Clock) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{URL: storetest.URL(t), Now: clk.Now})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

func (b *testBundle) deliver(t *testing.T) (sent, retried, failed int) {
	t.Helper()
	sent, retried, failed, err := b.s.Deliver(context.Background(), b.st)
	require.NoError(t, err)
	return sent, retried, failed
}

func simpleMail(i int) store.Mail {
	return store.Mail{
		Kind: "result", DedupeKey: fmt.Sprintf("result:%064d:u%d@donvi.example.vn", i, i), MessageID: outmail.NewMessageID(),
		To: []string{fmt.Sprintf("u%d@donvi%d.example.vn", i, i)}, Subject: "Kết quả nộp báo cáo", Text: "Đã nhận.",
	}
}

func (b *testBundle) enqueue(t *testing.T, ms ...store.Mail) []string {
	t.Helper()
	var ids []string
	for _, m := range ms {
		_, created, err := b.st.EnqueueMail(context.Background(), nil, m)
		require.NoError(t, err)
		require.True(t, created)
		ids = append(ids, m.MessageID)
	}
	return ids
}

func (b *testBundle) row(t *testing.T, messageID string) (status string, attempts int, lastErr string) {
	t.Helper()
	var r struct {
		Status   string  `db:"status"`
		Attempts int     `db:"attempts"`
		LastErr  *string `db:"last_error"`
	}
	require.NoError(t, b.st.DB().Get(&r, `SELECT status, attempts, last_error FROM returns.outbox WHERE message_id = $1`, messageID))
	if r.LastErr != nil {
		lastErr = *r.LastErr
	}
	return r.Status, r.Attempts, lastErr
}

func TestDeliverBuildsTheMIMEMessage(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	xlsx := make([]byte, 3000)
	for i := range xlsx {
		xlsx[i] = byte(i * 7)
	}
	subject := "Kết quả báo cáo quý III/2025 — Đảng bộ phường Bến Nghé: ổn định, tiếp nhận đầy đủ"
	m := store.Mail{
		Kind: "result", DedupeKey: "result:abc:a@phuong1.example.vn", MessageID: outmail.NewMessageID(),
		To:         []string{"Nguyễn Văn Ánh <a@phuong1.example.vn>", "b@quan1.example.vn"},
		Subject:    subject,
		InReplyTo:  "<first-result@returns.local>",
		References: []string{"<digest-2025q2@returns.local>", "<first-result@returns.local>"},
		Text:       "Kính gửi đồng chí,\nBáo cáo của đơn vị đã được tiếp nhận.\n",
		HTML:       "<p>Kính gửi đồng chí,</p><p>Báo cáo <b>đã được tiếp nhận</b>.</p>",
		Attachments: []store.MailAttachment{
			{Name: "BCQ_P01_2025Q3_ketqua.xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Content: xlsx},
		},
	}
	// A second mail whose subject carries a header-injection attempt.
	inj := simpleMail(2)
	inj.Subject = "Quý III\r\nBcc: attacker@evil.test\r\n\r\nbody"
	b.enqueue(t, m, inj)

	sent, retried, failed := b.deliver(t)
	require.Equal(t, [3]int{2, 0, 0}, [3]int{sent, retried, failed})
	require.EqualValues(t, 1, b.d.sessions.Load(), "one connection for the pass")

	got := b.d.messages()
	require.Len(t, got, 2)
	r := got[0]
	if r.MessageID != m.MessageID {
		r = got[1]
	}
	require.Equal(t, m.MessageID, r.MessageID)
	require.Equal(t, "returns@tinhuy.example.vn", r.From)
	require.Equal(t, []string{"a@phuong1.example.vn", "b@quan1.example.vn"}, r.To, "recipients exactly as the row's")

	msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
	require.NoError(t, err)
	dec := new(mime.WordDecoder)
	gotSubject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, subject, gotSubject, "UTF-8 subject round-trips (RFC 2047)")
	require.Equal(t, m.InReplyTo, msg.Header.Get("In-Reply-To"))
	require.Equal(t, strings.Join(m.References, " "), msg.Header.Get("References"))
	date, err := msg.Header.Date()
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), date, time.Minute)
	to, err := msg.Header.AddressList("To")
	require.NoError(t, err)
	require.Len(t, to, 2)
	require.Equal(t, "Nguyễn Văn Ánh", to[0].Name)

	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/mixed", mt)
	mixed := multipart.NewReader(msg.Body, params["boundary"])

	alt, err := mixed.NextPart()
	require.NoError(t, err)
	mt, aparams, err := mime.ParseMediaType(alt.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mt)
	ar := multipart.NewReader(alt, aparams["boundary"])
	bodies := map[string]string{}
	for {
		p, err := ar.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		ct, cp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		require.NoError(t, err)
		require.Equal(t, "utf-8", strings.ToLower(cp["charset"]))
		body, err := io.ReadAll(p) // multipart decodes quoted-printable
		require.NoError(t, err)
		bodies[ct] = strings.ReplaceAll(string(body), "\r\n", "\n")
	}
	require.Equal(t, m.Text, bodies["text/plain"])
	require.Equal(t, m.HTML, bodies["text/html"])

	att, err := mixed.NextPart()
	require.NoError(t, err)
	require.Equal(t, "BCQ_P01_2025Q3_ketqua.xlsx", att.FileName())
	mt, _, err = mime.ParseMediaType(att.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, m.Attachments[0].ContentType, mt)
	require.Equal(t, "base64", strings.ToLower(att.Header.Get("Content-Transfer-Encoding")))
	raw, err := io.ReadAll(att)
	require.NoError(t, err)
	content, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
	require.NoError(t, err)
	require.Equal(t, xlsx, content)
	_, err = mixed.NextPart()
	require.Equal(t, io.EOF, err)

	// The injected subject stayed one header: no Bcc, recipients unchanged.
	r2 := got[0]
	if r2.MessageID != inj.MessageID {
		r2 = got[1]
	}
	require.Equal(t, inj.To, r2.To)
	msg2, err := mail.ReadMessage(bytes.NewReader(r2.Data))
	require.NoError(t, err)
	require.Empty(t, msg2.Header.Get("Bcc"))
	require.NotContains(t, string(r2.Data), "\r\nBcc:")
	s2, err := dec.DecodeHeader(msg2.Header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, "Quý III Bcc: attacker@evil.test body", s2)

	// The logs name message ids and counts, never addresses, names or subjects.
	logs := b.logs.String()
	require.Contains(t, logs, m.MessageID)
	require.Contains(t, logs, "recipient_domains=2")
	for _, secret := range []string{"phuong1.example.vn", "quan1.example.vn", "Nguyễn", "Đảng bộ", "attacker", "Kính gửi"} {
		require.NotContains(t, logs, secret)
	}
}

// T9: 451 ×3 then OK for one mail, 550 for another's recipient, a third unaffected.
func TestDeliverRetriesTemporaryFailuresAndGivesUpOnPermanentOnes(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	flaky, bounced, fine := simpleMail(1), simpleMail(2), simpleMail(3)
	b.d.rcptFail["u2@donvi2.example.vn"] = perm550
	b.d.onData = func(id string, n int) fault {
		if id == flaky.MessageID && n <= 3 {
			return temp451
		}
		return accept
	}
	b.enqueue(t, flaky, bounced, fine)

	sent, retried, failed := b.deliver(t)
	require.Equal(t, [3]int{1, 1, 1}, [3]int{sent, retried, failed}, "pass 1")
	status, attempts, lastErr := b.row(t, bounced.MessageID)
	require.Equal(t, "failed", status)
	require.Equal(t, 1, attempts, "550 fails after 1 attempt")
	require.Contains(t, lastErr, "550")
	require.Contains(t, b.logs.String(), `level=ERROR msg="mail: delivery failed, not retried" message_id=`+bounced.MessageID)

	// Backoff: the k-th retry is due between 0.8·2^(k-1) s and 2^(k-1) s later.
	for k := 1; k <= 3; k++ {
		step := time.Duration(1<<(k-1)) * time.Second
		sessions := b.d.sessions.Load()
		b.clk.Advance(step * 79 / 100)
		sent, retried, failed = b.deliver(t)
		require.Equal(t, [3]int{0, 0, 0}, [3]int{sent, retried, failed}, "retry %d not due before its backoff", k)
		require.Equal(t, sessions, b.d.sessions.Load(), "no connection while nothing is due")
		b.clk.Advance(step * 21 / 100)
		sent, retried, failed = b.deliver(t)
		if k < 3 {
			require.Equal(t, [3]int{0, 1, 0}, [3]int{sent, retried, failed}, "attempt %d gets 451", k+1)
		} else {
			require.Equal(t, [3]int{1, 0, 0}, [3]int{sent, retried, failed}, "attempt 4 delivered")
		}
	}
	status, attempts, lastErr = b.row(t, flaky.MessageID)
	require.Equal(t, "sent", status)
	require.Equal(t, 4, attempts, "delivered on the 4th attempt")
	require.Empty(t, lastErr)
	require.Equal(t, map[string]int{flaky.MessageID: 1, fine.MessageID: 1}, b.d.copies())
	status, attempts, _ = b.row(t, fine.MessageID)
	require.Equal(t, [2]any{"sent", 1}, [2]any{status, attempts})
	t.Logf("T9: 451×3 → sent on attempt %d; 550 → failed after 1 attempt; the third mail sent on attempt 1", 4)
}

// T7 (scaled): the server is down while mails are queued; nothing is lost,
// no tight loop, and all go out within one backoff cap of its return.
func TestDeliverSurvivesAnSMTPOutage(t *testing.T) {
	t.Parallel()
	mails, outage := 20, 30*time.Minute
	if os.Getenv("RETURNS_LONG_OUTAGE") != "" {
		mails, outage = 30, 2*time.Hour // T7 as specified
	}
	b := setup(t, func(c *rmail.Config) { c.Logger = slog.New(slog.DiscardHandler) }) // a warn per retry would flood the test log
	var ids []string
	for i := range mails {
		ids = append(ids, b.enqueue(t, simpleMail(i))...)
	}
	b.d.stop()

	const step = time.Second
	passes, maxDials := 0, int64(0)
	for elapsed := time.Duration(0); elapsed < outage; elapsed += step {
		before := b.d.dials.Load()
		sent, _, failed := b.deliver(t)
		require.Zero(t, sent+failed)
		maxDials = max(maxDials, b.d.dials.Load()-before)
		passes++
		b.clk.Advance(step)
	}
	outageDials := b.d.dials.Load()
	require.LessOrEqual(t, maxDials, int64(1), "at most one connection attempt per pass")
	stats, err := b.st.OutboxStats(context.Background())
	require.NoError(t, err)
	require.Equal(t, mails, stats.Pending, "all queued, none failed or lost")
	var attempts []int
	require.NoError(t, b.st.DB().Select(&attempts, `SELECT attempts FROM returns.outbox ORDER BY attempts`))
	// With a 1 s base doubling to the 5 min cap, a row retries about
	// 9 + (outage-511 s)/(0.8..1 × 5 min) times: never more than once per second.
	require.Less(t, attempts[len(attempts)-1], int(outage/(4*time.Minute))+12, "capped exponential backoff")
	require.Greater(t, attempts[0], 9)

	b.d.start() // the server comes back
	back := time.Duration(0)
	for ; ; back += step {
		require.LessOrEqual(t, back, 5*time.Minute+step, "all sent within one backoff cap of recovery")
		b.deliver(t)
		stats, err = b.st.OutboxStats(context.Background())
		require.NoError(t, err)
		if stats.Sent == mails {
			break
		}
		b.clk.Advance(step)
	}
	copies := b.d.copies()
	require.Len(t, copies, mails, "0 lost")
	for _, id := range ids {
		require.Equal(t, 1, copies[id], "each exactly once")
	}
	t.Logf("T7 (%d mails, %s outage, %d passes at 1 s): %d connection attempts during the outage (max %d per pass), attempts per mail %d..%d; all %d sent %s after recovery, 0 lost, 0 duplicated",
		mails, outage, passes, outageDials, maxDials, attempts[0], attempts[len(attempts)-1], mails, back)
}

// T8 (scaled): the server drops the connection after the data, before its
// reply; the mail is retried and the duplicate carries the same Message-ID.
func TestDeliverRFC1047GapDuplicatesKeepTheMessageID(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	const n = 10
	var ids []string
	for i := range n {
		ids = append(ids, b.enqueue(t, simpleMail(i))...)
	}
	b.d.onData = func(_ string, seen int) fault {
		if seen == 1 {
			return closeAfterData
		}
		return accept
	}
	sent, retried, failed := b.deliver(t)
	require.Equal(t, [3]int{0, n, 0}, [3]int{sent, retried, failed})
	b.clk.Advance(time.Second)
	sent, retried, failed = b.deliver(t)
	require.Equal(t, [3]int{n, 0, 0}, [3]int{sent, retried, failed})

	byID := map[string][]received{}
	for _, r := range b.d.messages() {
		byID[r.MessageID] = append(byID[r.MessageID], r)
	}
	require.Len(t, byID, n, "0 lost")
	for _, id := range ids {
		copies := byID[id]
		require.Len(t, copies, 2, "one duplicate per injected fault")
		require.False(t, copies[0].Replied)
		require.True(t, copies[1].Replied)
		for _, c := range copies {
			msg, err := mail.ReadMessage(bytes.NewReader(c.Data))
			require.NoError(t, err)
			require.Equal(t, id, msg.Header.Get("Message-ID"))
			require.Equal(t, id, c.MessageID)
		}
		status, attempts, _ := b.row(t, id)
		require.Equal(t, [2]any{"sent", 2}, [2]any{status, attempts})
	}
	t.Logf("T8 (scaled): %d faults in the RFC 1047 gap → %d mails, %d duplicates, all with their Message-ID, 0 lost", n, n, n)
}

func TestConcurrentDeliverPassesNeverSendARowTwice(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *rmail.Config) { c.BatchSize = 3 })
	b.d.delay = 2 * time.Millisecond
	const n = 40
	for i := range n {
		b.enqueue(t, simpleMail(i))
	}
	other, err := rmail.NewSender(b.cfg) // a second daemon on the same outbox
	require.NoError(t, err)
	totals := make([]int, 2)
	errs := make(chan error, 2)
	for i, s := range []*rmail.Sender{b.s, other} {
		go func() {
			for {
				sent, retried, failed, err := s.Deliver(context.Background(), b.st)
				if err != nil || retried+failed > 0 {
					errs <- fmt.Errorf("sender %d: retried %d failed %d: %v", i, retried, failed, err)
					return
				}
				if sent == 0 {
					errs <- nil
					return
				}
				totals[i] += sent
			}
		}()
	}
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	copies := b.d.copies()
	require.Len(t, copies, n)
	for id, c := range copies {
		require.Equal(t, 1, c, id)
	}
	require.Equal(t, n, totals[0]+totals[1])
	t.Logf("two concurrent senders: %d + %d = %d sent, each exactly once", totals[0], totals[1], n)
}

func TestDeliverRedrivesARowWhoseLeaseExpired(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *rmail.Config) { c.Lease = 10 * time.Minute })
	ids := b.enqueue(t, simpleMail(1))
	// A sender claims the row and crashes before sending.
	claimed, err := b.st.ClaimDueMail(context.Background(), b.clk.Now(), 10, 10*time.Minute)
	require.NoError(t, err)
	require.Len(t, claimed, 1)

	b.clk.Advance(5 * time.Minute)
	sent, _, _ := b.deliver(t)
	require.Zero(t, sent, "still leased")
	b.clk.Advance(5*time.Minute + time.Second)
	sent, _, _ = b.deliver(t)
	require.Equal(t, 1, sent, "lease expired: re-driven")
	status, attempts, _ := b.row(t, ids[0])
	require.Equal(t, [2]any{"sent", 2}, [2]any{status, attempts})
	require.Equal(t, map[string]int{ids[0]: 1}, b.d.copies())
}

// memOutbox hands out the same rows on every pass, like a re-drive after a
// crash between writing a file and marking it sent.
type memOutbox struct {
	rows []outmail.Queued
	sent []int64
}

func (o *memOutbox) ClaimDueMail(context.Context, time.Time, int, time.Duration) ([]outmail.Queued, error) {
	return o.rows, nil
}
func (o *memOutbox) MarkSent(_ context.Context, id int64) error {
	o.sent = append(o.sent, id)
	return nil
}
func (o *memOutbox) MarkRetry(context.Context, int64, time.Time, string) error {
	return fmt.Errorf("unexpected retry")
}
func (o *memOutbox) MarkFailed(context.Context, int64, string) error {
	return fmt.Errorf("unexpected failure")
}

func TestEMLFallbackWritesParseableFilesIdempotently(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "outbox")
	logger, _ := testLogger(t)
	s, err := rmail.NewSender(rmail.Config{OutboxDir: dir, Logger: logger})
	require.NoError(t, err)

	st := storetest.New(t)
	m := simpleMail(1)
	m.HTML = "<p>Đã nhận.</p>"
	m.Attachments = []store.MailAttachment{{Name: "a.xlsx", ContentType: "application/octet-stream", Content: []byte("PK\x03\x04")}}
	_, _, err = st.EnqueueMail(context.Background(), nil, m)
	require.NoError(t, err)
	sent, retried, failed, err := s.Deliver(context.Background(), st)
	require.NoError(t, err)
	require.Equal(t, [3]int{1, 0, 0}, [3]int{sent, retried, failed})
	stats, err := st.OutboxStats(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, stats.Sent)

	name := filepath.Join(dir, strings.Trim(m.MessageID, "<>")+".eml")
	f, err := os.Open(name)
	require.NoError(t, err)
	msg, err := mail.ReadMessage(f)
	require.NoError(t, err)
	require.Equal(t, m.MessageID, msg.Header.Get("Message-ID"))
	require.Equal(t, "<u1@donvi1.example.vn>", msg.Header.Get("To"))
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, m.Subject, subj)
	require.NoError(t, f.Close())

	// The same row again (a re-drive, with a hostile message id alongside):
	// the same file is overwritten, nothing lands outside the directory, no
	// temporary file is left.
	q := outmail.Queued{ID: 7, Mail: m, Attempts: 2, CreatedAt: time.Now()}
	odd := q
	odd.ID, odd.MessageID = 8, "<../../etc/passwd@x>"
	ob := &memOutbox{rows: []outmail.Queued{q, odd}}
	for range 2 {
		sent, _, _, err = s.Deliver(context.Background(), ob)
		require.NoError(t, err)
		require.Equal(t, 2, sent)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Len(t, names, 2, "%v", names)
	require.Contains(t, names, filepath.Base(name))
	for _, n := range names {
		require.True(t, strings.HasSuffix(n, ".eml") && !strings.HasPrefix(n, "."), n)
		f, err := os.Open(filepath.Join(dir, n))
		require.NoError(t, err)
		_, err = mail.ReadMessage(f)
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
}

func TestSTARTTLSAndAuthNeverLeakThePassword(t *testing.T) {
	t.Parallel()
	const canary = "canary-Pw-7d41f0"
	serverTLS, pool := selfSigned(t)
	pwFile := filepath.Join(t.TempDir(), "smtp_password")
	require.NoError(t, os.WriteFile(pwFile, []byte(canary+"\n"), 0o600))

	b := &testBundle{clk: newClock()}
	b.st = newStore(t, b.clk)
	b.d = &smtpd{t: t, seen: map[string]int{}, rcptFail: map[string]fault{}, tlsCfg: serverTLS,
		auth: func(user, pass string) error {
			if user == "returns" && pass == canary {
				return nil
			}
			return fmt.Errorf("bad credentials")
		}}
	b.d.start()
	logger, logs := testLogger(t)
	cfg := rmail.Config{
		Host: "127.0.0.1", Port: b.d.port(), From: "returns@tinhuy.example.vn", TLS: rmail.TLSMandatory,
		TLSConfig: &tls.Config{RootCAs: pool}, Username: "returns", PasswordFile: pwFile,
		Timeout: 5 * time.Second, DialContext: b.d.dial, Now: b.clk.Now, Logger: logger,
	}
	s, err := rmail.NewSender(cfg)
	require.NoError(t, err)
	ids := b.enqueue(t, simpleMail(1))
	sent, _, _, err := s.Deliver(context.Background(), b.st)
	require.NoError(t, err)
	require.Equal(t, 1, sent)
	got := b.d.messages()
	require.Len(t, got, 1)
	require.True(t, got[0].TLS, "sent over STARTTLS")
	require.Equal(t, "returns", got[0].User, "authenticated")
	require.Equal(t, ids[0], got[0].MessageID)

	// A wrong password: the server refuses AUTH (535); the mail is retried,
	// the refusal alerted, and the password appears nowhere.
	const wrong = "canary-WRONG-93ab"
	require.NoError(t, os.WriteFile(pwFile, []byte(wrong), 0o600))
	s, err = rmail.NewSender(cfg)
	require.NoError(t, err)
	ids = b.enqueue(t, simpleMail(2))
	sent, retried, failed, err := s.Deliver(context.Background(), b.st)
	require.NoError(t, err)
	require.Equal(t, [3]int{0, 1, 0}, [3]int{sent, retried, failed})
	require.Contains(t, logs.String(), "level=ERROR")
	status, _, lastErr := b.row(t, ids[0])
	require.Equal(t, "pending", status)
	require.NotEmpty(t, lastErr)

	// Mandatory STARTTLS against a server without it: nothing sent in clear.
	plain := newSMTPD(t)
	cfg.DialContext, cfg.Port, cfg.PasswordFile = plain.dial, plain.port(), ""
	cfg.Password = canary
	s, err = rmail.NewSender(cfg)
	require.NoError(t, err)
	b.clk.Advance(time.Hour)
	sent, retried, _, err = s.Deliver(context.Background(), b.st)
	require.NoError(t, err)
	require.Equal(t, [2]int{0, 1}, [2]int{sent, retried})
	require.Empty(t, plain.messages())

	var allErrors []string
	require.NoError(t, b.st.DB().Select(&allErrors, `SELECT coalesce(last_error, '') FROM returns.outbox`))
	for _, text := range append(allErrors, logs.String()) {
		require.NotContains(t, text, canary)
		require.NotContains(t, text, wrong)
	}

	// A password file others can read is refused, without quoting it.
	require.NoError(t, os.Chmod(pwFile, 0o644))
	cfg.Password, cfg.PasswordFile = "", pwFile
	_, err = rmail.NewSender(cfg)
	require.ErrorContains(t, err, "group or others")
	require.NotContains(t, err.Error(), wrong)
}

func TestHTMLEscapesHostileData(t *testing.T) {
	t.Parallel()
	tmpl := template.Must(template.New("result").Parse(
		`<p>Đơn vị: {{.Org}}</p><p title="{{.Org}}">{{.File}}</p><a href="/status?org={{.Org}}">xem</a>`))
	payloads := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `javascript:alert(1)`, "\u202eslx.exe"}
	for _, p := range payloads {
		out, err := rmail.HTML(tmpl, map[string]string{"Org": p, "File": p})
		require.NoError(t, err)
		for _, bad := range []string{"<script", "<img", `"><`, "onerror=alert(1)>"} {
			require.NotContains(t, out, bad, "payload %q", p)
		}
	}
	out, err := rmail.HTML(tmpl, map[string]string{"Org": `<script>alert(1)</script>`, "File": `"><img src=x onerror=alert(1)>`})
	require.NoError(t, err)
	require.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;")
	require.Contains(t, out, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;")
	_, err = rmail.HTML(nil, nil)
	require.Error(t, err)
}

func TestDeliverGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *rmail.Config) { c.MaxAttempts = 3 })
	b.d.onData = func(string, int) fault { return temp451 }
	ids := b.enqueue(t, simpleMail(1))
	for pass := 1; pass <= 3; pass++ {
		sent, retried, failed := b.deliver(t)
		if pass < 3 {
			require.Equal(t, [3]int{0, 1, 0}, [3]int{sent, retried, failed}, "pass %d", pass)
		} else {
			require.Equal(t, [3]int{0, 0, 1}, [3]int{sent, retried, failed}, "pass %d", pass)
		}
		b.clk.Advance(time.Minute)
	}
	status, attempts, lastErr := b.row(t, ids[0])
	require.Equal(t, [2]any{"failed", 3}, [2]any{status, attempts})
	require.Contains(t, lastErr, "gave up after 3 attempts")
	require.Contains(t, b.logs.String(), "level=ERROR")
	sent, retried, failed := b.deliver(t)
	require.Zero(t, sent+retried+failed, "a failed mail is never retried")
}

func TestDeliverReschedulesUnsentRowsWhenCancelled(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ids := b.enqueue(t, simpleMail(1), simpleMail(2))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.d.onData = func(string, int) fault { cancel(); return accept } // shut down during the first mail
	sent, retried, failed, err := b.s.Deliver(ctx, b.st)
	require.NoError(t, err, "marking survives the cancellation")
	require.Equal(t, [3]int{1, 1, 0}, [3]int{sent, retried, failed})
	status, _, _ := b.row(t, ids[0])
	require.Equal(t, "sent", status, "the mail that went out is marked sent")
	status, _, lastErr := b.row(t, ids[1])
	require.Equal(t, "pending", status)
	require.Contains(t, lastErr, "not attempted")
	sent, _, _, err = b.s.Deliver(context.Background(), b.st)
	require.NoError(t, err)
	require.Equal(t, 1, sent, "due again at once, no backoff")
}
