package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// stopper is what the signal handler stops: engine.Run.
type stopper interface{ Stop() bool }

// watchSignals turns SIGINT and SIGTERM into stops: the first asks the run to stop gracefully
// (iterations get their gracefulStop, then reports are written), the second stops it at once
// (running iterations are interrupted; reports are still written), the third exits on the spot
// with whatever is on disk. say prints a message through the live view. The returned function
// stops watching; interrupted reports whether a signal came.
func watchSignals(run stopper, hardStop context.CancelFunc, say func(string, ...any), forceExit func()) (stop func(), interrupted func() bool) {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	got := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-done:
				return
			case sig := <-ch:
				n++
				switch n {
				case 1:
					close(got)
					say("\n%s: stopping gracefully (running iterations get their gracefulStop); press Ctrl-C again to stop at once", sigName(sig))
					run.Stop()
				case 2:
					say("%s: stopping now; the reports are written with what was measured", sigName(sig))
					hardStop()
				default:
					say("%s: exiting at once, without writing the reports", sigName(sig))
					forceExit()
				}
			}
		}
	}()
	return func() {
			signal.Stop(ch)
			close(done)
		}, func() bool {
			select {
			case <-got:
				return true
			default:
				return false
			}
		}
}

func sigName(s os.Signal) string {
	if s == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}
