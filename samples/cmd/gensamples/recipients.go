package main

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/returns-project/returns/etl/recipients"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/samples/generate"
	"github.com/returns-project/returns/schemas"
)

// RecipientsOf is the sample digest recipients of the province: the
// secretary of the province committee and of every committee above
// grassroots (each seeing their subtree), the grassroots merger's successor
// (a leaf scope), one reader in English and one inactive row.
func RecipientsOf(p *generate.Province) *recipients.List {
	l := &recipients.List{}
	for _, o := range p.Orgs {
		if o.Level > 1 {
			continue
		}
		l.Recipients = append(l.Recipients, recipients.Recipient{Email: strings.Replace(o.Email, "vanphong@", "bithu@", 1),
			Name: o.Secretary, ScopeOrgCode: o.Code, Language: "vi", Active: true})
	}
	root := p.Orgs[0]
	l.Recipients = append(l.Recipients,
		recipients.Recipient{Email: "advisor@" + strings.SplitN(root.Email, "@", 2)[1], Name: "Province advisor", ScopeOrgCode: root.Code, Language: "en", Active: true},
		recipients.Recipient{Email: "bithu@" + strings.ToLower(generate.Successor) + ".example", Name: "Bí thư Đảng ủy xã Sơn Hòa", ScopeOrgCode: generate.Successor, Language: "vi", Active: true},
		recipients.Recipient{Email: "nghi.huu@" + strings.SplitN(root.Email, "@", 2)[1], Name: "Cán bộ đã nghỉ hưu", ScopeOrgCode: root.Code, Language: "vi", Active: false},
	)
	return l
}

// writeRecipients writes <out>/recipients.xlsx, the NGUOINHAN workbook for
// `returns recipients import`.
func writeRecipients(p *generate.Province, out string) error {
	set, err := schema.Load(schemas.FS)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := recipients.Write(&buf, set, RecipientsOf(p)); err != nil {
		return err
	}
	return writeFile(filepath.Join(out, "recipients.xlsx"), buf.Bytes())
}
