package metrics

import "time"

// clockBase anchors Now: the process's first reading of both clocks.
var clockBase = time.Now()

// Now returns the current time read from the monotonic clock alone: the wall time of clockBase
// plus the monotonic time elapsed since. time.Now reads the wall and the monotonic clocks, two
// vDSO calls that cost 55–65 ns on a VM's kvm-clock; one is about 35 ns, and the engine reads
// the clock at least once per iteration and per sample. The returned time carries a monotonic
// reading, so durations between two of them are exact; its wall part does not follow steps of
// the system clock made during the run, which keeps a run's per-second series on one timeline.
// Inside a testing/synctest bubble it is the bubble's fake time.
func Now() time.Time { return clockBase.Add(time.Since(clockBase)) }
