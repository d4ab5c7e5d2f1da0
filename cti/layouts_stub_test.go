package cti

var configLayoutCases []layoutCase
