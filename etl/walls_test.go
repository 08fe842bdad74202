// Package etl_test holds the test that enforces the walls between the
// pipeline's packages (docs/ARCHITECTURE.md): it reads the import graph with
// `go list` and fails, naming the wall and the path that crosses it, when a
// package imports what it must not.
package etl_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
)

const mod = "github.com/returns-project/returns/"

// pkgInfo is one package of the module: what it imports itself (Imports)
// and everything it depends on, transitively (Deps). Test files are not in
// either: a test may import anything.
type pkgInfo struct {
	Imports, Deps []string
}

// graph lists the module's packages with `go list`.
func graph(t *testing.T) map[string]pkgInfo {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(gobin); err != nil {
		gobin = "go"
	}
	cmd := exec.Command(gobin, "list", "-f", "{{.ImportPath}}|{{join .Imports \",\"}}|{{join .Deps \",\"}}", "./...")
	cmd.Dir = ".."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	g := map[string]pkgInfo{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "|")
		if len(parts) != 3 {
			t.Fatalf("go list: unexpected line %q", sc.Text())
		}
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, ",")
		}
		g[strings.TrimPrefix(parts[0], mod)] = pkgInfo{Imports: split(parts[1]), Deps: split(parts[2])}
	}
	if len(g) < 10 {
		t.Fatalf("go list found %d packages: the graph is not the module's", len(g))
	}
	return g
}

// wall is one rule of the architecture: the packages it applies to must not
// depend on (directly, or at all when transitive) any of the forbidden ones.
type wall struct {
	name       string
	applies    func(pkg string) bool
	forbidden  func(dep string) bool
	transitive bool
}

func inModule(prefixes ...string) func(string) bool {
	return func(p string) bool {
		p = strings.TrimPrefix(p, mod)
		for _, pre := range prefixes {
			if p == pre || strings.HasPrefix(p, pre+"/") {
				return true
			}
		}
		return false
	}
}

func anyOf(fs ...func(string) bool) func(string) bool {
	return func(p string) bool {
		for _, f := range fs {
			if f(p) {
				return true
			}
		}
		return false
	}
}

func not(f func(string) bool) func(string) bool { return func(p string) bool { return !f(p) } }

// The database drivers and SQL libraries, which only the store may use.
var sqlLibs = func(p string) bool {
	return p == "database/sql" || p == "database/sql/driver" ||
		strings.HasPrefix(p, "github.com/lib/pq") || strings.HasPrefix(p, "github.com/jmoiron/sqlx") ||
		strings.HasPrefix(p, "github.com/pressly/goose")
}

// Test-only helpers and libraries: never in a program's import graph.
var testOnly = func(p string) bool {
	return strings.HasPrefix(p, "github.com/stretchr/testify") || strings.HasPrefix(p, "github.com/emersion/go-smtp") ||
		strings.HasPrefix(p, "go.uber.org/goleak") || p == "testing" || strings.HasSuffix(p, "/storetest") || strings.HasSuffix(p, "/sharedtest") ||
		strings.HasPrefix(p, "github.com/chromedp/")
}

// orchestrators drive the leaves: they schedule, load and deliver.
var orchestrators = inModule("etl/daemon", "etl/digestjob", "etl/intake", "etl/journey", "etl/web")

var walls = []wall{
	{
		name:       "the reader and the validator know no database",
		applies:    inModule("etl/workbook", "etl/validate", "etl/schema", "etl/normalize", "etl/annotate", "etl/template", "etl/report", "etl/registry", "etl/recipients"),
		forbidden:  anyOf(sqlLibs, inModule("etl/store")),
		transitive: true,
	},
	{
		name:       "the digest renders values and does not query",
		applies:    inModule("etl/digest"),
		forbidden:  anyOf(sqlLibs, inModule("etl/store")),
		transitive: true,
	},
	{
		name:      "nothing imports the command line",
		applies:   not(inModule("cmd/returns")),
		forbidden: inModule("cmd"),
	},
	{
		name: "leaves do not import orchestrators",
		applies: func(p string) bool {
			return inModule("etl")(p) && !orchestrators(p)
		},
		forbidden:  orchestrators,
		transitive: true,
	},
	{
		name:       "a file's journey does not reach up to the daemon or the digest job",
		applies:    inModule("etl/intake", "etl/journey"),
		forbidden:  inModule("etl/daemon", "etl/digestjob", "etl/web"),
		transitive: true,
	},
	{
		name:    "delivery does not render",
		applies: inModule("etl/mail"),
		forbidden: anyOf(inModule("etl/digest", "etl/annotate", "etl/report", "etl/notify", "etl/template"), func(p string) bool {
			return strings.HasPrefix(p, "github.com/wcharczuk/go-chart") || strings.HasPrefix(p, "github.com/xuri/excelize")
		}),
		transitive: true,
	},
	{
		// database/sql itself is allowed outside the store for its Null
		// types, which the store's rows carry (the console formats them);
		// the drivers, sqlx and the migrator are not.
		name:    "only the store imports the database drivers",
		applies: not(inModule("etl/store")),
		forbidden: func(p string) bool {
			return p != "database/sql" && sqlLibs(p)
		},
	},
	{
		name:      "the store depends on no renderer and no schema compiler",
		applies:   inModule("etl/store"),
		forbidden: inModule("etl/digest", "etl/schema", "etl/annotate", "etl/report", "etl/template", "etl/notify", "etl/validate", "etl/workbook"),
	},
	{
		name:       "the domain's words depend on nothing of ours",
		applies:    inModule("etl/domain"),
		forbidden:  inModule("etl", "cmd", "samples"),
		transitive: true,
	},
	{
		name:       "the digest's facts are values over the domain's words",
		applies:    inModule("etl/facts"),
		forbidden:  anyOf(sqlLibs, func(p string) bool { return inModule("etl", "cmd", "samples")(p) && !inModule("etl/domain")(p) }),
		transitive: true,
	},
	{
		name:       "test helpers stay in tests",
		applies:    not(func(p string) bool { return strings.HasSuffix(p, "/storetest") || strings.HasSuffix(p, "test") }),
		forbidden:  testOnly,
		transitive: true,
	},
}

// debts are crossings known today, each to be removed by issue 13's work;
// listed so that the test fails on any NEW crossing, and fails too when a
// debt is paid but still listed (so that this list only ever shrinks).
var debts = map[string]bool{}

// crossings returns every crossing of the walls in g, as "wall: pkg -> dep".
func crossings(g map[string]pkgInfo, walls []wall) []string {
	var out []string
	for _, w := range walls {
		for pkg, info := range g {
			if !w.applies(pkg) {
				continue
			}
			deps := info.Imports
			if w.transitive {
				deps = info.Deps
			}
			for _, d := range deps {
				if w.forbidden(d) && strings.TrimPrefix(d, mod) != pkg {
					out = append(out, fmt.Sprintf("%s: %s -> %s", w.name, pkg, strings.TrimPrefix(d, mod)))
				}
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func TestWalls(t *testing.T) {
	g := graph(t)
	found := crossings(g, walls)
	for _, c := range found {
		if !debts[c] {
			t.Errorf("wall crossed: %s", c)
		}
	}
	for d := range debts {
		if !slices.Contains(found, d) {
			t.Errorf("debt paid, remove it from the list: %s", d)
		}
	}
}

// TestWallsCatchACrossing proves the walls can fail: a graph in which the
// digest imports the store, the validator a driver, the mail the digest and
// a leaf the daemon is caught on each count.
func TestWallsCatchACrossing(t *testing.T) {
	g := map[string]pkgInfo{
		"etl/digest":   {Imports: []string{mod + "etl/store"}, Deps: []string{mod + "etl/store", "github.com/lib/pq"}},
		"etl/validate": {Imports: []string{"database/sql"}, Deps: []string{"database/sql"}},
		"etl/notify":   {Imports: []string{"github.com/lib/pq"}, Deps: []string{"github.com/lib/pq"}},
		"etl/mail":     {Imports: []string{mod + "etl/digest"}, Deps: []string{mod + "etl/digest"}},
		"etl/report":   {Imports: []string{mod + "etl/daemon"}, Deps: []string{mod + "etl/daemon"}},
		"etl/inbox":    {Imports: []string{mod + "etl/store/storetest"}, Deps: []string{mod + "etl/store/storetest"}},
		"etl/locale":   {Imports: []string{mod + "cmd/returns/cli"}, Deps: []string{mod + "cmd/returns/cli"}},
		"etl/domain":   {Imports: []string{mod + "etl/locale"}, Deps: []string{mod + "etl/locale"}},
	}
	found := strings.Join(crossings(g, walls), "\n")
	for _, want := range []string{
		"the digest renders values and does not query: etl/digest -> etl/store",
		"the digest renders values and does not query: etl/digest -> github.com/lib/pq",
		"the reader and the validator know no database: etl/validate -> database/sql",
		"only the store imports the database drivers: etl/notify -> github.com/lib/pq",
		"delivery does not render: etl/mail -> etl/digest",
		"leaves do not import orchestrators: etl/report -> etl/daemon",
		"test helpers stay in tests: etl/inbox -> etl/store/storetest",
		"nothing imports the command line: etl/locale -> cmd/returns/cli",
		"the domain's words depend on nothing of ours: etl/domain -> etl/locale",
	} {
		if !strings.Contains(found, want) {
			t.Errorf("not caught: %s\nfound:\n%s", want, found)
		}
	}
}
