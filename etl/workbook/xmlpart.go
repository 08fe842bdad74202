package workbook

import (
	"encoding/xml"
	"io"
	"net/url"
	"path"
	"strings"

	"github.com/returns-project/returns/etl/reason"
)

// The structural parts (content types, relationships, the workbook) are
// small, so they go through encoding/xml in strict mode; the checks around it
// make "well-formed" mean what the scanner means by it: no directives, one
// root element, nothing but white space outside it, read to the last byte.

// readErr remembers the error of the underlying reader so that a damaged
// entry (bad deflate, CRC) is told apart from malformed XML.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// readSmallXML parses entry i strictly, calling visit for every start
// element with its depth (1 for the root).
func (b *book) readSmallXML(i int, visit func(depth int, se xml.StartElement) error) error {
	f := b.ent.files[i]
	part := f.Name
	if f.UncompressedSize64 > smallPartMax {
		return reason.Errorf(reason.TooLarge, part, "structural part of %d bytes exceeds %d", f.UncompressedSize64, smallPartMax)
	}
	rc, err := f.Open()
	if err != nil {
		return reason.Wrap(reason.CorruptPart, part, err)
	}
	defer rc.Close()
	er := &readErr{r: rc}
	d := xml.NewDecoder(er)
	d.Strict = true
	depth, roots, first := 0, 0, true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if er.err != nil {
				return reason.Wrap(reason.CorruptPart, part, er.err)
			}
			return reason.Wrap(reason.CorruptXML, part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return reason.Errorf(reason.CorruptXML, part, "more than one root element")
				}
			}
			depth++
			if err := visit(depth, t); err != nil {
				return err
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return reason.Errorf(reason.DTD, part, "XML declaration <!...> (DTDs and entities are refused)")
		case xml.CharData:
			if depth == 0 {
				s := string(t)
				if first {
					s = strings.TrimPrefix(s, "\uFEFF")
				}
				if strings.Trim(s, " \t\r\n") != "" {
					return reason.Errorf(reason.CorruptXML, part, "text outside the root element")
				}
			}
		}
		first = false
	}
	if roots == 0 {
		return reason.Errorf(reason.CorruptXML, part, "no root element")
	}
	if _, err := io.Copy(io.Discard, er); err != nil {
		return reason.Wrap(reason.CorruptPart, part, err)
	}
	b.ent.done[i] = true
	return nil
}

func attrValue(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// Namespaces of relationship ids in the workbook, transitional and strict.
const (
	nsRelTransitional = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRelStrict       = "http://purl.oclc.org/ooxml/officeDocument/relationships"
)

type relationship struct {
	id, typ, target string
	external        bool
}

// readRels reads a relationships part.
func (b *book) readRels(i int) ([]relationship, error) {
	var rels []relationship
	part := b.ent.files[i].Name
	err := b.readSmallXML(i, func(depth int, se xml.StartElement) error {
		switch {
		case depth == 1 && se.Name.Local != "Relationships":
			return reason.Errorf(reason.CorruptXML, part, "root element is not Relationships")
		case depth == 2 && se.Name.Local == "Relationship":
			var r relationship
			r.id, _ = attrValue(se, "Id")
			r.typ, _ = attrValue(se, "Type")
			r.target, _ = attrValue(se, "Target")
			mode, _ := attrValue(se, "TargetMode")
			r.external = mode == "External"
			rels = append(rels, r)
		}
		return nil
	})
	return rels, err
}

// relsPartFor names the relationships part of a part.
func relsPartFor(part string) string {
	return path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")
}

// resolveTarget turns a relationship target into a zip entry name; ok is
// false when it points outside the package.
func resolveTarget(source, target string) (string, bool) {
	if t, err := url.PathUnescape(target); err == nil {
		target = t
	}
	if strings.HasPrefix(target, "/") {
		p := path.Clean(target)[1:]
		return p, p != ""
	}
	p := path.Join(path.Dir(source), target)
	if p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

func hasTypeSuffix(typ, name string) bool { return strings.HasSuffix(typ, "/"+name) }
