package chart_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/chart"
)

func sample() chart.Data {
	return chart.Data{
		Title: "Incidents by week", Description: "Reports per week and class, last four weeks.",
		Categories: []string{"W44", "W45", "W46", "<script>W47"},
		Series: []chart.Series{
			{Name: "Phishing", Values: []float64{4, 7, 2, 9}},
			{Name: "Ransomware & co", Values: []float64{1, 0, 3, 2}, Missing: []bool{false, false, true, false}},
		},
		Target: math.NaN(),
	}
}

// svgElements parses an SVG and counts its elements by name; it fails the
// test when the document is not well-formed XML.
func svgElements(t *testing.T, svg string) map[string]int {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	count := map[string]int{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return count
		}
		if err != nil {
			t.Fatalf("not well-formed SVG: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			count[se.Name.Local]++
		}
	}
}

func TestBarsAreAccessibleSVG(t *testing.T) {
	for _, stacked := range []bool{false, true} {
		svg := chart.Bars(sample(), "weekly", stacked)
		els := svgElements(t, svg)
		if !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, `aria-labelledby="weekly-title weekly-desc"`) ||
			!strings.Contains(svg, `<title id="weekly-title">Incidents by week</title>`) {
			t.Errorf("stacked=%v: no accessible name and description", stacked)
		}
		// 7 known values, 1 withheld; legend squares for two series.
		if got := strings.Count(svg, `<rect class="chart-s`); got != 7+2 {
			t.Errorf("stacked=%v: %d coloured rects, want 7 bars and 2 legend keys", stacked, got)
		}
		if !strings.Contains(svg, "W46, Ransomware &amp; co: not shown") {
			t.Errorf("stacked=%v: the withheld value does not say so", stacked)
		}
		if !strings.Contains(svg, "W45, Phishing: 7") {
			t.Errorf("stacked=%v: a bar does not carry its value", stacked)
		}
		if strings.Contains(svg, "<script") || els["script"] > 0 {
			t.Errorf("stacked=%v: a label was not escaped", stacked)
		}
		if strings.Contains(svg, "style=") {
			t.Errorf("stacked=%v: inline style, which the content security policy blocks", stacked)
		}
	}
	// Stacked bars reach the sum: the axis goes to 20 for 9+2=11; grouped to 10.
	if s := chart.Bars(sample(), "a", true); !strings.Contains(s, ">20</text>") {
		t.Error("stacked axis does not reach the largest sum")
	}
	if s := chart.Bars(sample(), "a", false); !strings.Contains(s, ">10</text>") || strings.Contains(s, ">20</text>") {
		t.Error("grouped axis does not fit the largest bar")
	}
}

func TestLinesWithGapsAndTarget(t *testing.T) {
	d := sample()
	d.Target = 5
	d.Unit = " reports"
	svg := chart.Lines(d, "trend")
	svgElements(t, svg)
	if got := strings.Count(svg, "<circle"); got != 7 {
		t.Errorf("%d markers, want one per known value (7)", got)
	}
	// The second series has a gap at W46: its line starts twice.
	paths := strings.Split(svg, `<path class="chart-line`)
	if len(paths) != 3 || strings.Count(strings.SplitN(paths[2], `"/>`, 2)[0], "M") != 2 {
		t.Errorf("the withheld value does not break the line")
	}
	if !strings.Contains(svg, "target: 5 reports") {
		t.Error("no target line")
	}
}

func TestEmptyChart(t *testing.T) {
	svg := chart.Bars(chart.Data{Title: "Nothing yet", Target: math.NaN()}, "e", false)
	svgElements(t, svg)
	if !strings.Contains(svg, "chart-empty") {
		t.Error("an empty chart draws nothing to say so")
	}
}

func TestSuppressSmallCells(t *testing.T) {
	d := chart.Data{
		Categories: []string{"energy", "water", "health"},
		Series: []chart.Series{
			{Name: "phishing", Values: []float64{12, 3, 20}},
			{Name: "ddos", Values: []float64{8, 9, 30}},
			{Name: "ransomware", Values: []float64{6, 15, 7}},
		},
	}
	n := chart.Suppress(&d, 5)
	_, rows := chart.Table(d, "sector", "<5")
	if rows[1][1] != "<5" {
		t.Errorf("water/phishing (3) is shown: %v", rows)
	}
	// Alone, the 3 could be worked out from water's total: one more
	// value of water and one more of phishing must go too.
	if n < 3 {
		t.Errorf("withheld %d values, want the small one and at least two more: %v", n, rows)
	}
	checkLines(t, d, 5)
}

// checkLines asserts the rule Suppress promises for every category and
// series.
func checkLines(t *testing.T, d chart.Data, min float64) {
	t.Helper()
	type cell struct{ s, i int }
	var lines [][]cell
	for i := range d.Categories {
		var l []cell
		for s := range d.Series {
			l = append(l, cell{s, i})
		}
		lines = append(lines, l)
	}
	for s := range d.Series {
		var l []cell
		for i := range d.Categories {
			l = append(l, cell{s, i})
		}
		lines = append(lines, l)
	}
	for _, l := range lines {
		n, sum := 0, 0.0
		for _, c := range l {
			v := d.Series[c.s].Values[c.i]
			if v < min && !d.Series[c.s].Missing[c.i] {
				t.Fatalf("value %v below %v shown", v, min)
			}
			if d.Series[c.s].Missing[c.i] {
				n++
				sum += v
			}
		}
		if n > 0 && n < len(l) && (n < 2 || sum < min) {
			t.Fatalf("a line withholds %d values summing to %v: its total would give them away", n, sum)
		}
	}
}

func TestSuppressProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 2000 {
		d := chart.Data{}
		cats, sers := 1+r.IntN(6), 1+r.IntN(5)
		for i := range cats {
			d.Categories = append(d.Categories, string(rune('a'+i)))
		}
		for range sers {
			s := chart.Series{Name: "s"}
			for range cats {
				s.Values = append(s.Values, float64(r.IntN(12)))
			}
			d.Series = append(d.Series, s)
		}
		chart.Suppress(&d, 5)
		checkLines(t, d, 5)
	}
}

func TestCSV(t *testing.T) {
	d := chart.Data{Categories: []string{"=HYPERLINK(\"x\")", "W2"},
		Series: []chart.Series{{Name: "Δ change", Values: []float64{-3, 2.5}, Missing: []bool{false, true}}}}
	var b bytes.Buffer
	if err := chart.WriteCSV(&b, d, "week", "not shown"); err != nil {
		t.Fatal(err)
	}
	want := "week,Δ change\r\n\"'=HYPERLINK(\"\"x\"\")\",-3\r\nW2,not shown\r\n"
	if b.String() != want {
		t.Errorf("CSV =\n%q\nwant\n%q", b.String(), want)
	}
}
