package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise the module version is used.
var version = ""

func versionString() string {
	bi, _ := debug.ReadBuildInfo()
	return describeVersion(version, bi)
}

// describeVersion is "ctiload VERSION (REVISION[, modified], GO, OS/ARCH)": VERSION from
// -ldflags, else the module version go install recorded, else "devel"; the VCS revision and
// whether the tree had changes from the build info of a build in a checkout.
func describeVersion(ldVersion string, bi *debug.BuildInfo) string {
	v := ldVersion
	var extra []string
	if bi != nil {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			extra = append(extra, "revision "+rev)
			if settings["vcs.modified"] == "true" {
				extra = append(extra, "modified")
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	extra = append(extra, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH)
	return fmt.Sprintf("ctiload %s (%s)", v, strings.Join(extra, ", "))
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the ctiload version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), versionString())
			return nil
		},
	}
}
