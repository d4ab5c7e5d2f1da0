package reports

import (
	"fmt"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
)

// ScenarioInfo describes one scenario for the reports' headers.
type ScenarioInfo struct {
	Name     string `json:"name"`
	Executor string `json:"executor"`
	Shape    string `json:"shape"` // "10 VUs for 1m0s", "0→100 VUs over 2m30s in 3 stages", …
	Exec     string `json:"exec,omitempty"`
}

// DescribeScenarios describes the scenarios of a configuration, by name.
func DescribeScenarios(scenarios map[string]executor.Config) []ScenarioInfo {
	out := make([]ScenarioInfo, 0, len(scenarios))
	for _, name := range sortedKeys(scenarios) {
		out = append(out, DescribeScenario(name, scenarios[name]))
	}
	return out
}

// DescribeScenario says in a few words what a scenario does: its executor and shape.
func DescribeScenario(name string, sc executor.Config) ScenarioInfo {
	info := ScenarioInfo{Name: name}
	if sc == nil {
		return info
	}
	base := sc.Base()
	info.Executor = base.Type
	if base.Exec != "" && base.Exec != executor.DefaultExec {
		info.Exec = base.Exec
	}
	var shape string
	switch c := sc.(type) {
	case *executor.SharedIterationsConfig:
		shape = fmt.Sprintf("%s shared by %s (max %s)", plural(c.Iterations, "iteration"), plural(c.VUs, "VU"), dur(c.MaxDuration))
	case *executor.PerVUIterationsConfig:
		shape = fmt.Sprintf("%s each for %s (max %s)", plural(c.Iterations, "iteration"), plural(c.VUs, "VU"), dur(c.MaxDuration))
	case *executor.ConstantVUsConfig:
		shape = fmt.Sprintf("%s for %s", plural(c.VUs, "VU"), dur(c.Duration))
	case *executor.RampingVUsConfig:
		shape = fmt.Sprintf("%s VUs over %s in %s", ramp(c.StartVUs, c.Stages), dur(stagesTotal(c.Stages)), plural(int64(len(c.Stages)), "stage"))
	case *executor.ConstantArrivalRateConfig:
		shape = fmt.Sprintf("%s for %s (%d–%d VUs)", perUnit(float64(c.Rate), c.TimeUnit), dur(c.Duration), c.PreAllocatedVUs, max(c.MaxVUs, c.PreAllocatedVUs))
	case *executor.RampingArrivalRateConfig:
		shape = fmt.Sprintf("%s iterations/%s over %s in %s (%d–%d VUs)", ramp(c.StartRate, c.Stages), unit(c.TimeUnit),
			dur(stagesTotal(c.Stages)), plural(int64(len(c.Stages)), "stage"), c.PreAllocatedVUs, max(c.MaxVUs, c.PreAllocatedVUs))
	default:
		_, most := sc.VUsFor(executor.FullPartition())
		shape = fmt.Sprintf("up to %s for %s", plural(most, "VU"), dur(executor.Duration(sc.RegularDuration())))
	}
	if base.StartTime > 0 {
		shape += ", starting at " + dur(base.StartTime)
	}
	info.Shape = shape
	return info
}

func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func dur(d executor.Duration) string {
	s := time.Duration(d).String()
	// "1m0s" reads better as "1m", "1h0m0s" as "1h".
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func stagesTotal(stages []executor.Stage) executor.Duration {
	var t executor.Duration
	for _, s := range stages {
		t += s.Duration
	}
	return t
}

// ramp renders the targets of stages from start: "0→10→10→0".
func ramp(start int64, stages []executor.Stage) string {
	parts := []string{fmt.Sprint(start)}
	for _, s := range stages {
		parts = append(parts, fmt.Sprint(s.Target))
	}
	if len(parts) > 6 {
		lo, hi := start, start
		for _, s := range stages {
			lo, hi = min(lo, s.Target), max(hi, s.Target)
		}
		return fmt.Sprintf("%d…%d", lo, hi)
	}
	return strings.Join(parts, "→")
}

func unit(u executor.Duration) string {
	if time.Duration(u) == time.Second || u == 0 {
		return "s"
	}
	return dur(u)
}

func perUnit(rate float64, u executor.Duration) string {
	return FormatCount(rate) + " iterations/" + unit(u)
}
