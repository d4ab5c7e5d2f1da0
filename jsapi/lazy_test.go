package jsapi_test

import (
	"context"
	"strings"
	"testing"
)

// Built-in module objects are lazy (lazy.go) but must behave as the plain objects they were:
// sorted keys, the same function on every read, assignment, deletion and new properties, and a
// VU of its own per runtime.
func TestModuleObjectsBehaveAsPlainObjects(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import * as ns from 'k6';
const k6 = require('k6');
const want = (cond, what) => { if (!cond) throw new Error('failed: ' + what); };
export default function () {
  want(Object.keys(k6).join() === 'abort,check,fail,group,randomBetween,sleep,uuid', 'sorted keys: ' + Object.keys(k6).join());
  want(typeof k6.sleep === 'function' && k6.sleep === k6.sleep, 'same function on every read');
  want(ns.check === k6.check, 'namespace import reads the module');
  want('uuid' in k6 && !('nope' in k6), 'in operator');
  const orig = k6.uuid;
  k6.uuid = () => 'fixed';
  want(k6.uuid() === 'fixed', 'assignment replaces an export');
  k6.extra = 1;
  want(Object.keys(k6).includes('extra') && k6.extra === 1, 'new property');
  delete k6.uuid;
  want(k6.uuid === undefined && !Object.keys(k6).includes('uuid'), 'deletion');
  k6.uuid = orig;
  want(/^[0-9a-f-]{36}$/.test(k6.uuid()), 'restored export works');
  delete k6.extra;
  want(!('extra' in k6), 'deleting an added property');
  want(typeof console.log === 'function' && console.log === console.log, 'console');
  console.info('hello from ' + __VU);
}
`})
	for id := uint64(1); id <= 2; id++ {
		tv := e.newVU(id)
		if err := tv.run(context.Background(), ""); err != nil {
			t.Fatalf("VU %d: %v", id, err)
		}
		if err := tv.run(context.Background(), ""); err != nil { // the second iteration sees the restored module
			t.Fatalf("VU %d, iteration 2: %v", id, err)
		}
	}
	if got := e.log.String(); !strings.Contains(got, "hello from 1") || !strings.Contains(got, "hello from 2") {
		t.Fatalf("console output missing: %s", got)
	}
}
