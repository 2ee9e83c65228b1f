package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
)

// storeFlags chooses a store: the deployed table, a DynamoDB Local table, or the local data folder.
type storeFlags struct {
	table, endpoint, data string
	createTable           bool
}

// register adds the flags that choose an existing store.
func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.table, "table", "", "DynamoDB table name (the stack's TableName output)")
	fs.StringVar(&f.endpoint, "endpoint", "", "DynamoDB endpoint, e.g. http://127.0.0.1:8000 for DynamoDB Local")
	fs.StringVar(&f.data, "data", "", "local data folder of glassbox dev, instead of DynamoDB")
}

// registerCreate adds --create-table, for the commands that can start from an empty store (apply).
func (f *storeFlags) registerCreate(fs *flag.FlagSet) {
	fs.BoolVar(&f.createTable, "create-table", false, "with --endpoint: create the table if it does not exist")
}

// open returns the chosen store and a function that closes it.
func (f *storeFlags) open(ctx context.Context) (glassbox.Store, func() error, error) {
	switch {
	case f.data != "" && f.table != "":
		return nil, nil, errors.New("give --table or --data, not both")
	case f.data != "":
		s, err := openLocal(f.data)
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	case f.table != "":
		var client *dynamodb.Client
		if f.endpoint != "" {
			client = dynamo.NewLocalClient(f.endpoint)
			if f.createTable {
				if err := dynamo.CreateTable(ctx, client, f.table); err != nil {
					return nil, nil, fmt.Errorf("create table %s: %w", f.table, err)
				}
			}
		} else {
			cfg, err := config.LoadDefaultConfig(ctx)
			if err != nil {
				return nil, nil, err
			}
			client = dynamodb.NewFromConfig(cfg)
		}
		return dynamo.New(client, f.table), func() error { return nil }, nil
	default:
		return nil, nil, errors.New("say which store: --table NAME (the deployed DynamoDB table) or --data DIR (the data folder of glassbox dev)")
	}
}

func openLocal(dir string) (*localstore.Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s, err := localstore.Open(filepath.Join(dir, "glassbox.db"))
	if err != nil {
		return nil, fmt.Errorf("open %s (is glassbox dev running on it? stop it first): %w", dir, err)
	}
	return s, nil
}
