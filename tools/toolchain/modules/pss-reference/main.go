// Command pss-reference measures Kubernetes' own Pod Security checks (k8s.io/pod-security-admission,
// the code behind the API server's PodSecurity admission) over a fixture corpus laid out as
// <level>/<version>/<pass|fail>/<fixture>.yaml, so that Groundwork's bench can compare its pure
// checker with the reference on the same inputs. Fixtures are decoded once, outside the timing, as
// the API server hands the checks a decoded pod; the timing covers evaluation and the verdict only.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

type fixture struct {
	file    string
	lv      api.LevelVersion
	allowed bool
	pod     corev1.Pod
}

type result struct {
	Pods          int     `json:"pods"`
	Evaluations   int     `json:"evaluations"`
	Seconds       float64 `json:"seconds"`
	PodsPerSecond float64 `json:"podsPerSecond"`
	// Evaluations per second of CPU time, every thread of the process counted (the collector's too).
	PodsPerCPUSecond float64  `json:"podsPerCpuSecond"`
	Mismatches       []string `json:"mismatches"`
}

func main() {
	corpus := flag.String("corpus", "", "the fixture corpus: <level>/<version>/<pass|fail>/<fixture>.yaml")
	minDuration := flag.Duration("min-duration", time.Second, "evaluate the corpus repeatedly for at least this long")
	flag.Parse()
	if *corpus == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: pss-reference --corpus <dir> [--min-duration 1s]")
		os.Exit(2)
	}
	fixtures, err := load(*corpus)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pss-reference: %v\n", err)
		os.Exit(1)
	}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pss-reference: %v\n", err)
		os.Exit(1)
	}
	out := result{Pods: len(fixtures), Mismatches: []string{}}
	for _, f := range fixtures {
		if allowed(evaluator, f) != f.allowed {
			out.Mismatches = append(out.Mismatches, f.file)
		}
	}
	cpuBefore := cpuTime()
	started := time.Now()
	for time.Since(started) < *minDuration {
		for i := range fixtures {
			allowed(evaluator, fixtures[i])
		}
		out.Evaluations += len(fixtures)
	}
	out.Seconds = time.Since(started).Seconds()
	out.PodsPerSecond = float64(out.Evaluations) / out.Seconds
	out.PodsPerCPUSecond = float64(out.Evaluations) / (cpuTime() - cpuBefore).Seconds()
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(1)
	}
}

func cpuTime() time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

func allowed(evaluator policy.Evaluator, f fixture) bool {
	return policy.AggregateCheckResults(evaluator.EvaluatePod(f.lv, &f.pod.ObjectMeta, &f.pod.Spec)).Allowed
}

func load(corpus string) ([]fixture, error) {
	files, err := filepath.Glob(filepath.Join(corpus, "*", "*", "*", "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var fixtures []fixture
	for _, file := range files {
		verdictDir := filepath.Dir(file)
		versionDir := filepath.Dir(verdictDir)
		level, err := api.ParseLevel(filepath.Base(filepath.Dir(versionDir)))
		if err != nil {
			return nil, fmt.Errorf("%s: level: %w", file, err)
		}
		version, err := api.ParseVersion(filepath.Base(versionDir))
		if err != nil {
			return nil, fmt.Errorf("%s: version: %w", file, err)
		}
		verdict := filepath.Base(verdictDir)
		if verdict != "pass" && verdict != "fail" {
			return nil, fmt.Errorf("%s: verdict directory must be pass or fail", file)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		f := fixture{file: file, lv: api.LevelVersion{Level: level, Version: version}, allowed: verdict == "pass"}
		if err := yaml.UnmarshalStrict(data, &f.pod); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		defaultVolumeSources(&f.pod.Spec)
		fixtures = append(fixtures, f)
	}
	if len(fixtures) == 0 {
		return nil, fmt.Errorf("no fixtures under %s", corpus)
	}
	return fixtures, nil
}

// defaultVolumeSources applies the API server's one default that the checks depend on: a volume that
// names no source becomes an emptyDir (SetDefaults_Volume in k8s.io/kubernetes/pkg/apis/core/v1),
// which is how PodSecurity admission sees such a pod.
func defaultVolumeSources(spec *corev1.PodSpec) {
	for i := range spec.Volumes {
		source := reflect.ValueOf(spec.Volumes[i].VolumeSource)
		named := false
		for field := 0; field < source.NumField(); field++ {
			named = named || !source.Field(field).IsNil()
		}
		if !named {
			spec.Volumes[i].EmptyDir = &corev1.EmptyDirVolumeSource{}
		}
	}
}
