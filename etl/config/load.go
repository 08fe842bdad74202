package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// EnvConfig names the configuration file when no path is given to [Load].
const EnvConfig = "RETURNS_CONFIG"

// Key is one configuration setting.
type Key struct {
	Path string // YAML path: "smtp.port"
	Env  string // environment variable: "RETURNS_SMTP_PORT"
}

// Keys lists every setting in the order of the Config struct.
func Keys() []Key {
	var c Config
	var keys []Key
	for _, l := range leaves(&c) {
		keys = append(keys, Key{Path: l.path, Env: envName(l.path)})
	}
	return keys
}

func envName(path string) string {
	return "RETURNS_" + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
}

// secretPairs are the secrets that may come from a file: setting the file
// in a layer clears the value from an earlier layer and the other way round.
var secretPairs = [][2]string{
	{"database.url", "database.url_file"},
	{"smtp.password", "smtp.password_file"},
}

// maxSecretSize bounds a secret file.
const maxSecretSize = 64 << 10

// Load returns the effective configuration: [Defaults], then the YAML file
// at path (or at $RETURNS_CONFIG when path is empty; no file when both are
// empty), then the environment variables of [Keys], then the secrets read
// from database.url_file and smtp.password_file. The state folders and
// inbox.max_file_mb left empty take their derived defaults. The result is
// validated; the error joins every problem found, each naming the file and
// line or the variable, and the key. lookupEnv reads the environment;
// nil means os.LookupEnv. An empty variable counts as unset.
func Load(path string, lookupEnv func(string) (string, bool)) (*Config, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	env := func(name string) string {
		v, _ := lookupEnv(name)
		return v
	}
	c := Defaults()
	if path == "" {
		path = env(EnvConfig)
	}
	var errs []error
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read config file: %w", err)
		}
		set, err := decodeYAML(data, path, &c)
		if err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, settleSecrets(set, &c, "in "+path)...)
	}
	set, err := applyEnv(env, &c)
	if err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, settleSecrets(set, &c, "in the environment")...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if c.Database.URLFile != "" {
		if c.Database.URL, err = readSecret(c.Database.URLFile, "database.url_file"); err != nil {
			errs = append(errs, err)
		}
	}
	if c.SMTP.PasswordFile != "" {
		if c.SMTP.Password, err = readSecret(c.SMTP.PasswordFile, "smtp.password_file"); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	c.resolve()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// settleSecrets applies the rule of secretPairs to the keys one layer set.
func settleSecrets(set map[string]bool, c *Config, where string) []error {
	var errs []error
	byPath := map[string]reflect.Value{}
	for _, l := range leaves(c) {
		byPath[l.path] = l.v
	}
	// A key given empty ("", as returns.example.yaml writes every key) sets
	// nothing to conflict with: it only clears what a lower layer set.
	given := func(k string) bool { return set[k] && byPath[k].String() != "" }
	for _, p := range secretPairs {
		switch {
		case given(p[0]) && given(p[1]):
			errs = append(errs, fmt.Errorf("%s and %s are both set %s: set one (prefer the file)", p[0], p[1], where))
		case given(p[0]):
			byPath[p[1]].SetString("")
		case given(p[1]):
			byPath[p[0]].SetString("")
		}
	}
	return errs
}

// readSecret reads a secret file that only its owner may access. Errors
// name the file and the key, never the content.
func readSecret(name, key string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s: secret file %s is not a regular file", key, name)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("%s: secret file %s is accessible to group or others (mode %04o); run chmod 600 %s", key, name, perm, name)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretSize+1))
	if err != nil {
		return "", fmt.Errorf("%s: read secret file %s: %w", key, name, err)
	}
	if len(b) > maxSecretSize {
		return "", fmt.Errorf("%s: secret file %s is larger than %d bytes", key, name, maxSecretSize)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s: secret file %s is empty", key, name)
	}
	return s, nil
}

// leaf is one setting of a Config: its YAML path and its field.
type leaf struct {
	path string
	v    reflect.Value
}

var durationType = reflect.TypeFor[time.Duration]()

// leaves lists the settings of c in struct order.
func leaves(c *Config) []leaf {
	var out []leaf
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		t := v.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			fv := v.Field(i)
			if fv.Kind() == reflect.Struct {
				walk(prefix+name+".", fv)
				continue
			}
			out = append(out, leaf{path: prefix + name, v: fv})
		}
	}
	walk("", reflect.ValueOf(c).Elem())
	return out
}

// setLeaf parses text into a setting. The error describes what was wanted
// without quoting text, which may be a secret typed into the wrong key.
func setLeaf(v reflect.Value, text string) error {
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(strings.TrimSpace(text))
		if err != nil {
			return errors.New("want a duration such as 10s, 5m or 1h30m")
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(text)
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return errors.New("want a whole number")
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return errors.New("want true or false")
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

// applyEnv applies the environment variables of Keys to c and returns the
// paths it set.
func applyEnv(env func(string) string, c *Config) (map[string]bool, error) {
	set := map[string]bool{}
	var errs []error
	for _, l := range leaves(c) {
		name := envName(l.path)
		text := env(name)
		if text == "" {
			continue
		}
		if err := setLeaf(l.v, text); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): %w", name, l.path, err))
			continue
		}
		set[l.path] = true
	}
	return set, errors.Join(errs...)
}

// decodeYAML applies a YAML document to c strictly: an unknown or repeated
// key, a section that is not a mapping or a value of the wrong type is an
// error naming the file, the line and the key. A key without a value keeps
// its default. It returns the paths the document set.
func decodeYAML(data []byte, file string, c *Config) (map[string]bool, error) {
	set := map[string]bool{}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		// The parser's messages carry a line and no content.
		return set, fmt.Errorf("%s: %w", file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return set, nil // empty file: all defaults
	}
	byPath := map[string]reflect.Value{}
	sections := map[string]bool{}
	for _, l := range leaves(c) {
		byPath[l.path] = l.v
		if sec, _, ok := strings.Cut(l.path, "."); ok {
			sections[sec] = true
		}
	}
	var errs []error
	fail := func(n *yaml.Node, key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s: %s", file, n.Line, key, fmt.Sprintf(format, args...)))
	}
	var walk func(prefix string, m *yaml.Node)
	walk = func(prefix string, m *yaml.Node) {
		if m.Kind == yaml.ScalarNode && m.Tag == "!!null" {
			return
		}
		if m.Kind != yaml.MappingNode {
			where := strings.TrimSuffix(prefix, ".")
			if where == "" {
				where = "(top level)"
			}
			fail(m, where, "want a mapping of keys to values")
			return
		}
		first := map[string]int{}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			path := prefix + k.Value
			if line, dup := first[k.Value]; dup {
				fail(k, path, "repeated (first at line %d)", line)
				continue
			}
			first[k.Value] = k.Line
			if prefix == "" && sections[k.Value] {
				walk(path+".", v)
				continue
			}
			fv, ok := byPath[path]
			if !ok {
				fail(k, path, "unknown key")
				continue
			}
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue
			}
			if v.Kind != yaml.ScalarNode {
				fail(v, path, "want a single value")
				continue
			}
			if err := setLeaf(fv, v.Value); err != nil {
				fail(v, path, "%v", err)
				continue
			}
			set[path] = true
		}
	}
	walk("", doc.Content[0])
	return set, errors.Join(errs...)
}
