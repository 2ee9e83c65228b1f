// Package agencyfile reads the agency file (YAML) that describes an agency, its clients, projects and tracker
// bindings. Errors name the line and the field, so an admin can fix the file without guessing.
package agencyfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Load reads and validates an agency file.
func Load(path string) (glassbox.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return glassbox.Config{}, err
	}
	cfg, err := Parse(data)
	if err != nil {
		return glassbox.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes and validates agency-file YAML. Unknown fields are errors (a typo must not silently drop a
// setting). A validation failure is a glassbox.ValidationErrors with line numbers filled in.
func Parse(data []byte) (glassbox.Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return glassbox.Config{}, fmt.Errorf("not valid YAML: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var cfg glassbox.Config
	if err := dec.Decode(&cfg); err != nil {
		return glassbox.Config{}, fmt.Errorf("agency file: %w", err)
	}
	if errs := cfg.Validate(); len(errs) > 0 {
		for i := range errs {
			errs[i].Line = lineOf(&root, errs[i].Path)
		}
		return glassbox.Config{}, errs
	}
	return cfg, nil
}

var step = regexp.MustCompile(`^([^\[]+)((?:\[\d+\])*)$`)

// lineOf finds the line of the node a path like "projects[1].manager.email" names, or of its nearest
// existing ancestor when the field is missing.
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, part := range strings.Split(path, ".") {
		m := step.FindStringSubmatch(part)
		if m == nil {
			return line
		}
		key, idx := m[1], m[2]
		next := child(n, key)
		if next == nil {
			return line
		}
		line, n = next.Line, next
		for _, s := range strings.Split(strings.Trim(idx, "[]"), "][") {
			if s == "" {
				continue
			}
			i, _ := strconv.Atoi(s)
			if n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		}
	}
	return line
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// IsValidation reports whether err lists configuration mistakes (as opposed to an unreadable file).
func IsValidation(err error) bool {
	var v glassbox.ValidationErrors
	return errors.As(err, &v)
}
