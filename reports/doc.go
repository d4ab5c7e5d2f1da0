// Package reports turns a finished run's metrics into what people read: the end-of-test summary,
// the JSON summary export, the NDJSON sample stream, JUnit XML and the self-contained HTML report.
package reports
