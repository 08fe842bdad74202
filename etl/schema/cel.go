package schema

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/checker"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/returns-project/returns/etl/normalize"
)

// Evaluation limits. A rule is a handful of comparisons. The cost limit is
// enforced when the expression is loaded, on CEL's static worst-case
// estimate (strings up to Excel's 32,767 characters per cell): tracking cost
// at run time costs a third of the evaluation time on every row, and the
// static bound already excludes a runaway expression. The interrupt check
// lets EvalContext abandon one.
const (
	costLimit               = 100_000
	interruptCheckFrequency = 100
	maxWorkingDays          = 100_000
)

// newEnv is the CEL environment every expression is compiled in:
//
//	row, info   map(string, dyn)  the record, and the key-value record
//	agg         map(string, int)  the template's aggregates
//	period      map(string, dyn)  year, quarter (int); start, end (timestamp)
//	now         timestamp
//
// and these pure functions besides CEL's standard ones (string matches,
// timestamp getFullYear(), getMonth() (0-based), in UTC):
//
//	age_months(birth, at timestamp) int     completed months from birth to at
//	add_months(t timestamp, n int) timestamp  n calendar months later, clamped
//	                                          to the month's last day (31/01 + 1 → 28/02)
//	add_working_days(t timestamp, n int) timestamp  n working days later
//	                                          (Monday–Friday; no holiday table)
//	days_between(a, b timestamp) int         days from a to b (b − a)
//	fold(s string) string                   normalize.Key: case, spaces,
//	                                          punctuation and diacritics ignored
func newEnv() (*cel.Env, error) {
	dynMap := cel.MapType(cel.StringType, cel.DynType)
	ts := cel.TimestampType
	return cel.NewEnv(
		cel.Variable("row", dynMap),
		cel.Variable("info", dynMap),
		cel.Variable("agg", cel.MapType(cel.StringType, cel.IntType)),
		cel.Variable("period", dynMap),
		cel.Variable("now", ts),
		cel.Function("age_months",
			cel.Overload("age_months_timestamp_timestamp", []*cel.Type{ts, ts}, cel.IntType,
				cel.BinaryBinding(func(a, b ref.Val) ref.Val {
					return types.Int(AgeMonths(tsOf(a), tsOf(b)))
				}))),
		cel.Function("add_months",
			cel.Overload("add_months_timestamp_int", []*cel.Type{ts, cel.IntType}, ts,
				cel.BinaryBinding(func(a, b ref.Val) ref.Val {
					n := int64(b.(types.Int))
					if n > 12*10000 || n < -12*10000 {
						return types.NewErr("add_months: %d months is out of range", n)
					}
					return types.Timestamp{Time: AddMonths(tsOf(a), int(n))}
				}))),
		cel.Function("add_working_days",
			cel.Overload("add_working_days_timestamp_int", []*cel.Type{ts, cel.IntType}, ts,
				cel.BinaryBinding(func(a, b ref.Val) ref.Val {
					n := int64(b.(types.Int))
					if n > maxWorkingDays || n < -maxWorkingDays {
						return types.NewErr("add_working_days: %d days is out of range", n)
					}
					return types.Timestamp{Time: AddWorkingDays(tsOf(a), int(n))}
				}))),
		cel.Function("days_between",
			cel.Overload("days_between_timestamp_timestamp", []*cel.Type{ts, ts}, cel.IntType,
				cel.BinaryBinding(func(a, b ref.Val) ref.Val {
					return types.Int(DaysBetween(tsOf(a), tsOf(b)))
				}))),
		cel.Function("fold",
			cel.Overload("fold_string", []*cel.Type{cel.StringType}, cel.StringType,
				cel.UnaryBinding(func(a ref.Val) ref.Val {
					return types.String(normalize.Key(string(a.(types.String))))
				}))),
	)
}

func tsOf(v ref.Val) time.Time { return v.(types.Timestamp).Time }

// sizeEstimator bounds the size of every value for static cost estimates:
// a cell holds at most 32,767 characters, and no record has more fields.
type sizeEstimator struct{}

func (sizeEstimator) EstimateSize(checker.AstNode) *checker.SizeEstimate {
	return &checker.SizeEstimate{Min: 0, Max: 32767}
}

func (sizeEstimator) EstimateCallCost(function, overloadID string, target *checker.AstNode, args []checker.AstNode) *checker.CallEstimate {
	return nil
}

// AgeMonths is the number of whole months from birth to at (negative when at
// is earlier). A month is completed on the same day of the month, or on the
// last day of a shorter month (born 31/01, a month old on 28/02).
func AgeMonths(birth, at time.Time) int {
	by, bm, bd := birth.UTC().Date()
	ay, am, ad := at.UTC().Date()
	n := (ay-by)*12 + int(am-bm)
	if ad < bd && ad != daysIn(ay, am) {
		n--
	}
	return n
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// AddMonths returns t moved by n calendar months, the day clamped to the
// target month's length; the time of day is dropped.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.UTC().Date()
	total := int(m) - 1 + n
	ty, tm := y+floorDiv(total, 12), time.Month(total-12*floorDiv(total, 12)+1)
	return time.Date(ty, tm, min(d, daysIn(ty, tm)), 0, 0, 0, 0, time.UTC)
}

// AddWorkingDays returns t moved by n working days (Monday to Friday; public
// holidays are not known). n = 0 gives t itself.
func AddWorkingDays(t time.Time, n int) time.Time {
	y, m, d := t.UTC().Date()
	t = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	next := func() {
		t = t.AddDate(0, 0, step)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	// From a weekend, step onto a working day first; from a working day,
	// whole weeks land on working days; then the remainder day by day.
	for n > 0 && (t.Weekday() == time.Saturday || t.Weekday() == time.Sunday) {
		next()
	}
	t = t.AddDate(0, 0, step*7*(n/5))
	n %= 5
	for n > 0 {
		t = t.AddDate(0, 0, step)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// DaysBetween is the number of calendar days from a to b (b − a), by date.
func DaysBetween(a, b time.Time) int {
	return int(dayNumber(b) - dayNumber(a))
}

func dayNumber(t time.Time) int64 {
	y, m, d := t.UTC().Date()
	return floorDiv64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), 86400)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorDiv64(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// compiler compiles the expressions of one schema set.
type compiler struct {
	env *cel.Env
}

func newCompiler() (*compiler, error) {
	env, err := newEnv()
	if err != nil {
		return nil, fmt.Errorf("build CEL environment: %w", err)
	}
	return &compiler{env: env}, nil
}

// scope says which names an expression may read, to catch typos in field
// names at load rather than as "no such key" on every row.
type scope struct {
	row  map[string]bool // fields row may name; nil means row is not available
	info map[string]bool // fields info may name; nil means any
	agg  map[string]bool // aggregates agg may name; nil means agg is not available
}

// names returns the names the scope lets variable v (row, info or agg)
// read; nil for any other variable.
func (sc scope) names(v string) map[string]bool {
	switch v {
	case "row":
		return sc.row
	case "info":
		return sc.info
	case "agg":
		return sc.agg
	}
	return nil
}

var periodFields = map[string]bool{"year": true, "quarter": true, "start": true, "end": true}

// compile parses and type-checks src, which must give a bool, and checks
// the fields it reads. It reports whether the expression reads period.
func (c *compiler) compile(src string, sc scope) (cel.Program, bool, error) {
	checked, iss := c.env.Compile(src)
	if iss != nil && iss.Err() != nil {
		return nil, false, errors.New(iss.Err().Error())
	}
	if !checked.OutputType().IsExactType(cel.BoolType) {
		return nil, false, fmt.Errorf("gives %s, want bool", checked.OutputType())
	}
	usesPeriod := false
	var problems []error
	ast.PreOrderVisit(checked.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		switch e.Kind() {
		case ast.IdentKind:
			switch e.AsIdent() {
			case "period":
				usesPeriod = true
			case "row":
				if sc.row == nil {
					problems = append(problems, errors.New("row is not available here (workbook rules read info and agg)"))
				}
			case "agg":
				if sc.agg == nil {
					problems = append(problems, errors.New("agg is only available to workbook rules"))
				}
			}
		case ast.SelectKind:
			sel := e.AsSelect()
			if sel.Operand().Kind() != ast.IdentKind {
				return
			}
			name, field := sel.Operand().AsIdent(), sel.FieldName()
			known := sc.names(name)
			if name == "period" {
				known = periodFields
			}
			if known != nil && !known[field] {
				problems = append(problems, fmt.Errorf("unknown field %s.%s", name, field))
			}
		}
	}))
	if len(problems) > 0 {
		return nil, false, errors.Join(problems...)
	}
	est, err := c.env.EstimateCost(checked, sizeEstimator{})
	if err != nil {
		return nil, false, fmt.Errorf("estimate cost: %w", err)
	}
	if est.Max > costLimit {
		return nil, false, fmt.Errorf("too costly: worst case %d, limit %d (avoid comprehensions over long lists)", est.Max, costLimit)
	}
	prg, err := c.env.Program(checked, cel.InterruptCheckFrequency(interruptCheckFrequency))
	if err != nil {
		return nil, false, err
	}
	return prg, usesPeriod, nil
}

// activation resolves the five names of the environment straight from
// Vars, without building a map per evaluation. It is Vars itself, so that
// (*activation)(vars) costs nothing: an activation made per evaluation was
// an allocation per rule and row.
type activation Vars

var _ interpreter.Activation = (*activation)(nil)

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "row":
		return orEmpty(a.Row), true
	case "info":
		return orEmpty(a.Info), true
	case "agg":
		if a.Agg == nil {
			return emptyAgg, true
		}
		return a.Agg, true
	case "period":
		return periodMap(a.Period), true
	case "now":
		if a.Now.IsZero() {
			return time.Now().UTC(), true
		}
		return a.Now, true
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *activation) Parent() interpreter.Activation { return nil }

// bind is the activation of vars; nil vars are empty.
func bind(vars *Vars) *activation {
	if vars == nil {
		return &activation{}
	}
	return (*activation)(vars)
}

// The maps are handed to CEL as they are: its attribute resolution indexes a
// native map[string]any directly, converting only the values it reads, which
// is cheaper than wrapping the map in a ref.Val per evaluation. They are
// never written to.
var (
	emptyRow = map[string]any{}
	emptyAgg = map[string]int64{}
)

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return emptyRow
	}
	return m
}

// periods caches the period maps: there are a handful per run, and rules on
// every row read them.
var periods struct {
	sync.RWMutex
	m map[Period]map[string]any
}

func periodMap(p Period) map[string]any {
	periods.RLock()
	v, ok := periods.m[p]
	periods.RUnlock()
	if ok {
		return v
	}
	v = map[string]any{"year": int64(p.Year), "quarter": int64(p.Quarter), "start": p.Start, "end": p.End}
	periods.Lock()
	if periods.m == nil || len(periods.m) > 1000 {
		periods.m = map[Period]map[string]any{}
	}
	periods.m[p] = v
	periods.Unlock()
	return v
}

// evalBool runs prg (under ctx when withCtx) and insists on a bool.
func evalBool(prg cel.Program, act interpreter.Activation, withCtx bool, ctx context.Context) (bool, error) { //nolint:revive // ctx is optional here
	var (
		out ref.Val
		err error
	)
	if withCtx {
		out, _, err = prg.ContextEval(ctx, act)
	} else {
		out, _, err = prg.Eval(act)
	}
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("gave %v, want a bool", out.Type())
	}
	return bool(b), nil
}

// Eval evaluates the rule over vars: ok is true when the rule holds or does
// not apply (When is false, or the rule reads period and the period is
// unknown). err is an evaluation failure (a value of the wrong type, the
// cost limit), never a rule violation.
//
// Eval is safe for concurrent use and allocates little: the names resolve
// straight from vars, rows are wrapped, not copied. vars is only read; the
// validator builds one per record and evaluates every rule over it.
func (r *Rule) Eval(vars *Vars) (ok bool, err error) {
	return r.eval(false, context.Background(), vars)
}

// EvalContext is Eval that gives up when ctx is cancelled.
func (r *Rule) EvalContext(ctx context.Context, vars *Vars) (ok bool, err error) {
	return r.eval(true, ctx, vars)
}

func (r *Rule) eval(withCtx bool, ctx context.Context, vars *Vars) (bool, error) { //nolint:revive // ctx is optional here
	if r.CheckProgram == nil {
		return false, fmt.Errorf("rule %s: not compiled (use schema.Load)", r.ID)
	}
	act := bind(vars)
	if r.UsesPeriod && act.Period.Year == 0 {
		return true, nil
	}
	if r.WhenProgram != nil {
		applies, err := evalBool(r.WhenProgram, act, withCtx, ctx)
		if err != nil {
			return false, fmt.Errorf("rule %s: when: %w", r.ID, err)
		}
		if !applies {
			return true, nil
		}
	}
	ok, err := evalBool(r.CheckProgram, act, withCtx, ctx)
	if err != nil {
		return false, fmt.Errorf("rule %s: check: %w", r.ID, err)
	}
	return ok, nil
}

// RequiredIn reports whether the field is required for the record in vars:
// Required, or RequiredWhen holds.
func (f *Field) RequiredIn(vars *Vars) (bool, error) {
	if f.Required {
		return true, nil
	}
	if f.RequiredWhenProgram == nil {
		return false, nil
	}
	ok, err := evalBool(f.RequiredWhenProgram, bind(vars), false, context.Background())
	if err != nil {
		return false, fmt.Errorf("field %s: required_when: %w", f.Name, err)
	}
	return ok, nil
}

// Matches reports whether the record in vars counts towards the aggregate.
func (a *Aggregate) Matches(vars *Vars) (bool, error) {
	if a.WhereProgram == nil {
		return true, nil
	}
	ok, err := evalBool(a.WhereProgram, bind(vars), false, context.Background())
	if err != nil {
		return false, fmt.Errorf("aggregate %s: where: %w", a.Name, err)
	}
	return ok, nil
}
