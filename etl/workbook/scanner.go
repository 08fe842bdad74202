package workbook

// Why a hand-written XML scanner for worksheets and shared strings: the sheet
// of a 100,000-row return is about 66 MB of XML. Inflating it takes 0.23 s,
// while encoding/xml merely tokenising it takes 2.8 s (a string and an
// interface value per token, a []Attr per element), which alone would rule
// out the speed target (docs/reliability.md §0 and issue 14: reading within 2× the inflate). This scanner works on
// byte slices of a reused buffer and allocates nothing per token.
//
// It is strict about well-formedness for everything it sees: elements nested
// and closed with matching names, attributes quoted, only the five predefined
// entities and numeric character references, comments / processing
// instructions / CDATA checked, no DOCTYPE or other declarations (DTD),
// exactly one root element with only white space around it, valid UTF-8
// holding only XML characters, and nothing missing at the end. It accepts the
// same documents as encoding/xml with Strict set, no directives, a single
// root and only white space outside it (FuzzScanner keeps that true), except
// where it is deliberately stricter:
//   - a character reference to a surrogate (&#xD800;) is refused; encoding/xml
//     turns it into U+FFFD;
//   - comments and processing instructions must be valid UTF-8; encoding/xml
//     does not look at their bytes.
// Like encoding/xml it does not reject unbound prefixes or duplicate
// attributes, but it does resolve namespaces: every start tag's element gets
// the namespace its prefix (or the default namespace) is bound to, so that
// callers can tell SpreadsheetML (transitional or Strict, with or without a
// prefix such as "x:row") from the same local name in a foreign or ignorable
// namespace (ECMA-376 Part 3, Markup Compatibility), which Excel does not
// show. Callers refuse duplicates of the attributes they use.

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/returns-project/returns/etl/reason"
)

type tokKind uint8

const (
	tokNone  tokKind = iota // internal: markup that yields no token (comment, PI)
	tokStart                // start tag; an End follows at once when it was self-closing
	tokEnd                  // end tag
	tokText                 // character data (text or CDATA), decoded
	tokEOF                  // clean end of the document
	tokErr                  // damage; see scanner.err
)

// xmlAttr is one attribute of the current start tag. The slices are valid
// until the next call to next.
type xmlAttr struct {
	prefix, local []byte
	value         []byte // decoded
}

// span locates bytes either in the scanner's input buffer or in its scratch
// buffer; the slices are made only once a whole tag has been parsed, because
// appending to scratch may move it.
type span struct {
	start, end int
	scratch    bool
}

type attrSpan struct {
	prefix, local, value span
}

// errMore means the token runs past the buffered input.
var errMore = errors.New("need more input")

type scanner struct {
	r      io.Reader
	part   string
	buf    []byte
	pos    int   // next unread byte in buf
	end    int   // end of buffered input
	off    int64 // stream offset of buf[0]
	eof    bool
	maxTok int

	// the current token
	prefix, local []byte
	attrs         []xmlAttr
	text          []byte
	pendingEnd    bool // the last start tag was self-closing

	aspans  []attrSpan
	scratch []byte

	names    []byte // names of the open elements, concatenated
	nameEnds []int
	rootSeen bool
	endAdj   int // 1 while a tokEnd is current, so that depth counts the element just closed

	// Namespaces in scope (Namespaces in XML 1.0): each binding maps a
	// prefix ("" for the default namespace) to an interned URI, and is
	// dropped when the element that declared it closes.
	nsPrefixes []byte
	nsBinds    []nsBinding
	nsIDs      map[string]int32
	nsURIs     []string
	ns         int32 // namespace of the current start tag's element
	mainIDs    []int32
	defNS      int32 // the default namespace in scope

	nsCachePrefix []byte
	nsCacheID     int32
	nsCacheOK     bool

	err *reason.Error
}

// nsBinding is one namespace declaration in scope.
type nsBinding struct {
	prefixStart, prefixEnd int
	uri                    int32
	depth                  int // depth of the declaring element
}

// Namespace ids with a fixed meaning; interned URIs get ids from nsFirst on.
const (
	nsNone    int32 = 0  // no namespace (an unprefixed name with no default declared, or xmlns="")
	nsUnbound int32 = -1 // a prefix that no declaration binds: not namespace-well-formed
	nsXML     int32 = -2 // the reserved xml prefix
	nsFirst   int32 = 1
)

func newScanner(r io.Reader, part string, maxTok int) *scanner {
	size := 64 << 10
	if size > maxTok {
		size = maxTok
	}
	return &scanner{r: r, part: part, buf: make([]byte, size), maxTok: maxTok, nsIDs: map[string]int32{}}
}

// intern returns the id of a namespace URI.
func (s *scanner) intern(uri []byte) int32 {
	if len(uri) == 0 {
		return nsNone
	}
	if id, ok := s.nsIDs[string(uri)]; ok {
		return id
	}
	s.nsURIs = append(s.nsURIs, string(uri))
	id := nsFirst + int32(len(s.nsURIs)-1)
	s.nsIDs[string(uri)] = id
	if string(uri) == nsMainTransitional || string(uri) == nsMainStrict {
		s.mainIDs = append(s.mainIDs, id)
	}
	return id
}

// The SpreadsheetML main namespace, transitional and Strict.
const (
	nsMainTransitional = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsMainStrict       = "http://purl.oclc.org/ooxml/spreadsheetml/main"
)

// inMain reports whether the current start tag's element is in the
// SpreadsheetML main namespace.
func (s *scanner) inMain() bool {
	for _, id := range s.mainIDs {
		if s.ns == id {
			return true
		}
	}
	return false
}

// nsID returns the id a namespace URI has in this document, and false when
// no declaration in the document so far names it.
func (s *scanner) nsID(uri string) (int32, bool) {
	id, ok := s.nsIDs[uri]
	return id, ok
}

// nsURI returns the URI of a namespace id, for messages.
func (s *scanner) nsURI(id int32) string {
	switch {
	case id == nsNone:
		return ""
	case id == nsXML:
		return "http://www.w3.org/XML/1998/namespace"
	case id < nsFirst || int(id-nsFirst) >= len(s.nsURIs):
		return "(unbound prefix)"
	}
	return s.nsURIs[id-nsFirst]
}

// bindNamespaces records the declarations among the current start tag's
// attributes for an element at depth, then resolves the element's prefix.
func (s *scanner) bindNamespaces(depth int) {
	for i := range s.attrs {
		a := &s.attrs[i]
		var prefix []byte
		switch {
		case a.prefix == nil && string(a.local) == "xmlns":
		case string(a.prefix) == "xmlns":
			prefix = a.local
		default:
			continue
		}
		start := len(s.nsPrefixes)
		s.nsPrefixes = append(s.nsPrefixes, prefix...)
		uri := s.intern(a.value)
		s.nsBinds = append(s.nsBinds, nsBinding{prefixStart: start, prefixEnd: len(s.nsPrefixes), uri: uri, depth: depth})
		if len(prefix) == 0 {
			s.defNS = uri
		}
		s.nsCacheOK = false
	}
	s.ns = s.resolve(s.prefix)
}

// resolve returns the namespace a prefix (nil for none) is bound to. The
// default namespace is kept at hand and the last prefix looked up is
// cached: writers such as excelize declare dozens of namespaces on the root,
// and a walk down them for every cell would cost more than the scan.
func (s *scanner) resolve(prefix []byte) int32 {
	if len(prefix) == 0 {
		return s.defNS
	}
	if s.nsCacheOK && bytes.Equal(prefix, s.nsCachePrefix) {
		return s.nsCacheID
	}
	id := nsUnbound
	if string(prefix) == "xml" {
		id = nsXML
	} else {
		for i := len(s.nsBinds) - 1; i >= 0; i-- {
			b := &s.nsBinds[i]
			if bytes.Equal(s.nsPrefixes[b.prefixStart:b.prefixEnd], prefix) {
				id = b.uri
				break
			}
		}
	}
	s.nsCachePrefix = append(s.nsCachePrefix[:0], prefix...)
	s.nsCacheID, s.nsCacheOK = id, true
	return id
}

// attrNS returns the namespace of a prefixed attribute of the current start
// tag (unprefixed attributes are in no namespace).
func (s *scanner) attrNS(a *xmlAttr) int32 {
	if a.prefix == nil {
		return nsNone
	}
	return s.resolve(a.prefix)
}

// depth is the number of open elements; during a tokStart it counts the
// element just started, during a tokEnd the element just closed.
func (s *scanner) depth() int { return len(s.nameEnds) + s.endAdj }

// offset is the stream offset of the next unread byte, for error details.
func (s *scanner) offset() int64 { return s.off + int64(s.pos) }

func (s *scanner) fail(code reason.Code, format string, args ...any) tokKind {
	if s.err == nil {
		s.err = reason.Errorf(code, s.part, format, args...)
		s.err.Detail += " at byte " + strconv.FormatInt(s.offset(), 10)
	}
	return tokErr
}

// fill moves the unread bytes to the front of the buffer, grows it when a
// token fills it, and reads more. It returns false at the end of the input or
// on a read error (then s.err is set).
func (s *scanner) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		copy(s.buf, s.buf[s.pos:s.end])
		s.end -= s.pos
		s.off += int64(s.pos)
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.maxTok {
			s.fail(reason.TooLarge, "XML token longer than %d bytes", s.maxTok)
			return false
		}
		n := 2 * len(s.buf)
		if n > s.maxTok {
			n = s.maxTok
		}
		nb := make([]byte, n)
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err == io.EOF {
			s.eof = true
			return n > 0
		}
		if err != nil {
			// archive/zip reports bad deflate data, a CRC mismatch or a size
			// other than the declared one here.
			s.err = reason.Wrap(reason.CorruptPart, s.part, err)
			return false
		}
		if n > 0 {
			return true
		}
	}
}

func (s *scanner) popName() {
	n := len(s.nameEnds) - 1
	start := 0
	if n > 0 {
		start = s.nameEnds[n-1]
	}
	s.names = s.names[:start]
	s.nameEnds = s.nameEnds[:n]
	popped := false
	for len(s.nsBinds) > 0 && s.nsBinds[len(s.nsBinds)-1].depth > n {
		b := s.nsBinds[len(s.nsBinds)-1]
		s.nsPrefixes = s.nsPrefixes[:b.prefixStart]
		s.nsBinds = s.nsBinds[:len(s.nsBinds)-1]
		popped = true
	}
	if popped {
		s.nsCacheOK = false
		s.defNS = nsNone
		for i := len(s.nsBinds) - 1; i >= 0; i-- {
			if b := &s.nsBinds[i]; b.prefixStart == b.prefixEnd {
				s.defNS = b.uri
				break
			}
		}
	}
}

func (s *scanner) topName() []byte {
	n := len(s.nameEnds) - 1
	start := 0
	if n > 0 {
		start = s.nameEnds[n-1]
	}
	return s.names[start:s.nameEnds[n]]
}

// next advances to the next token.
func (s *scanner) next() tokKind {
	s.endAdj = 0
	if s.err != nil {
		return tokErr
	}
	if s.pendingEnd {
		s.pendingEnd = false
		s.popName()
		s.endAdj = 1
		return tokEnd
	}
	for {
		if s.pos >= s.end {
			if !s.fill() {
				if s.err != nil {
					return tokErr
				}
				if len(s.nameEnds) > 0 {
					return s.fail(reason.CorruptXML, "unexpected end of XML (truncated part)")
				}
				if !s.rootSeen {
					return s.fail(reason.CorruptXML, "no root element")
				}
				return tokEOF
			}
			continue
		}
		var k tokKind
		var err error
		if s.buf[s.pos] == '<' {
			k, err = s.markup()
		} else {
			k, err = s.chardata()
		}
		if err == errMore {
			if s.eof {
				return s.fail(reason.CorruptXML, "unexpected end of XML (truncated part)")
			}
			// Read more, or learn that the input has ended; either way the
			// token is parsed again.
			if !s.fill() && s.err != nil {
				return tokErr
			}
			continue
		}
		if k == tokNone {
			continue
		}
		if k == tokEnd {
			s.endAdj = 1
		}
		return k
	}
}

// chardata scans text up to the next '<'.
func (s *scanner) chardata() (tokKind, error) {
	if s.off == 0 && s.pos == 0 && bytes.HasPrefix(s.buf[:s.end], []byte("\xEF\xBB\xBF")) {
		// A UTF-8 byte order mark may start the document.
		s.pos = 3
		return tokNone, nil
	}
	if s.off == 0 && s.pos == 0 && s.end < 3 && !s.eof && bytes.HasPrefix([]byte("\xEF\xBB\xBF"), s.buf[:s.end]) {
		return tokNone, errMore
	}
	raw := s.buf[s.pos:s.end]
	j := bytes.IndexByte(raw, '<')
	if j < 0 {
		if !s.eof {
			return tokNone, errMore
		}
		j = len(raw)
	}
	raw = raw[:j]
	s.scratch = s.scratch[:0]
	sp, ok := s.decode(raw, s.pos, 0)
	if !ok {
		return tokErr, nil
	}
	s.pos += j
	s.text = s.slice(sp)
	if len(s.nameEnds) == 0 {
		for _, b := range s.text {
			if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
				s.pos -= j
				return s.fail(reason.CorruptXML, "text outside the root element"), nil
			}
		}
	}
	return tokText, nil
}

func (s *scanner) slice(sp span) []byte {
	if sp.scratch {
		return s.scratch[sp.start:sp.end]
	}
	return s.buf[sp.start:sp.end]
}

// decode checks and decodes raw text (character data when quote is 0, an
// attribute value otherwise). base is raw's offset in buf. When nothing needs
// rewriting the result points into buf; otherwise it is appended to scratch.
func (s *scanner) decode(raw []byte, base int, quote byte) (span, bool) {
	i := 0
	for i < len(raw) {
		b := raw[i]
		if b >= 0x20 && b < 0x80 {
			if b == '&' {
				break
			}
			if b == ']' && quote == 0 && i+2 < len(raw) && raw[i+1] == ']' && raw[i+2] == '>' {
				s.pos = base + i
				s.fail(reason.CorruptXML, "']]>' in text")
				return span{}, false
			}
			if b == '<' {
				s.pos = base + i
				s.fail(reason.CorruptXML, "'<' in an attribute value")
				return span{}, false
			}
			i++
			continue
		}
		if b == '\t' || b == '\n' {
			i++
			continue
		}
		if b == '\r' {
			break
		}
		if b < 0x20 {
			s.pos = base + i
			s.fail(reason.CorruptXML, "control character U+%04X not allowed in XML", b)
			return span{}, false
		}
		r, n := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && n == 1 {
			s.pos = base + i
			s.fail(reason.CorruptXML, "invalid UTF-8")
			return span{}, false
		}
		if r == 0xFFFE || r == 0xFFFF {
			s.pos = base + i
			s.fail(reason.CorruptXML, "character U+%04X not allowed in XML", r)
			return span{}, false
		}
		i += n
	}
	if i == len(raw) {
		return span{start: base, end: base + len(raw)}, true
	}
	// Slow path: entities or carriage returns to rewrite.
	start := len(s.scratch)
	s.scratch = append(s.scratch, raw[:i]...)
	for i < len(raw) {
		b := raw[i]
		switch {
		case b == '&':
			k := bytes.IndexByte(raw[i+1:], ';')
			if k < 0 {
				s.pos = base + i
				s.fail(reason.CorruptXML, "entity reference without ';'")
				return span{}, false
			}
			r, ok := entityValue(raw[i+1 : i+1+k])
			if !ok {
				s.pos = base + i
				s.fail(reason.CorruptXML, "undefined entity or bad character reference")
				return span{}, false
			}
			s.scratch = utf8.AppendRune(s.scratch, r)
			i += k + 2
		case b == '\r':
			s.scratch = append(s.scratch, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		case b == ']' && quote == 0 && i+2 < len(raw) && raw[i+1] == ']' && raw[i+2] == '>':
			s.pos = base + i
			s.fail(reason.CorruptXML, "']]>' in text")
			return span{}, false
		case b == '<':
			s.pos = base + i
			s.fail(reason.CorruptXML, "'<' in an attribute value")
			return span{}, false
		case b >= 0x20 && b < 0x80 || b == '\t' || b == '\n':
			s.scratch = append(s.scratch, b)
			i++
		case b < 0x20:
			s.pos = base + i
			s.fail(reason.CorruptXML, "control character U+%04X not allowed in XML", b)
			return span{}, false
		default:
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n == 1 {
				s.pos = base + i
				s.fail(reason.CorruptXML, "invalid UTF-8")
				return span{}, false
			}
			if r == 0xFFFE || r == 0xFFFF {
				s.pos = base + i
				s.fail(reason.CorruptXML, "character U+%04X not allowed in XML", r)
				return span{}, false
			}
			s.scratch = append(s.scratch, raw[i:i+n]...)
			i += n
		}
	}
	return span{start: start, end: len(s.scratch), scratch: true}, true
}

// entityValue resolves the body of an entity reference (between '&' and ';'):
// the five predefined entities and character references to XML characters.
// Nothing else exists without a DTD, and DTDs are refused.
func entityValue(body []byte) (rune, bool) {
	switch string(body) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if len(body) < 2 || body[0] != '#' {
		return 0, false
	}
	digits, base := body[1:], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range digits {
		var d uint64
		switch {
		case '0' <= c && c <= '9':
			d = uint64(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			d = uint64(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		n = n*uint64(base) + d
		if n > utf8.MaxRune {
			return 0, false
		}
	}
	r := rune(n)
	if !isXMLChar(r) {
		return 0, false
	}
	return r, true
}

// isXMLChar is the Char production of XML 1.0.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-'
}

// nameInfo describes a name found by scanName.
type nameInfo struct {
	end    int // index after the name
	colon  int // index of the first colon, or -1
	colons int
	ascii  bool
}

// scanName reads a name starting at buf[i], noting its colons as it goes so
// that no second pass is needed. It returns errMore when the name may
// continue past the buffered input.
func (s *scanner) scanName(i int) (nameInfo, error) {
	n := nameInfo{colon: -1, ascii: true}
	j := i
	for ; j < s.end; j++ {
		c := s.buf[j]
		if c >= utf8.RuneSelf {
			n.ascii = false
			continue
		}
		if !isNameByte(c) {
			break
		}
		if c == ':' {
			if n.colon < 0 {
				n.colon = j
			}
			n.colons++
		}
	}
	if j == s.end && !s.eof {
		return n, errMore
	}
	n.end = j
	return n, nil
}

// qname checks the name buf[i:n.end] and splits it into prefix and local
// part the way encoding/xml does; qualified names may hold one colon.
func (s *scanner) qname(i int, n nameInfo) (prefix, local []byte, ok bool) {
	name := s.buf[i:n.end]
	if len(name) == 0 {
		return nil, nil, false
	}
	if n.ascii {
		c := name[0]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':') {
			return nil, nil, false
		}
	} else if !validName(name) {
		return nil, nil, false
	}
	switch {
	case n.colons == 0:
		return nil, name, true
	case n.colons > 1:
		return nil, nil, false
	case n.colon == i || n.colon == n.end-1:
		return nil, name, true
	}
	return s.buf[i:n.colon], s.buf[n.colon+1 : n.end], true
}

// validName reports whether name is an XML name as encoding/xml sees it.
func validName(name []byte) bool {
	if len(name) == 0 {
		return false
	}
	ascii := true
	for _, c := range name {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		c := name[0]
		return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':'
	}
	// Names outside ASCII never occur in spreadsheet parts; the Unicode
	// name tables are encoding/xml's, so ask it rather than copy them.
	d := xml.NewDecoder(strings.NewReader("<?" + string(name) + "?>"))
	_, err := d.RawToken()
	return err == nil
}

// need reports errMore when i is past the buffered input and more may come.
func (s *scanner) need(i int) error {
	if i >= s.end {
		if s.eof {
			return nil
		}
		return errMore
	}
	return nil
}

// markup scans a tag, comment, CDATA section, processing instruction or
// declaration starting at buf[pos] == '<'.
func (s *scanner) markup() (tokKind, error) {
	i := s.pos + 1
	if err := s.need(i); err != nil {
		return tokNone, err
	}
	if i >= s.end {
		return s.fail(reason.CorruptXML, "unexpected end of XML (truncated part)"), nil
	}
	switch s.buf[i] {
	case '/':
		return s.endTag(i + 1)
	case '?':
		return s.procInst(i + 1)
	case '!':
		return s.bang(i + 1)
	}
	return s.startTag(i)
}

func (s *scanner) truncated() (tokKind, error) {
	return s.fail(reason.CorruptXML, "unexpected end of XML (truncated part)"), nil
}

func (s *scanner) endTag(i int) (tokKind, error) {
	n, err := s.scanName(i)
	if err != nil {
		return tokNone, err
	}
	j := n.end
	name := s.buf[i:j]
	prefix, local, ok := s.qname(i, n)
	if !ok {
		return s.fail(reason.CorruptXML, "bad element name in end tag"), nil
	}
	for j < s.end && isSpace(s.buf[j]) {
		j++
	}
	if err := s.need(j); err != nil {
		return tokNone, err
	}
	if j >= s.end {
		return s.truncated()
	}
	if s.buf[j] != '>' {
		return s.fail(reason.CorruptXML, "unexpected characters in end tag"), nil
	}
	if len(s.nameEnds) == 0 {
		return s.fail(reason.CorruptXML, "end tag without a start tag"), nil
	}
	if !bytes.Equal(s.topName(), name) {
		return s.fail(reason.CorruptXML, "end tag does not match the open element"), nil
	}
	s.prefix, s.local = prefix, local
	s.popName()
	s.pos = j + 1
	return tokEnd, nil
}

func (s *scanner) startTag(i int) (tokKind, error) {
	n, err := s.scanName(i)
	if err != nil {
		return tokNone, err
	}
	j := n.end
	eprefix, elocal, ok := s.qname(i, n)
	if !ok {
		return s.fail(reason.CorruptXML, "bad element name"), nil
	}
	if len(s.nameEnds) == 0 && s.rootSeen {
		return s.fail(reason.CorruptXML, "content after the root element"), nil
	}
	nameStart, nameEnd := i, j
	s.aspans = s.aspans[:0]
	s.scratch = s.scratch[:0]
	empty := false
	for {
		for j < s.end && isSpace(s.buf[j]) {
			j++
		}
		if err := s.need(j); err != nil {
			return tokNone, err
		}
		if j >= s.end {
			return s.truncated()
		}
		c := s.buf[j]
		if c == '>' {
			j++
			break
		}
		if c == '/' {
			if err := s.need(j + 1); err != nil {
				return tokNone, err
			}
			if j+1 >= s.end {
				return s.truncated()
			}
			if s.buf[j+1] != '>' {
				return s.fail(reason.CorruptXML, "expected '/>'"), nil
			}
			j += 2
			empty = true
			break
		}
		// attribute
		an, err := s.scanName(j)
		if err != nil {
			return tokNone, err
		}
		k := an.end
		ap, al, ok := s.qname(j, an)
		if !ok {
			return s.fail(reason.CorruptXML, "bad attribute name"), nil
		}
		var as attrSpan
		if ap != nil {
			as.prefix = span{start: j, end: j + len(ap)}
		}
		as.local = span{start: k - len(al), end: k}
		for k < s.end && isSpace(s.buf[k]) {
			k++
		}
		if err := s.need(k); err != nil {
			return tokNone, err
		}
		if k >= s.end {
			return s.truncated()
		}
		if s.buf[k] != '=' {
			return s.fail(reason.CorruptXML, "attribute without a value"), nil
		}
		k++
		for k < s.end && isSpace(s.buf[k]) {
			k++
		}
		if err := s.need(k); err != nil {
			return tokNone, err
		}
		if k >= s.end {
			return s.truncated()
		}
		q := s.buf[k]
		if q != '"' && q != '\'' {
			return s.fail(reason.CorruptXML, "unquoted attribute value"), nil
		}
		k++
		e := bytes.IndexByte(s.buf[k:s.end], q)
		if e < 0 {
			if !s.eof {
				return tokNone, errMore
			}
			return s.truncated()
		}
		save := s.pos
		sp, ok := s.decode(s.buf[k:k+e], k, q)
		if !ok {
			return tokErr, nil
		}
		s.pos = save
		as.value = sp
		s.aspans = append(s.aspans, as)
		j = k + e + 1
	}
	// The whole tag is in the buffer: make the slices.
	s.attrs = s.attrs[:0]
	for _, as := range s.aspans {
		a := xmlAttr{local: s.slice(as.local), value: s.slice(as.value)}
		if as.prefix.end > 0 {
			a.prefix = s.slice(as.prefix)
		}
		s.attrs = append(s.attrs, a)
	}
	s.names = append(s.names, s.buf[nameStart:nameEnd]...)
	s.nameEnds = append(s.nameEnds, len(s.names))
	s.prefix, s.local = eprefix, elocal
	s.bindNamespaces(len(s.nameEnds))
	s.rootSeen = true
	s.pendingEnd = empty
	s.pos = j
	return tokStart, nil
}

// attr returns the value of the unprefixed attribute local, and whether it
// appears more than once (callers refuse that: other readers take the last
// one, this one would take the first).
func (s *scanner) attr(local string) (val []byte, found, dup bool) {
	for i := range s.attrs {
		a := &s.attrs[i]
		if a.prefix == nil && string(a.local) == local {
			if found {
				return val, true, true
			}
			val, found = a.value, true
		}
	}
	return val, found, false
}

// procInst checks a processing instruction; the XML declaration must not
// declare anything but version 1.0 and UTF-8.
func (s *scanner) procInst(i int) (tokKind, error) {
	n, err := s.scanName(i)
	if err != nil {
		return tokNone, err
	}
	j := n.end
	target := s.buf[i:j]
	if !validName(target) {
		return s.fail(reason.CorruptXML, "bad processing instruction target"), nil
	}
	for j < s.end && isSpace(s.buf[j]) {
		j++
	}
	if err := s.need(j); err != nil {
		return tokNone, err
	}
	e := bytes.Index(s.buf[j:s.end], []byte("?>"))
	if e < 0 {
		if !s.eof {
			return tokNone, errMore
		}
		return s.truncated()
	}
	data := s.buf[j : j+e]
	if !utf8.Valid(data) {
		return s.fail(reason.CorruptXML, "invalid UTF-8 in a processing instruction"), nil
	}
	if string(target) == "xml" {
		content := string(data)
		if ver := procInstParam("version", content); ver != "" && ver != "1.0" {
			return s.fail(reason.CorruptXML, "unsupported XML version"), nil
		}
		if enc := procInstParam("encoding", content); enc != "" && !strings.EqualFold(enc, "utf-8") {
			return s.fail(reason.CorruptXML, "XML encoding other than UTF-8"), nil
		}
	}
	s.pos = j + e + 2
	return tokNone, nil
}

// procInstParam is encoding/xml's procInst: the value of param in the
// content of an XML declaration.
func procInstParam(param, s string) string {
	param = param + "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

var dtdKeywords = []string{"DOCTYPE", "ENTITY", "ELEMENT", "ATTLIST", "NOTATION"}

// bang handles "<!": comments, CDATA sections and declarations.
func (s *scanner) bang(i int) (tokKind, error) {
	if err := s.need(i); err != nil {
		return tokNone, err
	}
	if i >= s.end {
		return s.truncated()
	}
	switch s.buf[i] {
	case '-':
		if err := s.need(i + 1); err != nil {
			return tokNone, err
		}
		if i+1 >= s.end {
			return s.truncated()
		}
		if s.buf[i+1] != '-' {
			return s.fail(reason.CorruptXML, "malformed comment"), nil
		}
		body := i + 2
		k := bytes.Index(s.buf[body:s.end], []byte("--"))
		if k < 0 {
			if !s.eof {
				return tokNone, errMore
			}
			return s.truncated()
		}
		if err := s.need(body + k + 2); err != nil {
			return tokNone, err
		}
		if body+k+2 >= s.end {
			return s.truncated()
		}
		if s.buf[body+k+2] != '>' {
			return s.fail(reason.CorruptXML, "'--' inside a comment"), nil
		}
		if !utf8.Valid(s.buf[body : body+k]) {
			return s.fail(reason.CorruptXML, "invalid UTF-8 in a comment"), nil
		}
		s.pos = body + k + 3
		return tokNone, nil
	case '[':
		const open = "[CDATA["
		for n := 0; n < len(open); n++ {
			if err := s.need(i + n); err != nil {
				return tokNone, err
			}
			if i+n >= s.end {
				return s.truncated()
			}
			if s.buf[i+n] != open[n] {
				return s.fail(reason.CorruptXML, "malformed CDATA section"), nil
			}
		}
		body := i + len(open)
		k := bytes.Index(s.buf[body:s.end], []byte("]]>"))
		if k < 0 {
			if !s.eof {
				return tokNone, errMore
			}
			return s.truncated()
		}
		s.scratch = s.scratch[:0]
		sp, ok := s.cdata(s.buf[body:body+k], body)
		if !ok {
			return tokErr, nil
		}
		s.text = s.slice(sp)
		s.pos = body + k + 3
		if len(s.nameEnds) == 0 {
			for _, b := range s.text {
				if !isSpace(b) {
					return s.fail(reason.CorruptXML, "text outside the root element"), nil
				}
			}
		}
		return tokText, nil
	}
	// A declaration. Read enough to name it.
	if s.end-i < 8 && !s.eof {
		return tokNone, errMore
	}
	for _, kw := range dtdKeywords {
		if bytes.HasPrefix(s.buf[i:s.end], []byte(kw)) {
			return s.fail(reason.DTD, "<!%s> declaration (DTDs and entities are refused)", kw), nil
		}
	}
	return s.fail(reason.CorruptXML, "unknown '<!' markup"), nil
}

// cdata checks CDATA content: UTF-8, XML characters, carriage returns rewritten.
func (s *scanner) cdata(raw []byte, base int) (span, bool) {
	rewrite := bytes.IndexByte(raw, '\r') >= 0
	start := len(s.scratch)
	for i := 0; i < len(raw); {
		b := raw[i]
		if b < utf8.RuneSelf {
			if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
				s.pos = base + i
				s.fail(reason.CorruptXML, "control character U+%04X not allowed in XML", b)
				return span{}, false
			}
			if rewrite {
				if b == '\r' {
					s.scratch = append(s.scratch, '\n')
					if i+1 < len(raw) && raw[i+1] == '\n' {
						i++
					}
				} else {
					s.scratch = append(s.scratch, b)
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			s.pos = base + i
			s.fail(reason.CorruptXML, "invalid UTF-8 or non-XML character")
			return span{}, false
		}
		if rewrite {
			s.scratch = append(s.scratch, raw[i:i+n]...)
		}
		i += n
	}
	if !rewrite {
		return span{start: base, end: base + len(raw)}, true
	}
	return span{start: start, end: len(s.scratch), scratch: true}, true
}
