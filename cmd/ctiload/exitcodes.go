package main

import "github.com/ctiload/ctiload/engine"

// Exit codes follow k6's so that CI scripts written for k6 carry over; they are the engine's.
const (
	exitOK               = engine.ExitOK               // 0: the run passed
	exitThresholdsFailed = engine.ExitThresholdsFailed // 99: a threshold failed
	exitEngineError      = engine.ExitEngineError      // 103: ctiload's own failure
	exitInvalidOptions   = engine.ExitInvalidOptions   // 104: bad flags, options, script path or target
	exitInterrupted      = engine.ExitInterrupted      // 105: stopped by a signal
	exitScriptError      = engine.ExitScriptError      // 107: the script failed to load, init, set up or tear down
	exitScriptAborted    = engine.ExitScriptAborted    // 108: the run was aborted (abort(), options.cti.abortOnOpenFailures)
)
