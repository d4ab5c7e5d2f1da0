package cti

var controlLayoutCases, configLayoutCases []layoutCase
