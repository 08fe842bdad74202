package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

// T26: name and type attacks. Every entry gets its expected outcome, no
// scan blocks, nothing outside the inbox is opened (the symlinks point at a
// FIFO outside the inbox: opening it would block the scan, which fails the
// test), and no name reaches the log.
func TestScanNameAndTypeAttacks(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *Config) { c.MaxFileSize = 1000 })
	outside := t.TempDir()
	outsideFIFO := filepath.Join(outside, "outside.fifo")
	require.NoError(t, syscall.Mkfifo(outsideFIFO, 0o600))

	nfc := norm.NFC.String("Hà Nội quý 3.xlsx")
	nfd := norm.NFD.String(nfc)
	require.NotEqual(t, nfc, nfd)
	long := strings.Repeat("ễ", 83) + "a.xlsx" // 255 bytes, the Linux limit
	require.Len(t, long, 255)
	const (
		rlo     = "bao cao\u202Exslx.exe.xlsx"
		crlf    = "bao\r\ncao.xlsx"
		invalid = "bad\xff\xfename.xlsx"
		badDir  = "org\nx"
	)

	b.write(t, "real.xlsx", []byte("real"))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(b.inbox, "passwd.xlsx")))
	require.NoError(t, os.Symlink(outsideFIFO, filepath.Join(b.inbox, "fifo-link.xlsx")))
	require.NoError(t, os.Symlink("real.xlsx", filepath.Join(b.inbox, "inside-link.xlsx")))
	require.NoError(t, os.Symlink("missing.xlsx", filepath.Join(b.inbox, "dangling.xlsx")))
	require.NoError(t, os.Symlink("..", filepath.Join(b.inbox, "up")))
	h1 := b.write(t, "h1.xlsx", []byte("linked"))
	require.NoError(t, os.Link(h1, filepath.Join(b.inbox, "h2.xlsx")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(b.inbox, "pipe.xlsx"), 0o600))
	sock, err := net.Listen("unix", filepath.Join(b.inbox, "sock.xlsx"))
	require.NoError(t, err)
	t.Cleanup(func() { sock.Close() })
	b.write(t, "a.xlsx/inner.xlsx", []byte("inside a folder named like a workbook"))
	b.write(t, nfc, []byte("nfc"))
	b.write(t, nfd, []byte("nfd"))
	b.write(t, rlo, []byte("rlo"))
	b.write(t, crlf, []byte("crlf"))
	b.write(t, long, []byte("long"))
	b.write(t, invalid, []byte("invalid"))
	b.write(t, "-rf.xlsx", []byte("dash"))
	b.write(t, "--help", []byte("dash"))
	b.write(t, badDir+"/x.xlsx", []byte("in a badly named folder"))
	b.write(t, "big.xlsx", make([]byte, 1001))
	b.write(t, "~$real.xlsx", []byte("owner"))
	b.write(t, ".~lock.real.xlsx#", []byte("lock"))

	ready, quarantined := b.settle(t, 4)

	// real.xlsx is held back by its lock files (~$real.xlsx, .~lock.real.xlsx#).
	require.ElementsMatch(t, []string{nfc, nfd, long, "-rf.xlsx", "--help"}, rels(ready))
	require.Contains(t, b.logs.String(), "held back by a lock file")
	want := map[string]Reason{
		"passwd.xlsx":      ReasonSymlink,
		"fifo-link.xlsx":   ReasonSymlink,
		"inside-link.xlsx": ReasonSymlink,
		"dangling.xlsx":    ReasonSymlink,
		"up":               ReasonSymlink,
		"h1.xlsx":          ReasonHardlink,
		"h2.xlsx":          ReasonHardlink,
		"pipe.xlsx":        ReasonSpecialFile,
		"sock.xlsx":        ReasonSpecialFile,
		rlo:                ReasonBadName,
		crlf:               ReasonBadName,
		invalid:            ReasonBadName,
		badDir:             ReasonBadName,
		"big.xlsx":         ReasonTooLarge,
	}
	got := map[string]Reason{}
	for _, q := range quarantined {
		_, dup := got[q.Rel]
		require.False(t, dup, "%q quarantined twice", q.Rel)
		got[q.Rel] = q.Reason
		require.True(t, strings.HasPrefix(q.Dest, filepath.Join(b.state, "quarantine")+"/"))
		dest := filepath.Base(q.Dest)
		require.True(t, utf8.ValidString(dest), "quarantine names are valid UTF-8")
		require.False(t, badName(dest), "quarantine name %q keeps a control character", dest)
		require.LessOrEqual(t, len(dest)+len(".reason.txt"), 255)
		_, err := os.Lstat(filepath.Join(b.inbox, q.Rel))
		require.ErrorIs(t, err, os.ErrNotExist, "%q left in the inbox", q.Rel)

		reasonTxt, err := os.ReadFile(q.Dest + ".reason.txt")
		require.NoError(t, err)
		require.Contains(t, string(reasonTxt), string(q.Reason))
		require.Contains(t, string(reasonTxt), "Cách khắc phục")
		require.Contains(t, string(reasonTxt), "What to do")
	}
	require.Equal(t, want, got)

	// Moved by name, never followed: the links are still links, the FIFO a FIFO.
	for _, q := range quarantined {
		fi, err := os.Lstat(q.Dest)
		require.NoError(t, err)
		switch q.Rel {
		case "passwd.xlsx":
			require.NotZero(t, fi.Mode()&os.ModeSymlink)
			target, err := os.Readlink(q.Dest)
			require.NoError(t, err)
			require.Equal(t, "/etc/passwd", target)
		case "pipe.xlsx":
			require.NotZero(t, fi.Mode()&os.ModeNamedPipe)
		case invalid:
			sum := sha256.Sum256([]byte(invalid))
			require.Equal(t, "badname-"+hex.EncodeToString(sum[:6])+".xlsx", filepath.Base(q.Dest))
			txt, err := os.ReadFile(q.Dest + ".reason.txt")
			require.NoError(t, err)
			require.Contains(t, string(txt), hex.EncodeToString([]byte(invalid)), "original bytes recorded in hex")
		case crlf:
			require.Equal(t, "baocao.xlsx", filepath.Base(q.Dest))
		case rlo:
			require.Equal(t, "bao caoxslx.exe.xlsx", filepath.Base(q.Dest))
		case badDir:
			require.True(t, fi.IsDir(), "a badly named folder goes as a whole")
		}
	}

	// The folder named like a workbook is neither read nor moved.
	inner, err := os.ReadFile(filepath.Join(b.inbox, "a.xlsx", "inner.xlsx"))
	require.NoError(t, err)
	require.Equal(t, "inside a folder named like a workbook", string(inner))
	for _, name := range []string{"~$real.xlsx", ".~lock.real.xlsx#"} {
		_, err := os.Stat(filepath.Join(b.inbox, name))
		require.NoError(t, err, "lock files untouched")
	}

	// Each ready file stages to an exact copy.
	for _, r := range ready {
		st, err := b.ib.Stage(t.Context(), r)
		require.NoError(t, err, r.Rel)
		orig, err := os.ReadFile(filepath.Join(b.inbox, r.Rel))
		require.NoError(t, err)
		cp, err := os.ReadFile(st.Path)
		require.NoError(t, err)
		require.Equal(t, orig, cp)
	}

	b.requireNoNames(t, "passwd", "real.xlsx", "Hà", "Nội", "bao", "rf.xlsx", "big.xlsx", "sock", "pipe", "ễễ")
}

// Rel paths are never allowed out of the inbox, whatever a caller hands in:
// "../x.xlsx" cannot be made as a name, so the check is tested directly and
// through Stage.
func TestRelCannotEscape(t *testing.T) {
	t.Parallel()
	for _, rel := range []string{"../x.xlsx", "..", ".", "", "/etc/passwd", "a/../../x.xlsx", "a//b.xlsx", "a/./b.xlsx", "a/", "a\\..\\x", "a\x00b"} {
		require.False(t, localRel(rel), "%q", rel)
	}
	for _, rel := range []string{"x.xlsx", "-rf.xlsx", "org/x.xlsx", "org/sub/x.xlsx", "..x.xlsx"} {
		require.True(t, localRel(rel), "%q", rel)
	}

	b := setup(t)
	outside := filepath.Join(b.state, "secret.xlsx")
	require.NoError(t, os.WriteFile(outside, []byte("secret"), 0o600))
	for _, rel := range []string{"../secret.xlsx", "../../var/secret.xlsx", "/" + outside} {
		_, err := b.ib.Stage(t.Context(), Ready{Rel: rel, Name: "secret.xlsx", Size: 6})
		require.Error(t, err, rel)
	}
	require.Empty(t, b.dirNames(t, "staging"))
}

// Between the scan and Stage the entry is swapped for a symlink (outside or
// inside the inbox) or a FIFO: Stage never blocks, never reads through the
// link, and reports ErrChanged (or an escape error for a link leaving the
// inbox).
func TestStageRefusesSwappedEntries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	outsideFIFO := filepath.Join(t.TempDir(), "outside.fifo")
	require.NoError(t, syscall.Mkfifo(outsideFIFO, 0o600))
	for _, name := range []string{"to-outside.xlsx", "to-inside.xlsx", "to-fifo.xlsx", "other.xlsx"} {
		b.write(t, name, []byte("genuine "+name))
	}
	ready, _ := b.settle(t, 2)
	require.Len(t, ready, 4)
	byName := map[string]Ready{}
	for _, r := range ready {
		byName[r.Rel] = r
	}

	swap := func(name string, make func(string) error) {
		p := filepath.Join(b.inbox, name)
		require.NoError(t, os.Remove(p))
		require.NoError(t, make(p))
	}
	swap("to-outside.xlsx", func(p string) error { return os.Symlink(outsideFIFO, p) })
	swap("to-inside.xlsx", func(p string) error { return os.Symlink("other.xlsx", p) })
	swap("to-fifo.xlsx", func(p string) error { return syscall.Mkfifo(p, 0o600) })

	for _, name := range []string{"to-outside.xlsx", "to-inside.xlsx", "to-fifo.xlsx"} {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		done := make(chan error, 1)
		go func() { _, err := b.ib.Stage(ctx, byName[name]); done <- err }()
		select {
		case err := <-done:
			require.Error(t, err, name)
			if name != "to-outside.xlsx" {
				require.ErrorIs(t, err, ErrChanged, name)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Stage of %s blocked", name)
		}
		cancel()
	}
	require.Empty(t, b.dirNames(t, "staging"), "nothing staged from a swapped entry")
	b.requireNoNames(t, "to-outside", "to-inside", "to-fifo", "outside.fifo")
}

// Two bad names that clean to the same name do not overwrite each other in
// quarantine.
func TestQuarantineNameCollision(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.write(t, "a\rb.xlsx", []byte("one"))
	b.write(t, "a\nb.xlsx", []byte("two"))
	b.write(t, "sub/a\tb.xlsx", []byte("three"))
	_, q := b.settle(t, 3)
	require.Len(t, q, 3)
	contents := map[string]bool{}
	for _, x := range q {
		require.Equal(t, ReasonBadName, x.Reason)
		got, err := os.ReadFile(x.Dest)
		require.NoError(t, err)
		contents[string(got)] = true
	}
	require.Len(t, contents, 3, "every quarantined file kept")
	require.Len(t, b.dirNames(t, "quarantine"), 6, "three files, three reason files")
}

func TestSafeName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a.xlsx":                   "a.xlsx",
		"a\r\nb.xlsx":              "ab.xlsx",
		"x\u202Egpj.xlsx":          "xgpj.xlsx",
		"zero\u200Bwidth.xlsx":     "zerowidth.xlsx",
		".hidden":                  "_.hidden",
		"\r\n":                     "unnamed",
		norm.NFD.String("Hà.xlsx"): "Hà.xlsx",
		"-rf.xlsx":                 "-rf.xlsx",
	} {
		require.Equal(t, want, safeName(in), "%q", in)
	}
	long := safeName(strings.Repeat("ễ", 100) + ".xlsx")
	require.LessOrEqual(t, len(long), maxBase)
	require.True(t, utf8.ValidString(long))
	require.True(t, strings.HasSuffix(long, ".xlsx"))
	require.LessOrEqual(t, len(withSuffix(long, "abcdef12")), maxBase)
	require.True(t, strings.HasSuffix(withSuffix(long, "abcdef12"), "-abcdef12.xlsx"))

	for in, want := range map[string]string{
		"GD-KCQ-001": "GD-KCQ-001", "../../etc": "_.._etc", "a/b": "a_b", " Đảng ủy ": "Đảng_ủy", "..": "",
		"\xff": "", "": "",
	} {
		got, err := sanitizeOrg(in)
		if want == "" {
			require.Error(t, err, "%q", in)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, want, got, "%q", in)
	}
}

func TestIgnoredNames(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"~$a.xlsx", ".~lock.a.xlsx#", "a.part", "A.PART", "a.tmp", "a.crdownload", ".DS_Store", ".incoming"} {
		require.True(t, ignoredName(n), n)
	}
	for _, n := range []string{"a.xlsx", "-a.xlsx", "a~$.xlsx", "part.xlsx"} {
		require.False(t, ignoredName(n), n)
	}
	require.True(t, badName("a\x7f"))
	require.True(t, badName("a\u0085b"), "C1 control")
	require.False(t, badName("Hà Nội.xlsx"))
}
