package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// The cluster tests check the Kubernetes side of a split run with the real Kubernetes types and,
// where kubectl is installed, its real kustomize; then they run the manifests' exact container
// command lines as local processes (the pods of the Indexed Job and the collector) against one
// shared simulator on 127.0.0.1 and compare the merged result with one process's.

// manifests are the objects of one rendered or kustomized run, decoded strictly.
type manifests struct {
	jobs        map[string]*batchv1.Job
	configMaps  map[string]*corev1.ConfigMap
	claims      map[string]*corev1.PersistentVolumeClaim
	deployments map[string]*appsv1.Deployment
	services    map[string]*corev1.Service
}

// decodeManifests splits a multi-document YAML stream and decodes each document into its real
// Kubernetes type, rejecting unknown fields (a misspelt or misplaced field fails here as
// kubectl apply --validate=strict would fail).
func decodeManifests(t *testing.T, stream []byte) manifests {
	t.Helper()
	m := manifests{jobs: map[string]*batchv1.Job{}, configMaps: map[string]*corev1.ConfigMap{},
		claims: map[string]*corev1.PersistentVolumeClaim{}, deployments: map[string]*appsv1.Deployment{},
		services: map[string]*corev1.Service{}}
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(stream), -1) {
		if strings.TrimSpace(regexp.MustCompile(`(?m)^#.*$`).ReplaceAllString(doc, "")) == "" {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		var obj any
		var name func() string
		switch head.APIVersion + " " + head.Kind {
		case "batch/v1 Job":
			o := &batchv1.Job{}
			obj, name = o, func() string { m.jobs[o.Name] = o; return o.Name }
		case "v1 ConfigMap":
			o := &corev1.ConfigMap{}
			obj, name = o, func() string { m.configMaps[o.Name] = o; return o.Name }
		case "v1 PersistentVolumeClaim":
			o := &corev1.PersistentVolumeClaim{}
			obj, name = o, func() string { m.claims[o.Name] = o; return o.Name }
		case "apps/v1 Deployment":
			o := &appsv1.Deployment{}
			obj, name = o, func() string { m.deployments[o.Name] = o; return o.Name }
		case "v1 Service":
			o := &corev1.Service{}
			obj, name = o, func() string { m.services[o.Name] = o; return o.Name }
		case "v1 Namespace":
			o := &corev1.Namespace{}
			obj, name = o, func() string { return o.Name }
		default:
			t.Fatalf("document %d: unexpected %s %s", i, head.APIVersion, head.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Fatalf("document %d (%s): not a valid %s: %v", i, head.Kind, head.Kind, err)
		}
		if name() == "" {
			t.Errorf("document %d (%s) has no name", i, head.Kind)
		}
	}
	return m
}

// byPrefix returns the one object whose name starts with prefix (names carry a run suffix and,
// from kustomize, a content hash).
func byPrefix[T any](t *testing.T, objs map[string]*T, prefix string) *T {
	t.Helper()
	var found *T
	for name, o := range objs {
		if strings.HasPrefix(name, prefix) {
			if found != nil {
				t.Fatalf("two objects named %s…", prefix)
			}
			found = o
		}
	}
	if found == nil {
		t.Fatalf("no object named %s…", prefix)
	}
	return found
}

// checkSplit checks what makes the split correct and the pods schedulable, and returns the
// segments Job, the collector Job and the settings.
func checkSplit(t *testing.T, m manifests, n int32) (segs, merge *batchv1.Job, settings *corev1.ConfigMap) {
	t.Helper()
	segs, merge = byPrefix(t, m.jobs, "ctiload-segments"), byPrefix(t, m.jobs, "ctiload-merge")
	if segs.Spec.CompletionMode == nil || *segs.Spec.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("segments Job completionMode %v; want Indexed (pod i gets JOB_COMPLETION_INDEX i)", segs.Spec.CompletionMode)
	}
	if p, c := segs.Spec.Parallelism, segs.Spec.Completions; p == nil || c == nil || *p != n || *c != n {
		t.Errorf("segments Job parallelism %v, completions %v; want both %d: every segment runs at once", p, c, n)
	}
	if b := segs.Spec.BackoffLimit; b == nil || *b != 0 {
		t.Errorf("segments Job backoffLimit %v; want 0: a retried segment would start apart from the others", b)
	}
	pod := segs.Spec.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("segments pod restartPolicy %q; want Never", pod.RestartPolicy)
	}
	c := pod.Containers[0]
	var index *corev1.EnvVar
	for i, e := range c.Env {
		if e.Name == jobIndexEnv {
			index = &c.Env[i]
		}
	}
	if index == nil || index.ValueFrom == nil || index.ValueFrom.FieldRef == nil ||
		index.ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("segments container env %+v: want JOB_COMPLETION_INDEX from the completion-index annotation", c.Env)
	}
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef == nil {
		t.Fatalf("segments container envFrom %+v; want the settings ConfigMap", c.EnvFrom)
	}
	settings = m.configMaps[c.EnvFrom[0].ConfigMapRef.Name]
	if settings == nil {
		t.Fatalf("the settings ConfigMap %q is not among the manifests", c.EnvFrom[0].ConfigMapRef.Name)
	}
	if got := settings.Data["CTILOAD_SEGMENT_COUNT"]; got != strconv.Itoa(int(n)) {
		t.Errorf("CTILOAD_SEGMENT_COUNT = %q; want %d, the Job's completions", got, n)
	}
	for _, job := range []*batchv1.Job{segs, merge} {
		for _, ctr := range job.Spec.Template.Spec.Containers {
			if ctr.Resources.Requests.Cpu().IsZero() || ctr.Resources.Requests.Memory().IsZero() {
				t.Errorf("%s container %s has no CPU or memory request: %+v", job.Name, ctr.Name, ctr.Resources.Requests)
			}
			if ctr.Resources.Limits.Memory().IsZero() {
				t.Errorf("%s container %s has no memory limit", job.Name, ctr.Name)
			}
			if ctr.SecurityContext == nil || ctr.SecurityContext.ReadOnlyRootFilesystem == nil || !*ctr.SecurityContext.ReadOnlyRootFilesystem {
				t.Errorf("%s container %s: want a read-only root filesystem (the image has nothing to write)", job.Name, ctr.Name)
			}
			if ctr.EnvFrom[0].ConfigMapRef.Name != settings.Name {
				t.Errorf("%s reads settings %q; want %q", job.Name, ctr.EnvFrom[0].ConfigMapRef.Name, settings.Name)
			}
			// Every $(VAR) of the command line must be defined, or Kubernetes leaves it as is.
			for _, a := range ctr.Args {
				for _, ref := range regexp.MustCompile(`\$\(([A-Z_0-9]+)\)`).FindAllStringSubmatch(a, -1) {
					_, inSettings := settings.Data[ref[1]]
					if !inSettings && ref[1] != jobIndexEnv {
						t.Errorf("%s argument %q: $(%s) is defined nowhere", job.Name, a, ref[1])
					}
				}
			}
		}
		for _, v := range job.Spec.Template.Spec.Volumes {
			if v.ConfigMap != nil && m.configMaps[v.ConfigMap.Name] == nil {
				t.Errorf("%s mounts ConfigMap %q, which is not among the manifests", job.Name, v.ConfigMap.Name)
			}
			if v.PersistentVolumeClaim != nil && m.claims[v.PersistentVolumeClaim.ClaimName] == nil {
				t.Errorf("%s mounts claim %q, which is not among the manifests", job.Name, v.PersistentVolumeClaim.ClaimName)
			}
		}
	}
	if !anyOf(c.Args, func(a string) bool {
		return strings.Contains(a, "--summary-export=") && strings.Contains(a, "$(JOB_COMPLETION_INDEX)")
	}) {
		t.Errorf("segments args %q: want a --summary-export named by $(JOB_COMPLETION_INDEX)", c.Args)
	}
	return segs, merge, settings
}

func anyOf(list []string, f func(string) bool) bool {
	for _, s := range list {
		if f(s) {
			return true
		}
	}
	return false
}

func TestClusterRenderDecodesStrictly(t *testing.T) {
	r := runCLI(t, nil, "cluster", "render", "--parallelism", "4", "--image", "registry.example.com/ctiload:1.0",
		"--target", "cti-a.example.com:42027,cti-b.example.com:42027", "--cpu", "2", "-e", "AGENTS=4000",
		"--start-at", "2026-12-05T10:00:00Z", "--name", "go-live", "../../../scripts/smoke.js")
	r.want(t, 0)
	m := decodeManifests(t, []byte(r.stdout))
	segs, _, settings := checkSplit(t, m, 4)
	for k, want := range map[string]string{"CTILOAD_TARGET": "cti-a.example.com:42027,cti-b.example.com:42027",
		"CTILOAD_START_AT": "2026-12-05T10:00:00Z", "RUN_NAME": "go-live", "AGENTS": "4000"} {
		if got := settings.Data[k]; got != want {
			t.Errorf("settings %s = %q; want %q", k, got, want)
		}
	}
	if got := segs.Spec.Template.Spec.Containers[0].Image; got != "registry.example.com/ctiload:1.0" {
		t.Errorf("image %q", got)
	}
	if got := segs.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().String(); got != "2" {
		t.Errorf("--cpu 2: request %s", got)
	}
	// The script's files: smoke.js as script.js, the library it imports and the CSV it opens,
	// each at its path below /script.
	script := byPrefix(t, m.configMaps, "ctiload-script")
	paths := map[string]string{}
	for _, v := range segs.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil {
			for _, it := range v.ConfigMap.Items {
				paths[it.Path] = script.Data[it.Key]
			}
		}
	}
	for _, p := range []string{"script.js", "lib/agent.js", "agents.csv"} {
		if paths[p] == "" {
			t.Errorf("the script volume has no %s (items %v)", p, paths)
		}
	}
}

// TestClusterKustomizeDecodesStrictly builds the kustomize base and the example overlay with
// kubectl's own kustomize, as kubectl apply -k would.
func TestClusterKustomizeDecodesStrictly(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed: the kustomizations are not built here (the rendered manifests are checked by TestClusterRenderDecodesStrictly)")
	}
	for _, tc := range []struct {
		dir string
		n   int32
	}{{"base", 2}, {"example", 4}} {
		t.Run(tc.dir, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, kubectl, "kustomize", filepath.Join("..", "..", "deploy", "kubernetes", tc.dir)).Output()
			if err != nil {
				var stderr string
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = string(ee.Stderr)
				}
				t.Fatalf("kubectl kustomize: %v\n%s", err, stderr)
			}
			m := decodeManifests(t, out)
			_, _, settings := checkSplit(t, m, tc.n)
			// The settings keys are those render writes: both ways start the same run.
			for _, k := range []string{"CTILOAD_SEGMENT_COUNT", "CTILOAD_START_AT", "CTILOAD_TARGET", "RUN_NAME", "MERGE_WAIT"} {
				if _, ok := settings.Data[k]; !ok {
					t.Errorf("settings lack %s", k)
				}
			}
			if tc.dir == "example" {
				sim := byPrefix(t, m.deployments, "ctiload-sim")
				svc := byPrefix(t, m.services, "ctiload-sim")
				if !strings.HasPrefix(settings.Data["CTILOAD_TARGET"], svc.Name+":") {
					t.Errorf("CTILOAD_TARGET %q is not the simulator Service %s", settings.Data["CTILOAD_TARGET"], svc.Name)
				}
				if sim.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().IsZero() {
					t.Error("the simulator has no CPU request")
				}
			}
		})
	}
}

// podRun is one container of a manifest run as a local process: its command line with
// Kubernetes' $(VAR) expansion, its environment, and its mounts mapped to local folders.
type podRun struct {
	args []string
	env  []string
}

// kubeExpand expands $(VAR) references as the kubelet does: defined variables are replaced,
// $$ is a literal $, anything else stays as written.
func kubeExpand(s string, env map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '$' && i+1 < len(s) {
			switch s[i+1] {
			case '$':
				b.WriteByte('$')
				i++
				continue
			case '(':
				if j := strings.IndexByte(s[i:], ')'); j > 0 {
					if v, ok := env[s[i+2:i+j]]; ok {
						b.WriteString(v)
						i += j
						continue
					}
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// containerRun prepares a Job's container as a local process: the settings as envFrom, the
// container's env (the completion-index annotation resolved to index), mounts replaced by the
// folders in mounts.
func containerRun(t *testing.T, job *batchv1.Job, settings *corev1.ConfigMap, index int, mounts map[string]string) podRun {
	t.Helper()
	c := job.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for k, v := range settings.Data {
		env[k] = v
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && strings.Contains(e.ValueFrom.FieldRef.FieldPath, "job-completion-index"):
			env[e.Name] = strconv.Itoa(index)
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		default:
			t.Fatalf("%s: env %s from %+v: not simulated here", job.Name, e.Name, e.ValueFrom)
		}
	}
	if cm := job.Spec.CompletionMode; cm != nil && *cm == batchv1.IndexedCompletion {
		env[jobIndexEnv] = strconv.Itoa(index) // the Job controller sets it too
	}
	var run podRun
	for _, a := range c.Args {
		a = kubeExpand(a, env)
		for _, vm := range c.VolumeMounts {
			local, ok := mounts[vm.Name]
			if !ok {
				t.Fatalf("%s mounts volume %s, which the test does not provide", job.Name, vm.Name)
			}
			a = strings.ReplaceAll(a, vm.MountPath+"/", local+"/")
		}
		run.args = append(run.args, a)
	}
	for k, v := range env {
		run.env = append(run.env, k+"="+v)
	}
	return run
}

// startSim starts `ctiload sim` on a free loopback port and returns its address.
func startSim(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, ctiloadBin, append([]string{"sim", "--listen", "127.0.0.1:0", "--quiet", "--duration", "5m"}, args...)...)
	cmd.Env = cleanEnv()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`on (127\.0\.0\.1:\d+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return a
	case <-time.After(30 * time.Second):
		t.Fatal("ctiload sim did not say where it listens within 30 s")
	}
	return ""
}

// histogramOf decodes the HdrHistogram of a summary's metric.
func histogramOf(t *testing.T, s summaryJSON, key string) *hdr.Histogram {
	t.Helper()
	for _, m := range s.Metrics {
		if m.Key == key {
			raw, err := base64.StdEncoding.DecodeString(m.Histogram)
			if err != nil {
				t.Fatalf("%s histogram: %v", key, err)
			}
			h, err := hdr.Decode(raw)
			if err != nil {
				t.Fatalf("%s histogram: %v", key, err)
			}
			return h
		}
	}
	t.Fatalf("no metric %s", key)
	return nil
}

func TestClusterRunMatchesOneProcess(t *testing.T) {
	sim := startSim(t, "--agents", "100")
	const script = "cluster_rate.js" // in testdata, where runCLI runs

	// The same test as one process.
	dir := t.TempDir()
	single := filepath.Join(dir, "single.json")
	r := runCLI(t, nil, "run", "-q", "--no-summary", "--target", sim, "--summary-export", single, script)
	r.want(t, 99) // iterations count<=100 fails on the whole test
	one := readSummaryJSON(t, single)
	if one.value("cti_requests", "count") == 0 || one.value("cti_failures", "count") != 0 || one.value("checks", "rate") != 1 {
		t.Fatalf("the single run did not run cleanly: %v requests, %v failures, checks %v",
			one.value("cti_requests", "count"), one.value("cti_failures", "count"), one.value("checks", "rate"))
	}

	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			results, scriptDir := t.TempDir(), t.TempDir()
			start := time.Now().Add(4 * time.Second).UTC().Format(time.RFC3339Nano)
			r := runCLI(t, nil, "cluster", "render", "--parallelism", strconv.Itoa(n), "--target", sim,
				"--start-at", start, "--merge-wait", "5s", "--name", fmt.Sprintf("split-%d", n), "cluster_rate.js")
			r.want(t, 0)
			m := decodeManifests(t, []byte(r.stdout))
			segs, merge, settings := checkSplit(t, m, int32(n))
			// The script volume as the kubelet lays it out.
			cm := byPrefix(t, m.configMaps, "ctiload-script")
			for _, v := range segs.Spec.Template.Spec.Volumes {
				if v.ConfigMap == nil {
					continue
				}
				for _, it := range v.ConfigMap.Items {
					p := filepath.Join(scriptDir, it.Path)
					os.MkdirAll(filepath.Dir(p), 0o755)
					if err := os.WriteFile(p, []byte(cm.Data[it.Key]), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			mounts := map[string]string{"script": scriptDir, "results": results}

			// The pods of the Indexed Job, all at once.
			var wg sync.WaitGroup
			codes := make([]cliResult, n)
			for i := range n {
				pod := containerRun(t, segs, settings, i, mounts)
				wg.Go(func() { codes[i] = runCLI(t, pod.env, pod.args...) })
			}
			wg.Wait()
			for i, c := range codes {
				if c.code != 0 {
					t.Fatalf("segment pod %d exited %d; want 0 (its share of the iterations passes the threshold)\n%s", i, c.code, c.stderr)
				}
			}
			// The collector.
			col := containerRun(t, merge, settings, 0, mounts)
			r = runCLI(t, col.env, col.args...)
			if r.code != 99 {
				t.Fatalf("merge exited %d; want 99: the iterations threshold fails on the merged count\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			contains(t, "merge stdout", r.stdout, "iterations    count<=100", "THRESHOLDS FAILED")
			base := filepath.Join(results, fmt.Sprintf("split-%d", n))
			for _, suffix := range []string{"-junit.xml", "-report.html"} {
				if st, err := os.Stat(base + suffix); err != nil || st.Size() == 0 {
					t.Errorf("the collector wrote no %s: %v", base+suffix, err)
				}
			}
			merged := readSummaryJSON(t, base+"-merged.json")

			// Counts: the same as one process, exactly.
			for _, sc := range one.Scenarios {
				var got int64 = -1
				for _, ms := range merged.Scenarios {
					if ms.Name == sc.Name {
						got = ms.Iterations
					}
				}
				if got != sc.Iterations {
					t.Errorf("scenario %s: %d iterations merged; want %d as one process", sc.Name, got, sc.Iterations)
				}
			}
			keys := 0
			for _, mt := range one.Metrics {
				if mt.Key == "iterations" || mt.Key == "cti_requests" || strings.HasPrefix(mt.Key, "cti_request_duration{msg:") ||
					strings.HasPrefix(mt.Key, "cti_sessions{") || strings.HasPrefix(mt.Key, "checks") {
					keys++
					if got, want := merged.value(mt.Key, "count"), mt.Values["count"]; got != want {
						t.Errorf("%s: merged count %v; want %v as one process", mt.Key, got, want)
					}
				}
			}
			if keys < 4 {
				t.Errorf("compared only %d metrics", keys)
			}
			// Percentiles: those of the union of the segments' samples, to the histogram's
			// resolution, and of the same order as one process's.
			union := hdr.New(1, 3_600_000_000, 3)
			for i := range n {
				s := readSummaryJSON(t, filepath.Join(results, fmt.Sprintf("split-%d-segment-%d.json", n, i)))
				union.Merge(histogramOf(t, s, "cti_request_duration"))
			}
			for q, key := range map[float64]string{50: "med", 99: "p(99)"} {
				got := merged.value("cti_request_duration", key) * 1000 // µs, the histogram's unit
				want := float64(union.ValueAtQuantile(q))
				if tol := max(1, want/500); math.Abs(got-want) > tol { // 3 significant digits
					t.Errorf("merged %s = %vµs; the segments' samples together give %vµs (± %v)", key, got, want, tol)
				}
				if s := one.value("cti_request_duration", key) * 1000; got > 50*s+5000 || s > 50*got+5000 {
					t.Errorf("merged %s = %vµs, one process %vµs: not the same test", key, got, s)
				}
			}
			if merged.Segment == "" || strings.Count(merged.Segment, "+") != n-1 {
				t.Errorf("merged segment %q; want the %d segments joined", merged.Segment, n)
			}

			if n != 3 {
				return
			}
			// A pod that died: its summary is missing. The merge waits (5 s here), then names it.
			if err := os.Remove(filepath.Join(results, "split-3-segment-1.json")); err != nil {
				t.Fatal(err)
			}
			r = runCLI(t, col.env, col.args...)
			if r.code != 105 {
				t.Fatalf("merge with a segment missing exited %d; want 105 (incomplete)\n%s", r.code, r.stderr)
			}
			contains(t, "merge stdout", r.stdout, "INCOMPLETE", "missing segment 1/3:2/3 (index 1 of 3)")
			contains(t, "merge stderr", r.stderr, "waiting up to 5s", "incomplete: no summary of segment 1/3:2/3 (index 1 of 3)")
		})
	}
}

// TestSegmentFromEnvironment: --segment-count takes the index from JOB_COMPLETION_INDEX (or
// --segment-index) and rejects what cannot be a segment.
func TestSegmentFromEnvironment(t *testing.T) {
	r := runCLI(t, []string{"JOB_COMPLETION_INDEX=2"}, "inspect", "--segment-count", "4", "pass.js")
	r.want(t, 0)
	contains(t, "inspect", r.stdout, `"execution_segment": "1/2:3/4"`, `"execution_segment_sequence": "0,1/4,1/2,3/4,1"`)
	r = runCLI(t, []string{"CTILOAD_SEGMENT_COUNT=3", "CTILOAD_SEGMENT_INDEX=0", "JOB_COMPLETION_INDEX=2"}, "inspect", "pass.js")
	r.want(t, 0)
	contains(t, "inspect", r.stdout, `"execution_segment": "0:1/3"`)
	for _, tc := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"--segment-count", "4"}, "give --segment-index (0 to 3) or set JOB_COMPLETION_INDEX"},
		{[]string{"JOB_COMPLETION_INDEX=4"}, []string{"--segment-count", "4"}, `JOB_COMPLETION_INDEX: invalid value "4": want a segment index from 0 to 3`},
		{nil, []string{"--segment-count", "2", "--segment-index", "1", "--execution-segment", "0:1/2"}, "give one"},
		{nil, []string{"--segment-index", "1"}, "--segment-index needs --segment-count"},
		{nil, []string{"--start-at", "10:00"}, "--start-at: invalid value"},
	} {
		r := runCLI(t, tc.env, append(append([]string{"run", "-q"}, tc.args...), "pass.js")...)
		r.want(t, 104)
		contains(t, "stderr", r.stderr, tc.want)
	}
}
