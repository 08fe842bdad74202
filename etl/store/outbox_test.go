package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/mail/outmail"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
)

func testMail(key string) store.Mail {
	return store.Mail{
		Kind:       "digest",
		DedupeKey:  key,
		To:         []string{"manager@quan1.example.vn", "Nguyễn Văn A <a@phuong2.example.vn>"},
		Subject:    "Báo cáo quý III/2025",
		InReplyTo:  "<first@returns.local>",
		References: []string{"<first@returns.local>", "<second@returns.local>"},
		Text:       "Xin chào",
		HTML:       "<p>Xin chào</p>",
		Attachments: []store.MailAttachment{
			{Name: "chi-tiet.xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Content: []byte{0, 1, 2, 0xff}},
			{Name: "ghi-chu.txt", ContentType: "text/plain; charset=utf-8", Content: []byte("ghi chú")},
		},
	}
}

func TestOutboxEnqueueIsIdempotentAndClaimRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)

	m := testMail("digest:2025-Q3:manager@quan1.example.vn")
	id, created, err := st.EnqueueMail(ctx, nil, m)
	require.NoError(t, err)
	require.True(t, created)
	again, created, err := st.EnqueueMail(ctx, nil, m)
	require.NoError(t, err)
	require.False(t, created, "the same dedupe key is a no-op")
	require.Equal(t, id, again)

	got, err := st.ClaimDueMail(ctx, time.Now(), 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, got, 1)
	q := got[0]
	require.Equal(t, id, q.ID)
	require.Equal(t, 1, q.Attempts)
	require.True(t, outmail.ValidMessageID(q.MessageID), q.MessageID)
	require.Regexp(t, `^<[0-9a-f]{32}@returns\.local>$`, q.MessageID)
	want := m
	want.MessageID = q.MessageID
	require.Equal(t, want, q.Mail)

	stats, err := st.OutboxStats(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, stats.Sending)
	require.Zero(t, stats.Due, "claimed under a lease")
	require.False(t, stats.OldestUnsent.IsZero())
}

func TestOutboxEnqueueInCallersTransactionAsLoader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)

	// Rolled back with the caller's transaction: nothing queued.
	tx, err := st.DB().BeginTxx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, `SET LOCAL ROLE returns_loader`)
	require.NoError(t, err)
	_, created, err := st.EnqueueMail(ctx, tx, testMail("result:rolled-back"))
	require.NoError(t, err)
	require.True(t, created)
	require.NoError(t, tx.Rollback())

	// Committed with it: queued, and the loader role may claim and mark.
	tx, err = st.DB().BeginTxx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, `SET LOCAL ROLE returns_loader`)
	require.NoError(t, err)
	id, _, err := st.EnqueueMail(ctx, tx, testMail("result:committed"))
	require.NoError(t, err)
	var names []string
	require.NoError(t, tx.SelectContext(ctx, &names, `SELECT a.file_name FROM returns.outbox o JOIN returns.outbox_attachment a ON a.outbox_id = o.id ORDER BY a.position FOR UPDATE OF o`))
	require.Equal(t, []string{"chi-tiet.xlsx", "ghi-chu.txt"}, names)
	_, err = tx.ExecContext(ctx, `UPDATE returns.outbox SET last_error = NULL WHERE id = $1`, id)
	require.NoError(t, err, "returns_loader may update the outbox")
	require.NoError(t, tx.Commit())

	got, err := st.ClaimDueMail(ctx, time.Now(), 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "result:committed", got[0].DedupeKey)
	require.NoError(t, st.MarkSent(ctx, id))
}

func TestOutboxEnqueueRejectsInvalidMail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	for name, edit := range map[string]func(*store.Mail){
		"CRLF Bcc in recipient": func(m *store.Mail) { m.To = []string{"victim@x.vn\r\nBcc: attacker@evil.test"} },
		"two addresses in one":  func(m *store.Mail) { m.To = []string{"a@x.vn, b@y.vn"} },
		"not an address":        func(m *store.Mail) { m.To = []string{"Nguyễn Văn A"} },
		"no recipient":          func(m *store.Mail) { m.To = nil },
		"bad message id":        func(m *store.Mail) { m.MessageID = "<a b@c>\r\nX: y" },
		"bad reference":         func(m *store.Mail) { m.References = []string{"nope"} },
		"no text body":          func(m *store.Mail) { m.Text = " " },
		"path in file name":     func(m *store.Mail) { m.Attachments[0].Name = "../x.xlsx" },
		"bad content type":      func(m *store.Mail) { m.Attachments[0].ContentType = "text/plain\r\nX: y" },
		"bad kind":              func(m *store.Mail) { m.Kind = "Digest!" },
		"no dedupe key":         func(m *store.Mail) { m.DedupeKey = "" },
	} {
		m := testMail("k:" + name)
		edit(&m)
		_, _, err := st.EnqueueMail(ctx, nil, m)
		require.ErrorIs(t, err, store.ErrInvalidMail, name)
		require.NotContains(t, err.Error(), "attacker@evil.test", "errors never quote addresses")
	}
	stats, err := st.OutboxStats(ctx)
	require.NoError(t, err)
	require.Zero(t, stats.Pending)
}

func TestOutboxConcurrentEnqueueOfOneKeyCreatesOneRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	createdN := make([]bool, 8)
	errs := make([]error, 8)
	for i := range 8 {
		wg.Go(func() { ids[i], createdN[i], errs[i] = st.EnqueueMail(ctx, nil, testMail("digest:2025-Q3:race")) })
	}
	wg.Wait()
	created := 0
	for i := range 8 {
		require.NoError(t, errs[i])
		require.Equal(t, ids[0], ids[i])
		if createdN[i] {
			created++
		}
	}
	require.Equal(t, 1, created)
}

func TestOutboxConcurrentClaimsNeverShareARow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	const rows = 60
	for i := range rows {
		_, _, err := st.EnqueueMail(ctx, nil, testMail(fmt.Sprintf("result:%d", i)))
		require.NoError(t, err)
	}
	var mu sync.Mutex
	claimed := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				got, err := st.ClaimDueMail(ctx, time.Now(), 3, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, q := range got {
					claimed[q.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, claimed, rows)
	for id, n := range claimed {
		require.Equal(t, 1, n, "row %d claimed %d times", id, n)
	}
}

func TestOutboxLeaseExpiryRedrivesAStuckRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	id, _, err := st.EnqueueMail(ctx, nil, testMail("result:stuck"))
	require.NoError(t, err)
	t0 := time.Now()
	got, err := st.ClaimDueMail(ctx, t0, 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, got, 1)
	// The sender "crashes": the row stays 'sending' under its lease.
	got, err = st.ClaimDueMail(ctx, t0.Add(59*time.Second), 10, time.Minute)
	require.NoError(t, err)
	require.Empty(t, got, "leased")
	got, err = st.ClaimDueMail(ctx, t0.Add(61*time.Second), 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, got, 1, "lease expired: due again")
	require.Equal(t, id, got[0].ID)
	require.Equal(t, 2, got[0].Attempts)
}

func TestOutboxMarkRetryFailedSent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	a, _, err := st.EnqueueMail(ctx, nil, testMail("a"))
	require.NoError(t, err)
	b, _, err := st.EnqueueMail(ctx, nil, testMail("b"))
	require.NoError(t, err)

	require.ErrorIs(t, st.MarkRetry(ctx, a, time.Now(), "x"), store.ErrMailNotSending, "not claimed yet")
	t0 := time.Now()
	got, err := st.ClaimDueMail(ctx, t0, 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, got, 2)

	require.NoError(t, st.MarkRetry(ctx, a, t0.Add(10*time.Second), "451 4.3.0 try later"))
	require.NoError(t, st.MarkFailed(ctx, b, "550 5.1.1 no such user"))
	require.ErrorIs(t, st.MarkFailed(ctx, b, "again"), store.ErrMailNotSending)

	got, err = st.ClaimDueMail(ctx, t0.Add(9*time.Second), 10, time.Minute)
	require.NoError(t, err)
	require.Empty(t, got, "not due before its retry time; failed rows never")
	got, err = st.ClaimDueMail(ctx, t0.Add(10*time.Second), 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, a, got[0].ID)
	require.Equal(t, 2, got[0].Attempts)

	require.NoError(t, st.MarkSent(ctx, a))
	require.NoError(t, st.MarkSent(ctx, a), "sent again is a no-op")
	require.ErrorIs(t, st.MarkRetry(ctx, a, t0, "late"), store.ErrMailNotSending, "a sent row never goes back")
	require.ErrorIs(t, st.MarkSent(ctx, 999999), store.ErrMailNotFound)

	stats, err := st.OutboxStats(ctx)
	require.NoError(t, err)
	require.Equal(t, store.OutboxStats{Sent: 1, Failed: 1}, stats)
	var lastErr string
	require.NoError(t, st.DB().Get(&lastErr, `SELECT last_error FROM returns.outbox WHERE id = $1`, b))
	require.Equal(t, "550 5.1.1 no such user", lastErr)
}
