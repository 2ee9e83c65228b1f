package ssm_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ssmsdk "github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/glassbox-oss/glassbox/shared/ssm"
)

// fakeSSM answers GetParameter the way SSM's JSON 1.1 protocol does.
func fakeSSM(t *testing.T, params map[string]string, calls *atomic.Int32) *ssmsdk.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if got := r.Header.Get("X-Amz-Target"); got != "AmazonSSM.GetParameter" {
			t.Errorf("X-Amz-Target = %q", got)
		}
		var in struct {
			Name           string
			WithDecryption bool
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			t.Error(err)
		}
		if !in.WithDecryption {
			t.Errorf("GetParameter without WithDecryption")
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		v, ok := params[in.Name]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ParameterNotFound","message":"not found"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
			"Name": in.Name, "Type": "SecureString", "Value": v, "Version": 1}})
	}))
	t.Cleanup(srv.Close)
	return ssmsdk.New(ssmsdk.Options{Region: "eu-central-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
}

func TestSecret(t *testing.T) {
	var calls atomic.Int32
	s := ssm.NewSecrets(fakeSSM(t, map[string]string{"/glassbox/trello/board": "s3cret"}, &calls), time.Minute)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		got, err := s.Secret(ctx, "/glassbox/trello/board")
		if err != nil {
			t.Fatal(err)
		}
		if got != "s3cret" {
			t.Fatalf("Secret = %q", got)
		}
	}
	if got := calls.Load(); got != 1 {
		t.Fatalf("SSM called %d times for one warm secret, want 1", got)
	}
	if _, err := s.Secret(ctx, "/glassbox/missing"); err == nil {
		t.Fatal("missing parameter gave no error")
	}
}
