package dashboard

import (
	"bytes"
	"embed"
	"html/template"
)

//go:embed page.html
var pageFS embed.FS

// pageTemplate is the dashboard page. html/template escapes every tracker string (titles, reasons, names) for
// its context; the chart is the only markup passed through, and it is drawn here from numbers and dates.
var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"svg": func(s string) template.HTML { return template.HTML(s) }, //nolint:gosec // drawn by chartSVG from numbers only
	"t": func(ru bool, r, en string) string {
		if ru {
			return r
		}
		return en
	},
}).ParseFS(pageFS, "page.html"))

type pageData struct {
	View
	RU bool
}

func renderPage(v View) ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, pageData{View: v, RU: v.Locale == "ru"}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
