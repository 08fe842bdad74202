package inbox

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxBase bounds the names this package creates, leaving room under the
// 255-byte limit of Linux file systems for a suffix and ".reason.txt" or a
// report suffix.
const maxBase = 200

// ignoredName reports whether an inbox entry is a lock or temp file, or
// hidden: skipped without being looked at.
func ignoredName(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") { // dotfiles, .~lock.x#, Excel owner files
		return true
	}
	lower := strings.ToLower(name)
	for _, ext := range []string{".part", ".tmp", ".crdownload"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// workbookDirName reports whether a folder is named like a workbook (often an
// unzipped one): such folders are neither read nor moved.
func workbookDirName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".xlsx", ".xlsm", ".xls", ".xlsb", ".xltx", ".xltm", ".ods":
		return true
	}
	return false
}

// badName reports whether a name is not valid UTF-8 or holds a control or
// format character (CR, LF, NUL, U+202E and other direction overrides,
// zero-width characters, BOM): such entries are quarantined as BAD_NAME.
func badName(name string) bool {
	if !utf8.ValidString(name) {
		return true
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

// localRel reports whether rel is a path inside the inbox: relative,
// clean, no "..", no empty or dot component.
func localRel(rel string) bool {
	if rel == "" || !filepath.IsLocal(rel) || path.Clean(rel) != rel || strings.Contains(rel, "\\") {
		return false
	}
	for _, c := range strings.Split(rel, "/") {
		if c == "" || c == "." || c == ".." || strings.ContainsRune(c, 0) {
			return false
		}
	}
	return true
}

// safeName makes a name fit to create: NFC, control and format characters
// removed, no path separator, not hidden, at most maxBase bytes with the
// extension kept. A name that is not valid UTF-8 becomes "badname-" and a hash
// of its bytes (plus its extension when that is plain ASCII).
func safeName(name string) string {
	if !utf8.ValidString(name) {
		ext := path.Ext(name)
		if !printableASCII(ext) || len(ext) > 10 {
			ext = ""
		}
		return "badname-" + NameHash(name) + ext
	}
	s := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		case r == '/' || r == '\\':
			return '_'
		}
		return r
	}, norm.NFC.String(name))
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, ".") {
		s = "_" + s
	}
	if s == "" {
		s = "unnamed"
	}
	return fitName(s, maxBase)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e || s[i] == '/' || s[i] == '\\' {
			return false
		}
	}
	return true
}

// fitName shortens name to at most max bytes by cutting its stem at a rune
// boundary, keeping a short extension.
func fitName(name string, max int) string {
	if len(name) <= max {
		return name
	}
	ext := path.Ext(name)
	if len(ext) > 16 {
		ext = ""
	}
	stem := name[:len(name)-len(ext)]
	cut := max - len(ext)
	for cut > 0 && !utf8.RuneStart(stem[cut]) {
		cut--
	}
	return stem[:cut] + ext
}

// withSuffix puts "-tag" before the extension: "a.xlsx" → "a-tag.xlsx",
// shortening the stem if the result would be longer than maxBase.
func withSuffix(name, tag string) string {
	ext := path.Ext(name)
	if len(ext) > 16 {
		ext = ""
	}
	stem := fitName(name[:len(name)-len(ext)], maxBase-len(ext)-len(tag)-1)
	return stem + "-" + tag + ext
}

// sanitizeOrg turns an organisation code into one path component: NFC,
// letters, digits, '-', '_' and '.' kept, anything else '_', no leading dot,
// at most 64 bytes.
func sanitizeOrg(org string) (string, error) {
	s := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, norm.NFC.String(strings.ToValidUTF8(strings.TrimSpace(org), "_")))
	s = fitName(strings.TrimLeft(s, "."), 64)
	if strings.Trim(s, "_") == "" {
		return "", errors.New("empty organisation code")
	}
	return s, nil
}
