package dashboard

import (
	"fmt"
	"strings"
)

// chartSVG draws the weeks' spend as bars and leads as a line, each scaled to its own maximum, as the digest's
// chart does, as inline SVG: no script, no font fetched, readable at any width. The numbers are in the table
// under it; the title and labels say what is drawn for screen readers.
func chartSVG(weeks []WeekView, ru bool) string {
	const w, h, pad = 600, 200, 24
	var maxSpend, maxLeads int64
	for _, wk := range weeks {
		maxSpend, maxLeads = max(maxSpend, wk.Spend), max(maxLeads, wk.Leads)
	}
	title := "Spend (bars) and leads (line) by week"
	if ru {
		title = "Расход (столбцы) и лиды (линия) по неделям"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h+24, title)
	fmt.Fprintf(&b, `<title>%s</title>`, title)
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#c9ced6"/>`, h, w, h)
	n := len(weeks)
	if n == 0 {
		b.WriteString(`</svg>`)
		return b.String()
	}
	slot := float64(w) / float64(n)
	var points []string
	for i, wk := range weeks {
		x := slot * float64(i)
		if maxSpend > 0 && wk.Spend > 0 {
			bh := float64(h-pad) * float64(wk.Spend) / float64(maxSpend)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#9cc3e6"/>`, x+slot*0.15, float64(h)-bh, slot*0.7, bh)
		}
		if maxLeads > 0 {
			y := float64(h) - float64(h-pad)*float64(wk.Leads)/float64(maxLeads)
			points = append(points, fmt.Sprintf("%.1f,%.1f", x+slot/2, y))
		}
		if (n-1-i)%3 == 0 || n <= 6 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="16" text-anchor="middle" fill="#5b6470">%s</text>`, x+slot/2, h+20, esc(wk.Label))
		}
	}
	if len(points) > 0 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1f7a3a" stroke-width="2.5"/>`, strings.Join(points, " "))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
