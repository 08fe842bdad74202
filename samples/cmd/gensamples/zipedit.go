package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"regexp"
)

// entry is one zip entry, decompressed.
type entry struct {
	name string
	data []byte
}

func readZip(b []byte) ([]entry, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	var out []entry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		out = append(out, entry{f.Name, data})
	}
	return out, nil
}

// writeZip packs entries in order, deflated, except those named in stored.
func writeZip(entries []entry, stored ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, e := range entries {
		method := zip.Deflate
		for _, s := range stored {
			if s == e.name {
				method = zip.Store
			}
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		must(err)
		_, err = w.Write(e.data)
		must(err)
	}
	must(zw.Close())
	return buf.Bytes()
}

// edit rewrites the entry name of the zip b with fn.
func edit(b []byte, name string, fn func([]byte) []byte) []byte {
	es, err := readZip(b)
	must(err)
	found := false
	for i := range es {
		if es[i].name == name {
			es[i].data = fn(es[i].data)
			found = true
		}
	}
	if !found {
		panic("no entry " + name)
	}
	return writeZip(es)
}

func get(b []byte, name string) []byte {
	es, err := readZip(b)
	must(err)
	for _, e := range es {
		if e.name == name {
			return e.data
		}
	}
	panic("no entry " + name)
}

var (
	reSheet = regexp.MustCompile(`<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"`)
	reRel   = regexp.MustCompile(`<Relationship Id="(rId\d+)" Target="([^"]+)"`)
)

// sheetPart returns the zip entry of the named sheet.
func sheetPart(b []byte, sheet string) string {
	wb := get(b, "xl/workbook.xml")
	rels := get(b, "xl/_rels/workbook.xml.rels")
	id := ""
	for _, m := range reSheet.FindAllSubmatch(wb, -1) {
		if string(m[1]) == sheet {
			id = string(m[2])
		}
	}
	for _, m := range reRel.FindAllSubmatch(rels, -1) {
		if string(m[1]) == id {
			t := string(m[2])
			if t[0] == '/' {
				return t[1:]
			}
			return "xl/" + t
		}
	}
	panic("no sheet " + sheet)
}

// corruptRaw copies the zip b verbatim except that bytes in the middle of
// the compressed data of entry name are flipped; the central directory,
// sizes and CRC stay as they were.
func corruptRaw(b []byte, name string) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	must(err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.OpenRaw()
		must(err)
		raw, err := io.ReadAll(rc)
		must(err)
		if f.Name == name {
			raw = append([]byte(nil), raw...)
			for i := len(raw) / 2; i < len(raw)/2+24 && i < len(raw); i++ {
				raw[i] ^= 0xA5
			}
		}
		h := f.FileHeader
		w, err := zw.CreateRaw(&h)
		must(err)
		_, err = w.Write(raw)
		must(err)
	}
	must(zw.Close())
	return buf.Bytes()
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
