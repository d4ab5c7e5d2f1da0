// Package web holds the browser assets compiled into ctiload: uPlot (the charting library of the
// live dashboard and the HTML report), vendored from the npm registry by uplot/fetch.sh, with
// its LICENSE and VERSION beside it. Nothing is fetched at run time: the report inlines these
// files, the dashboard serves them from the binary.
package web

import _ "embed"

var (
	// UPlotJS is uPlot's browser build (an IIFE that defines window.uPlot).
	//go:embed uplot/uPlot.iife.min.js
	UPlotJS string
	// UPlotCSS is uPlot's stylesheet.
	//go:embed uplot/uPlot.min.css
	UPlotCSS string
	// UPlotVersion is the vendored uPlot version.
	//go:embed uplot/VERSION
	UPlotVersion string
	// UPlotLicense is uPlot's MIT license text.
	//go:embed uplot/LICENSE
	UPlotLicense string
)
