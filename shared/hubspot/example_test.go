package hubspot_test

import (
	"fmt"

	"github.com/glassbox-oss/glassbox/shared/hubspot"
)

// Sign gives the X-HubSpot-Signature-v3 value of a request, for tests and for re-signing samples:
// Verify refuses a timestamp more than five minutes from its ReceivedAt.
func ExampleSign() {
	body := []byte(`[{"eventId":1,"subscriptionType":"deal.propertyChange","objectId":42,"propertyName":"dealstage","propertyValue":"closedwon"}]`)
	fmt.Println(hubspot.Sign("client-secret", "POST", "https://hooks.example.com/hooks/hubspot/crm", body, 1795428000000))
	// The URI is hashed with %3A, %2F, %3F, %40, %21, %24, %27, %28, %29, %2A, %2C and %3B decoded.
	fmt.Println(hubspot.SignedURI("https://hooks.example.com/hooks/hubspot/crm?next=%2Fdeals%3Fwon%20today"))
	// Output:
	// p5JA7ZVIW+2FvOz69BGamtkLdGeI3XgkWLlKmlXJ3UE=
	// https://hooks.example.com/hooks/hubspot/crm?next=/deals?won%20today
}
