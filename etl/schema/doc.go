// Package schema loads the declarative workbook schemas (YAML files in
// schemas/, embedded and overridable by a folder), checks them and compiles
// their rules, written in CEL, so that a broken schema stops start-up with
// one error naming the file and the field.
package schema
