package glassbox_test

import (
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

func TestNamesPerLocale(t *testing.T) {
	t.Parallel()
	agency := glassbox.Agency{Name: "Студия «Пиксель»", Sender: "Студия «Пиксель» <notify@pixel.example>",
		Names: glassbox.Names{"en": "Pixel Studio"}}
	seller := glassbox.Seller{ID: "pixel", Name: "ООО «Пиксель»", Names: glassbox.Names{"en": "Pixel LLC"}}
	tests := []struct {
		name               string
		agency             glassbox.Agency
		locale             string
		wantName, wantFrom string
		seller             glassbox.Seller
		wantSeller         string
	}{
		{"EnglishName", agency, "en", "Pixel Studio", "Pixel Studio", seller, "Pixel LLC"},
		{"DefaultName", agency, "ru", "Студия «Пиксель»", "Студия «Пиксель»", seller, "ООО «Пиксель»"},
		{"NoNames", glassbox.Agency{Name: "Студия", Sender: "Уведомления <notify@pixel.example>"}, "en", "Студия", "Уведомления",
			glassbox.Seller{Name: "ООО «Пиксель»"}, "ООО «Пиксель»"},
		{"BareSender", glassbox.Agency{Name: "Студия", Sender: "notify@pixel.example"}, "en", "Студия", "Студия",
			glassbox.Seller{Name: "Pixel OÜ"}, "Pixel OÜ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.agency.NameIn(tt.locale); got != tt.wantName {
				t.Errorf("NameIn(%s) = %q, want %q", tt.locale, got, tt.wantName)
			}
			from, err := tt.agency.SenderIn(tt.locale)
			if err != nil || from.Name != tt.wantFrom || from.Email != "notify@pixel.example" {
				t.Errorf("SenderIn(%s) = %+v, %v; want %q <notify@pixel.example>", tt.locale, from, err, tt.wantFrom)
			}
			if got := tt.seller.In(tt.locale); got.Name != tt.wantSeller || got.Names != nil {
				t.Errorf("seller In(%s) = %q %v, want %q", tt.locale, got.Name, got.Names, tt.wantSeller)
			}
		})
	}
}

func TestValidateNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		change    func(c *glassbox.Config)
		path, msg string
	}{
		{"AgencyUnknownLocale", func(c *glassbox.Config) { c.Agency.Names = glassbox.Names{"de": "Studio"} }, "agency.names.de", `must be "ru" or "en"`},
		{"AgencyEmptyName", func(c *glassbox.Config) { c.Agency.Names = glassbox.Names{"en": " "} }, "agency.names.en", "is required"},
		{"SellerUnknownLocale", func(c *glassbox.Config) { c.Sellers[0].Names = glassbox.Names{"fr": "Studio"} }, "sellers[0].names.fr", `must be "ru" or "en"`},
		{"SellerEmptyName", func(c *glassbox.Config) { c.Sellers[0].Names = glassbox.Names{"en": ""} }, "sellers[0].names.en", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.change(&c)
			errs := c.Validate(providers.Catalog())
			if len(errs) != 1 || errs[0].Path != tt.path || !strings.Contains(errs[0].Msg, tt.msg) {
				t.Fatalf("errors = %v, want one at %s: %s", errs, tt.path, tt.msg)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		c := validConfig()
		c.Agency.Names = glassbox.Names{"en": "Studio", "ru": "Студия"}
		c.Sellers[0].Names = glassbox.Names{"en": "Studio LLC"}
		if errs := c.Validate(providers.Catalog()); len(errs) > 0 {
			t.Fatal(errs)
		}
	})
}
