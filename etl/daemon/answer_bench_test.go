package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/config"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/samples/generate"
)

// BenchmarkDropToAnswer measures how long a file dropped into an idle
// daemon with the default configuration (config.Defaults(): the inbox
// watched, the periodic scan every 2s, min_age 5s, two workers; a real
// PostgreSQL; mail written as .eml files) waits for its answer. Returns of
// the sample province are written one by one into the inbox by a plain
// writer (create, write, close), each after the previous one's mail was
// written, and for each the benchmark records, from the writer's close:
//   - decided: the outcome's decided_at in returns.file_event (the start of
//     the transaction that recorded it);
//   - left: the original left the inbox (after the outcome was committed);
//   - mail: its result mail was written to the outbox as an .eml file.
//
// It reports the median, the 95th percentile and the maximum of each, and
// the daemon's own processing time per file ("took" of its log line) as
// the baseline measured in the same run: what the answer time would be if
// the daemon never waited for anything.
//
// Sub-benchmark "watched" drops RETURNS_ANSWER_FILES files (default 100);
// "unwatched" drops RETURNS_ANSWER_UNWATCHED_FILES (default 10) with
// inbox.watch off, where only the stability rule can decide (as on a
// network file system whose writes the kernel does not see).
//
//	go test -run '^$' -bench BenchmarkDropToAnswer -benchtime 1x ./etl/daemon/
func BenchmarkDropToAnswer(b *testing.B) {
	b.Run("watched", func(b *testing.B) { benchAnswer(b, true, envInt("RETURNS_ANSWER_FILES", 100)) })
	b.Run("unwatched", func(b *testing.B) { benchAnswer(b, false, envInt("RETURNS_ANSWER_UNWATCHED_FILES", 10)) })
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// tookRecorder keeps the "took" of the daemon's per-file log lines.
type tookRecorder struct {
	slog.Handler
	mu   *sync.Mutex
	took *[]time.Duration
}

func (h tookRecorder) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "daemon: file ") {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "took" {
				h.mu.Lock()
				*h.took = append(*h.took, a.Value.Duration())
				h.mu.Unlock()
			}
			return true
		})
	}
	if !h.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h tookRecorder) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || h.Handler.Enabled(ctx, l)
}

func (h tookRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return tookRecorder{h.Handler.WithAttrs(as), h.mu, h.took}
}

func benchAnswer(b *testing.B, watched bool, n int) {
	st := storetest.New(b)
	p := generate.Generate(1)
	for seed := int64(2); len(p.Returns) < n; seed++ {
		q := generate.Generate(seed)
		p.Returns = append(p.Returns, q.Returns...)
	}
	seedRegistry(b, st, generate.Generate(1))
	data := make([][]byte, n)
	names := make([]string, n)
	for i := range n {
		var buf bytes.Buffer
		require.NoError(b, generate.WriteReturn(&buf, p.Returns[i], generate.WriteOptions{}))
		data[i] = buf.Bytes()
		names[i] = fmt.Sprintf("%03d-%s", i, p.Returns[i].FileName())
	}
	var (
		mu   sync.Mutex
		took []time.Duration
	)
	log := slog.New(tookRecorder{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}), &mu, &took})
	cfg := config.Defaults()
	cfg.Inbox.Watch = watched
	for b.Loop() {
		mu.Lock()
		took = took[:0]
		mu.Unlock()
		a := startAnswering(b, st, cfg, log, nil)
		w, err := fsnotify.NewWatcher()
		require.NoError(b, err)
		require.NoError(b, w.Add(filepath.Join(a.state, "inbox")))
		require.NoError(b, w.Add(a.outbox))
		var decided, left, mailed []time.Duration
		for i := range n {
			path := filepath.Join(a.state, "inbox", names[i])
			f, err := os.Create(path)
			require.NoError(b, err)
			_, err = f.Write(data[i])
			require.NoError(b, err)
			require.NoError(b, f.Close())
			closed := time.Now()
			var tLeft, tMail time.Time
			timeout := time.After(2 * time.Minute)
			for tLeft.IsZero() || tMail.IsZero() {
				select {
				case ev := <-w.Events:
					switch {
					case ev.Name == path && (ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename)):
						tLeft = time.Now()
					case filepath.Dir(ev.Name) == a.outbox && ev.Has(fsnotify.Create) && strings.HasSuffix(ev.Name, ".eml") &&
						!strings.HasPrefix(filepath.Base(ev.Name), "."):
						tMail = time.Now()
					}
				case err := <-w.Errors:
					b.Fatalf("watching the benchmark's folders: %v", err)
				case <-timeout:
					b.Fatalf("file %d: no answer within 2 minutes of its close (left the inbox: %v, mail: %v)", i, !tLeft.IsZero(), !tMail.IsZero())
				}
			}
			var at time.Time
			require.NoError(b, st.DB().Get(&at, `SELECT decided_at FROM returns.file_event WHERE file_name = $1`, names[i]))
			decided = append(decided, at.Sub(closed))
			left = append(left, tLeft.Sub(closed))
			mailed = append(mailed, tMail.Sub(closed))
		}
		w.Close()
		require.NoError(b, a.d.Stop(context.Background()))
		mu.Lock()
		base := slices.Clone(took)
		mu.Unlock()
		require.Len(b, base, n, "one log line per file")
		report(b, "decided", decided)
		report(b, "left", left)
		report(b, "mail", mailed)
		report(b, "took", base)
		b.Logf("%s, %d files one by one: from the writer's close to the outcome recorded: median %s, p95 %s, max %s; "+
			"to the file out of the inbox: median %s, p95 %s; to the result mail written: median %s, p95 %s, max %s; "+
			"baseline, the daemon's own processing per file: median %s, p95 %s",
			map[bool]string{true: "watched", false: "unwatched (stability rule)"}[watched], n,
			pct(decided, 50), pct(decided, 95), pct(decided, 100), pct(left, 50), pct(left, 95),
			pct(mailed, 50), pct(mailed, 95), pct(mailed, 100), pct(base, 50), pct(base, 95))
	}
}

// pct is the p-th percentile (nearest rank) of ds.
func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	i := (p*len(s)+99)/100 - 1
	return s[max(0, min(i, len(s)-1))].Round(time.Millisecond)
}

func report(b *testing.B, what string, ds []time.Duration) {
	b.ReportMetric(float64(pct(ds, 50).Microseconds())/1000, what+"-p50-ms")
	b.ReportMetric(float64(pct(ds, 95).Microseconds())/1000, what+"-p95-ms")
}
