package digest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// The chart of a digest: the last weeks' spend as bars and leads as a line, each scaled to its own maximum.
// It has no text of its own (the numbers are in the email beside it), so it needs no font and stays a small
// PNG drawn with the standard library.
const (
	chartW, chartH = 480, 160
	chartPad       = 8
)

var (
	chartBg   = color.RGBA{0xff, 0xff, 0xff, 0xff}
	chartAxis = color.RGBA{0xd0, 0xd7, 0xde, 0xff}
	chartBar  = color.RGBA{0x93, 0xc5, 0xfd, 0xff}
	chartLast = color.RGBA{0x25, 0x63, 0xeb, 0xff}
	chartLine = color.RGBA{0xea, 0x58, 0x0c, 0xff}
)

// chartPNG draws spend (bars) and leads (line) per week, oldest first; nil when there is nothing to draw.
func chartPNG(spend, leads []int64) []byte {
	n := len(spend)
	if n == 0 || n != len(leads) {
		return nil
	}
	var maxSpend, maxLeads int64
	for i := range spend {
		maxSpend, maxLeads = max(maxSpend, spend[i]), max(maxLeads, leads[i])
	}
	if maxSpend == 0 && maxLeads == 0 {
		return nil
	}
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	fill(img, image.Rect(0, 0, chartW, chartH), chartBg)
	base := chartH - chartPad
	top := chartPad
	fill(img, image.Rect(chartPad, base, chartW-chartPad, base+1), chartAxis)
	slot := (chartW - 2*chartPad) / n
	barW := slot * 3 / 5
	height := func(v, maxV int64) int {
		if maxV == 0 {
			return 0
		}
		return int(v * int64(base-top) / maxV)
	}
	type pt struct{ x, y int }
	var pts []pt
	for i := 0; i < n; i++ {
		x0 := chartPad + i*slot + (slot-barW)/2
		c := chartBar
		if i == n-1 {
			c = chartLast // this period
		}
		if h := height(spend[i], maxSpend); h > 0 {
			fill(img, image.Rect(x0, base-h, x0+barW, base), c)
		}
		pts = append(pts, pt{chartPad + i*slot + slot/2, base - height(leads[i], maxLeads)})
	}
	if maxLeads > 0 {
		for i := 1; i < len(pts); i++ {
			segment(img, pts[i-1].x, pts[i-1].y, pts[i].x, pts[i].y, chartLine)
		}
		for _, p := range pts {
			fill(img, image.Rect(p.x-3, p.y-3, p.x+4, p.y+4), chartLine)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil
	}
	return buf.Bytes()
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

// segment draws a line two pixels thick (Bresenham).
func segment(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		fill(img, image.Rect(x0, y0-1, x0+1, y0+1), c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}
