package reports_test

import (
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/reports"
)

func TestDescribeScenario(t *testing.T) {
	d := func(x time.Duration) executor.Duration { return executor.Duration(x) }
	si := executor.NewSharedIterationsConfig("a")
	si.VUs, si.Iterations = 10, 100
	cv := executor.NewConstantVUsConfig("b")
	cv.VUs, cv.Duration = 5, d(time.Minute)
	rv := executor.NewRampingVUsConfig("c")
	rv.StartVUs, rv.Stages = 0, []executor.Stage{{Duration: d(30 * time.Second), Target: 100}, {Duration: d(2 * time.Minute), Target: 100}, {Duration: d(20 * time.Second), Target: 0}}
	car := executor.NewConstantArrivalRateConfig("d")
	car.Rate, car.Duration, car.PreAllocatedVUs, car.MaxVUs = 50, d(time.Minute), 20, 100
	car.StartTime = d(10 * time.Second)
	pv := executor.NewPerVUIterationsConfig("e")
	pv.VUs, pv.Iterations, pv.Exec = 4, 5, "agents"
	for _, tc := range []struct {
		sc   executor.Config
		want string
	}{
		{si, "100 iterations shared by 10 VUs (max 10m)"},
		{cv, "5 VUs for 1m"},
		{rv, "0→100→100→0 VUs over 2m50s in 3 stages"},
		{car, "50 iterations/s for 1m (20–100 VUs), starting at 10s"},
		{pv, "5 iterations each for 4 VUs (max 10m)"},
	} {
		got := reports.DescribeScenario(tc.sc.Base().Name, tc.sc)
		if got.Shape != tc.want || got.Executor != tc.sc.Base().Type {
			t.Errorf("DescribeScenario(%s) = %+v; want shape %q", tc.sc.Base().Type, got, tc.want)
		}
	}
	if got := reports.DescribeScenario("e", pv); got.Exec != "agents" {
		t.Errorf("exec = %q; want agents", got.Exec)
	}
}
