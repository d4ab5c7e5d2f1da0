package reports_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/reports"
)

type jSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func junitOf(t *testing.T, in reports.Input) jSuites {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.NewJUnitReporter(summaryOf(t, in, reports.SummaryOptions{}))(&buf); err != nil {
		t.Fatal(err)
	}
	var js jSuites
	if err := xml.Unmarshal(buf.Bytes(), &js); err != nil {
		t.Fatalf("JUnit output does not parse: %v\n%s", err, buf.String())
	}
	return js
}

func TestJUnitOneCasePerThresholdAndCheck(t *testing.T) {
	js := junitOf(t, synthInput())
	// 3 thresholds + the run's counts (2 failed iterations, 1 session never opened) + 2 checks.
	if js.Tests != 6 || js.Failures != 3 || js.Errors != 0 || js.Time != "60.000" {
		t.Fatalf("testsuites tests=%d failures=%d errors=%d time=%s; want 6, 3, 0, 60.000", js.Tests, js.Failures, js.Errors, js.Time)
	}
	if len(js.Suites) != 2 || js.Suites[0].Name != "thresholds" || js.Suites[1].Name != "checks" {
		t.Fatalf("suites = %+v; want thresholds and checks", js.Suites)
	}
	cases := map[string]string{}
	for _, s := range js.Suites {
		for _, c := range s.Cases {
			msg := "pass"
			if c.Failure != nil {
				msg = c.Failure.Message
			}
			cases[c.Name] = msg
		}
	}
	want := map[string]string{
		"cti_request_duration{msg:SET_AGENT_STATE_REQ}: p(99)<250": "pass",
		"cti_failures: count==0":                                   "cti_failures count==0: observed 11",
		"checks: rate>0.99":                                        "pass",
		"answered":                                                 "3 of 600 failed (99.50% passed)",
		"ready":                                                    "6 of 600 failed (99.00% passed)",
		"run: 2 failed iterations · 1 session never opened": "pass",
	}
	for name, msg := range want {
		if got, ok := cases[name]; !ok || got != msg {
			t.Errorf("test case %q: %q; want %q (all: %v)", name, got, msg, cases)
		}
	}
}

func TestJUnitRunErrorIsAnErrorCase(t *testing.T) {
	in := synthInput()
	in.Result.ErrorCode, in.Result.Error, in.Result.Interrupted = 105, "run interrupted (graceful stop)", true
	js := junitOf(t, in)
	var found bool
	for _, c := range js.Suites[0].Cases {
		if c.Name == "run" && c.Error != nil && strings.Contains(c.Error.Message, "interrupted") {
			found = true
		}
	}
	if !found || js.Errors != 1 {
		t.Fatalf("no error test case for an interrupted run: %+v", js)
	}
}
