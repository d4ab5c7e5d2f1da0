package executor

// SetSchedulerStall makes the arrival-rate scheduler of sc run stall before it looks at the
// clock for iteration i: in a testing/synctest bubble, a stall that sleeps is the scheduler
// goroutine losing its CPU for that long (a collection, a saturated machine).
func SetSchedulerStall(sc *Scenario, stall func(i int64)) {
	switch e := sc.exec.(type) {
	case *ConstantArrivalRate:
		e.r.stall = stall
	case *RampingArrivalRate:
		e.r.stall = stall
	default:
		panic("SetSchedulerStall: not an arrival-rate scenario")
	}
}
