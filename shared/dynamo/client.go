package dynamo

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// NewLocalClient returns a client for DynamoDB Local at endpoint (like "http://127.0.0.1:8000"): static dummy
// credentials, region us-east-1, and no response checksum validation (DynamoDB Local's responses to cancelled
// transactions fail it and the SDK logs a warning). optFns adjust the options further, e.g. to add a
// RequestCounter. Never use it for AWS.
func NewLocalClient(endpoint string, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:                          "us-east-1",
		BaseEndpoint:                    aws.String(endpoint),
		Credentials:                     credentials.NewStaticCredentialsProvider("local", "local", ""),
		DisableValidateResponseChecksum: true,
	}, optFns...)
}
