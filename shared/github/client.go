package github

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/readback"
)

// DefaultAPIURL is GitHub's public API; a binding's api_url replaces it (GitHub Enterprise Server:
// "https://github.example.com/api").
const DefaultAPIURL = "https://api.github.com"

// nodeQuery reads what a notice needs of a board item's content: an issue, a pull request or a draft (which has
// no page of its own, so no URL).
const nodeQuery = `query($id: ID!) { node(id: $id) { __typename ` +
	`... on Issue { title url } ... on PullRequest { title url } ... on DraftIssue { title } } }`

// ReadBack completes a Projects (v2) event, which names its issue only by node id, with the title and
// link, through GitHub's GraphQL API at the binding's api_url (DefaultAPIURL when empty) with credential, a
// token that may read the repository's issues (the binding's api_param). Events that already carry both, the
// issues events, are returned as they are, without a call.
//
// Every failure is an error the caller retries, never glassbox.ErrNotFound: GitHub answers a deleted issue and
// an issue the token may not see alike (GraphQL NOT_FOUND, or no node), and a token that lost access must not
// make client notices vanish; the event stays pending, the sweep retries it with a growing wait and its alarm
// says so. An HTTP 404 is the api_url being wrong, not the issue. No error contains the token.
func (p Provider) ReadBack(ctx context.Context, b glassbox.Binding, credential string, e glassbox.Event) (glassbox.Event, error) {
	if e.Title != "" && e.URL != "" {
		return e, nil
	}
	fail := func(format string, args ...any) (glassbox.Event, error) {
		return e, fmt.Errorf("github: read node %q back: "+format, append([]any{e.TaskID}, args...)...)
	}
	base := strings.TrimRight(b.APIURL, "/")
	if base == "" {
		base = DefaultAPIURL
	}
	reqBody, _ := json.Marshal(map[string]any{"query": nodeQuery, "variables": map[string]string{"id": e.TaskID}})
	a, err := readback.Do(ctx, p.HTTP, readback.Request{
		Method: http.MethodPost,
		URL:    base + "/graphql",
		Header: http.Header{"Authorization": {"Bearer " + credential}, "User-Agent": {"glassbox"}},
		Body:   reqBody,
	})
	if err != nil {
		return fail("%w", err)
	}
	if !a.OK() {
		return fail("%s", (&readback.HTTPError{Status: a.Status}).Error())
	}
	var answer struct {
		Data *struct {
			Node *struct {
				Typename string `json:"__typename"`
				Title    string `json:"title"`
				URL      string `json:"url"`
			} `json:"node"`
		} `json:"data"`
		Errors []struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(a.Body, &answer); err != nil {
		return fail("the answer is not JSON: %v", err)
	}
	for _, ge := range answer.Errors {
		if ge.Type == "NOT_FOUND" {
			return fail("%s (deleted, or the token may not read it)", readback.Clip(ge.Message, 200))
		}
	}
	if len(answer.Errors) > 0 {
		return fail("%s %s", answer.Errors[0].Type, readback.Clip(answer.Errors[0].Message, 200))
	}
	if answer.Data == nil {
		return fail("the answer has no data")
	}
	n := answer.Data.Node
	if n == nil {
		return fail("no such node (deleted, or the token may not read it)")
	}
	if e.Title == "" {
		e.Title = n.Title
	}
	if e.URL == "" {
		e.URL = n.URL
	}
	return e, nil
}
