package web

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/returns-project/returns/etl/inbox"
	"github.com/returns-project/returns/etl/store"
)

// The annotated workbook of a rejected file lies beside its original in
// rejected/: <name>.xlsx and <name>.loi.xlsx (inbox.ReportName, the daemon's
// reject). The name may have been given a suffix to stay unique, so the
// original is recognised by its SHA-256.
const annotatedSuffix = ".loi.xlsx"

// annotatedKey is the report key of the annotated workbook in rejected/.
const annotatedKey = "loi.xlsx"

// findAnnotated returns the name, under rejected/, of the annotated
// workbook of the rejected file whose content is sha, read only through an
// os.Root on the state directory: nothing outside it can be reached.
func (s *server) findAnnotated(sha, fileName string) (string, bool) {
	if p, ok := s.found.Load(sha); ok {
		if _, err := os.Stat(path.Join(s.cfg.StateDir, "rejected", p.(string))); err == nil {
			return p.(string), true
		}
		s.found.Delete(sha)
	}
	root, err := os.OpenRoot(s.cfg.StateDir)
	if err != nil {
		return "", false
	}
	defer root.Close()
	entries, err := fs.ReadDir(root.FS(), "rejected")
	if err != nil {
		return "", false
	}
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = e.Type().IsRegular()
	}
	stem := strings.TrimSuffix(path.Base(fileName), path.Ext(fileName))
	var likely, others []string
	for n, regular := range names {
		if !regular || !names[inbox.ReportName(n, annotatedKey)] {
			continue
		}
		if strings.HasPrefix(n, stem) {
			likely = append(likely, n)
		} else {
			others = append(others, n)
		}
	}
	// Hash the likely originals first; give up after a bounded amount of work.
	for i, n := range append(likely, others...) {
		if i >= 200 {
			break
		}
		f, err := root.Open(path.Join("rejected", n))
		if err != nil {
			continue
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err == nil && hex.EncodeToString(h.Sum(nil)) == sha {
			s.found.Store(sha, inbox.ReportName(n, annotatedKey))
			return inbox.ReportName(n, annotatedKey), true
		}
	}
	return "", false
}

// annotated sends the annotated workbook of a visible rejected file.
func (s *server) annotated(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	id, ok := s.pathID(w, r, b)
	if !ok {
		return
	}
	var e *store.FileEvent
	ctx := r.Context()
	if err := s.cfg.Store.View(ctx, v.store(), func(c *store.Console) (err error) {
		e, err = c.File(ctx, id)
		return err
	}); s.unanswerable(w, r, b, err, e != nil && e.Outcome == "rejected") {
		return
	}
	name, ok := s.findAnnotated(e.SHA256, e.FileName)
	if !ok {
		s.notFound(w, r, b)
		return
	}
	root, err := os.OpenRoot(s.cfg.StateDir)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer root.Close()
	f, err := root.Open(path.Join("rejected", name))
	if err != nil {
		s.notFound(w, r, b)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		s.notFound(w, r, b)
		return
	}
	down := strings.TrimSuffix(e.FileName, path.Ext(e.FileName)) + annotatedSuffix
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": down}))
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

type uploadPage struct {
	*base
	Org   string
	Error string
	Max   int
}

func (s *server) uploadForm(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	b.Title = b.T("Gửi báo cáo", "Send a return")
	p := uploadPage{base: b, Max: s.cfg.MaxUploadMB}
	if !v.admin() {
		p.Org = v.session.ScopeOrg.String
	}
	s.render(w, r, http.StatusOK, "upload", p)
}

// upload writes the chosen file into the inbox as an operator's drop would:
// first under a dotted temporary name the scan ignores, synced, then linked
// to its final name (never over an existing file). An operator's file goes
// to inbox/<its organisation>/, an administrator's to the inbox itself.
// The daemon then judges it like any dropped file: same checks, ledger and
// mail. The browser is sent to the page that waits for the verdict.
func (s *server) upload(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	b.Title = b.T("Gửi báo cáo", "Send a return")
	p := uploadPage{base: b, Max: s.cfg.MaxUploadMB}
	if !v.admin() {
		p.Org = v.session.ScopeOrg.String
	}
	again := func(status int, vi, en string) {
		p.Error = b.T(vi, en)
		s.render(w, r, status, "upload", p)
	}
	maxBytes := int64(s.cfg.MaxUploadMB) << 20
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes+1<<20)
	file, hdr, err := r.FormFile("file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		again(http.StatusRequestEntityTooLarge, fmt.Sprintf("Tệp quá lớn: tối đa %d MB.", s.cfg.MaxUploadMB),
			fmt.Sprintf("The file is too large: at most %d MB.", s.cfg.MaxUploadMB))
		return
	case err != nil:
		again(http.StatusBadRequest, "Hãy chọn một tệp để gửi.", "Choose a file to send.")
		return
	}
	defer file.Close()
	if hdr.Size > maxBytes {
		again(http.StatusRequestEntityTooLarge, fmt.Sprintf("Tệp quá lớn: tối đa %d MB.", s.cfg.MaxUploadMB),
			fmt.Sprintf("The file is too large: at most %d MB.", s.cfg.MaxUploadMB))
		return
	}
	name := uploadName(hdr.Filename)
	dir := "inbox"
	if p.Org != "" {
		dir = path.Join("inbox", orgFolder(p.Org))
	}
	drop, err := inbox.NewDrop(s.cfg.StateDir, dir, file)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer drop.Close()
	if drop.Size == 0 {
		again(http.StatusBadRequest, "Tệp rỗng: hãy chọn đúng tệp báo cáo.", "The file is empty: choose the return's file.")
		return
	}
	sum := drop.SHA256
	final := withTag(name, "web"+randomHex(3))
	u := store.Upload{Org: p.Org, FileName: name, InboxName: final, SHA256: sum, Size: drop.Size, UploadedAt: s.cfg.Now()}
	if !v.open {
		u.AccountID = sql.NullInt64{Int64: v.session.ID, Valid: true}
	}
	id, err := s.cfg.Store.RecordUpload(r.Context(), u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := drop.Place(final); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "web: file uploaded", slog.Int64("upload", id), slog.String("sha", sum[:12]), slog.Int64("size", drop.Size))
	http.Redirect(w, r, "/uploads/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// uploadName makes the browser's file name fit for the inbox: its base
// only, NFC, letters, digits, space, '.', '-', '_' and '(' ')' kept, not
// hidden, at most 120 bytes.
func uploadName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	s := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" .-_()", r):
			return r
		}
		return '_'
	}, norm.NFC.String(strings.ToValidUTF8(name, "_")))
	s = strings.TrimLeft(strings.TrimSpace(s), ".~$")
	if s == "" || s == path.Ext(s) {
		s = "upload" + path.Ext(s)
	}
	for len(s) > 120 {
		ext := path.Ext(s)
		stem := []rune(strings.TrimSuffix(s, ext))
		s = string(stem[:len(stem)-1]) + ext
	}
	return s
}

// withTag puts "-tag" before the extension.
func withTag(name, tag string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "-" + tag + ext
}

// orgFolder is an organisation code as one path component (as the inbox
// names its folders).
func orgFolder(org string) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, norm.NFC.String(org))
	s = strings.TrimLeft(s, ".")
	if s == "" {
		return "_"
	}
	return s
}

type verdictPage struct {
	*base
	Upload      store.Upload
	File        *store.FileEvent
	Waiting     time.Duration
	Stale       bool
	Quarantined string // the inbox's reason file, when the scan set the file aside
}

// verdict waits for the outcome of an upload: the page refreshes itself
// every two seconds (no script) until the daemon has decided, then shows
// the verdict; after ten minutes it says in words that the daemon does not
// seem to be working.
func (s *server) verdict(w http.ResponseWriter, r *http.Request, v *viewer, b *base) {
	id, ok := s.pathID(w, r, b)
	if !ok {
		return
	}
	u, err := s.cfg.Store.UploadByID(r.Context(), id)
	if s.unanswerable(w, r, b, err, u != nil && (v.admin() || (u.AccountID.Valid && u.AccountID.Int64 == v.accountID()))) {
		return
	}
	p := verdictPage{base: b, Upload: *u}
	ctx := r.Context()
	if err := s.cfg.Store.View(ctx, v.store(), func(c *store.Console) (err error) {
		p.File, err = c.FileBySHA(ctx, u.SHA256, u.UploadedAt.Add(-time.Second))
		return err
	}); err != nil {
		s.fail(w, r, err)
		return
	}
	b.Title = u.FileName
	if p.File == nil {
		p.Quarantined = s.quarantined(u)
	}
	if p.File == nil && p.Quarantined == "" {
		p.Waiting = s.cfg.Now().Sub(u.UploadedAt).Round(time.Second)
		p.Stale = p.Waiting > 10*time.Minute
		b.Refresh = 2
		if p.Stale {
			b.Refresh = 30
		}
	}
	s.render(w, r, http.StatusOK, "verdict", p)
}

// quarantined returns the reason file the inbox wrote when its scan set an
// upload aside (too large, a bad name...) instead of judging it: no
// outcome will ever be recorded for it, so the page says why. It returns ""
// while the file is still in the inbox or was not quarantined.
func (s *server) quarantined(u *store.Upload) string {
	root, err := os.OpenRoot(s.cfg.StateDir)
	if err != nil {
		return ""
	}
	defer root.Close()
	dir := "inbox"
	if u.Org != "" {
		dir = path.Join("inbox", orgFolder(u.Org))
	}
	if _, err := root.Lstat(path.Join(dir, u.InboxName)); err == nil {
		return ""
	}
	entries, err := fs.ReadDir(root.FS(), "quarantine")
	if err != nil {
		return ""
	}
	stem := strings.TrimSuffix(u.InboxName, path.Ext(u.InboxName))
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, stem) || !strings.HasSuffix(n, ".reason.txt") {
			continue
		}
		b, err := root.ReadFile(path.Join("quarantine", n))
		if err == nil && len(b) < 64<<10 {
			return string(b)
		}
	}
	return ""
}
