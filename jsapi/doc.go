// Package jsapi runs ctiload scenario scripts on goja: it transforms ES modules and TypeScript with
// esbuild, compiles them once, instantiates one runtime per VU and provides the modules scripts import
// (ctiload, ctiload/cti, ctiload/metrics, ctiload/data).
package jsapi
