package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/store"
)

// boardLine is one organisation of the quarter board (--json).
type boardLine struct {
	Quarter      string     `json:"quarter"`
	Org          string     `json:"org"`
	Name         string     `json:"name"`
	Status       string     `json:"status"` // loaded, rejected or missing
	Version      int64      `json:"version,omitempty"`
	SubmissionID int64      `json:"submission_id,omitempty"`
	ReceivedAt   *time.Time `json:"received_at,omitempty"`       // of the current version
	FirstAt      *time.Time `json:"first_received_at,omitempty"` // of the first accepted version
	OnTime       *bool      `json:"on_time,omitempty"`           // the first accepted version arrived before the deadline
	Rejected     int        `json:"rejected_files"`
	LastReason   string     `json:"last_reject_reason,omitempty"`
	LastRejected *time.Time `json:"last_rejected_at,omitempty"`
	Deadline     time.Time  `json:"deadline"`
}

func newStatusCmd() *cobra.Command {
	var (
		file, quarter, lang string
		asJSON              bool
	)
	cmd := &cobra.Command{
		Use:   "status [--quarter 2025-Q3] [--json] [--lang vi|en]",
		Short: "Print the quarter board: every organisation expected to report and its return",
		Long: `status lists, for the quarter (by default the one being collected, else the
latest with returns, else the latest that has ended; the choice is said on
standard error),
every organisation expected to report (a grassroots organisation active in the
current registry for the whole quarter) and whether its return is missing,
rejected or loaded: which version, when, and whether on time. A return is on
time when its first accepted version was received before the end of the day
deadline_days after the quarter's end, in time_zone.
Exit status: 0, or 2 when the database cannot be reached or no registry was
imported.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, loc, err := loadConfigZone(file)
			if err != nil {
				return err
			}
			var q domain.Quarter
			if quarter != "" {
				if q, err = domain.ParseQuarter(quarter); err != nil {
					return usageError("--quarter: %v", err)
				}
			}
			return withDatabase(cmd, cfg, func(db *database) error {
				if quarter == "" {
					latest, ok, err := db.store.LatestReturnQuarter(cmd.Context())
					if err != nil {
						return &exitError{code: ExitUsage, err: err}
					}
					var why string
					q, why = registry.BoardQuarter(time.Now(), loc, cfg.DeadlineDays, latest, ok, lang)
					fmt.Fprintln(cmd.ErrOrStderr(), why)
				}
				return printStatus(cmd, db.store, q, domain.Deadline(q, cfg.DeadlineDays, loc), loc, lang, asJSON)
			})
		},
	}
	cmd.Flags().StringVar(&file, "config", "", "configuration file (default: $RETURNS_CONFIG, else none)")
	cmd.Flags().StringVar(&quarter, "quarter", "", "quarter as YYYY-Qn (default: the one whose returns are due, else the latest with returns)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per organisation per line")
	cmd.Flags().StringVar(&lang, "lang", "vi", "language of the table: vi or en")
	return cmd
}

// printStatus prints the board of quarter q, due before deadline, then (not
// with asJSON) the files of the last days that need a person.
func printStatus(cmd *cobra.Command, st *store.Store, q domain.Quarter, deadline time.Time, loc *time.Location, lang string, asJSON bool) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	rows, err := st.QuarterBoard(ctx, q.Year, q.Q)
	if errors.Is(err, store.ErrNoRegistry) {
		return usageError("no organisation registry imported yet: run returns registry import FILE first")
	}
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	lines := board(rows, q, deadline)
	if asJSON {
		enc := json.NewEncoder(out)
		for _, l := range lines {
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		return nil
	}
	if err := printBoard(out, lines, q, deadline, loc, lang); err != nil {
		return err
	}
	files, err := st.AttentionFiles(ctx, time.Now().AddDate(0, 0, -attentionDays))
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	return printAttention(out, files, loc, lang)
}

func board(rows []store.BoardRow, q domain.Quarter, deadline time.Time) []boardLine {
	out := make([]boardLine, 0, len(rows))
	for _, r := range rows {
		l := boardLine{Quarter: q.String(), Org: r.Org, Name: r.Name, Status: "missing", Rejected: r.Rejected,
			LastReason: r.LastReason.String, Deadline: deadline}
		if r.Rejected > 0 {
			l.Status = "rejected"
		}
		if r.LastRejectedAt.Valid {
			at := r.LastRejectedAt.Time
			l.LastRejected = &at
		}
		if r.Current.SubmissionID.Valid {
			l.Status = "loaded"
			l.SubmissionID, l.Version = r.Current.SubmissionID.Int64, r.Current.Version.Int64
			at, first := r.Current.ReceivedAt.Time, r.FirstReceivedAt.Time
			onTime := first.Before(deadline)
			l.ReceivedAt, l.FirstAt, l.OnTime = &at, &first, &onTime
		}
		out = append(out, l)
	}
	return out
}

func printBoard(w io.Writer, lines []boardLine, q domain.Quarter, deadline time.Time, loc *time.Location, lang string) error {
	due := deadline.Add(-time.Second).In(loc)
	counts := map[string]int{}
	late := 0
	for _, l := range lines {
		counts[l.Status]++
		if l.OnTime != nil && !*l.OnTime {
			late++
		}
	}
	words := map[string]string{"loaded": "đã nạp", "rejected": "bị từ chối", "missing": "chưa nộp", "on": "đúng hạn", "late": "trễ hạn"}
	head := []any{"MÃ", "TÊN", "TÌNH TRẠNG", "PHIÊN BẢN", "NHẬN LÚC", "HẠN", "LÝ DO TỪ CHỐI"}
	if lang == "en" {
		words = map[string]string{"loaded": "loaded", "rejected": "rejected", "missing": "missing", "on": "on time", "late": "late"}
		head = []any{"ORG", "NAME", "STATUS", "VERSION", "RECEIVED", "DEADLINE", "REJECT REASON"}
		fmt.Fprintf(w, "%s — due %s; %d organisations: %d loaded (%d late), %d rejected, %d missing\n\n",
			locale.Quarter("en", q.Year, q.Q), due.Format("02/01/2006"), len(lines), counts["loaded"], late, counts["rejected"], counts["missing"])
	} else {
		fmt.Fprintf(w, "%s — hạn nộp %s; %d đơn vị: %d đã nạp (%d trễ hạn), %d bị từ chối, %d chưa nộp\n\n",
			locale.Quarter("vi", q.Year, q.Q), due.Format("02/01/2006"), len(lines), counts["loaded"], late, counts["rejected"], counts["missing"])
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", head...)
	for _, l := range lines {
		version, at, timely := "", "", ""
		if l.ReceivedAt != nil {
			version = fmt.Sprint(l.Version)
			at = l.ReceivedAt.In(loc).Format("02/01/2006 15:04")
			timely = words["on"]
			if !*l.OnTime {
				timely = words["late"]
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Org, l.Name, words[l.Status], version, at, timely, rejectedWords(l, loc, lang))
	}
	return tw.Flush()
}

// rejectedWords says why an organisation's latest file was rejected, in
// words, when, and after how many rejected files ("Dữ liệu có lỗi… (INVALID_DATA),
// 02/10/2025 09:15, 2 tệp bị từ chối"); empty when none was.
func rejectedWords(l boardLine, loc *time.Location, lang string) string {
	if l.Rejected == 0 || l.LastReason == "" {
		return ""
	}
	text := reason.Code(l.LastReason).Title(lang) + " (" + l.LastReason + ")"
	if l.LastRejected != nil {
		text += ", " + l.LastRejected.In(loc).Format("02/01/2006 15:04")
	}
	if lang == "en" {
		if l.Rejected == 1 {
			return text + ", 1 file rejected"
		}
		return text + fmt.Sprintf(", %d files rejected", l.Rejected)
	}
	return text + fmt.Sprintf(", %s tệp bị từ chối", locale.Int(lang, int64(l.Rejected)))
}

// attentionDays is how far back status lists the files that need a person.
const attentionDays = 30

// printAttention lists the files of the last attentionDays days that need a
// person: quarantined, not attributable to any organisation, or answered to
// nobody; each with its reason in words (names escaped: no control
// character reaches the terminal).
func printAttention(w io.Writer, files []store.AttentionFile, loc *time.Location, lang string) error {
	title := fmt.Sprintf("\nTệp cần xử lý (%d ngày qua): %d\n", attentionDays, len(files))
	unknown, nobody := "chưa rõ đơn vị", " (chưa báo được cho ai)"
	words := map[string]string{"quarantined": "bị cách ly", "rejected": "bị từ chối", "duplicate": "trùng", "loaded": "đã nạp"}
	if lang == "en" {
		title = fmt.Sprintf("\nFiles needing attention (last %d days): %d\n", attentionDays, len(files))
		unknown, nobody = "unknown organisation", " (nobody was told)"
		words = map[string]string{"quarantined": "quarantined", "rejected": "rejected", "duplicate": "duplicate", "loaded": "loaded"}
	}
	if len(files) == 0 {
		return nil
	}
	if _, err := io.WriteString(w, title); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, f := range files {
		org := f.Org
		if org == "" {
			org = unknown
		}
		why := ""
		if f.Reason != "" {
			why = reason.Code(f.Reason).Title(lang)
		}
		if f.Answered.String == "none" {
			why += nobody
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.DecidedAt.In(loc).Format("02/01/2006 15:04"), escapeName(f.FileName), words[f.Outcome], org, why)
	}
	return tw.Flush()
}

// escapeName quotes the control and format characters of a file name so
// that it prints as one harmless line.
func escapeName(s string) string {
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}
