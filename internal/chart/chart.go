// Package chart draws the charts of Verbund's dashboards as SVG on the
// server: no chart library, no script, nothing loaded from elsewhere.
//
// Every chart is an image with a title and a description for screen
// readers, each bar or point carries its value in a <title> (shown as a
// tooltip), and colours come from classes the stylesheet defines
// (.chart-s0 … .chart-s7) with presentation attributes as fallback, so the
// strict content security policy needs no inline styles. A chart is never
// the only way to the figures: pages show the same Table beside it, and
// offer it as CSV.
package chart

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Palette is the fallback fill of each series, chosen to stay apart for
// the common forms of colour blindness (Okabe and Ito).
var Palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"}

// Series is one named row of values, one per category.
type Series struct {
	Name   string
	Values []float64
	// Missing marks values that are not known or are withheld (suppressed
	// small counts); they are drawn as gaps and read "not shown".
	Missing []bool
}

// Data is a table of figures: categories (weeks, sectors, types) along one
// axis, and series of values over them.
type Data struct {
	Title       string
	Description string   // one sentence on what the chart shows
	Categories  []string // x axis labels
	Series      []Series
	Unit        string // appended to values in tooltips: "%", " reports"
	// Target draws a horizontal target line; NaN for none.
	Target float64
}

func (d *Data) missing(s, i int) bool {
	m := d.Series[s].Missing
	return i < len(m) && m[i] || i >= len(d.Series[s].Values) || math.IsNaN(d.Series[s].Values[i])
}

func (d *Data) value(s, i int) float64 {
	if d.missing(s, i) {
		return 0
	}
	return d.Series[s].Values[i]
}

// geometry of every chart, in SVG user units.
const (
	width   = 640.0
	height  = 300.0
	left    = 56.0
	right   = 16.0
	top     = 16.0
	bottom  = 64.0
	legendH = 20.0
)

// Bars draws the series as bars: grouped side by side, or stacked when
// stacked is true (the series then add up to a whole per category).
func Bars(d Data, id string, stacked bool) string {
	max := 0.0
	for i := range d.Categories {
		sum := 0.0
		for s := range d.Series {
			v := d.value(s, i)
			if stacked {
				sum += v
			} else if v > max {
				max = v
			}
		}
		if sum > max {
			max = sum
		}
	}
	if !math.IsNaN(d.Target) && d.Target > max {
		max = d.Target
	}
	scale, ticks := niceScale(max)
	var b strings.Builder
	open(&b, d, id)
	plotH := height - top - bottom
	axes(&b, scale, ticks, plotH)
	n := len(d.Categories)
	if n > 0 {
		slot := (width - left - right) / float64(n)
		groups := len(d.Series)
		if stacked || groups == 0 {
			groups = 1
		}
		barW := slot * 0.8 / float64(groups)
		for i, cat := range d.Categories {
			x0 := left + float64(i)*slot + slot*0.1
			base := 0.0
			for s := range d.Series {
				x := x0 + float64(s)*barW
				if stacked {
					x = x0
				}
				label := cat + ", " + d.Series[s].Name + ": "
				if d.missing(s, i) {
					fmt.Fprintf(&b, `<g class="chart-missing"><title>%s</title><rect x="%.1f" y="%.1f" width="%.1f" height="2" fill="#999999"/></g>`,
						esc(label+"not shown"), x, top+plotH-2-base/scale*plotH, barW)
					continue
				}
				v := d.value(s, i)
				h := v / scale * plotH
				y := top + plotH - h - base/scale*plotH
				fmt.Fprintf(&b, `<rect class="chart-s%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
					s%len(Palette), x, y, barW, h, Palette[s%len(Palette)], esc(label+Format(v)+d.Unit))
				if stacked {
					base += v
				}
			}
			categoryLabel(&b, cat, x0+slot*0.4, n)
		}
	}
	target(&b, d, scale, plotH)
	legend(&b, d)
	b.WriteString(`</svg>`)
	return b.String()
}

// Lines draws each series as a line over the categories, with a marker
// per known value; missing values break the line.
func Lines(d Data, id string) string {
	max := 0.0
	for s := range d.Series {
		for i := range d.Categories {
			if v := d.value(s, i); v > max {
				max = v
			}
		}
	}
	if !math.IsNaN(d.Target) && d.Target > max {
		max = d.Target
	}
	scale, ticks := niceScale(max)
	var b strings.Builder
	open(&b, d, id)
	plotH := height - top - bottom
	axes(&b, scale, ticks, plotH)
	n := len(d.Categories)
	step := 0.0
	if n > 1 {
		step = (width - left - right) / float64(n-1)
	}
	x := func(i int) float64 {
		if n == 1 {
			return left + (width-left-right)/2
		}
		return left + float64(i)*step
	}
	for s := range d.Series {
		colour := Palette[s%len(Palette)]
		var path strings.Builder
		pen := false
		for i := range d.Categories {
			if d.missing(s, i) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x(i), top+plotH-d.value(s, i)/scale*plotH)
			pen = true
		}
		if path.Len() > 0 {
			fmt.Fprintf(&b, `<path class="chart-line chart-s%d" d="%s" fill="none" stroke="%s" stroke-width="2"/>`,
				s%len(Palette), strings.TrimSpace(path.String()), colour)
		}
		for i, cat := range d.Categories {
			if d.missing(s, i) {
				continue
			}
			v := d.value(s, i)
			fmt.Fprintf(&b, `<circle class="chart-s%d" cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s</title></circle>`,
				s%len(Palette), x(i), top+plotH-v/scale*plotH, colour, esc(cat+", "+d.Series[s].Name+": "+Format(v)+d.Unit))
		}
	}
	for i, cat := range d.Categories {
		categoryLabel(&b, cat, x(i), n)
	}
	target(&b, d, scale, plotH)
	legend(&b, d)
	b.WriteString(`</svg>`)
	return b.String()
}

func open(b *strings.Builder, d Data, id string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-title %s-desc">`,
		width, height+legendH, esc(id), esc(id))
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(id), esc(d.Title), esc(id), esc(d.Description))
	if len(d.Categories) == 0 || len(d.Series) == 0 {
		fmt.Fprintf(b, `<text class="chart-empty" x="%.0f" y="%.0f" text-anchor="middle">–</text>`, width/2, height/2)
	}
}

func axes(b *strings.Builder, scale float64, ticks int, plotH float64) {
	for t := 0; t <= ticks; t++ {
		v := scale * float64(t) / float64(ticks)
		y := top + plotH - float64(t)/float64(ticks)*plotH
		fmt.Fprintf(b, `<line class="chart-grid" x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#dddddd"/>`, left, width-right, y, y)
		fmt.Fprintf(b, `<text class="chart-tick" x="%.0f" y="%.1f" text-anchor="end" font-size="11">%s</text>`, left-6, y+4, esc(Format(v)))
	}
	fmt.Fprintf(b, `<line class="chart-axis" x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#555555"/>`, left, width-right, top+plotH, top+plotH)
}

// categoryLabel writes a label under the axis, slanted when there are many,
// and leaves out every other one past 26 categories.
func categoryLabel(b *strings.Builder, cat string, x float64, n int) {
	y := height - bottom + 14
	if n > 26 {
		return
	}
	if n > 8 {
		fmt.Fprintf(b, `<text class="chart-cat" x="%.1f" y="%.1f" font-size="10" text-anchor="end" transform="rotate(-40 %.1f %.1f)">%s</text>`,
			x, y, x, y, esc(cat))
		return
	}
	fmt.Fprintf(b, `<text class="chart-cat" x="%.1f" y="%.1f" font-size="11" text-anchor="middle">%s</text>`, x, y, esc(cat))
}

func target(b *strings.Builder, d Data, scale, plotH float64) {
	if math.IsNaN(d.Target) || scale == 0 {
		return
	}
	y := top + plotH - d.Target/scale*plotH
	fmt.Fprintf(b, `<g class="chart-target"><title>%s</title><line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#B00020" stroke-width="2" stroke-dasharray="6 4"/></g>`,
		esc("target: "+Format(d.Target)+d.Unit), left, width-right, y, y)
}

func legend(b *strings.Builder, d Data) {
	if len(d.Series) < 2 {
		return
	}
	x := left
	y := height + legendH/2
	for s, ser := range d.Series {
		fmt.Fprintf(b, `<rect class="chart-s%d" x="%.1f" y="%.1f" width="10" height="10" fill="%s"/>`, s%len(Palette), x, y-8, Palette[s%len(Palette)])
		fmt.Fprintf(b, `<text class="chart-legend" x="%.1f" y="%.1f" font-size="11">%s</text>`, x+14, y+1, esc(ser.Name))
		x += 24 + 6.5*float64(len([]rune(ser.Name)))
	}
}

// niceScale returns an axis maximum of 1, 2 or 5 times a power of ten at
// or above max, and the number of grid steps.
func niceScale(max float64) (float64, int) {
	if max <= 0 || math.IsNaN(max) || math.IsInf(max, 0) {
		return 1, 1
	}
	p := math.Pow(10, math.Floor(math.Log10(max)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= max {
			ticks := 5
			if m == 2 {
				ticks = 4
			}
			return m * p, ticks
		}
	}
	return 10 * p, 5
}

// Format writes a figure without needless decimals: 12, 0.5, 97.3.
func Format(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

func esc(s string) string { return xmlEscaper.Replace(s) }
