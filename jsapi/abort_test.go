package jsapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
)

// TestAbortStopsTheTest: abort() ends the iteration with an error the engine treats as an abort
// of the whole test (exit 108), carrying the script's reason and position.
func TestAbortStopsTheTest(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `import { abort } from 'ctiload';
export default function () {
  abort('CTI Server refuses every open');
}`})
	err := e.newVU(1).run(ctxTimeout(t, 5*time.Second), "default")
	if !executor.IsAbort(err) {
		t.Fatalf("abort() returned %v; want an error the engine sees as an abort", err)
	}
	if !strings.Contains(err.Error(), "CTI Server refuses every open") || !strings.Contains(err.Error(), "script.js:3:") {
		t.Fatalf("abort error = %q; want the reason and script.js:3", err)
	}
}
