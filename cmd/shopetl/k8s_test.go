package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
	"github.com/shopetl/shopetl/platform"
)

// k8sObjects decodes every manifest of deploy/k8s strictly, with the
// Kubernetes API's own types: an unknown or misspelt field fails.
func k8sObjects(t *testing.T) (cms map[string]*corev1.ConfigMap, secrets map[string]*corev1.Secret, pvcs map[string]bool, cronJobs []*batchv1.CronJob, jobs []*batchv1.Job) {
	t.Helper()
	cms, secrets, pvcs = map[string]*corev1.ConfigMap{}, map[string]*corev1.Secret{}, map[string]bool{}
	files, err := filepath.Glob("../../deploy/k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(data, []byte("\n---\n")) {
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				t.Fatalf("%s #%d: %v", file, i, err)
			}
			var obj any
			switch tm.Kind {
			case "ConfigMap":
				obj = &corev1.ConfigMap{}
			case "Secret":
				obj = &corev1.Secret{}
			case "PersistentVolumeClaim":
				obj = &corev1.PersistentVolumeClaim{}
			case "CronJob":
				obj = &batchv1.CronJob{}
			case "Job":
				obj = &batchv1.Job{}
			default:
				t.Fatalf("%s #%d: kind %q is not one this test knows", file, i, tm.Kind)
			}
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				t.Fatalf("%s #%d (%s): %v", file, i, tm.Kind, err)
			}
			switch o := obj.(type) {
			case *corev1.ConfigMap:
				cms[o.Name] = o
			case *corev1.Secret:
				secrets[o.Name] = o
			case *corev1.PersistentVolumeClaim:
				pvcs[o.Name] = true
			case *batchv1.CronJob:
				cronJobs = append(cronJobs, o)
			case *batchv1.Job:
				jobs = append(jobs, o)
			}
		}
	}
	return cms, secrets, pvcs, cronJobs, jobs
}

// TestK8sManifests: deploy/k8s decodes strictly; its CronJob forbids
// overlapping runs; every volume, ConfigMap, Secret and claim a pod names
// exists; and each container's command line is one `shopetl run`
// accepts, over the ConfigMap's job spec, which validates with the
// Secret's and the pod's variables. The Indexed Job's shards, one per
// completion index, cover every shop once.
func TestK8sManifests(t *testing.T) {
	cms, secrets, pvcs, cronJobs, jobs := k8sObjects(t)
	if len(cronJobs) != 1 || len(jobs) != 1 {
		t.Fatalf("%d CronJobs and %d Jobs, want one of each", len(cronJobs), len(jobs))
	}
	if p := cronJobs[0].Spec.ConcurrencyPolicy; p != batchv1.ForbidConcurrent {
		t.Errorf("CronJob concurrencyPolicy %q, want Forbid: two runs must not overlap", p)
	}
	job := jobs[0]
	if job.Spec.CompletionMode == nil || *job.Spec.CompletionMode != batchv1.IndexedCompletion || job.Spec.Completions == nil {
		t.Fatalf("the backfill Job is not an Indexed Job with completions")
	}
	completions := int(*job.Spec.Completions)

	pods := map[string]corev1.PodSpec{"CronJob " + cronJobs[0].Name: cronJobs[0].Spec.JobTemplate.Spec.Template.Spec, "Job " + job.Name: job.Spec.Template.Spec}
	for what, pod := range pods {
		volumes := map[string]corev1.Volume{}
		for _, v := range pod.Volumes {
			volumes[v.Name] = v
			switch {
			case v.ConfigMap != nil && cms[v.ConfigMap.Name] == nil:
				t.Errorf("%s: volume %s names ConfigMap %s, which deploy/k8s lacks", what, v.Name, v.ConfigMap.Name)
			case v.PersistentVolumeClaim != nil && !pvcs[v.PersistentVolumeClaim.ClaimName]:
				t.Errorf("%s: volume %s names claim %s, which deploy/k8s lacks", what, v.Name, v.PersistentVolumeClaim.ClaimName)
			}
		}
		if len(pod.Containers) != 1 {
			t.Fatalf("%s: %d containers, want 1", what, len(pod.Containers))
		}
		c := pod.Containers[0]
		env := map[string]string{}
		for _, from := range c.EnvFrom {
			if from.SecretRef == nil || secrets[from.SecretRef.Name] == nil {
				t.Fatalf("%s: envFrom names no Secret of deploy/k8s", what)
			}
			for k, v := range secrets[from.SecretRef.Name].StringData {
				env[k] = v
			}
		}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		mounts := map[string]string{} // mount path → volume
		for _, m := range c.VolumeMounts {
			if _, ok := volumes[m.Name]; !ok {
				t.Errorf("%s: mount %s names no volume", what, m.Name)
			}
			mounts[m.MountPath] = m.Name
		}
		indexes := 1
		if strings.HasPrefix(what, "Job ") {
			indexes = completions
		}
		seen := map[string]int{}
		for index := range indexes {
			for k, v := range env {
				t.Setenv(k, v)
			}
			t.Setenv(completionIndexEnv, strconv.Itoa(index))
			var out, errb bytes.Buffer
			a, code, done := parseRunArgs(c.Args[1:], &out, &errb)
			if c.Args[0] != "run" || done {
				t.Fatalf("%s: args %q are not a run shopetl accepts (exit %d): %s", what, c.Args, code, errb.String())
			}
			cm := cms[volumes[mounts[filepath.Dir(a.job)]].ConfigMap.Name]
			if cm == nil || cm.Data[filepath.Base(a.job)] == "" {
				t.Fatalf("%s: the job %s is not in a mounted ConfigMap", what, a.job)
			}
			if f := a.report.file; f != "" && !underMount(mounts, f) {
				t.Errorf("%s: --metrics-file %s is on no mounted volume", what, f)
			}
			spec, err := jobspec.Parse(a.job, []byte(cm.Data[filepath.Base(a.job)]), platform.Registered)
			if err != nil {
				t.Fatalf("%s: the ConfigMap's job spec:\n%v", what, err)
			}
			// Pods come and go, and the backfill's are three at once:
			// the state must not be local to any of them.
			if spec.State.Backend != "clickhouse" {
				t.Errorf("%s: state.backend %s keeps the state in the pod; want clickhouse", what, spec.State.Backend)
			}
			shops, err := pipeline.SelectShops(spec, a.opt)
			if err != nil {
				t.Fatalf("%s, index %d: %v", what, index, err)
			}
			for _, s := range shops {
				seen[s.Name]++
			}
			if len(seen) == 0 {
				t.Fatalf("%s: no shop", what)
			}
			if index == indexes-1 {
				for _, s := range spec.Shops {
					if seen[s.Name] != 1 {
						t.Errorf("%s: shop %s run by %d of its pods, want 1", what, s.Name, seen[s.Name])
					}
				}
			}
		}
	}
}

// underMount reports whether path is under one of mounts.
func underMount(mounts map[string]string, path string) bool {
	for m := range mounts {
		if path == m || strings.HasPrefix(path, m+"/") {
			return true
		}
	}
	return false
}
