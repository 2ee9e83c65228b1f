package asana_test

import (
	"fmt"

	"github.com/glassbox-oss/glassbox/shared/asana"
)

// Sign gives the X-Hook-Signature of a body: lowercase hex HMAC-SHA256 with the secret Asana handed over in
// the X-Hook-Secret handshake. Heartbeats are signed too.
func ExampleSign() {
	secret := "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81"
	fmt.Println(asana.Sign(secret, []byte(`{"events":[]}`)))
	// Output:
	// 10468027b67df18c739cc4794c6fc2d2806dcaaf2259fc3e1ed9d26433659853
}
