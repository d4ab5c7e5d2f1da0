// Package reports turns a finished run's metrics into what people read: the end-of-test summary,
// the JSON summary export, the sample streams, JUnit XML and the self-contained HTML report.
//
// A Summary is computed once from the engine's Result (NewSummary), then each format is a
// Reporter, a func(io.Writer) error, made by one constructor:
//
//	s, err := reports.NewSummary(reports.Input{Result: res, Run: info, Pairs: tally.Pairs()}, reports.SummaryOptions{})
//	reports.NewTextReporter(s, reports.TextOptions{Color: true})(os.Stdout)
//	reports.WriteFile("summary.json", reports.NewJSONReporter(s))
//	reports.WriteFile("junit.xml", reports.NewJUnitReporter(s))
//	reports.WriteFile("report.html", reports.NewHTMLReporter(s, reports.HTMLOptions{}))
//
// The text summary has two modes (TextOptions.Mode, --summary-mode): compact, the run as a
// whole, and full, which adds a section per scenario and per group (Summary.ByScenario, ByGroup).
//
// The HTML report is one page (report.html.tmpl, report.js) for the file and for the live
// dashboard of ctiload run --dashboard: page.go turns a Summary into the charts' model, which
// report.js draws with uPlot (vendored in the web package, inlined so that the file opens
// offline); LiveUpdate is the dashboard's event, the page's parts rendered again and the newest
// seconds of the series. compare.go puts a run beside a baseline (ctiload report --baseline).
// htmltest drives headless Chromium over the DevTools protocol for the tests of both pages.
//
// While the run goes on, the samples (engine.Config.SampleHook) feed the outputs and a Tally.
// Outputs implement Output (output.go): a SampleWriter (samples.go) streams them to a file in a
// SampleFormat — k6's JSON (k6json.go, --out json=FILE), ctiload's compact NDJSON (ndjson.go,
// --out ndjson=FILE) or k6's CSV (csv.go, --out csv=FILE) —, package promrw pushes them to
// Prometheus (--out prometheus-rw); each says what it delivered in OutputStatus, which the
// summary prints. Package k6test reads k6's JSON back for tests, from k6's documented schema.
// The Tally counts the tag pairs the failure-code table needs (the engine breaks metrics down by
// one tag at a time).
//
// The JSON export (Export) is the engine Result with the run's description, the pair counts and
// the summary's tables: ReadExport reads it back for ctiload report, and MergeInputs combines
// the exports of execution segments with exact percentiles (ctiload merge). Both judge the
// thresholds again on the numbers they hold through engine.Result.JudgeThresholds, which is the
// run's own evaluator (metrics.ThresholdSet.Evaluate): reports never judges a threshold itself,
// it only formats the verdicts.
//
// The sections are built from the built-in metrics by the names of package engine/metricnames,
// the names jsapi and the engine record under; metricnames.IsBuiltin tells them from the custom
// metrics listed under "other metrics".
//
// Latencies are milliseconds everywhere, shown in the unit that fits (FormatDuration: µs, ms, s).
package reports
