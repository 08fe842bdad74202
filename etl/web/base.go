package web

import (
	"database/sql"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/reason"
)

// base is what every page shows around its content: language, who is
// signed in, the menu, the CSRF token of its forms.
type base struct {
	Lang      string
	Title     string
	Open      bool
	Login     string
	Role      string
	CSRF      string
	Path      string
	Admin     bool
	CanUpload bool
	Refresh   int // seconds; 0 for none (meta refresh: no script)
	zone      *time.Location
}

// base prepares the common data; ?lang=vi|en switches the language and
// remembers it in a cookie.
func (s *server) base(w http.ResponseWriter, r *http.Request, v *viewer) *base {
	lang := "vi"
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
		lang = "en"
	}
	if l := r.URL.Query().Get("lang"); l == "vi" || l == "en" {
		lang = l
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: !s.cfg.InsecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	b := &base{Lang: lang, Open: v.open, CSRF: v.csrf, Path: r.URL.Path, zone: s.cfg.Zone}
	if v.session != nil {
		b.Login, b.Role = v.session.Login, v.session.Role
	}
	if v.open || v.session != nil {
		b.Admin = v.admin()
		b.CanUpload = v.admin() || v.role() == "operator"
	}
	return b
}

// T picks the Vietnamese or the English text.
func (b *base) T(vi, en string) string {
	if b.Lang == "en" {
		return en
	}
	return vi
}

// N formats a count: 4.046 (vi), 4,046 (en).
func (b *base) N(n any) string {
	switch x := n.(type) {
	case int:
		return locale.Int(b.Lang, int64(x))
	case int64:
		return locale.Int(b.Lang, x)
	case sql.NullInt64:
		if !x.Valid {
			return "—"
		}
		return locale.Int(b.Lang, x.Int64)
	}
	return "?"
}

// DT formats an instant as dd/mm/yyyy hh:mm in the console's zone.
func (b *base) DT(t any) string {
	switch x := t.(type) {
	case time.Time:
		if x.IsZero() {
			return "—"
		}
		return x.In(b.zone).Format("02/01/2006 15:04")
	case sql.NullTime:
		if !x.Valid {
			return "—"
		}
		return x.Time.In(b.zone).Format("02/01/2006 15:04")
	}
	return "?"
}

// D formats a calendar date as dd/mm/yyyy.
func (b *base) D(t sql.NullTime) string {
	if !t.Valid {
		return "—"
	}
	return locale.Date(t.Time)
}

// Q names a quarter: Quý III/2025 or Q3 2025.
func (b *base) Q(year, q int) string {
	if year == 0 {
		return "—"
	}
	return locale.Quarter(b.Lang, year, q)
}

// Reason explains a reason code in words.
func (b *base) Reason(code string) string {
	if code == "" {
		return ""
	}
	return reason.Code(code).Title(b.Lang)
}

// Fix says what to do about a reason code.
func (b *base) Fix(code string) string {
	if code == "" {
		return ""
	}
	return reason.Code(code).Fix(b.Lang)
}

// outcomeWords and roleWords name the file outcomes and the roles, in
// Vietnamese and in English.
var (
	outcomeWords = map[string][2]string{
		"loaded":    {"đã nạp", "loaded"},
		"rejected":  {"bị từ chối", "rejected"},
		"duplicate": {"trùng lặp", "duplicate"},
	}
	roleWords = map[string][2]string{
		"administrator": {"quản trị viên", "administrator"},
		"manager":       {"quản lý", "manager"},
		"operator":      {"cán bộ nhập liệu", "operator"},
	}
)

// word names key with words (Vietnamese, English); a key without words is
// shown as it is.
func (b *base) word(words map[string][2]string, key string) string {
	if w, ok := words[key]; ok {
		return b.T(w[0], w[1])
	}
	return key
}

// Outcome names a file outcome.
func (b *base) Outcome(o string) string { return b.word(outcomeWords, o) }

// RoleName names a role.
func (b *base) RoleName(r string) string { return b.word(roleWords, r) }

// messagePage is a page that says one thing.
type messagePage struct {
	*base
	Text string
}

var funcs = template.FuncMap{
	"lower": strings.ToLower,
	"add":   func(a, b int) int { return a + b },
	"sub":   func(a, b int) int { return a - b },
}
