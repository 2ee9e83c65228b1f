package kaiten_test

import (
	"fmt"

	"github.com/glassbox-oss/glassbox/shared/kaiten"
)

// Kaiten signs nothing: a delivery is authentic when its hook URL carries the binding's secret. HookURL gives
// the URL to enter in the space's external webhook; the secret is a random token of at least 32 characters,
// made with `openssl rand -hex 32`. The card link in notices comes from the binding's api_url.
func ExampleHookURL() {
	token := "9c2f6a1e5b8d47f3a0c4e7b1d9f2a6c3e8b5d0f7a2c9e4b1f6d3a8c5e0b7f2a9"
	fmt.Println(kaiten.HookURL("https://glassbox.studio.example", "site", token))
	fmt.Println(kaiten.CardURL("https://acme.kaiten.ru/api/latest", "18734512"))
	// Output:
	// https://glassbox.studio.example/hooks/kaiten/site?token=9c2f6a1e5b8d47f3a0c4e7b1d9f2a6c3e8b5d0f7a2c9e4b1f6d3a8c5e0b7f2a9
	// https://acme.kaiten.ru/18734512
}
