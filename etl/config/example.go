package config

import _ "embed"

// Example is returns.example.yaml: every key with its default and what it
// does, printed by `returns config example` as a starting file.
//
//go:embed returns.example.yaml
var Example []byte
