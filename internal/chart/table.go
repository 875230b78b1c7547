package chart

import (
	"encoding/csv"
	"io"
	"math"
	"strings"
)

// Suppress withholds small counts from a table that is shown to the
// public: every value below min is marked missing (primary suppression),
// and then, so that no withheld value can be worked out from the totals of
// its category or its series, more values are withheld in each such line
// (secondary suppression): until the line withholds none, or at least two
// values whose sum is min or more, or all of them. Suppress returns how
// many values it withheld.
func Suppress(d *Data, min float64) int {
	for s := range d.Series {
		ser := &d.Series[s]
		if len(ser.Missing) < len(d.Categories) {
			ser.Missing = append(ser.Missing, make([]bool, len(d.Categories)-len(ser.Missing))...)
		}
		for i := range d.Categories {
			if i < len(ser.Values) && ser.Values[i] < min {
				ser.Missing[i] = true
			}
		}
	}
	type cell struct{ s, i int }
	lines := [][]cell{}
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
	raw := func(c cell) float64 {
		if c.i < len(d.Series[c.s].Values) && !math.IsNaN(d.Series[c.s].Values[c.i]) {
			return d.Series[c.s].Values[c.i]
		}
		return 0
	}
	for changed := true; changed; {
		changed = false
		for _, l := range lines {
			for {
				n, sum := 0, 0.0
				smallest := -1
				for k, c := range l {
					if d.Series[c.s].Missing[c.i] {
						n++
						sum += raw(c)
					} else if smallest < 0 || raw(c) < raw(l[smallest]) {
						smallest = k
					}
				}
				if n == 0 || smallest < 0 || n >= 2 && sum >= min {
					break
				}
				c := l[smallest]
				d.Series[c.s].Missing[c.i] = true
				changed = true
			}
		}
	}
	n := 0
	for s := range d.Series {
		for i := range d.Categories {
			if d.Series[s].Missing[i] {
				n++
			}
		}
	}
	return n
}

// Table returns the figures as rows for an HTML table: a header of the
// category label and the series names, then one row per category. A
// missing value reads as notShown.
func Table(d Data, categoryLabel, notShown string) (header []string, rows [][]string) {
	header = append(header, categoryLabel)
	for _, s := range d.Series {
		header = append(header, s.Name)
	}
	for i, cat := range d.Categories {
		row := []string{cat}
		for s := range d.Series {
			if d.missing(s, i) {
				row = append(row, notShown)
			} else {
				row = append(row, Format(d.Series[s].Values[i]))
			}
		}
		rows = append(rows, row)
	}
	return header, rows
}

// WriteCSV writes the table as CSV (RFC 4180). Cells that a spreadsheet
// would take for a formula get a leading apostrophe.
func WriteCSV(w io.Writer, d Data, categoryLabel, notShown string) error {
	header, rows := Table(d, categoryLabel, notShown)
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(defuse(header)); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(defuse(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func defuse(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !isNumber(c) {
			c = "'" + c
		}
		out[i] = c
	}
	return out
}

func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	dot := false
	for _, r := range s {
		switch {
		case r == '.' && !dot:
			dot = true
		case r < '0' || r > '9':
			return false
		}
	}
	return true
}
