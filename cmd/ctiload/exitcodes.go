package main

// Exit codes follow k6's so that CI scripts written for k6 carry over.
const (
	exitOK               = 0
	exitThresholdsFailed = 99
	exitInvalidOptions   = 104
	exitInterrupted      = 105
	exitScriptError      = 107
)
