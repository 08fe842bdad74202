package normalize

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

func TestText(t *testing.T) {
	t.Parallel()
	nfd := norm.NFD.String("Nguyễn Thị Ánh")
	cases := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"  Nguyễn\u00a0", "Nguyễn"},
		{"Nguyễn\u00a0\u00a0Văn  A", "Nguyễn Văn A"},
		{nfd, "Nguyễn Thị Ánh"},
		{"Ng\u200Buy\u200Dễn", "Nguyễn"},
		{"\uFEFFHọ và tên", "Họ và tên"},
		{"evil\u202Etxt.exe", "eviltxt.exe"},
		{"a\tb\r\nc", "a b c"},
		{"a\x00b\x07c", "abc"},
		{"thin\u2009space\u202Fnarrow\u3000ideo", "thin space narrow ideo"},
		{"line\u2028sep", "line sep"},
		{"soft\u00ADhyphen", "softhyphen"},
		{"\xffbad", "\uFFFDbad"},
		{"a\u200B\u0301", "á"}, // the removed ZWSP no longer blocks composition
	}
	for _, c := range cases {
		got := Text(c.in)
		require.Equal(t, c.want, got, "Text(%q)", c.in)
		require.Equal(t, got, Text(got), "idempotent on %q", c.in)
	}
}

func TestTextNoAllocWhenClean(t *testing.T) {
	for _, s := range []string{"Plain ASCII text 123", "Nguyễn Văn Mẫu", "Đảng bộ phường Hư Cấu"} {
		n := testing.AllocsPerRun(100, func() { _ = Text(s) })
		require.Zero(t, n, "allocations for clean %q", s)
	}
	n := testing.AllocsPerRun(100, func() { _ = Key("ngaysinh") })
	require.Zero(t, n)
}

// TestKeyHeaders is docs/reliability.md T27: twelve spellings of one header match.
func TestKeyHeaders(t *testing.T) {
	t.Parallel()
	variants := []string{
		"Ngày sinh",
		"NGÀY SINH",
		"ngày  sinh",
		norm.NFD.String("Ngày sinh"),
		"Ngày\u00a0sinh",
		" Ngày sinh ",
		"Ngày\u200Bsinh",
		"\uFEFFNgày sinh",
		"Ngay sinh",
		"NGAY SINH",
		"ngày\tsinh",
		"Ngày-sinh:",
	}
	require.Len(t, variants, 12)
	for _, v := range variants {
		require.Equal(t, "ngaysinh", Key(v), "Key(%q)", v)
	}
	require.Equal(t, "dangvien", Key("Đảng viên"))
	require.Equal(t, "sotheduongvien", Key("Số thẻ đường viên"))
	require.Equal(t, "hmong", Key("H'Mông"))
	require.Equal(t, "khome", Key("Khơ-me"))
}

// TestTextNames: twelve encodings of the same Vietnamese name clean to one
// NFC value and one key (T27 values).
func TestTextNames(t *testing.T) {
	t.Parallel()
	want := "Nguyễn Thị Hồng Nhung"
	variants := []string{
		want,
		norm.NFD.String(want),
		" " + want + " ",
		"Nguyễn  Thị Hồng  Nhung",
		"Nguyễn\u00a0Thị\u00a0Hồng\u00a0Nhung",
		"Nguyễn Thị\u200B Hồng Nhung",
		"\uFEFF" + want,
		want + "\u200D",
		"Nguyễn\tThị Hồng Nhung",
		"Nguyễn\u2009Thị Hồng Nhung",
		norm.NFD.String("  Nguyễn   Thị Hồng Nhung"),
		"Nguyễn Thị Hồng Nhung\r\n",
	}
	for _, v := range variants {
		got := Text(v)
		require.Equal(t, want, got, "Text(%q)", v)
		require.True(t, norm.NFC.IsNormalString(got))
		require.Equal(t, Key(want), Key(v))
	}
}

func TestInt(t *testing.T) {
	t.Parallel()
	ok := []struct {
		in   string
		want int64
	}{
		{"4046", 4046},
		{"4.046", 4046},
		{"1.234.567", 1234567},
		{"4 046", 4046},
		{"4\u00a0046", 4046},
		{"4\u2009046", 4046},
		{"4\u202F046", 4046},
		{"1 234", 1234},
		{" 12 ", 12},
		{"-12", -12},
		{"+7", 7},
		{"0", 0},
		{"007", 7},
		{"9.223.372.036.854.775.807", 9223372036854775807},
		{"-9223372036854775808", -9223372036854775808},
	}
	for _, c := range ok {
		got, err := Int(c.in)
		require.NoError(t, err, "Int(%q)", c.in)
		require.Equal(t, c.want, got, "Int(%q)", c.in)
	}
	bad := []struct {
		in   string
		want error
	}{
		{"4,046", ErrAmbiguousNumber},
		{"1,234,567", ErrAmbiguousNumber},
		{"4.04", ErrAmbiguousNumber},
		{"4.0460", ErrAmbiguousNumber},
		{"1234.567", ErrAmbiguousNumber},
		{"4.5", ErrAmbiguousNumber},
		{"1.234,5", ErrNotNumber},
		{"4,5", ErrNotNumber},
		{"1e3", ErrNotNumber},
		{"", ErrNotNumber},
		{"   ", ErrNotNumber},
		{"12abc", ErrNotNumber},
		{"1.234 567", ErrNotNumber},
		{"1..234", ErrNotNumber},
		{".234", ErrNotNumber},
		{"--1", ErrNotNumber},
		{"9223372036854775808", ErrNotNumber},
		{"40 46", ErrNotNumber},
		{strings.Repeat("9", 10000), ErrNotNumber},
	}
	for _, c := range bad {
		_, err := Int(c.in)
		require.ErrorIs(t, err, c.want, "Int(%q)", c.in)
		require.Less(t, len(err.Error()), 300, "error does not echo huge input")
	}
}

func TestDecimal(t *testing.T) {
	t.Parallel()
	ok := []struct {
		in   string
		want float64
	}{
		{"4", 4},
		{"89,51", 89.51},
		{"-0,5", -0.5},
		{"1.234,5", 1234.5},
		{"1 234,5", 1234.5},
		{"1\u00a0234,5", 1234.5},
		{"1.234.567,25", 1234567.25},
		{"1.234.567", 1234567},
		{"1 234", 1234},
		{"0,046", 0.046},
		{"4,0460", 4.046},
		{"12,5", 12.5},
	}
	for _, c := range ok {
		got, err := Decimal(c.in)
		require.NoError(t, err, "Decimal(%q)", c.in)
		require.InDelta(t, c.want, got, 1e-9, "Decimal(%q)", c.in)
	}
	bad := []struct {
		in   string
		want error
	}{
		{"4.046", ErrAmbiguousNumber},
		{"4,046", ErrAmbiguousNumber},
		{"4.5", ErrAmbiguousNumber},
		{"4.04", ErrAmbiguousNumber},
		{"4.0460", ErrAmbiguousNumber},
		{"1234.5", ErrAmbiguousNumber},
		{"1,234,567", ErrNotNumber},
		{"1,234.5", ErrNotNumber},
		{",5", ErrNotNumber},
		{"5,", ErrNotNumber},
		{"1e3", ErrNotNumber},
		{"NaN", ErrNotNumber},
		{"Inf", ErrNotNumber},
		{"", ErrNotNumber},
		{"12abc", ErrNotNumber},
	}
	for _, c := range bad {
		_, err := Decimal(c.in)
		require.ErrorIs(t, err, c.want, "Decimal(%q)", c.in)
	}
}

func TestCellNumbers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"45000": 45000, "1.5E3": 1500, "4046.0": 4046, "-3": -3, " 12 ": 12, "1e2": 100} {
		got, err := CellInt(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"4046.5", "1E+20", "abc", "", "0x10", "Inf", "NaN", "1_000"} {
		_, err := CellInt(in)
		require.ErrorIs(t, err, ErrNotNumber, in)
	}
	x, err := CellDecimal("89.51")
	require.NoError(t, err)
	require.InDelta(t, 89.51, x, 1e-12)
	for _, in := range []string{"0x1p3", "Infinity", "nan", "1,5", ""} {
		_, err := CellDecimal(in)
		require.ErrorIs(t, err, ErrNotNumber, in)
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestDateSerial is docs/reliability.md T28's serial half.
func TestDateSerial(t *testing.T) {
	t.Parallel()
	ok := []struct {
		raw  string
		s04  bool
		want time.Time
	}{
		{"61", false, day(1900, 3, 1)},
		{"45000", false, day(2023, 3, 15)},
		{"45000.75", false, day(2023, 3, 15)},
		{"45000", true, day(2027, 3, 16)},
		{"0", true, day(1904, 1, 1)},
		{"1", true, day(1904, 1, 2)},
		{"45915", false, day(2025, 9, 15)},
		{"44453", true, day(2025, 9, 15)},
	}
	for _, c := range ok {
		got, err := DateSerial(c.raw, c.s04)
		require.NoError(t, err, c.raw)
		require.Equal(t, c.want, got, "%s 1904=%v", c.raw, c.s04)
	}
	_, err := DateSerial("60", false)
	require.ErrorIs(t, err, ErrAmbiguousDate)
	_, err = DateSerial("60.5", false)
	require.ErrorIs(t, err, ErrAmbiguousDate)
	_, err = DateSerial("59", false)
	require.ErrorIs(t, err, ErrDateRange)
	_, err = DateSerial("1", false)
	require.ErrorIs(t, err, ErrDateRange)
	_, err = DateSerial("-1", true)
	require.ErrorIs(t, err, ErrDateRange)
	_, err = DateSerial("2958466", false) // 01/01/10000
	require.ErrorIs(t, err, ErrDateRange)
	_, err = DateSerial("73416", false) // 01/01/2101
	require.ErrorIs(t, err, ErrDateRange)
	_, err = DateSerial("abc", false)
	require.ErrorIs(t, err, ErrNotDate)

	// The same calendar dates in 1900 and 1904 workbooks: serials differ by
	// exactly 1462, and nothing shifts.
	for serial := 1462 + 61; serial < 73000; serial += 997 {
		a, err := DateSerial(itoa(serial), false)
		require.NoError(t, err)
		b, err := DateSerial(itoa(serial-1462), true)
		require.NoError(t, err)
		require.Equal(t, a, b, "serial %d", serial)
	}
}

// TestDateSerialExcelize checks this package against excelize's conversion
// from serial 61 on (below it the two differ by design: excelize maps 60 to
// 1900-02-29's neighbour and shifts earlier serials).
func TestDateSerialExcelize(t *testing.T) {
	t.Parallel()
	for _, s04 := range []bool{false, true} {
		start := 61
		if s04 {
			start = 0
		}
		for serial := start; serial < 73000-1462; serial += 113 {
			ours, err := DateSerial(itoa(serial), s04)
			require.NoError(t, err)
			theirs, err := excelize.ExcelDateToTime(float64(serial)+0.25, s04)
			require.NoError(t, err)
			y, m, d := theirs.Date()
			require.Equal(t, day(y, m, d), ours, "serial %d 1904=%v", serial, s04)
		}
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// TestDateText is docs/reliability.md T28's text half: six layouts of one date.
func TestDateText(t *testing.T) {
	t.Parallel()
	want := day(2024, 3, 5)
	layouts := []string{"05/03/2024", "5/3/2024", "05-03-2024", "05.03.2024", "2024-03-05", "05/03/2024 00:00:00"}
	for _, s := range layouts {
		got, err := DateText(s)
		require.NoError(t, err, s)
		require.Equal(t, want, got, s)
	}
	more := map[string]time.Time{
		" 31/12/2025 ":         day(2025, 12, 31),
		"29/02/2024":           day(2024, 2, 29),
		"2024-3-5":             day(2024, 3, 5),
		"13/01/2025":           day(2025, 1, 13),
		"05/03/2024 00:00":     day(2024, 3, 5),
		"2024-03-05T00:00:00":  day(2024, 3, 5),
		"05\u00a0/03/2024":     {}, // not accepted: inner space
		"12/12/2012":           day(2012, 12, 12),
		"01/03/1900":           day(1900, 3, 1),
		"31/12/2100":           day(2100, 12, 31),
		"1/1/2000":             day(2000, 1, 1),
		"20/09/2025":           day(2025, 9, 20),
		"05/03/2024  00:00:00": day(2024, 3, 5),
	}
	for s, w := range more {
		got, err := DateText(s)
		if w.IsZero() {
			require.Error(t, err, s)
			continue
		}
		require.NoError(t, err, s)
		require.Equal(t, w, got, s)
	}
	bad := []struct {
		in   string
		want error
	}{
		{"5-3-24", ErrAmbiguousDate},
		{"05/03/24", ErrAmbiguousDate},
		{"03/15/2024", ErrAmbiguousDate},
		{"12/31/2024", ErrAmbiguousDate},
		{"31/02/2025", ErrNotDate},
		{"29/02/2025", ErrNotDate},
		{"15/13/2024", ErrNotDate},
		{"00/01/2024", ErrNotDate},
		{"2024/03/05", ErrNotDate},
		{"05/03-2024", ErrNotDate},
		{"hôm qua", ErrNotDate},
		{"", ErrNotDate},
		{"45000", ErrNotDate},
		{"05/03/2024 10:30:00", ErrNotDate},
		{"01/01/1800", ErrDateRange},
		{"01/01/2101", ErrDateRange},
	}
	for _, c := range bad {
		_, err := DateText(c.in)
		require.ErrorIs(t, err, c.want, "DateText(%q)", c.in)
	}
	_, err := DateText("03/15/2024")
	require.Contains(t, err.Error(), "month/day/year")
}

func TestMonth(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"08/2025", "8/2025", "2025-08", "08-2025", "08.2025", "15/08/2025", " 08/2025 "} {
		got, err := Month(s)
		require.NoError(t, err, s)
		require.Equal(t, day(2025, 8, 1), got, s)
	}
	for s, want := range map[string]error{"13/2025": ErrNotDate, "08/25": ErrAmbiguousDate, "": ErrNotDate, "tháng 8": ErrNotDate, "2025/08": ErrNotDate, "00/2025": ErrNotDate} {
		_, err := Month(s)
		require.ErrorIs(t, err, want, s)
	}
}

func TestBool(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"C", "c", "Có", "CÓ", "có", norm.NFD.String("Có"), "co", "TRUE", "true", "1", " C "} {
		b, err := Bool(s)
		require.NoError(t, err, s)
		require.True(t, b, s)
	}
	for _, s := range []string{"K", "k", "Không", "KHÔNG", norm.NFD.String("Không"), "khong", "FALSE", "0"} {
		b, err := Bool(s)
		require.NoError(t, err, s)
		require.False(t, b, s)
	}
	for _, s := range []string{"x", "X", "yes", "", "2", "Có/Không"} {
		_, err := Bool(s)
		require.ErrorIs(t, err, ErrNotBool, s)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"", "abc", "  Nguyễn\u00a0", norm.NFD.String("Ngày sinh"), "a\u200B\u0301", "\xff\xfe", "x\u202Ey"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if Text(out) != out {
			t.Fatalf("Text not idempotent: %q → %q → %q", s, out, Text(out))
		}
		if !norm.NFC.IsNormalString(out) {
			t.Fatalf("Text(%q) = %q is not NFC", s, out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("Text(%q) = %q is not valid UTF-8", s, out)
		}
		if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
			t.Fatalf("Text(%q) = %q has stray spaces", s, out)
		}
		k := Key(s)
		if Key(k) != k {
			t.Fatalf("Key not idempotent: %q → %q → %q", s, k, Key(k))
		}
		if Key(out) != k {
			t.Fatalf("Key(Text(%q)) = %q, Key = %q", s, Key(out), k)
		}
		if clean(s) != (rebuild(s) == s) {
			t.Fatalf("clean(%q) = %v, but rebuilding it gives %q", s, clean(s), rebuild(s))
		}
		if want := keyByString(s); k != want {
			t.Fatalf("Key(%q) = %q, by norm.NFD.String %q", s, k, want)
		}
		if got := string(AppendKey([]byte("x"), s)); got != "x"+k {
			t.Fatalf("AppendKey(x, %q) = %q, want x%s", s, got, k)
		}
	})
}

// keyByString is Key as it was before it walked the decomposition segment
// by segment (norm.Iter): the whole NFD string first, then its runes. The
// two must agree on every input.
func keyByString(s string) string {
	if isKey(s) {
		return s
	}
	var b []byte
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, "")) {
		b = appendKeyRune(b, r)
	}
	return string(b)
}

// TestPlainRunes checks the runes clean takes for NFC without a look-up:
// none is a space or removed, and texts made of them and ASCII are NFC
// (every rune on its own, after each letter, and random mixes).
func TestPlainRunes(t *testing.T) {
	t.Parallel()
	var plain []rune
	for r := rune(utf8.RuneSelf); r < plainMax; r++ {
		if !isPlain(r) {
			continue
		}
		plain = append(plain, r)
		require.False(t, isSpace(r) || drop(r), "U+%04X", r)
		for _, s := range []string{string(r), "a" + string(r), string(r) + "a", string(r) + string(r), "Đ" + string(r), string(r) + "ơ"} {
			require.True(t, norm.NFC.IsNormalString(s), "%q (U+%04X)", s, r)
		}
	}
	// Every precomposed Vietnamese letter is plain; combining marks are not.
	for _, r := range "ăâđêôơưĂÂĐÊÔƠƯáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ" {
		require.True(t, isPlain(r), "%c", r)
	}
	for _, r := range "\u0300\u0301\u0303\u0309\u0323\u00a0\u00ad\u200b" {
		require.False(t, isPlain(r), "U+%04X", r)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for range 200_000 {
		b.Reset()
		for range 1 + rng.IntN(6) {
			if rng.IntN(3) == 0 {
				b.WriteByte(byte('!' + rng.IntN(94)))
			} else {
				b.WriteRune(plain[rng.IntN(len(plain))])
			}
		}
		s := b.String()
		require.True(t, norm.NFC.IsNormalString(s), "%q", s)
		require.True(t, clean(s), "%q", s)
	}
	require.Greater(t, len(plain), 1000)
}

// TestKeySimpleRunes: for every simple rune, alone and next to ASCII,
// Vietnamese letters and itself, the rune-by-rune key is the key of the
// decomposition.
func TestKeySimpleRunes(t *testing.T) {
	t.Parallel()
	n := 0
	for r := rune(utf8.RuneSelf); r < plainMax; r++ {
		if keyRunes()[r] < 0 {
			continue
		}
		n++
		for _, s := range []string{string(r), "A" + string(r) + "1", string(r) + string(r), "Đ" + string(r) + "ễ", string(r) + " ư"} {
			got, ok := appendKeySimple(nil, s)
			require.True(t, ok, "%q", s)
			require.Equal(t, keyByString(s), string(got), "%q (U+%04X)", s, r)
		}
	}
	require.Greater(t, n, 1000)
	for _, s := range []string{"e\u0301", "\xff", "\ufffd", "\u2028", "a\u0300b"} {
		_, ok := appendKeySimple(nil, s)
		require.False(t, ok, "%q", s)
	}
}

func TestKeyAppendNoAlloc(t *testing.T) {
	buf := make([]byte, 0, 64)
	for _, s := range []string{"Nguyễn Văn Mẫu", norm.NFD.String("Ngày lễ kết nạp (ngày vào Đảng)"), "Nữ", "ngaysinh"} {
		n := testing.AllocsPerRun(100, func() { buf = AppendKey(buf[:0], s) })
		require.Zero(t, n, "allocations for AppendKey(%q)", s)
	}
}

func FuzzInt(f *testing.F) {
	for _, s := range []string{"4046", "4.046", "4,046", "1.234,5", "1 234", "4\u00a0046", "-9223372036854775808", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Int(s)
		if err != nil {
			if !errors.Is(err, ErrNotNumber) && !errors.Is(err, ErrAmbiguousNumber) {
				t.Fatalf("Int(%q): untyped error %v", s, err)
			}
			return
		}
		// A parsed integer prints back and parses to itself.
		back, err := Int(itoa64(n))
		if err != nil || back != n {
			t.Fatalf("Int(%q) = %d, round trip %d, %v", s, n, back, err)
		}
	})
}

func itoa64(n int64) string {
	if n < 0 {
		if n == -9223372036854775808 {
			return "-9223372036854775808"
		}
		return "-" + itoa(int(-n))
	}
	return itoa(int(n))
}

func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"89,51", "1.234,5", "4.046", "4,046", "1.234.567,25", "0,046", "-,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := Decimal(s)
		if err != nil {
			if !errors.Is(err, ErrNotNumber) && !errors.Is(err, ErrAmbiguousNumber) {
				t.Fatalf("Decimal(%q): untyped error %v", s, err)
			}
			return
		}
		if x != x {
			t.Fatalf("Decimal(%q) = NaN", s)
		}
		// Anything Int accepts, Decimal reads the same unless it is a
		// single dot group (ambiguous as a decimal).
		if n, err := Int(s); err == nil && float64(n) != x {
			t.Fatalf("Int(%q) = %d but Decimal = %v", s, n, x)
		}
	})
}

func FuzzDateText(f *testing.F) {
	for _, s := range []string{"05/03/2024", "5-3-24", "2024-03-05", "31/02/2025", "03/15/2024", "05/03/2024 00:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := DateText(s)
		if err != nil {
			if !errors.Is(err, ErrNotDate) && !errors.Is(err, ErrAmbiguousDate) && !errors.Is(err, ErrDateRange) {
				t.Fatalf("DateText(%q): untyped error %v", s, err)
			}
			return
		}
		if d.Before(MinDate) || d.After(MaxDate) || d.Location() != time.UTC || d.Hour() != 0 {
			t.Fatalf("DateText(%q) = %v", s, d)
		}
		back, err := DateText(d.Format("02/01/2006"))
		if err != nil || !back.Equal(d) {
			t.Fatalf("DateText(%q) = %v, round trip %v %v", s, d, back, err)
		}
	})
}

func BenchmarkText(b *testing.B) {
	cells := []string{"Nguyễn Văn Mẫu", "CONG_NHAN_LD", "27-QĐ/ĐU", "Đảng ủy Công ty Ví Dụ", "45000", "THPT"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = Text(cells[i%len(cells)])
	}
}

func BenchmarkTextDirty(b *testing.B) {
	s := norm.NFD.String("  Nguyễn\u00a0Văn  Mẫu\u200B ")
	b.ReportAllocs()
	for b.Loop() {
		_ = Text(s)
	}
}

func BenchmarkKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Key("Ngày lễ kết nạp (ngày vào Đảng)")
	}
}
