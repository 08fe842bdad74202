package domain

// Template ids: the id a workbook's schema is declared under (schemas/), the
// value of its template cell, and the name the database records it by.
const (
	// ReturnTemplate is the quarterly return's template (BCQ-1).
	ReturnTemplate = "BCQ-1"
	// RegistryTemplate is the registry of organisations (DONVI).
	RegistryTemplate = "DONVI"
	// RecipientsTemplate is the digest recipients list (NGUOINHAN).
	RecipientsTemplate = "NGUOINHAN"
)
