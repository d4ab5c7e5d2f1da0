package jsapi

import (
	"slices"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
)

// esbuild's JavaScript interop helpers cost a bare VU most of its runtime (interop.go): the code a
// VU runs must not define them, whatever the script imports or exports. If esbuild is upgraded and
// prints them differently, this fails (they would silently come back, costing ≈ 20 KB per VU):
// update esbuildHelpers to the new texts and check the native versions still match.
func TestInteropHelpersReplaced(t *testing.T) {
	for _, tc := range []struct {
		name, file, src string
		helpers         []interopHelper
		keeps           []string // definitions that must stay (used by a lowering helper)
	}{
		{name: "plain script", file: "bare.js", src: "import { sleep } from 'k6';\nexport const options = { vus: 1 };\nexport default function () { sleep(1); }\n",
			helpers: []interopHelper{helperExport, helperToCommonJS}},
		{name: "default, namespace and re-exports", file: "m.js", src: "import cti from 'ctiload/cti';\nimport * as data from 'ctiload/data';\nimport def, { h } from './lib.js';\nexport * from './other.js';\nexport { a as b } from './x.js';\nexport let counter = 1;\nexport function setup() { counter++; return h(def, data, cti); }\n",
			helpers: []interopHelper{helperExport, helperToCommonJS, helperToESM, helperReExport}},
		{name: "import only", file: "i.js", src: "import cti from 'ctiload/cti';\ncti.connect.length;\n",
			helpers: []interopHelper{helperToESM}},
		{name: "TypeScript class fields", file: "c.ts", src: "export class A { x: number = 1; static y = 2; #p = 3; get p(): number { return this.#p; } }\n",
			helpers: []interopHelper{helperExport, helperToCommonJS}, keeps: []string{"var __defProp = ", "var __publicField = ", "var __privateAdd = "}},
		{name: "CommonJS", file: "cjs.js", src: "const x = require('./a');\nmodule.exports = { x };\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loader, err := loaderFor(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			res := transform(tc.file, loader, []byte(tc.src))
			if len(res.Errors) > 0 {
				t.Fatal(res.Errors)
			}
			code, helpers := stripInterop(string(res.Code))
			for _, gone := range []string{"__copyProps", "__getOwnPropNames", "__hasOwnProp", "__getProtoOf", "for (var name in", "var __export", "var __toCommonJS", "var __toESM", "var __reExport"} {
				if strings.Contains(code, gone) {
					t.Errorf("the code still holds %q:\n%s", gone, code)
				}
			}
			for _, keep := range tc.keeps {
				if !strings.Contains(code, keep) {
					t.Errorf("the code lost %q:\n%s", keep, code)
				}
			}
			if !slices.Equal(helpers, tc.helpers) {
				t.Errorf("native helpers = %v; want %v", helpers, tc.helpers)
			}
			if got, want := strings.Count(code, "\n"), strings.Count(string(res.Code), "\n"); got != want {
				t.Errorf("%d lines; want esbuild's %d (the source map counts on them)", got, want)
			}
		})
	}
}

// Definitions that are not exactly esbuild's stay, and so does every helper the kept code still
// needs: an unexpected output costs memory, never behaviour.
func TestInteropUnknownDefinitionsStay(t *testing.T) {
	code := esbuildHelpers["__defProp"] + esbuildHelpers["__getOwnPropNames"] + esbuildHelpers["__hasOwnProp"] + esbuildHelpers["__getOwnPropDesc"] +
		esbuildHelpers["__copyProps"] +
		"var __mine = (a, b) => __copyProps(a, b);\n" +
		"var __export = (target, all) => {\n  for (const k of Object.keys(all)) target[k] = all[k]();\n};\n" +
		esbuildHelpers["__toCommonJS"] +
		"module.exports = __toCommonJS(__mine({}, { a: 1 }));\n"
	got, helpers := stripInterop(code)
	for _, keep := range []string{esbuildHelpers["__copyProps"], esbuildHelpers["__defProp"], esbuildHelpers["__getOwnPropNames"], esbuildHelpers["__hasOwnProp"], esbuildHelpers["__getOwnPropDesc"], "var __mine", "var __export = (target, all) => {\n  for (const k"} {
		if !strings.Contains(got, keep) {
			t.Errorf("lost %q:\n%s", keep, got)
		}
	}
	if strings.Contains(got, "var __toCommonJS") {
		t.Errorf("esbuild's __toCommonJS stayed:\n%s", got)
	}
	if !slices.Equal(helpers, []interopHelper{helperToCommonJS}) {
		t.Errorf("native helpers = %v; want only __toCommonJS (the file defines its own __export)", helpers)
	}
}

// A plain script's exports block becomes one reader function: no getter per export, no native
// helper (rewriteExports).
func TestExportsBlockRewritten(t *testing.T) {
	src := "import { sleep } from 'k6';\nexport const options = { vus: 1 };\nexport { options as \"the options\" };\nexport default function () { sleep(1); }\n"
	res := transform("bare.js", api.LoaderJS, []byte(src))
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	stripped, _ := stripInterop(string(res.Code))
	code, names := rewriteExports(stripped)
	if want := []string{"default", "options", "the options"}; !slices.Equal(names, want) {
		t.Fatalf("names = %v; want %v\n%s", names, want, code)
	}
	for _, gone := range []string{"__export(", "__toCommonJS(", "=> options", "=> stdin_default"} {
		if strings.Contains(code, gone) {
			t.Errorf("the code still holds %q:\n%s", gone, code)
		}
	}
	for _, want := range []string{"case \"default\": return bare_default;\n", "case \"the options\": return options;\n"} {
		if !strings.Contains(code, want) {
			t.Errorf("the code lacks %q:\n%s", want, code)
		}
	}
	if got, want := strings.Count(code, "\n"), strings.Count(string(res.Code), "\n"); got != want {
		t.Errorf("%d lines; want esbuild's %d (the source map counts on them)", got, want)
	}
	// A block it does not know stays as it is.
	odd := strings.Replace(stripped, "() => options", "() => options + 1", 1)
	if got, names := rewriteExports(odd); got != odd || names != nil {
		t.Errorf("an unknown export expression was rewritten:\n%s", got)
	}
}
