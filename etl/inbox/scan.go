package inbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"slices"
	"strings"
	"time"
)

// Reason is why an inbox entry was quarantined instead of read.
type Reason string

// The quarantine reasons. Like the rejection codes of etl/reason they are a
// stable contract and must never be renamed.
const (
	ReasonSymlink     Reason = "SYMLINK"      // a symbolic link, even one pointing inside the inbox
	ReasonSpecialFile Reason = "SPECIAL_FILE" // a pipe, socket or device: never opened
	ReasonHardlink    Reason = "HARDLINK"     // a regular file with more than one link
	ReasonBadName     Reason = "BAD_NAME"     // not valid UTF-8, or a control or format character in the name
	ReasonTooLarge    Reason = "TOO_LARGE"    // larger than Config.MaxFileSize: never read
)

// reasonText is what the reason file says: Vietnamese, then English.
var reasonText = map[Reason][2]string{
	ReasonSymlink: {
		"Mục này là một liên kết tượng trưng (symlink), không phải tệp. Vì lý do an toàn, hệ thống không bao giờ mở liên kết.\n" +
			"Cách khắc phục: sao chép chính tệp .xlsx vào thư mục nhận, không đặt liên kết.",
		"This entry is a symbolic link, not a file. For safety, links are never followed.\n" +
			"What to do: copy the .xlsx file itself into the inbox, not a link to it."},
	ReasonSpecialFile: {
		"Mục này không phải tệp thông thường (ống dẫn, socket hoặc thiết bị) nên không được mở.\n" +
			"Cách khắc phục: chỉ đặt tệp .xlsx vào thư mục nhận.",
		"This entry is not a regular file (a pipe, socket or device), so it was not opened.\n" +
			"What to do: put only .xlsx files into the inbox."},
	ReasonHardlink: {
		"Tệp có nhiều liên kết cứng (hard link), nên nội dung có thể bị thay đổi từ nơi khác.\n" +
			"Cách khắc phục: sao chép tệp (không tạo liên kết) vào thư mục nhận rồi gửi lại.",
		"The file has more than one hard link, so its content could be changed from elsewhere.\n" +
			"What to do: copy the file (do not link it) into the inbox and send it again."},
	ReasonBadName: {
		"Tên tệp có ký tự không hợp lệ (ký tự điều khiển như xuống dòng, ký tự đảo chiều văn bản, hoặc không phải UTF-8).\n" +
			"Cách khắc phục: đổi tên tệp, chỉ dùng chữ, số, dấu cách, gạch ngang và gạch dưới, rồi gửi lại.",
		"The file name holds invalid characters (control characters such as line breaks, text-direction overrides, or bytes that are not UTF-8).\n" +
			"What to do: rename the file using only letters, digits, spaces, hyphens and underscores, and send it again."},
	ReasonTooLarge: {
		"Tệp lớn hơn giới hạn cho phép nên không được đọc.\n" +
			"Cách khắc phục: một báo cáo quý thường nhỏ hơn nhiều; xoá dữ liệu thừa (trang tính, hình ảnh), lưu lại và gửi lại.",
		"The file is larger than the limit, so it was not read.\n" +
			"What to do: a quarterly return is normally far smaller; remove stray sheets, images or data, save it and send it again."},
}

// Ready is a complete file offered for staging.
type Ready struct {
	// Rel is the slash-separated path relative to the inbox, raw bytes as
	// on disk; it is always local (no "..", not absolute).
	Rel string
	// Name is the last element of Rel.
	Name string
	// Org is the first folder of Rel, or "" for a file directly in the
	// inbox. It is a hint only: the workbook says which organisation it is.
	Org string
	// Size, ModTime, Dev and Ino are what the scan saw.
	Size     int64
	ModTime  time.Time
	Dev, Ino uint64
}

// Quarantined is an entry moved to quarantine/.
type Quarantined struct {
	// Rel is where it was, relative to the inbox (raw bytes).
	Rel    string
	Reason Reason
	// Dest is its new path, under Config.StateDir; the reason file is
	// Dest + ".reason.txt".
	Dest string
}

// fingerprint is what must stay the same across scans.
type fingerprint struct {
	mode            fs.FileMode // type bits only
	size            int64
	mtime, ctime    int64
	dev, ino, nlink uint64
}

type observation struct {
	fp      fingerprint
	since   time.Time // first scan that saw fp
	scans   int       // consecutive scans that saw fp
	offered bool      // returned as Ready and not handed back
	held    bool      // a lock file's hold was logged
}

// maxDepth is how many folder levels below the inbox are scanned.
const maxDepth = 2

// Scan lists the inbox once. It returns the files that became ready since
// the last scan (each one once; see the package documentation) and the
// entries it moved to quarantine. Problems with single entries are logged and
// retried on the next scan; err is non-nil only when the inbox cannot be
// listed or ctx ends. Even then quarantined lists the moves that were made,
// while ready is nil and its files are offered again by the next scan.
func (ib *Inbox) Scan(ctx context.Context) (ready []Ready, quarantined []Quarantined, err error) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	started := time.Now()
	s := &scan{ib: ib, now: ib.cfg.Now(), seen: map[string]bool{}}
	err = s.dir(ctx, "", 0, nil)
	if err != nil {
		for _, r := range s.ready {
			if o := ib.obs[r.Rel]; o != nil {
				o.offered = false
			}
		}
		return nil, s.quarantined, fmt.Errorf("inbox: scan: %w", err)
	}
	for rel := range ib.obs {
		if !s.seen[rel] {
			delete(ib.obs, rel)
		}
	}
	for rel := range ib.noted {
		if !s.seen[rel] {
			delete(ib.noted, rel)
		}
	}
	ib.forgetClosed(s.seen, started)
	ib.log.DebugContext(ctx, "inbox: scanned", slog.Int("entries", len(s.seen)), slog.Int("ready", len(s.ready)),
		slog.Int("quarantined", len(s.quarantined)), slog.Int("failed", s.failed))
	return s.ready, s.quarantined, nil
}

type scan struct {
	ib          *Inbox
	now         time.Time
	seen        map[string]bool
	ready       []Ready
	quarantined []Quarantined
	failed      int
}

// fail logs a problem with one entry, which is retried next scan.
func (s *scan) fail(ctx context.Context, rel, msg string, err error) {
	s.failed++
	s.ib.log.ErrorContext(ctx, "inbox: "+msg, slog.String("name_hash", NameHash(rel)), slog.String("error", hideNames(err)))
}

// dir scans the folder rel (depth levels below the inbox). want, for a
// subfolder, is the Lstat the parent listing saw: the opened folder must be
// that one, not something swapped in since.
func (s *scan) dir(ctx context.Context, rel string, depth int, want fs.FileInfo) error {
	d, err := s.ib.in.Open(cmp.Or(rel, "."))
	if err != nil {
		if depth == 0 {
			return err
		}
		s.fail(ctx, rel, "open folder", err)
		return nil
	}
	defer d.Close()
	if want != nil {
		got, err := d.Stat()
		if err == nil && (!got.IsDir() || !sameFile(fingerprintOf(got), fingerprintOf(want))) {
			err = errors.New("not the folder listed")
		}
		if err != nil {
			s.fail(ctx, rel, "open folder", err)
			return nil
		}
	}
	names, err := d.Readdirnames(-1)
	if err != nil {
		if depth == 0 {
			return err
		}
		s.fail(ctx, rel, "list folder", err)
		return nil
	}
	slices.Sort(names)
	held := lockHeld(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ignoredName(name) {
			continue
		}
		child := name
		if rel != "" {
			child = rel + "/" + name
		}
		if !localRel(child) { // cannot come from a directory listing; never trust it anyway
			s.fail(ctx, child, "entry", errors.New("name escapes the inbox"))
			continue
		}
		fi, err := s.ib.in.Lstat(child)
		if errors.Is(err, fs.ErrNotExist) {
			continue // gone since the listing
		}
		if err != nil {
			s.fail(ctx, child, "lstat", err)
			continue
		}
		if err := s.entry(ctx, child, name, depth, fi, held[name]); err != nil {
			return err
		}
	}
	return nil
}

// entry decides what one entry is, and acts on it once it is stable, or at
// once when the kernel saw its writer close it. held says a lock file of an
// office program beside it says it is still open.
func (s *scan) entry(ctx context.Context, rel, name string, depth int, fi fs.FileInfo, held bool) error {
	ib := s.ib
	s.seen[rel] = true
	var reason Reason
	mode := fi.Mode()
	fp := fingerprintOf(fi)
	switch {
	case mode&fs.ModeSymlink != 0:
		reason = ReasonSymlink
	case mode.IsDir():
		switch {
		case badName(name):
			reason = ReasonBadName
		case workbookDirName(name):
			s.note(ctx, rel, "inbox: folder named like a workbook, not scanned")
			return nil
		case depth >= maxDepth:
			s.note(ctx, rel, "inbox: folder too deep, not scanned")
			return nil
		default:
			return s.dir(ctx, rel, depth+1, fi)
		}
	case mode.IsRegular():
		switch {
		case badName(name):
			reason = ReasonBadName
		case fp.nlink > 1:
			reason = ReasonHardlink
		case fi.Size() > ib.cfg.MaxFileSize:
			reason = ReasonTooLarge
		}
	default:
		reason = ReasonSpecialFile
	}

	o := ib.obs[rel]
	if o == nil || o.fp != fp {
		o = &observation{fp: fp, since: s.now}
		ib.obs[rel] = o
	}
	o.scans++
	if o.offered {
		return nil
	}
	closed := reason == "" && ib.closedAs(rel, fp)
	if held && reason == "" {
		if s.now.Sub(o.since) < ib.cfg.LockTimeout {
			if !o.held {
				o.held = true
				ib.log.InfoContext(ctx, "inbox: held back by a lock file (still open in an office program)", slog.String("name_hash", NameHash(rel)))
			}
			return nil
		}
		closed = false // the stability rule decides
		if o.held {
			o.held = false
			ib.log.WarnContext(ctx, "inbox: lock file still there, but the file has not changed for lock_timeout: reading it",
				slog.String("name_hash", NameHash(rel)), slog.Duration("lock_timeout", ib.cfg.LockTimeout))
		}
	}
	if !closed && (o.scans < ib.cfg.StableScans || s.now.Sub(o.since) < ib.cfg.MinAge) {
		return nil
	}
	if reason != "" {
		q, err := ib.quarantine(ctx, rel, name, reason, fi)
		if err != nil {
			s.fail(ctx, rel, "quarantine", err)
			return nil
		}
		delete(ib.obs, rel)
		s.quarantined = append(s.quarantined, q)
		return nil
	}
	o.offered = true
	org, _, _ := strings.Cut(rel, "/")
	if org == rel {
		org = ""
	}
	s.ready = append(s.ready, Ready{Rel: rel, Name: name, Org: org, Size: fi.Size(), ModTime: fi.ModTime(), Dev: fp.dev, Ino: fp.ino})
	ib.log.InfoContext(ctx, "inbox: ready", slog.String("name_hash", NameHash(rel)), slog.Int64("size", fi.Size()), slog.Bool("closed", closed))
	return nil
}

// note logs once, while the entry stays, that a folder is not scanned.
func (s *scan) note(ctx context.Context, rel, msg string) {
	if !s.ib.noted[rel] {
		s.ib.noted[rel] = true
		s.ib.log.WarnContext(ctx, msg, slog.String("name_hash", NameHash(rel)))
	}
}

func fingerprintOf(fi fs.FileInfo) fingerprint {
	dev, ino, nlink, ctime, _ := sysStat(fi)
	return fingerprint{mode: fi.Mode().Type(), size: fi.Size(), mtime: fi.ModTime().UnixNano(), ctime: ctime, dev: dev, ino: ino, nlink: nlink}
}

// quarantine renames the entry rel (never opening it) into quarantine/ under
// a safe name and writes the reason file beside it.
func (ib *Inbox) quarantine(ctx context.Context, rel, name string, reason Reason, fi fs.FileInfo) (Quarantined, error) {
	fp := fingerprintOf(fi)
	base, err := ib.freeName(dirQuarantine, safeName(name), NameHash(fmt.Sprint(rel, fp.dev, fp.ino))[:8],
		func(c string) []string { return []string{c + ".reason.txt"} })
	if err != nil {
		return Quarantined{}, err
	}
	dest := path.Join(dirQuarantine, base)
	if err := ib.state.Rename(path.Join(dirInbox, rel), dest); err != nil {
		return Quarantined{}, fmt.Errorf("move to quarantine: %w", err)
	}
	var errs []error
	if err := ib.writeAtomic(dirQuarantine, base+".reason.txt", reasonFile(reason, rel, name, fi, ib.cfg.MaxFileSize, ib.cfg.Now())); err != nil {
		errs = append(errs, err) // the move is what matters; say so in the log
	}
	errs = append(errs, ib.syncDir(dirQuarantine), ib.syncDir(path.Join(dirInbox, path.Dir(rel))))
	if err := errors.Join(errs...); err != nil {
		ib.log.ErrorContext(ctx, "inbox: quarantine bookkeeping", slog.String("name_hash", NameHash(rel)), slog.String("error", hideNames(err)))
	}
	ib.log.WarnContext(ctx, "inbox: quarantined", slog.String("name_hash", NameHash(rel)), slog.String("reason", string(reason)),
		slog.Int64("size", fi.Size()))
	return Quarantined{Rel: rel, Reason: reason, Dest: ib.statePath(dest)}, nil
}

// reasonFile is the text of <name>.reason.txt.
func reasonFile(reason Reason, rel, name string, fi fs.FileInfo, maxSize int64, now time.Time) []byte {
	var b strings.Builder
	text := reasonText[reason]
	fmt.Fprintf(&b, "Mã lý do / Reason: %s\n\n%s\n\n%s\n\n", reason, text[0], text[1])
	fmt.Fprintf(&b, "Tên (đã làm sạch) / Name (cleaned): %s\n", safeName(name))
	if rel != name {
		fmt.Fprintf(&b, "Thư mục / Folder: %s\n", safeName(path.Dir(rel)))
	}
	if badName(name) {
		fmt.Fprintf(&b, "Tên gốc, dạng hex / Original name bytes, hex: %x\n", name)
	}
	fmt.Fprintf(&b, "Kích thước / Size: %d bytes\n", fi.Size())
	if reason == ReasonTooLarge {
		fmt.Fprintf(&b, "Giới hạn / Limit: %d bytes\n", maxSize)
	}
	fmt.Fprintf(&b, "Thời điểm / Time: %s\n", now.UTC().Format(time.RFC3339))
	return []byte(b.String())
}

// sameFile reports whether two fingerprints are of the same inode.
func sameFile(a, b fingerprint) bool { return a.dev == b.dev && a.ino == b.ino }

// hideNames is err's text with every path it carries replaced by its
// [NameHash]: *fs.PathError and *os.LinkError name the file, and names are
// not logged (personal data; secrets are etl/redact's concern).
func hideNames(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	var walk func(error)
	walk = func(e error) {
		switch e := e.(type) {
		case *fs.PathError:
			msg = hidePath(msg, e.Path)
		case *os.LinkError:
			msg = hidePath(msg, e.Old)
			msg = hidePath(msg, e.New)
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			if w := u.Unwrap(); w != nil {
				walk(w)
			}
		case interface{ Unwrap() []error }:
			for _, w := range u.Unwrap() {
				walk(w)
			}
		}
	}
	walk(err)
	return msg
}

func hidePath(msg, p string) string {
	if p == "" {
		return msg
	}
	return strings.ReplaceAll(msg, p, "<"+NameHash(p)+">")
}
