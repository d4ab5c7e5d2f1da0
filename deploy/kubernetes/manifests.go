// Package kubernetes holds ctiload's Kubernetes manifests: the kustomize base under base/ (an
// Indexed Job whose pod i runs segment i of N, a collector Job that merges their summaries, the
// results volume, the example scenario) and an example overlay under example/. ctiload cluster
// render reads the same base from this package and fills it in for one run, so that both ways
// of starting a cluster run (kubectl apply -k, and render | kubectl apply -f -) apply the same
// objects. docs/cluster.md is the user's guide.
package kubernetes

import "embed"

// Base is the kustomize base: base/*.yaml and the example scenario base/agents.js.
//
//go:embed base/*.yaml base/agents.js
var Base embed.FS

// Object names in the base, which render and the tests refer to.
const (
	SegmentsJob    = "ctiload-segments"
	MergeJob       = "ctiload-merge"
	ResultsClaim   = "ctiload-results"
	SettingsConfig = "ctiload-settings"
	ScriptConfig   = "ctiload-script"
)
