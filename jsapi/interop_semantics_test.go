package jsapi_test

import (
	"slices"
	"testing"
	"time"
)

// Imports and exports behave as with esbuild's own interop helpers (interop.go replaces them by
// native ones): live bindings, default and namespace imports of built-in modules, of ES modules
// and of CommonJS files, re-exports, import cycles, read-only bindings, and the exported
// functions the engine sees.
func TestModuleInteropSemantics(t *testing.T) {
	e := newEnv(t, "main.js", map[string]string{
		"main.js": `
import cti from 'ctiload/cti';
import * as k6ns from 'k6';
import k6def from 'k6';
import { sleep } from 'k6';
import * as lib from './lib.js';
import libDefault, { counter, bump } from './lib.js';
import cjs, { x as cjsX } from './cjs.js';
import fn from './fn.js';
import * as fnNS from './fn.js';
import { ping } from './cycle-a.js';
export * from './lifecycle.js';
export { bump as again } from './lib.js';
export const options = { vus: 1 };
const want = (cond, what) => { if (!cond) throw new Error('failed: ' + what); };
export default function () {
  want(typeof cti.connect === 'function', 'default import of a built-in module');
  want(k6def === require('k6') && k6ns.sleep === require('k6').sleep && k6ns.default === k6def, 'namespace and default of a built-in module');
  want(Object.keys(k6ns).join() === 'default,abort,check,fail,group,randomBetween,sleep,uuid', 'namespace keys: ' + Object.keys(k6ns).join());
  want(typeof sleep === 'function', 'named import');
  want(libDefault === 'lib default' && lib.default === libDefault, 'default export of an ES module');
  want(counter === 1 && lib.counter === 1, 'named export');
  bump();
  want(counter === 2 && lib.counter === 2, 'live binding: ' + counter + ' ' + lib.counter);
  want(Object.keys(lib).join() === 'bump,counter,default', 'ES module namespace keys: ' + Object.keys(lib).join());
  want(!Object.keys(lib).includes('__esModule') && lib.__esModule === true, '__esModule marks but does not list');
  let threw = false;
  try { lib.counter = 5; } catch (err) { threw = err instanceof TypeError; }
  want(threw && lib.counter === 2, 'an import binding is read-only');
  want(cjs.x === 1 && cjsX === 1 && cjs.y === 'y', 'CommonJS file: default is module.exports, names read it');
  want(fn() === 'called' && fnNS.default === fn, 'CommonJS function export');
  want(ping(3) === 'pong 0', 'import cycle');
}
`,
		"lib.js":       "export let counter = 1;\nexport function bump() { counter++; }\nexport default 'lib default';\n",
		"cjs.js":       "module.exports = { x: 1, y: 'y' };\n",
		"fn.js":        "module.exports = function () { return 'called'; };\n",
		"cycle-a.js":   "import { pong } from './cycle-b.js';\nexport function ping(n) { return n === 0 ? 'pong 0' : pong(n - 1); }\n",
		"cycle-b.js":   "import { ping } from './cycle-a.js';\nexport function pong(n) { return ping(n); }\n",
		"lifecycle.js": "export function setup() { return { ok: true }; }\nexport function teardown() {}\nexport function agents() {}\nexport default function () { throw new Error('not re-exported'); }\n",
	})
	if got, want := e.script.Exports(), []string{"again", "agents", "default", "setup", "teardown"}; !slices.Equal(got, want) {
		t.Errorf("Exports() = %v; want %v", got, want)
	}
	vu := e.newVU(1)
	if err := vu.run(ctxTimeout(t, 5*time.Second), ""); err != nil {
		t.Fatal(err)
	}
	if err := vu.run(ctxTimeout(t, 5*time.Second), "agents"); err != nil {
		t.Errorf("re-exported scenario function: %v", err)
	}
}
