package reports

import (
	"strings"
	"testing"
)

// TestTableAlignsWideCharacters: a check named in Japanese takes two cells per character on a
// terminal; the columns after it must still line up.
func TestTableAlignsWideCharacters(t *testing.T) {
	tb := newTable("", column{title: "check"}, column{title: "passes", right: true})
	tb.add(c("ready"), c("4"))
	tb.add(c("ログイン済み"), c("12"))
	tb.add(c("café"), c("7"))
	var b strings.Builder
	if err := tb.render(&b, false); err != nil {
		t.Fatal(err)
	}
	want := "check         passes\n" +
		"ready              4\n" +
		"ログイン済み      12\n" +
		"café               7\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant\n%s", b.String(), want)
	}
}
