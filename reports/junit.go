package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine/metricnames"
)

// JUnit XML, in the shape CI servers read (Jenkins, GitLab, GitHub actions, Azure): testsuites
// → testsuite → testcase, with a failure element for what failed.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Timestamp  string           `xml:"timestamp,attr,omitempty"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Cases      []junitCase      `xml:"testcase"`
}

type junitProperties struct {
	List []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitProblem `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// NewJUnitReporter returns JUnit XML for CI servers: a test suite "thresholds" with one test case
// per threshold and a suite "checks" with one per check, failed ones carrying the observed value
// or the fail count; when the run itself failed (script error, interruption), a test case "run"
// in an error state says so.
func NewJUnitReporter(s *Summary) Reporter {
	return func(w io.Writer) error {
		res := s.Result
		secs := fmtSeconds(time.Duration(res.Duration))
		stamp := ""
		if !res.StartTime.IsZero() {
			stamp = res.StartTime.UTC().Format("2006-01-02T15:04:05")
		}
		props := []junitProperty{{"target", s.Run.TargetText()}, {"exit_code", strconv.Itoa(s.Verdict.ExitCode)}}
		if s.Run.Script != "" {
			props = append([]junitProperty{{"script", s.Run.Script}}, props...)
		}
		if s.Run.Seed != 0 {
			props = append(props, junitProperty{"seed", strconv.FormatInt(s.Run.Seed, 10)})
		}
		if v := s.Verdict; v.Counts() != "" {
			props = append(props, junitProperty{metricnames.FailedIterations, strconv.FormatInt(v.FailedIterations, 10)},
				junitProperty{"sessions_not_opened", strconv.FormatInt(v.SessionsNotOpened, 10)})
		}

		th := junitSuite{Name: "thresholds", Time: secs, Timestamp: stamp, Properties: &junitProperties{props}}
		for _, t := range s.Thresholds {
			tc := junitCase{Name: t.Metric + ": " + t.Source, Classname: "ctiload.thresholds", Time: "0",
				SystemOut: "observed " + t.ObservedText}
			switch {
			case t.NoData:
				tc.SystemOut = "no data: the metric has no sample (a threshold without data passes)"
			case !t.Passed:
				msg := fmt.Sprintf("%s %s: observed %s", t.Metric, t.Source, t.ObservedText)
				if t.Aborted {
					msg += " (aborted the run)"
				}
				tc.Failure = &junitProblem{Message: msg, Type: "threshold", Text: msg}
				th.Failures++
			}
			th.Cases = append(th.Cases, tc)
		}
		th.Tests = len(th.Cases)

		ch := junitSuite{Name: "checks", Time: secs, Timestamp: stamp}
		for _, c := range s.Checks {
			n := c.Passes + c.Fails
			class := "ctiload.checks"
			if c.Group != "" {
				class += c.Group // ctiload.checks::outer::inner: CI pages group the cases by it
			}
			tc := junitCase{Name: c.Name, Classname: class, Time: "0",
				SystemOut: fmt.Sprintf("%d of %d passed", c.Passes, n)}
			if c.Fails > 0 {
				msg := fmt.Sprintf("%d of %d failed (%s passed)", c.Fails, n, FormatPercent(float64(c.Passes)/float64(n)))
				tc.Failure = &junitProblem{Message: msg, Type: "check", Text: msg}
				ch.Failures++
			}
			ch.Cases = append(ch.Cases, tc)
		}
		ch.Tests = len(ch.Cases)

		suites := junitSuites{Name: "ctiload", Time: secs}
		if s.Run.Script != "" {
			suites.Name = "ctiload " + s.Run.Script
		}
		if v := s.Verdict; v.Counts() != "" {
			// A case of its own, so that a CI page shows the counts next to the thresholds; it
			// fails only through a threshold (the verdict rule), its text says what ran badly.
			text := v.Counts()
			if len(v.Warnings) > 0 {
				text += ": " + strings.Join(v.Warnings, "; ")
			}
			th.Cases = append(th.Cases, junitCase{Name: "run: " + v.Counts(), Classname: "ctiload.run", Time: secs, SystemOut: text})
			th.Tests++
		}
		if v := s.Verdict; v.ExitCode != 0 && v.ExitCode != 99 {
			// The run did not complete as planned: CI must not read "all passed" into it.
			th.Cases = append(th.Cases, junitCase{Name: "run", Classname: "ctiload.run", Time: secs,
				Error: &junitProblem{Message: v.Status + ": " + v.Message, Type: v.Status,
					Text: fmt.Sprintf("%s (exit code %d)", v.Message, v.ExitCode)}})
			th.Tests++
			th.Errors++
		}
		suites.Suites = []junitSuite{th, ch}
		for _, su := range suites.Suites {
			suites.Tests += su.Tests
			suites.Failures += su.Failures
			suites.Errors += su.Errors
		}
		if _, err := io.WriteString(w, xml.Header); err != nil {
			return err
		}
		enc := xml.NewEncoder(w)
		enc.Indent("", "  ")
		if err := enc.Encode(suites); err != nil {
			return fmt.Errorf("writing JUnit XML: %w", err)
		}
		_, err := io.WriteString(w, "\n")
		return err
	}
}

func fmtSeconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }
