package metricnames_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/engine/metricnames"
)

// TestEveryNameIsListed: reports tells built-in metrics from custom ones by the Engine and CTI
// lists, so a name declared here but missing from its list would show up in a summary as a
// user's custom metric. Every constant of names.go is in exactly one list, the CTI ones with
// the cti_ prefix their list promises.
func TestEveryNameIsListed(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "names.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]string{} // value → constant
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("constant %s is not a string literal", name.Name)
				}
				v, _ := strconv.Unquote(lit.Value)
				if prev, dup := declared[v]; dup {
					t.Errorf("%s and %s are both %q", prev, name.Name, v)
				}
				declared[v] = name.Name
			}
		}
	}
	if len(declared) < 20 {
		t.Fatalf("found %d constants in names.go: the parse missed them", len(declared))
	}
	for v, name := range declared {
		inEngine, inVU, inCTI := slices.Contains(metricnames.Engine, v), slices.Contains(metricnames.VU, v), slices.Contains(metricnames.CTI, v)
		switch {
		case btoi(inEngine)+btoi(inVU)+btoi(inCTI) != 1:
			t.Errorf("%s (%q) is in Engine: %v, VU: %v, CTI: %v; want exactly one", name, v, inEngine, inVU, inCTI)
		case inCTI != strings.HasPrefix(v, "cti_"):
			t.Errorf("%s (%q): only the CTI metrics have the cti_ prefix", name, v)
		}
		if !metricnames.IsBuiltin(v) {
			t.Errorf("IsBuiltin(%q) = false", v)
		}
	}
	if n := len(metricnames.Engine) + len(metricnames.VU) + len(metricnames.CTI); n != len(declared) {
		t.Errorf("the lists hold %d names; names.go declares %d", n, len(declared))
	}
	if metricnames.IsBuiltin("calls_handled") {
		t.Error("a custom metric name is taken for a built-in")
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
