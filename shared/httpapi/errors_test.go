package httpapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/httpapi"
	"github.com/glassbox-oss/glassbox/shared/linksign"
)

func TestStatusOf(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{httpapi.ErrNotFound, http.StatusNotFound},
		{httpapi.ErrMethodNotAllowed, http.StatusMethodNotAllowed},
		{httpapi.ErrTooLarge, http.StatusRequestEntityTooLarge},
		{httpapi.ErrConflict, http.StatusConflict},
		{httpapi.ErrUnavailable, http.StatusInternalServerError},
		{glassbox.ErrBadSignature, http.StatusUnauthorized},
		{glassbox.ErrMalformed, http.StatusBadRequest},
		{linksign.ErrBadLink, http.StatusForbidden},
		{linksign.ErrExpired, http.StatusForbidden},
		{errors.New("anything else"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		wrapped := fmt.Errorf("handler: %w", tt.err)
		if got := httpapi.StatusOf(wrapped); got != tt.want {
			t.Errorf("StatusOf(%v) = %d, want %d", wrapped, got, tt.want)
		}
	}
}
