package formkeys_test

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/formkeys"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		key  string
		want []string
	}{
		{"event", []string{"event"}},
		{"leads[status][0][id]", []string{"leads", "status", "0", "id"}},
		{"a[]", []string{"a", ""}},
		{"a[b", []string{"a[b"}},
		{"a[b]c", []string{"a", "b"}},
		{"a[b][c", []string{"a", "b"}},
		{"[a]", []string{"[a]"}},
		{"", []string{""}},
		{"a[x]][y]", []string{"a", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := formkeys.Split(tt.key); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Split(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestSplitDepthLimit(t *testing.T) {
	key := "a"
	for range formkeys.MaxDepth + 3 {
		key += "[x]"
	}
	got := formkeys.Split(key)
	if len(got) != formkeys.MaxDepth+1 {
		t.Fatalf("Split gave %d segments, want %d", len(got), formkeys.MaxDepth+1)
	}
	if last := got[len(got)-1]; last != "x[x][x][x]" {
		t.Fatalf("last segment = %q, want the rest kept in it", last)
	}
}

func TestParse(t *testing.T) {
	body := "account%5Bsubdomain%5D=acmeshop&leads%5Bstatus%5D%5B1%5D%5Bid%5D=2&leads%5Bstatus%5D%5B0%5D%5Bid%5D=1" +
		"&leads%5Bstatus%5D%5B10%5D%5Bid%5D=11&tags[]=a&tags[]=b&x=1&x=2&x[y]=3"
	n, err := formkeys.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n.Get("account", "subdomain"), "acmeshop"; got != want {
		t.Errorf("account[subdomain] = %q, want %q", got, want)
	}
	if got, want := n.Child("leads", "status").Keys(), []string{"0", "1", "10"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Keys = %q, want %q (numeric order)", got, want)
	}
	if got, want := n.Get("leads", "status", "10", "id"), "11"; got != want {
		t.Errorf("leads[status][10][id] = %q, want %q", got, want)
	}
	if got, want := []string{n.Get("tags", "0"), n.Get("tags", "1")}, []string{"a", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tags[] = %q, want %q", got, want)
	}
	if got, want := n.Get("x"), "2"; got != want {
		t.Errorf("repeated x = %q, want the last, %q", got, want)
	}
	if got, want := n.Get("x", "y"), "3"; got != want {
		t.Errorf("x[y] = %q, want %q (a value and children on one node)", got, want)
	}
	if n.Has("nosuch", "path") || n.Get("leads", "nosuch", "0") != "" || n.Child("nosuch").Keys() != nil {
		t.Error("missing paths should be empty")
	}
}

func TestParseRejectsNonForm(t *testing.T) {
	for _, body := range []string{"a=%zz", "a;b=1"} {
		if _, err := formkeys.Parse([]byte(body)); err == nil {
			t.Errorf("Parse(%q): want an error", body)
		}
	}
}

func TestKeysOrder(t *testing.T) {
	n := formkeys.Expand(url.Values{"m[b]": {"1"}, "m[2]": {"1"}, "m[a]": {"1"}, "m[10]": {"1"}, "m[02]": {"1"}})
	if got, want := n.Child("m").Keys(), []string{"02", "2", "10", "a", "b"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Keys = %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("leads%5Bstatus%5D%5B0%5D%5Bid%5D=1&a[]=1&a[][b]=2"))
	f.Add([]byte("a[b][c=1&[=2&]=3&a[=4"))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := formkeys.Parse(body)
		if err != nil {
			return
		}
		for _, k := range n.Keys() {
			_ = n.Child(k).Keys()
		}
	})
}
