package cti

var callEventLayoutCases, controlLayoutCases, configLayoutCases []layoutCase
