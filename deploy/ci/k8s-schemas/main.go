// Command k8s-schemas writes strict, standalone JSON schemas for kubeconform from the
// Kubernetes OpenAPI v2 spec (api/openapi-spec/swagger.json of the k8s.io/kubernetes module)
// and from CustomResourceDefinition manifests (for the ServiceMonitor kind).
//
// Layout: <out>/<group>/<version>/<kind>.json, matching the kubeconform schema location
// "<out>/{{ .Group }}/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json" (kubeconform names the
// core group "v1", so core kinds land in <out>/v1/v1/).
//
// "Strict" means what the -strict schemas of kubernetes-json-schema mean: every object that
// lists its properties rejects any other property, so a misspelt field fails validation.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

const refPrefix = "#/definitions/"

func main() {
	swagger := flag.String("swagger", "", "path to the Kubernetes swagger.json")
	out := flag.String("out", "", "output directory")
	var crds stringList
	flag.Var(&crds, "crd", "CustomResourceDefinition YAML file (repeatable)")
	flag.Parse()
	if *swagger == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: k8s-schemas -swagger swagger.json -out DIR [-crd file.yaml ...]")
		os.Exit(2)
	}
	n, err := fromSwagger(*swagger, *out)
	check(err)
	for _, f := range crds {
		m, err := fromCRD(f, *out)
		check(err)
		n += m
	}
	fmt.Printf("k8s-schemas: wrote %d schemas to %s\n", n, *out)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8s-schemas:", err)
		os.Exit(1)
	}
}

func fromSwagger(path, out string) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var spec struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	defs := spec.Definitions
	names := make([]string, 0, len(defs))
	for name := range defs {
		names = append(names, name)
	}
	sort.Strings(names)
	written := 0
	for _, name := range names {
		def := defs[name]
		gvks, _ := def["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			gvk := g.(map[string]any)
			group, _ := gvk["group"].(string)
			version, _ := gvk["version"].(string)
			kind, _ := gvk["kind"].(string)
			closure := map[string]any{}
			collectRefs(def, defs, closure)
			schema := strictCopy(def, name).(map[string]any)
			if len(closure) > 0 {
				schema["definitions"] = closure
			}
			schema["$schema"] = "http://json-schema.org/draft-07/schema#"
			if err := write(out, group, version, kind, schema); err != nil {
				return written, err
			}
			written++
		}
	}
	return written, nil
}

// collectRefs puts every definition reachable from node (transformed) into closure.
func collectRefs(node any, defs map[string]map[string]any, closure map[string]any) {
	switch v := node.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && strings.HasPrefix(ref, refPrefix) {
			name := strings.TrimPrefix(ref, refPrefix)
			if _, seen := closure[name]; !seen {
				target, ok := defs[name]
				if !ok {
					panic("dangling $ref " + ref)
				}
				closure[name] = nil // mark before recursing: definitions are recursive (JSONSchemaProps)
				closure[name] = strictCopy(target, name)
				collectRefs(target, defs, closure)
			}
		}
		for _, child := range v {
			collectRefs(child, defs, closure)
		}
	case []any:
		for _, child := range v {
			collectRefs(child, defs, closure)
		}
	}
}

// strictCopy deep-copies a swagger schema node, closing every object that lists its properties
// and turning the two "string or number" encodings Kubernetes accepts into oneOf.
func strictCopy(node any, defName string) any {
	switch v := node.(type) {
	case map[string]any:
		if defName == "io.k8s.apimachinery.pkg.api.resource.Quantity" {
			return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
		}
		out := make(map[string]any, len(v))
		for k, child := range v {
			if strings.HasPrefix(k, "x-kubernetes-") {
				continue
			}
			out[k] = strictCopy(child, "")
		}
		if v["format"] == "int-or-string" {
			delete(out, "type")
			delete(out, "format")
			out["oneOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}
		}
		if _, hasProps := v["properties"]; hasProps {
			if _, set := v["additionalProperties"]; !set {
				out["additionalProperties"] = false
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, child := range v {
			out[i] = strictCopy(child, "")
		}
		return out
	default:
		return v
	}
}

func fromCRD(path, out string) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var crd struct {
		Kind string `json:"kind"`
		Spec struct {
			Group string `json:"group"`
			Names struct {
				Kind string `json:"kind"`
			} `json:"names"`
			Versions []struct {
				Name   string `json:"name"`
				Schema struct {
					OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(raw, &crd); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if crd.Kind != "CustomResourceDefinition" {
		return 0, fmt.Errorf("%s: not a CustomResourceDefinition (kind %q)", path, crd.Kind)
	}
	written := 0
	for _, v := range crd.Spec.Versions {
		if v.Schema.OpenAPIV3Schema == nil {
			return written, fmt.Errorf("%s: version %s has no openAPIV3Schema", path, v.Name)
		}
		schema := strictCRD(v.Schema.OpenAPIV3Schema).(map[string]any)
		schema["$schema"] = "http://json-schema.org/draft-07/schema#"
		if err := write(out, crd.Spec.Group, v.Name, crd.Spec.Names.Kind, schema); err != nil {
			return written, err
		}
		written++
	}
	return written, nil
}

// strictCRD closes the objects of a structural CRD schema, except where the CRD itself says
// unknown fields are preserved.
func strictCRD(node any) any {
	switch v := node.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, child := range v {
			out[k] = strictCRD(child)
		}
		_, hasProps := v["properties"]
		_, set := v["additionalProperties"]
		preserve, _ := v["x-kubernetes-preserve-unknown-fields"].(bool)
		if hasProps && !set && !preserve {
			out["additionalProperties"] = false
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, child := range v {
			out[i] = strictCRD(child)
		}
		return out
	default:
		return v
	}
}

func write(out, group, version, kind string, schema map[string]any) error {
	if group == "" {
		group = version // kubeconform's {{ .Group }} of "v1" is "v1"
	}
	dir := filepath.Join(out, group, version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.Marshal(schema)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, strings.ToLower(kind)+".json"), data, 0o644)
}
