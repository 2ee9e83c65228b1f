// Command echo is the function the harness tests run: it answers with its input, or, on request, fails,
// panics, or describes the Lambda context it was given.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type request struct {
	Fail     string `json:"fail"`
	Panic    string `json:"panic"`
	Describe bool   `json:"describe"`
}

type description struct {
	RequestID    string            `json:"requestId"`
	FunctionARN  string            `json:"functionArn"`
	DeadlineInMS int64             `json:"deadlineInMs"`
	Env          map[string]string `json:"env"`
}

func handle(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
	var req request
	_ = json.Unmarshal(in, &req)
	switch {
	case req.Fail != "":
		return nil, errors.New(req.Fail)
	case req.Panic != "":
		panic(req.Panic)
	case req.Describe:
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		d := description{RequestID: lc.AwsRequestID, FunctionARN: lc.InvokedFunctionArn,
			DeadlineInMS: time.Until(deadline).Milliseconds(), Env: map[string]string{}}
		for _, k := range []string{"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "_HANDLER", "EXTRA"} {
			d.Env[k] = os.Getenv(k)
		}
		return json.Marshal(d)
	}
	return in, nil
}

func main() {
	if msg := os.Getenv("ECHO_INIT_FAIL"); msg != "" {
		body, _ := json.Marshal(map[string]string{"errorMessage": msg, "errorType": "InitFailed"})
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		if resp, err := http.Post(url, "application/json", bytes.NewReader(body)); err == nil {
			resp.Body.Close()
		}
		os.Exit(1)
	}
	lambda.Start(handle)
}
