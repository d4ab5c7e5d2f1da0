package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ctiload/ctiload/deploy/kubernetes"
	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"
)

// Defaults of cluster render.
const (
	defaultStartDelay = 2 * time.Minute
	// mergeWaitMargin is what the collector waits beyond the end the script's scenarios allow
	// (start, durations, graceful stops): image pulls, VU init, writing the summaries.
	mergeWaitMargin = 10 * time.Minute
)

func newClusterCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Run one test split over the pods of a Kubernetes Indexed Job",
		Long: `cluster prepares a run on Kubernetes: one test split in N execution segments, pod i of an
Indexed Job running segment i, all starting at the same instant, and a collector Job that merges
their summaries into one report (docs/cluster.md). ctiload talks to no cluster itself: render
prints the manifests, kubectl applies them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newClusterRenderCmd())
	return cmd
}

// renderFlags are cluster render's command line.
type renderFlags struct {
	parallelism  int64
	image        string
	target       string
	name         string
	namespace    string
	startAt      string
	startDelay   time.Duration
	mergeWait    time.Duration
	storageClass string
	cpu, memory  string
	env          []string
	allowOutside bool
}

func newClusterRenderCmd() *cobra.Command {
	var f renderFlags
	cmd := &cobra.Command{
		Use:   "render SCRIPT",
		Short: "Print the Kubernetes manifests of a split run of SCRIPT, for kubectl apply -f -",
		Long: `render loads SCRIPT (to check it, and to find the files it imports and open()s) and prints
the manifests of one run, the kustomize base of deploy/kubernetes filled in:

  - ConfigMap <name>-script: the script and its files, mounted at /script;
  - ConfigMap <name>-settings: the pods' environment (CTILOAD_SEGMENT_COUNT, CTILOAD_TARGET,
    CTILOAD_START_AT, RUN_NAME, MERGE_WAIT, and every -e KEY=VALUE for the script);
  - PersistentVolumeClaim ctiload-results-<name> (ReadWriteMany) for the summaries;
  - Job ctiload-segments-<name>: Indexed, --parallelism pods, pod i running segment i/N;
  - Job ctiload-merge-<name>: waits for the summaries, merges them exactly, writes
    <name>-merged.json, <name>-junit.xml and <name>-report.html to the volume.

The common start (--start-at) is computed here, once: now + --start-delay, which must cover
scheduling the pods and pulling the image. A pod that starts late logs how late; the merged
report notes how far apart the segments started.`,
		Example: `  ctiload cluster render --parallelism 4 --image registry.example.com/ctiload:1.0 \
      --target cti-a.example.com:42027,cti-b.example.com:42027 script.js | kubectl apply -f -
  kubectl logs -f job/ctiload-merge-script-20261205-1000       # the merged summary and verdict`,
		Args: exactArgs(1, "a script: ctiload cluster render SCRIPT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.render(cmd.OutOrStdout(), args[0], time.Now())
		},
	}
	cmd.SetFlagErrorFunc(flagError)
	fl := cmd.Flags()
	fl.Int64Var(&f.parallelism, "parallelism", 2, "`N` pods, each running one segment of the test (the Job's parallelism and completions)")
	fl.StringVar(&f.image, "image", "ctiload:dev", "the ctiload container `IMAGE` (make image builds one)")
	fl.StringVar(&f.target, "target", "", "CTI Server `host:port[,host:port]` as the pods reach it (default: each pod's built-in simulator)")
	fl.StringVar(&f.name, "name", "", "`NAME` of the run, in every object's name and the result files (default: the script's name and the start time)")
	fl.StringVarP(&f.namespace, "namespace", "n", "", "`NAMESPACE` of the objects (default: kubectl's current one)")
	fl.StringVar(&f.startAt, "start-at", "", "the common start, an RFC3339 `TIME` (default: now + --start-delay)")
	fl.DurationVar(&f.startDelay, "start-delay", defaultStartDelay, "the common start is this `DURATION` from now: time to schedule the pods and pull the image")
	fl.DurationVar(&f.mergeWait, "merge-wait", 0, "how long the collector waits for the summaries (default: until the scenarios' end + 10m)")
	fl.StringVar(&f.storageClass, "storage-class", "", "storageClassName of the results volume, a ReadWriteMany `CLASS` (default: the cluster's default)")
	fl.StringVar(&f.cpu, "cpu", "", "CPU request of each segment pod (default: the base's, 1)")
	fl.StringVar(&f.memory, "memory", "", "memory request of each segment pod (default: the base's, 1Gi)")
	fl.StringArrayVarP(&f.env, "env", "e", nil, "`KEY=VALUE` for the script's __ENV in every pod, repeatable")
	fl.BoolVar(&f.allowOutside, "allow-paths-outside", false, "let the script import and open() files outside its folder")
	return cmd
}

// dnsLabel is what Kubernetes accepts in an object name and a label value.
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// maxRunName keeps "ctiload-segments-<name>" within the 63 characters of a label value (the
// Job controller labels its pods with the Job's name).
const maxRunName = 63 - len("ctiload-segments-")

func (f *renderFlags) render(w io.Writer, path string, now time.Time) error {
	var errs []error
	if f.parallelism < 1 || f.parallelism > 10000 {
		errs = append(errs, fmt.Errorf("--parallelism: invalid value %d: want 1 to 10000 pods", f.parallelism))
	}
	startAt := now.Add(f.startDelay).UTC().Truncate(time.Second)
	if f.startAt != "" {
		t, err := time.Parse(time.RFC3339Nano, f.startAt)
		if err != nil {
			errs = append(errs, fmt.Errorf("--start-at: invalid value %q: want an RFC3339 time such as 2026-12-05T10:00:00Z", f.startAt))
		}
		startAt = t.UTC()
	} else if f.startDelay < 0 {
		errs = append(errs, fmt.Errorf("--start-delay: invalid value %s: want a duration from now, e.g. 2m", f.startDelay))
	}
	if f.target != "" {
		if err := checkTargetSyntax(f.target); err != nil {
			errs = append(errs, err)
		}
	}
	name := f.name
	if name == "" {
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		base = strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(base), "-"), "-")
		stamp := startAt.Format("20060102-150405")
		if len(base) > maxRunName-len(stamp)-1 {
			base = strings.Trim(base[:maxRunName-len(stamp)-1], "-")
		}
		name = strings.TrimPrefix(base+"-"+stamp, "-")
	}
	if !dnsLabel.MatchString(name) || len(name) > maxRunName {
		errs = append(errs, fmt.Errorf("--name: invalid value %q: want at most %d lower-case letters, digits and '-', starting and ending with a letter or digit", name, maxRunName))
	}
	var opts optionFlags
	opts.env, opts.includeSystemEnv = f.env, false
	env, err := opts.buildEnv(nil)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return &exitError{code: exitInvalidOptions, err: flattenErrors([]error{err})}
	}

	// The script as the pods will see it: its files, and how long it runs.
	script, err := loadScript(path, env, nil, f.allowOutside)
	if err != nil {
		return err
	}
	files, err := scriptFiles(script.Root(), script.Sources(), filepath.Base(path))
	if err != nil {
		return &exitError{code: exitInvalidOptions, err: err}
	}
	wait := f.mergeWait
	if wait <= 0 {
		var o engine.Options
		if err := json.Unmarshal(script.OptionsJSON(), &o); err != nil {
			return &exitError{code: exitInvalidOptions, err: fmt.Errorf("script options: %v", err)}
		}
		cfg, err := o.Resolve()
		if err != nil {
			return &exitError{code: exitInvalidOptions, err: flattenErrors([]error{err})}
		}
		wait = startAt.Sub(now) + scenariosEnd(cfg.Scenarios) + mergeWaitMargin
		wait = wait.Round(time.Minute) + time.Minute
	}

	settings := map[string]string{
		"CTILOAD_SEGMENT_COUNT": strconv.FormatInt(f.parallelism, 10),
		"CTILOAD_START_AT":      startAt.Format(time.RFC3339Nano),
		"CTILOAD_TARGET":        f.target,
		"RUN_NAME":              name,
		"MERGE_WAIT":            wait.String(),
	}
	for k, v := range env {
		if _, own := settings[k]; own {
			return &exitError{code: exitInvalidOptions, err: fmt.Errorf("-e %s: the run sets it (use the flag of the same meaning)", k)}
		}
		settings[k] = v
	}
	docs, err := f.fill(name, settings, files)
	if err != nil {
		return &exitError{code: exitEngineError, err: err}
	}
	fmt.Fprintf(w, "# ctiload cluster render: %s in %d segments, common start %s.\n# Apply: kubectl apply -f - ; result: kubectl logs -f job/%s-%s\n",
		path, f.parallelism, startAt.Format(time.RFC3339), kubernetes.MergeJob, name)
	for _, d := range docs {
		b, err := yaml.Marshal(d)
		if err != nil {
			return &exitError{code: exitEngineError, err: err}
		}
		fmt.Fprintf(w, "---\n%s", b)
	}
	return nil
}

// scenariosEnd is when the last scenario ends at the latest: start time, regular duration and
// graceful stop.
func scenariosEnd(scs map[string]executor.Config) time.Duration {
	var end time.Duration
	for _, sc := range scs {
		b := sc.Base()
		end = max(end, time.Duration(b.StartTime)+sc.RegularDuration()+time.Duration(b.GracefulStop))
	}
	return end
}

// scriptFile is one file of the script's ConfigMap: its key, and where it appears below
// /script.
type scriptFile struct {
	key, path string
	data      []byte
}

// configKeyChars are what a ConfigMap key may hold besides letters and digits.
var configKeyBad = regexp.MustCompile(`[^-._a-zA-Z0-9]`)

// scriptFiles reads the script's files into ConfigMap entries: the main file is script.js (the
// Job runs /script/script.js), the others keep their path below the script's folder.
func scriptFiles(root string, sources []string, mainBase string) ([]scriptFile, error) {
	var out []scriptFile
	used := map[string]bool{}
	for _, abs := range sources {
		rel, err := filepath.Rel(root, abs)
		if err != nil || strings.HasPrefix(rel, "..") {
			return nil, fmt.Errorf("%s is outside the script's folder %s: a ConfigMap holds the folder's files only", abs, root)
		}
		data, err := os.ReadFile(abs)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %v", abs, unwrapPathError(err))
		}
		rel = filepath.ToSlash(rel)
		path := rel
		if rel == mainBase {
			path = "script.js"
		}
		key := configKeyBad.ReplaceAllString(strings.ReplaceAll(path, "/", "__"), "_")
		for n := 2; used[key]; n++ {
			key = fmt.Sprintf("%d_%s", n, key)
		}
		used[key] = true
		out = append(out, scriptFile{key: key, path: path, data: data})
	}
	size := 0
	for _, f := range out {
		size += len(f.data)
	}
	if size > 900<<10 {
		return nil, fmt.Errorf("the script's files are %d KiB: a ConfigMap holds 1 MiB at most (put large data in an image or a volume)", size>>10)
	}
	return out, nil
}

// fill reads the base's manifests and sets what this run needs, the way the example overlay's
// kustomization does: names with the run's suffix, the image, the settings, the script, the
// segment count.
func (f *renderFlags) fill(name string, settings map[string]string, files []scriptFile) ([]map[string]any, error) {
	var docs []map[string]any
	for _, file := range []string{"results-pvc.yaml", "segments-job.yaml", "merge-job.yaml"} {
		b, err := fs.ReadFile(kubernetes.Base, "base/"+file)
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSON(b)
		if err != nil {
			return nil, fmt.Errorf("base/%s: %v", file, err)
		}
		var doc map[string]any
		if err := json.Unmarshal(j, &doc); err != nil {
			return nil, fmt.Errorf("base/%s: %v", file, err)
		}
		docs = append(docs, doc)
	}
	suffix := func(n string) string { return n + "-" + name }
	labels := map[string]any{"app.kubernetes.io/name": "ctiload", "app.kubernetes.io/instance": name}

	settingsData := map[string]any{}
	for k, v := range settings {
		settingsData[k] = v
	}
	scriptData, binary := map[string]any{}, map[string]any{}
	var items []any
	for _, sf := range files {
		if utf8.Valid(sf.data) {
			scriptData[sf.key] = string(sf.data)
		} else {
			binary[sf.key] = base64.StdEncoding.EncodeToString(sf.data)
		}
		items = append(items, map[string]any{"key": sf.key, "path": sf.path})
	}
	scriptCM := map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": kubernetes.ScriptConfig}, "data": scriptData}
	if len(binary) > 0 {
		scriptCM["binaryData"] = binary
	}
	settingsCM := map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": kubernetes.SettingsConfig}, "data": settingsData}
	docs = append([]map[string]any{settingsCM, scriptCM}, docs...)

	for _, d := range docs {
		meta := d["metadata"].(map[string]any)
		meta["name"] = suffix(meta["name"].(string))
		if f.namespace != "" {
			meta["namespace"] = f.namespace
		}
		meta["labels"] = mergeLabels(meta["labels"], labels)
		switch d["kind"] {
		case "PersistentVolumeClaim":
			if f.storageClass != "" {
				d["spec"].(map[string]any)["storageClassName"] = f.storageClass
			}
		case "Job":
			spec := d["spec"].(map[string]any)
			if meta["name"] == suffix(kubernetes.SegmentsJob) {
				spec["parallelism"], spec["completions"] = f.parallelism, f.parallelism
			}
			tmpl := spec["template"].(map[string]any)
			tmeta, _ := tmpl["metadata"].(map[string]any)
			if tmeta == nil {
				tmeta = map[string]any{}
				tmpl["metadata"] = tmeta
			}
			tmeta["labels"] = mergeLabels(tmeta["labels"], labels)
			pod := tmpl["spec"].(map[string]any)
			for _, c := range pod["containers"].([]any) {
				c := c.(map[string]any)
				c["image"] = f.image
				for _, ef := range c["envFrom"].([]any) {
					ref := ef.(map[string]any)["configMapRef"].(map[string]any)
					ref["name"] = suffix(ref["name"].(string))
				}
				if meta["name"] == suffix(kubernetes.SegmentsJob) {
					req := c["resources"].(map[string]any)["requests"].(map[string]any)
					if f.cpu != "" {
						req["cpu"] = f.cpu
					}
					if f.memory != "" {
						req["memory"] = f.memory
					}
				}
			}
			for _, v := range pod["volumes"].([]any) {
				v := v.(map[string]any)
				if cm, ok := v["configMap"].(map[string]any); ok {
					cm["name"] = suffix(cm["name"].(string))
					cm["items"] = items
				}
				if pvc, ok := v["persistentVolumeClaim"].(map[string]any); ok {
					pvc["claimName"] = suffix(pvc["claimName"].(string))
				}
			}
		}
	}
	return docs, nil
}

func mergeLabels(have any, add map[string]any) map[string]any {
	out := map[string]any{}
	if m, ok := have.(map[string]any); ok {
		for k, v := range m {
			out[k] = v
		}
	}
	for k, v := range add {
		out[k] = v
	}
	return out
}
