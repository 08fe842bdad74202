package digest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/locale"
)

// ChartPNG draws the admissions chart: admissions of each quarter, the
// year-to-date total (a line per year: it restarts each year) and the
// annual target, as a PNG of 720×320 pixels. A year to date that lacks a
// quarter (no return in the scope) is marked "*" and said in the title. A
// scope without any return draws the quarter's zeros.
func ChartPNG(d *Digest, lang string) ([]byte, error) {
	n := len(d.ByQuarter)
	if n == 0 {
		return singleQuarterPNG(QuarterAdmissions{Quarter: d.Quarter}, lang)
	}
	if n == 1 {
		return singleQuarterPNG(d.ByQuarter[0], lang)
	}
	xs := make([]float64, n)
	adm, ytd, target := make([]float64, n), make([]float64, n), make([]float64, n)
	ticks := make([]chart.Tick, n)
	top := 1.0
	var notes []string
	for i, q := range d.ByQuarter {
		xs[i] = float64(i)
		adm[i], ytd[i], target[i] = float64(q.Admissions), float64(q.YTD), float64(q.Target)
		ticks[i] = chart.Tick{Value: float64(i), Label: shortQuarter(lang, q.Quarter)}
		if len(q.Missing) > 0 {
			ticks[i].Label += "*"
			if i == 0 || d.ByQuarter[i-1].Quarter.Year != q.Quarter.Year || len(d.ByQuarter[i-1].Missing) == 0 {
				notes = append(notes, fmt.Sprintf(tr(lang, "chart_partial"), q.Quarter.Year, quarterRange(q.Missing)))
			}
		}
		top = max(top, adm[i], ytd[i], target[i])
	}
	blue, green, red := drawing.ColorFromHex("1f6fb2"), drawing.ColorFromHex("2e8b57"), drawing.ColorFromHex("c0392b")
	graph := chart.Chart{
		Width: 720, Height: 320,
		Background: chart.Style{Padding: chart.Box{Top: 50, Left: 10, Right: 20, Bottom: 10}},
		XAxis:      chart.XAxis{Ticks: ticks, Range: &chart.ContinuousRange{Min: -0.2, Max: float64(n-1) + 0.2}},
		YAxis: chart.YAxis{Range: &chart.ContinuousRange{Min: 0, Max: top * 1.1},
			ValueFormatter: func(v any) string {
				if f, ok := v.(float64); ok {
					return locale.Int(lang, int64(f))
				}
				return ""
			}},
		Series: []chart.Series{
			chart.ContinuousSeries{Name: tr(lang, "chart_adm"), XValues: xs, YValues: adm,
				Style: chart.Style{StrokeColor: blue, StrokeWidth: 3, FillColor: blue.WithAlpha(60), DotColor: blue, DotWidth: 4}},
			chart.ContinuousSeries{Name: tr(lang, "chart_target"), XValues: xs, YValues: target,
				Style: chart.Style{StrokeColor: red, StrokeWidth: 2, StrokeDashArray: []float64{6, 4}}},
		},
	}
	// The year to date: one line per year, so that it restarts each year.
	legend := graph
	legend.Series = slices.Clone(graph.Series)
	for i := 0; i < n; {
		j := i
		for j < n && d.ByQuarter[j].Quarter.Year == d.ByQuarter[i].Quarter.Year {
			j++
		}
		s := chart.ContinuousSeries{Name: tr(lang, "chart_ytd"), XValues: xs[i:j], YValues: ytd[i:j],
			Style: chart.Style{StrokeColor: green, StrokeWidth: 2, DotColor: green, DotWidth: 3}}
		if j-i == 1 {
			// One point draws no line: a dot only.
			s.Style.StrokeWidth, s.Style.DotWidth = 0.01, 5
		}
		graph.Series = append(graph.Series, s)
		if i == 0 {
			legend.Series = append(legend.Series, s)
		}
		i = j
	}
	if len(notes) > 0 {
		graph.Title = strings.Join(notes, "; ")
		graph.TitleStyle = chart.Style{FontSize: 9, FontColor: drawing.ColorFromHex("57606a"), Padding: chart.Box{Top: 6}}
		graph.Background.Padding.Top = 70
	}
	graph.Elements = []chart.Renderable{chart.LegendThin(&legend)}
	var buf bytes.Buffer
	if err := graph.Render(chart.PNG, &buf); err != nil {
		return nil, fmt.Errorf("digest: chart: %w", err)
	}
	return buf.Bytes(), nil
}

// shortQuarter is "III/25" (vi) or "Q3 25" (en), for axis ticks.
func shortQuarter(lang string, q domain.Quarter) string {
	if lang == "en" {
		return fmt.Sprintf("Q%d %02d", q.Q, q.Year%100)
	}
	return fmt.Sprintf("%s/%02d", [...]string{"", "I", "II", "III", "IV"}[q.Q], q.Year%100)
}

// singleQuarterPNG draws one quarter's admissions, year to date and target
// as three bars (a line needs two quarters).
func singleQuarterPNG(q QuarterAdmissions, lang string) ([]byte, error) {
	bar := func(label string, v int, color string) chart.Value {
		c := drawing.ColorFromHex(color)
		return chart.Value{Label: label + ": " + locale.Int(lang, int64(v)), Value: float64(v), Style: chart.Style{FillColor: c, StrokeColor: c}}
	}
	graph := chart.BarChart{
		Title: locale.Quarter(lang, q.Quarter.Year, q.Quarter.Q), Width: 720, Height: 320, BarWidth: 120,
		Background: chart.Style{Padding: chart.Box{Top: 40, Left: 10, Right: 10, Bottom: 10}},
		Bars: []chart.Value{bar(tr(lang, "chart_adm"), q.Admissions, "1f6fb2"), bar(tr(lang, "chart_ytd"), q.YTD, "2e8b57"),
			bar(tr(lang, "chart_target"), q.Target, "c0392b")},
	}
	if q.Admissions == 0 && q.YTD == 0 && q.Target == 0 {
		graph.Bars[2].Value = 1 // go-chart needs a range; the labels say 0
	}
	var buf bytes.Buffer
	if err := graph.Render(chart.PNG, &buf); err != nil {
		return nil, fmt.Errorf("digest: chart: %w", err)
	}
	return buf.Bytes(), nil
}
