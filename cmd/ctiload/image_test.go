package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ociBuilder is the first OCI image builder that works here: podman or buildah, or docker with a
// running engine (the docker client alone cannot build).
func ociBuilder() (string, bool) {
	for _, b := range []string{"podman", "buildah"} {
		if p, err := exec.LookPath(b); err == nil {
			return p, true
		}
	}
	if p, err := exec.LookPath("docker"); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if exec.CommandContext(ctx, p, "info").Run() == nil {
			return p, true
		}
	}
	return "", false
}

// TestImageBuilds builds the container image with `make image` (the no-registry path: a static
// binary, here the tests' own, in a FROM scratch image) and checks what a pod relies on: the entrypoint, a non-root
// user, a binary that runs, the example scripts. Running a container is refused in this
// sandbox, so the image's command lines are run as local processes by the cluster tests.
func TestImageBuilds(t *testing.T) {
	builder, ok := ociBuilder()
	if !ok {
		t.Skip("no OCI builder (podman, buildah, or docker with a running engine): the image is not built here")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	image := fmt.Sprintf("localhost/ctiload-test:%d", os.Getpid())
	run := func(timeout time.Duration, name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = filepath.Join("..", "..")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run(15*time.Minute, "make", "image", "IMAGE="+image, "OCI="+builder, "CTILOAD_BIN="+ctiloadBin)
	t.Cleanup(func() { exec.Command(builder, "rmi", "-f", image).Run() })
	if filepath.Base(builder) == "buildah" {
		return // built; buildah has no create/cp to look inside
	}
	var cfg []struct {
		Config struct {
			User       string
			Entrypoint []string
			WorkingDir string
		}
	}
	if err := json.Unmarshal([]byte(run(time.Minute, builder, "image", "inspect", image)), &cfg); err != nil || len(cfg) != 1 {
		t.Fatalf("image inspect: %v", err)
	}
	c := cfg[0].Config
	if c.User != "65532:65532" || strings.Join(c.Entrypoint, " ") != "ctiload" || c.WorkingDir != "/results" {
		t.Errorf("image config: user %q, entrypoint %q, workdir %q; want 65532:65532, [ctiload], /results", c.User, c.Entrypoint, c.WorkingDir)
	}
	id := strings.TrimSpace(run(time.Minute, builder, "create", image))
	t.Cleanup(func() { exec.Command(builder, "rm", "-f", id).Run() })
	dir := t.TempDir()
	run(time.Minute, builder, "cp", id+":/usr/local/bin/ctiload", filepath.Join(dir, "ctiload"))
	run(time.Minute, builder, "cp", id+":/scripts/smoke.js", filepath.Join(dir, "smoke.js"))
	if out := run(time.Minute, filepath.Join(dir, "ctiload"), "version"); !strings.HasPrefix(out, "ctiload ") {
		t.Errorf("the image's ctiload version printed %q", out)
	}
}
