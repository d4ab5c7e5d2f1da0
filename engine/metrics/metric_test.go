package metrics_test

import (
	"slices"
	"testing"

	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/engine/metrics"
)

// TestRegisterBuiltinsRegistersTheEngineNames: the engine records exactly the metrics that
// metricnames lists as the engine's, which is how reports tells them from custom ones.
func TestRegisterBuiltinsRegistersTheEngineNames(t *testing.T) {
	reg := metrics.NewRegistry()
	if _, err := metrics.RegisterBuiltins(reg); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range reg.All() {
		got = append(got, m.Name)
	}
	want := slices.Sorted(slices.Values(metricnames.Engine))
	if !slices.Equal(got, want) {
		t.Errorf("RegisterBuiltins registered %v; metricnames.Engine lists %v", got, want)
	}
}
