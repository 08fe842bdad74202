package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	// The time zone database is embedded so that time_zone and the schedules'
	// zones load on minimal machines without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/returns-project/returns/etl/redact"
)

// Config is everything the daemon and the commands read from the
// configuration. [Defaults] fills every field; [Load] layers a YAML file,
// the environment and secret files over it (see the package documentation).
// Every key is named by its YAML path (smtp.port) in errors; its
// environment variable is RETURNS_ and the path in capitals with "_" for "."
// (RETURNS_SMTP_PORT), as [Keys] lists.
type Config struct {
	// State is where returns keeps its files.
	State State `yaml:"state"`
	// Database is the PostgreSQL database.
	Database Database `yaml:"database"`
	// Schemas overrides the embedded workbook schemas.
	Schemas Folder `yaml:"schemas"`
	// Schedules overrides the embedded job schedules.
	Schedules Folder `yaml:"schedules"`
	// Log configures the daemon's log lines on standard error.
	Log Log `yaml:"log"`
	// HTTP is the health, metrics and status endpoint.
	HTTP HTTP `yaml:"http"`
	// Inbox says when a dropped file is ready to be read.
	Inbox Inbox `yaml:"inbox"`
	// Limits bound the work done for one workbook.
	Limits Limits `yaml:"limits"`
	// SMTP is the mail server; without one, mail is written as .eml files.
	SMTP SMTP `yaml:"smtp"`
	// Digest configures the managers' quarterly digest.
	Digest Digest `yaml:"digest"`
	// Operators are the people who run returns (helper journey's block).
	Operators Operators `yaml:"operators"`
	// TimeZone is the IANA zone in which quarters, deadlines and the digest's
	// dates are reckoned. Defaults to "Asia/Ho_Chi_Minh". The zone database
	// is embedded in the binary.
	TimeZone string `yaml:"time_zone"`
	// DeadlineDays is how many days after the end of a quarter its returns
	// are due (a quarter ending 30/09 with 10 is due on 10/10). Reminders
	// start and the status board marks returns late from that day on.
	// Defaults to 10; 0 to 90.
	DeadlineDays int `yaml:"deadline_days"`
}

// State is the state directory and its folders.
type State struct {
	// Dir is the state directory: the private PostgreSQL cluster (pg/) and
	// every folder below that is not set lives under it. Relative paths are
	// relative to the working directory. Defaults to "./var".
	Dir string `yaml:"dir"`
	// Inbox is where operators drop workbooks. Defaults to "" (<dir>/inbox).
	Inbox string `yaml:"inbox"`
	// Archive keeps the originals of loaded returns. Defaults to ""
	// (<dir>/archive).
	Archive string `yaml:"archive"`
	// Rejected keeps the originals of rejected returns with their reports.
	// Defaults to "" (<dir>/rejected).
	Rejected string `yaml:"rejected"`
	// Quarantine keeps entries that were never opened (links, bad names,
	// oversize files). Defaults to "" (<dir>/quarantine).
	Quarantine string `yaml:"quarantine"`
	// Outbox receives mail as .eml files when smtp.host is empty. Defaults
	// to "" (<dir>/outbox).
	Outbox string `yaml:"outbox"`
	// Staging holds the private copies being worked on (mode 0700). Defaults
	// to "" (<dir>/staging).
	Staging string `yaml:"staging"`
	// ArchiveRetentionDays is how many days after a quarter's end the
	// housekeeping job keeps its archive folder (archive/<year>-Q<q>/);
	// older quarters are removed. The database keeps every loaded row
	// regardless. Defaults to 0: archives are kept for ever.
	ArchiveRetentionDays int `yaml:"archive_retention_days"`
}

// Database is the PostgreSQL database.
type Database struct {
	// URL is the database, as a postgres:// URL or a key=value DSN. A secret:
	// prefer URLFile. Defaults to "": returns runs its own private cluster
	// under state.dir (initdb and pg_ctl of the installed PostgreSQL).
	URL string `yaml:"url"`
	// URLFile is a file holding URL (surrounding white space trimmed); it
	// must not be accessible to group or others (chmod 600). Setting both URL
	// and URLFile in one place is an error. Defaults to "".
	URLFile string `yaml:"url_file"`
}

// Folder is a folder of data files overriding the embedded ones.
type Folder struct {
	// Dir is a folder whose files win over the embedded files of the same
	// name; the files it lacks come from the binary. Defaults to "" (the
	// embedded files only).
	Dir string `yaml:"dir"`
}

// Log configures logging.
type Log struct {
	// Format is "text" (key=value) or "json". Defaults to "text".
	Format string `yaml:"format"`
	// Level is "debug", "info", "warn" or "error". Defaults to "info".
	Level string `yaml:"level"`
}

// HTTP is the health, metrics and status endpoint.
type HTTP struct {
	// Listen is the host:port the endpoint listens on. Defaults to
	// "127.0.0.1:8787" (loopback only: put a reverse proxy in front to
	// publish it).
	Listen string `yaml:"listen"`
}

// Inbox says when a dropped file is ready.
type Inbox struct {
	// MinAge is how long an entry must stay unchanged after the first scan
	// that saw it before it is read, unless the kernel reported that its
	// writer closed it (see Watch). Defaults to 5s.
	MinAge time.Duration `yaml:"min_age"`
	// StableScans is how many consecutive scans must see an entry unchanged
	// before it is read. Defaults to 2.
	StableScans int `yaml:"stable_scans"`
	// MaxFileMB is the largest entry, in MiB, that is read; larger ones are
	// quarantined as TOO_LARGE unopened. Defaults to 0: limits.max_file_mb.
	MaxFileMB int `yaml:"max_file_mb"`
	// ScanInterval, when set, scans the inbox every ScanInterval instead of
	// on the inbox-scan schedule's cron expression, whose resolution is a
	// minute. With Watch on this periodic scan is the safety net (files whose
	// close cannot be seen, lost events); 0 means the schedule. Defaults to
	// 2s.
	ScanInterval time.Duration `yaml:"scan_interval"`
	// Workers is how many ready files are judged and loaded at once (each
	// in its own transaction). On two cores, two keep both the reader and
	// PostgreSQL busy. Defaults to 2; 1 to 16.
	Workers int `yaml:"workers"`

	// Watch follows the inbox through the kernel's file events: a file is
	// read as soon as its writer closes it (or renames it in), and its
	// result mail is written or sent at once after its outcome. Where no
	// close can be seen (a network file system mounted from elsewhere) the
	// stability rule decides (stable_scans, min_age). Defaults to true.
	Watch bool `yaml:"watch"`
	// LockTimeout is how long a lock file of an office program beside a
	// file (LibreOffice's .~lock.<name>#, Excel's ~$<name>: the file is
	// still open) holds the file back while it stays unchanged; after that
	// it is read anyway, since a program that crashed leaves its lock file
	// behind. Defaults to 30m.
	LockTimeout time.Duration `yaml:"lock_timeout"`
	// MaxAttempts is how many times a file whose processing fails for a
	// reason of its own (a panic, the time budget, the process dying while
	// on it, e.g. killed for its memory) is tried before it is rejected as
	// PROCESSING_FAILED and answered. Failures of the database or the disk
	// never count. Defaults to 3.
	MaxAttempts int `yaml:"max_attempts"`
}

// Limits bound one workbook.
type Limits struct {
	// MaxRows is the number of data rows allowed per sheet (TOO_MANY_ROWS
	// above). Defaults to 200000.
	MaxRows int `yaml:"max_rows"`
	// MaxFileMB is the largest workbook accepted, in MiB (TOO_LARGE above).
	// Defaults to 64.
	MaxFileMB int `yaml:"max_file_mb"`
	// MaxIssues is how many issues a report keeps per file; the rest are
	// counted. Defaults to 1000.
	MaxIssues int `yaml:"max_issues"`
}

// SMTP is the mail server.
type SMTP struct {
	// Host is the SMTP server. Defaults to "": no server, every mail is
	// written to state.outbox as an .eml file.
	Host string `yaml:"host"`
	// Port is the submission port. Defaults to 587.
	Port int `yaml:"port"`
	// Username turns on SMTP AUTH. Defaults to "" (no authentication).
	Username string `yaml:"username"`
	// Password is Username's password. A secret: prefer PasswordFile.
	// Defaults to "".
	Password string `yaml:"password"`
	// PasswordFile is a file holding Password (surrounding white space
	// trimmed); it must not be accessible to group or others (chmod 600).
	// Setting both Password and PasswordFile in one place is an error.
	// Defaults to "".
	PasswordFile string `yaml:"password_file"`
	// From is the sender address; required when Host is set. Defaults to ""
	// (returns@localhost in .eml files).
	From string `yaml:"from"`
	// TLS is the STARTTLS policy: "mandatory" (refuse to send without a
	// verified STARTTLS), "opportunistic" (use it when offered) or "none"
	// (a local relay on a trusted host only). Defaults to "mandatory".
	TLS string `yaml:"tls"`
	// Timeout bounds connecting and each SMTP command. Defaults to 30s.
	Timeout time.Duration `yaml:"timeout"`
}

// Digest configures the managers' quarterly digest.
type Digest struct {
	// SendDay is the day of the month after a quarter on which its digest is
	// due (15: 15 January for the fourth quarter). The digest job, fired by
	// the quarterly-digest schedule, sends a quarter's digest once, on or
	// after this day; keep that schedule's day of month in step with it.
	// Defaults to 15; 1 to 28.
	SendDay int `yaml:"send_day"`
	// SendWhenComplete sends the digest before SendDay as soon as every
	// expected return of the quarter is in. Defaults to true.
	SendWhenComplete bool `yaml:"send_when_complete"`
	// IncludePersonalData puts members' names in the digest's attachment;
	// otherwise it holds counts only. Defaults to false.
	IncludePersonalData bool `yaml:"include_personal_data"`
	// Language is the digest's language, "vi" or "en". Defaults to "vi".
	Language string `yaml:"language"`
}

// Operators are the people who run returns: they are told about the files
// no organisation can be found for, and get the daily summary.
type Operators struct {
	// Emails are their addresses, separated by commas ("a@x.vn, b@x.vn").
	// Defaults to "": such files are recorded as answered to nobody, shown
	// by `returns status`, and no daily summary is sent.
	Emails string `yaml:"emails"`
}

// List returns the operators' addresses, trimmed, without empty ones.
func (o Operators) List() []string {
	var out []string
	for _, a := range strings.Split(o.Emails, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// Defaults returns the configuration used when nothing is set. It is valid:
// returns starts with no configuration at all.
func Defaults() Config {
	return Config{
		State:    State{Dir: "./var"},
		Log:      Log{Format: "text", Level: "info"},
		HTTP:     HTTP{Listen: "127.0.0.1:8787"},
		Inbox:    Inbox{MinAge: 5 * time.Second, StableScans: 2, Workers: 2, ScanInterval: 2 * time.Second, Watch: true, LockTimeout: 30 * time.Minute, MaxAttempts: 3},
		Limits:   Limits{MaxRows: 200000, MaxFileMB: 64, MaxIssues: 1000},
		SMTP:     SMTP{Port: 587, TLS: "mandatory", Timeout: 30 * time.Second},
		Digest:   Digest{SendDay: 15, SendWhenComplete: true, Language: "vi"},
		TimeZone: "Asia/Ho_Chi_Minh",

		DeadlineDays: 10,
	}
}

// resolve fills the settings whose default derives from another one: the
// state folders and inbox.max_file_mb.
func (c *Config) resolve() {
	for _, f := range []struct {
		p    *string
		name string
	}{
		{&c.State.Inbox, "inbox"}, {&c.State.Archive, "archive"}, {&c.State.Rejected, "rejected"},
		{&c.State.Quarantine, "quarantine"}, {&c.State.Outbox, "outbox"}, {&c.State.Staging, "staging"},
	} {
		if *f.p == "" {
			*f.p = filepath.Join(c.State.Dir, f.name)
		}
	}
	if c.Inbox.MaxFileMB == 0 {
		c.Inbox.MaxFileMB = c.Limits.MaxFileMB
	}
}

// Location loads TimeZone.
func (c Config) Location() (*time.Location, error) {
	if c.TimeZone == "" {
		return nil, errors.New("time_zone: empty")
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time_zone: unknown time zone %q (want an IANA name such as Asia/Ho_Chi_Minh)", c.TimeZone)
	}
	return loc, nil
}

// Validate reports every problem of c, joined, each naming its key. It never
// quotes a secret. Empty derived settings (state folders, inbox.max_file_mb)
// are valid: they take their default.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.State.Dir == "" {
		bad("state.dir", "empty (the default is ./var)")
	}
	if c.State.ArchiveRetentionDays < 0 {
		bad("state.archive_retention_days", "%d is negative (0 keeps archives for ever)", c.State.ArchiveRetentionDays)
	}
	if u := c.Database.URL; u != "" {
		if msg := checkDatabaseURL(u); msg != "" {
			bad("database.url", "%s", msg)
		}
	}
	oneOf(bad, "log.format", c.Log.Format, "text", "json")
	oneOf(bad, "log.level", c.Log.Level, "debug", "info", "warn", "error")
	if _, port, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		bad("http.listen", "%q is not host:port (for example 127.0.0.1:8787)", c.HTTP.Listen)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("http.listen", "port %q is not a number from 0 to 65535", port)
	}
	// below and negative say the two common problems of a number.
	below := func(key string, v, least int) {
		if v < least {
			bad(key, "%d is below %d", v, least)
		}
	}
	negative := func(key string, d time.Duration, note string) {
		if d < 0 {
			bad(key, "%s is negative%s", d, note)
		}
	}
	negative("inbox.min_age", c.Inbox.MinAge, "")
	below("inbox.stable_scans", c.Inbox.StableScans, 1)
	negative("inbox.scan_interval", c.Inbox.ScanInterval, " (0 means the inbox-scan schedule)")
	if c.Inbox.Workers < 1 || c.Inbox.Workers > 16 {
		bad("inbox.workers", "%d is not from 1 to 16", c.Inbox.Workers)
	}
	below("inbox.max_attempts", c.Inbox.MaxAttempts, 1)
	negative("inbox.lock_timeout", c.Inbox.LockTimeout, "")
	if c.Inbox.MaxFileMB < 0 {
		bad("inbox.max_file_mb", "%d is negative (0 means limits.max_file_mb)", c.Inbox.MaxFileMB)
	}
	below("limits.max_rows", c.Limits.MaxRows, 1)
	below("limits.max_file_mb", c.Limits.MaxFileMB, 1)
	below("limits.max_issues", c.Limits.MaxIssues, 1)
	if c.SMTP.Port < 1 || c.SMTP.Port > 65535 {
		bad("smtp.port", "%d is not a port (1 to 65535)", c.SMTP.Port)
	}
	oneOf(bad, "smtp.tls", c.SMTP.TLS, "mandatory", "opportunistic", "none")
	if c.SMTP.Timeout <= 0 {
		bad("smtp.timeout", "%s is not positive", c.SMTP.Timeout)
	}
	if c.SMTP.Host != "" && c.SMTP.From == "" {
		bad("smtp.from", "required when smtp.host is set")
	}
	if c.SMTP.From != "" {
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			bad("smtp.from", "%q is not a mail address", c.SMTP.From)
		}
	}
	if c.SMTP.Username != "" && c.SMTP.Password == "" {
		bad("smtp.password", "required when smtp.username is set (prefer smtp.password_file)")
	}
	if c.SMTP.Username == "" && c.SMTP.Password != "" {
		bad("smtp.username", "required when a password is set")
	}
	if c.SMTP.Host == "" && c.SMTP.Username != "" {
		bad("smtp.host", "required when smtp.username is set")
	}
	if c.Digest.SendDay < 1 || c.Digest.SendDay > 28 {
		bad("digest.send_day", "%d is not a day from 1 to 28", c.Digest.SendDay)
	}
	oneOf(bad, "digest.language", c.Digest.Language, "vi", "en")
	for _, a := range c.Operators.List() {
		if _, err := mail.ParseAddress(a); err != nil {
			bad("operators.emails", "%q is not a mail address", a)
		}
	}
	if _, err := c.Location(); err != nil {
		errs = append(errs, err)
	}
	if c.DeadlineDays < 0 || c.DeadlineDays > 90 {
		bad("deadline_days", "%d is not a number of days from 0 to 90", c.DeadlineDays)
	}
	return errors.Join(errs...)
}

func oneOf(bad func(key, format string, args ...any), key, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	bad(key, "%q is not one of %s", v, strings.Join(allowed, ", "))
}

// checkDatabaseURL says what is wrong with a database URL, without quoting
// it (it may hold a password); "" when nothing is.
func checkDatabaseURL(s string) string {
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return "not a valid URL"
		}
		if u.Scheme != "postgres" && u.Scheme != "postgresql" {
			return "not a postgres:// or postgresql:// URL"
		}
		return ""
	}
	if !strings.Contains(s, "=") {
		return "neither a postgres:// URL nor a key=value DSN"
	}
	return ""
}

// Redacted returns a copy of c that is safe to print or log: the database
// URL's password and the SMTP password are replaced by "REDACTED" (the
// rules of etl/redact).
func (c Config) Redacted() Config {
	c.Database.URL = redact.URL(c.Database.URL)
	if c.SMTP.Password != "" {
		c.SMTP.Password = redact.Mark
	}
	return c
}
