// Package executor schedules the iterations of ctiload's scenarios: the VU contract, the six
// executors (one file each, registered by name as in k6), their JSON configuration, execution
// segments, and the runtime a scenario's executor runs on.
//
// # Executors
//
//	shared-iterations     vus share a fixed number of iterations          (shared_iterations.go)
//	per-vu-iterations     each of vus runs a fixed number of iterations   (per_vu_iterations.go)
//	constant-vus          vus loop for a duration                         (constant_vus.go)
//	ramping-vus           a VU count that follows stages                  (ramping_vus.go)
//	constant-arrival-rate iterations start at a fixed rate                (constant_arrival_rate.go)
//	ramping-arrival-rate  a start rate that follows stages                (ramping_arrival_rate.go)
//
// Arrival-rate executors keep an absolute schedule: iteration i is due at a pure function of i
// ([Schedule.Due]) counted from the scenario's start, so timing errors never accumulate. An
// iteration that finds no free VU is dropped and counted in dropped_iterations, never queued,
// and one more VU is initialised in the background, up to maxVUs. Every iteration started records
// how late it started in iteration_start_lateness; one the scheduler reaches later than
// maxStartLateness after its due time is dropped ([Schedule.decide]). The scheduler wakes at due
// times on a Go timer doubled by a precise one (due_timer.go: a Linux timerfd in the runtime's
// poller), since an idle Go process's timers fire on whole milliseconds.
//
// # Stopping
//
// Every scenario has k6's two nested deadlines. When its regular duration ends (duration, the
// sum of stages, or maxDuration for iteration-based executors), or when the engine asks for a
// graceful stop, no iteration starts any more (an arrival-rate scheduler that fell behind still
// starts, late, the iterations due before the end, within gracefulStop: pacing.go); iterations still running get gracefulStop to end,
// then their context is cancelled. An iteration that returns an error after its context was
// cancelled is interrupted: it is counted in interrupted_iterations, not in iterations. A VU
// removed by a ramp-down is treated the same way with gracefulRampDown. Cancelling the context
// given to [Scenario.Run] is a hard stop: running iterations are interrupted at once.
//
// # Segments
//
// An execution segment ("1/4:2/4") is the part of a test one process runs; see [Partition] for
// how VUs, iterations and arrival-rate iterations are split so that the segments of a sequence
// together run exactly the unsegmented test.
package executor
