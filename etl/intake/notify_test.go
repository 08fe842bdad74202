package intake_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/samples/generate"
)

type outboxRow struct {
	ID         int64          `db:"id"`
	Kind       string         `db:"kind"`
	Recipients pq.StringArray `db:"recipients"`
	Subject    string         `db:"subject"`
	InReplyTo  string         `db:"in_reply_to"`
	Text       string         `db:"body_text"`
	HTML       string         `db:"body_html"`
	Attached   int            `db:"attached"`
	Name       string         `db:"name"`
}

// TestResultMailsQueued checks the submitter hears about every terminal
// state through the outbox, in the outcome's own transaction: to the
// registry's contacts, threaded per organisation and quarter, no personal
// data in the subject, the annotated workbook attached when there is
// something to fix.
func TestResultMailsQueued(t *testing.T) {
	t.Parallel()
	b := setupJudge(t)
	seedRegistry(t, b.st, b.p)
	r := rich(t, b.p)
	ingestN := func(data []byte, name string) *intake.Result {
		sum := sha256.Sum256(data)
		res, err := intake.JudgeReader(context.Background(), bytes.NewReader(data), int64(len(data)), hex.EncodeToString(sum[:]), b.set, b.st,
			intake.Options{FileName: name, Notify: true, Zone: time.FixedZone("ICT", 7*60*60), ReceivedAt: time.Date(2025, 10, 5, 9, 0, 0, 0, time.UTC),
				Validate: validate.Options{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}})
		require.NoError(t, err)
		return res
	}
	mails := func() []outboxRow {
		var rows []outboxRow
		require.NoError(t, b.st.DB().Select(&rows, `SELECT o.id, o.kind, o.recipients, o.subject, coalesce(o.in_reply_to, '') AS in_reply_to, o.body_text, coalesce(o.body_html, '') AS body_html,
			(SELECT count(*) FROM returns.outbox_attachment a WHERE a.outbox_id = o.id) AS attached,
			coalesce((SELECT min(a.file_name) FROM returns.outbox_attachment a WHERE a.outbox_id = o.id), '') AS name
			FROM returns.outbox o ORDER BY o.id`))
		return rows
	}

	bad := *r
	bad.Info.MembersEndOfficial++ // TH-01
	res := ingestN(writeWith(t, &bad, generate.WriteOptions{}), r.FileName())
	require.Equal(t, domain.Rejected, res.Outcome)
	good := writeWith(t, r, generate.WriteOptions{})
	require.Equal(t, domain.Loaded, ingestN(good, r.FileName()).Outcome)
	require.Equal(t, domain.Duplicate, ingestN(good, "again.xlsx").Outcome)

	got := mails()
	require.Len(t, got, 3)
	for _, m := range got {
		require.Equal(t, "result", m.Kind)
		require.Equal(t, []string{r.Org.Email}, []string(m.Recipients), "registry contacts only")
		require.Contains(t, m.Subject, r.Org.Code)
		require.Contains(t, m.Subject, "Quý")
		for _, a := range r.Admissions {
			require.NotContains(t, m.Subject, a.FullName, "no personal data in subjects")
		}
		require.Equal(t, got[0].InReplyTo, m.InReplyTo, "one thread per organisation and quarter")
		require.NotEmpty(t, m.InReplyTo)
		require.NotEmpty(t, m.Text)
		require.True(t, strings.HasPrefix(m.HTML, "<!DOCTYPE html>"))
		require.Contains(t, m.Text, "Kính gửi "+r.Org.Name+" ("+r.Org.Code+"),", "greeted by the registry's name")
	}
	require.Contains(t, got[0].Subject, "Bị từ chối")
	require.Contains(t, got[0].Text, "TH-01")
	require.Equal(t, 1, got[0].Attached)
	require.True(t, strings.HasSuffix(got[0].Name, ".loi.xlsx"), got[0].Name)
	require.Contains(t, got[1].Subject, "Đã chấp nhận")
	require.Contains(t, got[2].Subject, "trùng")
	require.Contains(t, got[2].Text, "giống hệt")
}
