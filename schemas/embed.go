// Package schemas holds the workbook schemas as data: the BCQ-1 template
// (bcq-1.yaml), its sheets (bcq-1/*.yaml) and the shared code lists
// (codelists/*.yaml). The files are embedded in the binary; a deployment
// overrides any of them with a folder of the same layout (see
// schema.Overlay), and schema.Load reads, checks and compiles them.
// README.md describes the layout and conventions.
package schemas

import "embed"

// FS is the embedded schema tree: templates at the root, sheet files below
// them, code lists in codelists/.
//
//go:embed *.yaml bcq-1/*.yaml registry/*.yaml recipients/*.yaml codelists/*.yaml
var FS embed.FS
