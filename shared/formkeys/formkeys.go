// Package formkeys reads PHP-style form bodies, whose keys carry a path in brackets
// (`leads[status][0][id]=30307415`), as a tree. amoCRM and Bitrix24 send their webhooks this way.
//
// It follows PHP's own reading where it matters: the last of repeated keys wins, `a[]` appends, and a key whose
// brackets do not close is a plain name. Unlike PHP it keeps a value and children on one node, so no key is
// lost to another.
package formkeys

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// MaxDepth is how many bracket levels are read; deeper ones stay in the last key, as PHP does with its
// max_input_nesting_level.
const MaxDepth = 16

// Node is one level of a form: a value, children by key, or both.
type Node struct {
	Value    string
	Children map[string]*Node
}

// Parse decodes an application/x-www-form-urlencoded body into a tree. It fails only when the body is not
// form-encoded (a bad percent escape, a semicolon in a key).
func Parse(body []byte) (*Node, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("formkeys: %w", err)
	}
	return Expand(v), nil
}

// Expand turns flat form values into a tree. Keys are expanded in sorted order, so `a[]` indices are stable.
func Expand(v url.Values) *Node {
	root := &Node{}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals := v[k]
		if len(vals) == 0 {
			continue
		}
		path := Split(k)
		for _, val := range vals {
			n := root
			for _, p := range path {
				n = n.child(p)
			}
			n.Value = val
		}
	}
	return root
}

// Split breaks a key into its path: `leads[status][0][id]` → leads, status, 0, id. An empty `[]` stays "" (it
// appends); a key whose first bracket does not close is one plain name.
func Split(key string) []string {
	i := strings.IndexByte(key, '[')
	if i <= 0 {
		return []string{key}
	}
	path := []string{key[:i]}
	rest := key[i:]
	for len(rest) > 0 && rest[0] == '[' && len(path) <= MaxDepth {
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			break
		}
		path = append(path, rest[1:j])
		rest = rest[j+1:]
	}
	if len(path) == 1 {
		return []string{key}
	}
	if rest != "" && len(path) > MaxDepth {
		// Levels past MaxDepth stay in the last key. Other trailing text (`a[b]c`, `a[b][c`) is dropped, as
		// PHP drops it.
		path[len(path)-1] += rest
	}
	return path
}

func (n *Node) child(key string) *Node {
	if n.Children == nil {
		n.Children = map[string]*Node{}
	}
	if key == "" {
		key = strconv.Itoa(len(n.Children))
	}
	c, ok := n.Children[key]
	if !ok {
		c = &Node{}
		n.Children[key] = c
	}
	return c
}

// Child returns the node at path below n, or nil when there is none. It is safe on a nil node.
func (n *Node) Child(path ...string) *Node {
	for _, p := range path {
		if n == nil {
			return nil
		}
		n = n.Children[p]
	}
	return n
}

// Get returns the value at path below n, or "" when there is none.
func (n *Node) Get(path ...string) string {
	if c := n.Child(path...); c != nil {
		return c.Value
	}
	return ""
}

// Has says whether path exists below n.
func (n *Node) Has(path ...string) bool { return n.Child(path...) != nil }

// Keys returns the children's keys in order: numeric indices by number first, then the others by name.
func (n *Node) Keys() []string {
	if n == nil {
		return nil
	}
	keys := make([]string, 0, len(n.Children))
	for k := range n.Children {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, aerr := strconv.ParseUint(keys[i], 10, 64)
		b, berr := strconv.ParseUint(keys[j], 10, 64)
		switch {
		case aerr == nil && berr == nil && a != b:
			return a < b
		case aerr == nil && berr != nil:
			return true
		case aerr != nil && berr == nil:
			return false
		}
		return keys[i] < keys[j]
	})
	return keys
}
