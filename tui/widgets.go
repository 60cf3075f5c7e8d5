package tui

import (
	"fmt"
	"strings"
	"time"
)

// Pure drawing of the store screen's figures: text in, text out.

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws counts as one character each, scaled to the largest.
func sparkline(counts []int) string {
	peak := 0
	for _, c := range counts {
		peak = max(peak, c)
	}
	var b strings.Builder
	for _, c := range counts {
		i := 0
		if peak > 0 && c > 0 {
			i = 1 + (c*(len(sparkRunes)-2)+peak-1)/peak // 1.. for any claim
			i = min(i, len(sparkRunes)-1)
		}
		b.WriteRune(sparkRunes[i])
	}
	return b.String()
}

// bar draws part of whole in width cells: █ for part, ░ for the rest.
func bar(part, whole, width int) string {
	if whole <= 0 || width <= 0 {
		return strings.Repeat("░", max(width, 0))
	}
	n := min(max((part*width+whole/2)/whole, 0), width)
	if part > 0 && n == 0 {
		n = 1 // some left is never drawn as none
	}
	return strings.Repeat("█", n) + strings.Repeat("░", width-n)
}

var heatRunes = []rune(" ·░▒▓█")

// mondayFirst is the order of the heatmap's rows: the API indexes days
// as time.Weekday (0 Sunday), a shop's week starts on Monday.
var mondayFirst = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday,
	time.Thursday, time.Friday, time.Saturday, time.Sunday}

// heatmap draws uses by weekday × hour, one character an hour, shaded
// by share of the busiest hour.
func heatmap(h [7][24]int) []string {
	peak := 0
	for _, row := range h {
		for _, c := range row {
			peak = max(peak, c)
		}
	}
	lines := []string{"    0     6     12    18   23"}
	for _, d := range mondayFirst {
		var b strings.Builder
		b.WriteString(d.String()[:3] + " ")
		for _, c := range h[d] {
			i := 0
			if peak > 0 && c > 0 {
				i = 1 + (c*(len(heatRunes)-2)+peak-1)/peak
				i = min(i, len(heatRunes)-1)
			}
			b.WriteRune(heatRunes[i])
		}
		lines = append(lines, b.String())
	}
	return lines
}

// meters writes a distance: 400 m, 1.5 km.
func meters(m float64) string {
	if m >= 1000 {
		return fmt.Sprintf("%.1fkm", m/1000)
	}
	return fmt.Sprintf("%.0fm", m)
}

// percent writes part/whole as a whole percent.
func percent(part, whole int) string {
	if whole <= 0 {
		return "–"
	}
	return fmt.Sprintf("%d%%", (part*100+whole/2)/whole)
}
