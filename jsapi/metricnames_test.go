package jsapi_test

import (
	"slices"
	"testing"

	"github.com/ctiload/ctiload/engine/metricnames"
)

// TestRunnerRegistersTheCTINames: a runner registers exactly the metrics metricnames lists as
// the CTI module's and the VU layer's (plus the engine's checks rate, which the VU layer records), so that reports, which reads
// the same list, has a section for every one and takes none of them for a custom metric.
func TestRunnerRegistersTheCTINames(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `export default function () {}`})
	var got []string
	for _, m := range e.reg.All() {
		got = append(got, m.Name)
	}
	want := slices.Sorted(slices.Values(append(slices.Concat(metricnames.CTI, metricnames.VU), metricnames.Checks)))
	if !slices.Equal(got, want) {
		t.Errorf("the runner registered %v; metricnames lists %v", got, want)
	}
}
