package deploy_test

import (
	"slices"
	"testing"
)

// TestTemplateFeedbackRoutes: the approval (/a/{token}) and rating (/r/{token}) links reach LinkFunction for GET
// (the page) and POST (the record), and for nothing else.
func TestTemplateFeedbackRoutes(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	events := tpl.get("Resources", "LinkFunction", "Properties", "Events")
	got := map[string][]string{}
	for _, name := range events.keys() {
		p := events.get(name, "Properties")
		got[p.get("Path").str()] = append(got[p.get("Path").str()], p.get("Method").str())
	}
	for _, path := range []string{"/a/{token}", "/r/{token}"} {
		methods := got[path]
		slices.Sort(methods)
		if !slices.Equal(methods, []string{"GET", "POST"}) {
			t.Errorf("LinkFunction %s: methods %v, want GET and POST", path, methods)
		}
	}
}
