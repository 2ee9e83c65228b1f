//go:build zbar

// The QR round trip needs zbarimg (Debian zbar-tools), which CI machines do not have:
//
//	go test -tags zbar ./shared/pdf/
package pdf_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/payqr"
)

// TestQRDecodes renders each invoice's page at 150 dpi and reads the payment QR code back from it.
func TestQRDecodes(t *testing.T) {
	t.Parallel()
	for _, d := range []glassbox.Document{ruDoc(glassbox.DocumentInvoice), enDoc(glassbox.DocumentInvoice)} {
		t.Run(d.Locale, func(t *testing.T) {
			t.Parallel()
			want, ok, err := payqr.Payload(d)
			if err != nil || !ok {
				t.Fatalf("Payload: %v, %v", ok, err)
			}
			dir := t.TempDir()
			pdfPath, pngBase := filepath.Join(dir, "doc.pdf"), filepath.Join(dir, "page")
			if err := os.WriteFile(pdfPath, mustRender(t, d), 0o644); err != nil {
				t.Fatal(err)
			}
			if msg, err := exec.Command("pdftoppm", "-png", "-r", "150", "-singlefile", pdfPath, pngBase).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v: %s", err, msg)
			}
			out, err := exec.Command("zbarimg", "-q", "--raw", pngBase+".png").Output()
			if err != nil {
				t.Fatalf("zbarimg (from zbar-tools): %v", err)
			}
			if got := strings.TrimSuffix(string(out), "\n"); got != want {
				t.Errorf("QR on the page reads\n%q\nwant\n%q", got, want)
			}
		})
	}
}
