// Package agencyfile reads the agency file (YAML) that describes an agency, its clients, projects and tracker
// bindings. Errors name the line and the field, so an admin can fix the file without guessing.
package agencyfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Load reads and validates an agency file; known is every provider a binding may name (providers.Catalog).
func Load(path string, known glassbox.ProviderCatalog) (glassbox.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return glassbox.Config{}, err
	}
	cfg, err := Parse(data, known)
	if err != nil {
		return glassbox.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes and validates agency-file YAML. Unknown fields are errors (a typo must not silently drop a
// setting). A validation failure is a glassbox.ValidationErrors with line numbers filled in.
func Parse(data []byte, known glassbox.ProviderCatalog) (glassbox.Config, error) {
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
	if errs := cfg.Validate(known); len(errs) > 0 {
		for i := range errs {
			errs[i].Line = lineOf(&root, errs[i].Path, errs[i].TextLine)
		}
		return glassbox.Config{}, errs
	}
	return cfg, nil
}

// lineOf finds the line of the node a path like "projects[1].billing.stages[2].amount" names, or of its nearest
// existing ancestor when the field is missing. Map keys may contain dots ("stage_map.v1.0"): at each mapping the
// longest key that the rest of the path starts with wins. textLine > 0 is a line within the field's text (a
// template's): the line in the file is counted from where the text starts.
func lineOf(root *yaml.Node, path string, textLine int) int {
	line, n := find(root, path)
	if textLine <= 0 || n == nil || n.Kind != yaml.ScalarNode {
		return line
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		// A block scalar's text starts on the line after its "|" or ">". (Folded text may join lines; the
		// count is then the template's own.)
		return n.Line + textLine
	}
	return n.Line + textLine - 1
}

// find walks a path to its node; a missing field ends the walk at its nearest ancestor's line, with no node.
func find(root *yaml.Node, path string) (int, *yaml.Node) {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	rest := path
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return line, nil
			}
			i, err := strconv.Atoi(rest[1:end])
			if err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
				return line, nil
			}
			n, line = n.Content[i], n.Content[i].Line
			rest = rest[end+1:]
		default:
			key, value := child(n, rest)
			if value == nil {
				return line, nil
			}
			// The key's line: for a block mapping or list that is the line with its name, not its first entry.
			n, line = value, key.Line
			if n.Kind == yaml.AliasNode && n.Alias != nil {
				n = n.Alias
			}
			rest = rest[len(key.Value):]
		}
	}
	return line, n
}

// child returns the entry of mapping n whose key is the longest prefix of path ending at a '.', '[' or the end.
func child(n *yaml.Node, path string) (key, value *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if !strings.HasPrefix(path, k) || k == "" {
			continue
		}
		if len(path) > len(k) && path[len(k)] != '.' && path[len(k)] != '[' {
			continue
		}
		if key == nil || len(k) > len(key.Value) {
			key, value = n.Content[i], n.Content[i+1]
		}
	}
	return key, value
}

// IsValidation reports whether err lists configuration mistakes (as opposed to an unreadable file).
func IsValidation(err error) bool {
	var v glassbox.ValidationErrors
	return errors.As(err, &v)
}
