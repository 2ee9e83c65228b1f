package billing_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Billing signs links through shared/linksign, not the link handler's package, so billing and everything that
// issues documents or reminds (react's domain logic, remind) do not pull in aws-lambda-go.
func TestBillingAndSigningDoNotImportLambda(t *testing.T) {
	for _, pkg := range []string{"../billing", "../linksign", "../remind"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		if strings.Contains(string(out), "github.com/aws/aws-lambda-go") {
			t.Errorf("%s depends on aws-lambda-go:\n%s", pkg, out)
		}
	}
}
