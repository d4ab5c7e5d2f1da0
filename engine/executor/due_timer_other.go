//go:build !linux

package executor

import "time"

// preciseTimer exists on Linux only (a timerfd); elsewhere the Go timer alone wakes the
// scheduler. A nil *preciseTimer never fires.
type preciseTimer struct{}

func newPreciseTimer() *preciseTimer        { return nil }
func (p *preciseTimer) reset(time.Duration) {}
func (p *preciseTimer) c() <-chan struct{}  { return nil }
func (p *preciseTimer) close()              {}
