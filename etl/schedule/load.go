package schedule

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrInvalid is returned, joined with the cause, by [Load] for every
// problem of a schedule file (each a [*FileError]) and when there is no
// schedule file at all. The daemon must not start with it.
var ErrInvalid = errors.New("invalid schedule")

// FileError is one problem of one schedule file.
type FileError struct {
	File  string // the file, as an operator finds it
	Field string // the field at fault; "" for the file as a whole
	Err   error
}

func (e *FileError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", e.File, e.Field, e.Err)
}

// Unwrap returns ErrInvalid and the cause.
func (e *FileError) Unwrap() []error { return []error{ErrInvalid, e.Err} }

// file is a schedule file as written.
type file struct {
	Name        string `yaml:"name"`
	Description Text   `yaml:"description"`
	Cron        string `yaml:"cron"`
	TimeZone    string `yaml:"time_zone"`
	Job         string `yaml:"job"`
	Missed      string `yaml:"missed"`
	Enabled     *bool  `yaml:"enabled"`
	Timeout     string `yaml:"timeout"`
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// maxFileSize bounds a schedule file.
const maxFileSize = 64 << 10

// Load reads every schedule file (*.yaml or *.yml) at the root of fsys —
// the embedded schedules.FS, or an overlay of a folder on it — and returns
// the jobs in file-name order, disabled ones included. Decoding is strict.
// Every problem of every file is reported, joined: an unknown field, a
// missing name, description, cron or job, a cron expression that does not
// parse or never fires within five years, an unknown time zone, job kind or
// missed policy, a bad timeout, a name used twice. Each is a [*FileError]
// naming the file and the field, and matches [ErrInvalid]. zone is the
// zone of a schedule without its own time_zone: the configuration's
// time_zone, required (there is no default here).
func Load(fsys fs.FS, zone string) ([]Job, error) {
	if zone == "" {
		return nil, errors.New("load schedules: no zone for schedules without time_zone")
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read schedules: %w", err)
	}
	var (
		jobs   []Job
		errs   []error
		byName = map[string]string{}
		now    = time.Now()
	)
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		job, ferrs := loadFile(fsys, e.Name(), zone, now)
		errs = append(errs, ferrs...)
		if len(ferrs) > 0 {
			continue
		}
		if other, dup := byName[job.Name]; dup {
			errs = append(errs, &FileError{File: job.File, Field: "name",
				Err: fmt.Errorf("job %q is also defined in %s: names must be unique", job.Name, other)})
			continue
		}
		byName[job.Name] = job.File
		jobs = append(jobs, job)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("%w: no schedule files (*.yaml)", ErrInvalid)
	}
	return jobs, nil
}

// loadFile reads and checks one schedule file.
func loadFile(fsys fs.FS, name, zone string, now time.Time) (Job, []error) {
	origin := origin(fsys, name)
	var errs []error
	bad := func(field string, format string, args ...any) {
		errs = append(errs, &FileError{File: origin, Field: field, Err: fmt.Errorf(format, args...)})
	}
	data, err := readFile(fsys, name)
	if err != nil {
		return Job{}, []error{&FileError{File: origin, Err: err}}
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("empty file")
		}
		return Job{}, []error{&FileError{File: origin, Err: yamlError(err)}}
	}

	j := Job{
		Name:        f.Name,
		Description: f.Description,
		Cron:        strings.TrimSpace(f.Cron),
		TimeZone:    strings.TrimSpace(f.TimeZone),
		Kind:        Kind(f.Job),
		OnMissed:    MissedPolicy(f.Missed),
		Enabled:     f.Enabled == nil || *f.Enabled,
		File:        origin,
	}
	switch {
	case j.Name == "":
		bad("name", "missing")
	case !nameRE.MatchString(j.Name):
		bad("name", "%q: use lowercase letters, digits and -", j.Name)
	}
	if strings.TrimSpace(j.Description.Vi) == "" {
		bad("description.vi", "missing")
	}
	if strings.TrimSpace(j.Description.En) == "" {
		bad("description.en", "missing")
	}
	if j.TimeZone == "" {
		j.TimeZone = zone
	}
	zoneOK := true
	if strings.ContainsAny(j.TimeZone, " \t") {
		bad("time_zone", "unknown time zone %q (want an IANA name such as Asia/Ho_Chi_Minh)", j.TimeZone)
		zoneOK = false
	} else if loc, err := time.LoadLocation(j.TimeZone); err != nil {
		bad("time_zone", "unknown time zone %q (want an IANA name such as Asia/Ho_Chi_Minh)", j.TimeZone)
		zoneOK = false
	} else {
		j.Location = loc
	}
	if j.Cron == "" {
		bad("cron", "missing (5 fields: minute hour day-of-month month day-of-week)")
	} else {
		zone := j.TimeZone
		if !zoneOK {
			zone = "UTC" // still report the expression's own problems
		}
		s, err := parse(j.Cron, zone)
		switch {
		case err != nil:
			bad("cron", "%q: %v", j.Cron, err)
		case s.Next(now).IsZero():
			bad("cron", "%q never fires (no run within %d years)", j.Cron, horizon)
		case zoneOK:
			j.sched = s
		}
	}
	switch {
	case j.Kind == "":
		bad("job", "missing (one of %s)", kindList())
	case !slices.Contains(Kinds(), j.Kind):
		bad("job", "unknown job %q (one of %s)", j.Kind, kindList())
	}
	switch j.OnMissed {
	case "":
		j.OnMissed = MissedSkip
	case MissedSkip, MissedRunOnce:
	default:
		bad("missed", "unknown policy %q (skip or run_once)", j.OnMissed)
	}
	if f.Timeout != "" {
		d, err := time.ParseDuration(f.Timeout)
		switch {
		case err != nil:
			bad("timeout", "%q is not a duration such as 10m or 1h30m", f.Timeout)
		case d <= 0:
			bad("timeout", "%q is not positive (leave it out for no timeout)", f.Timeout)
		default:
			j.Timeout = d
		}
	}
	return j, errs
}

func kindList() string {
	var s []string
	for _, k := range Kinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", maxFileSize)
	}
	return data, nil
}

var unknownFieldRE = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S+$`)

// yamlError rewrites the decoder's messages for an operator: "line 4: field
// crn not found in type schedule.file" becomes "line 4: crn: unknown field".
func yamlError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		if sm := unknownFieldRE.FindStringSubmatch(m); sm != nil {
			m = fmt.Sprintf("line %s: %s: unknown field", sm[1], sm[2])
		}
		msgs[i] = m
	}
	return errors.New(strings.Join(msgs, "; "))
}

// origin names a file of fsys as an operator finds it: an overlay (such as
// schema.Overlay) says where the file really is.
func origin(fsys fs.FS, name string) string {
	if o, ok := fsys.(interface{ Origin(string) string }); ok {
		return o.Origin(name)
	}
	return name
}
