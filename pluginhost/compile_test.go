package pluginhost

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

// TestImportsThatCannotBeServed: each failing import stops Load with a
// message naming the module and what to do.
func TestImportsThatCannotBeServed(t *testing.T) {
	cases := []struct {
		name, source string
		want         []string
	}{
		{"sockets package", `import snowflake from 'snowflake-sdk'; export function processEvent(e) { return snowflake }`,
			[]string{`cannot import "snowflake-sdk"`, "does not support this package yet", "it serves aws-sdk (S3), pg"}},
		{"aws-sdk service not served", `import DynamoDB from 'aws-sdk/clients/dynamodb'; export const x = DynamoDB`,
			[]string{`cannot import "aws-sdk/clients/dynamodb"`, "only the S3 client"}},
		{"google cloud package not served", `const { PubSub } = require('@google-cloud/pubsub'); module.exports = {}`,
			[]string{`cannot import "@google-cloud/pubsub"`, "does not support this package yet", "@google-cloud/bigquery, @google-cloud/storage"}},
		{"file of a served google cloud package", `const { Table } = require('@google-cloud/bigquery/build/src/table'); module.exports = {}`,
			[]string{`cannot import "@google-cloud/bigquery/build/src/table"`, `serves @google-cloud/bigquery itself, not its files (import "@google-cloud/bigquery")`}},
		{"node built-in without sockets support", `import fs from 'node:fs'; export const x = fs`,
			[]string{`cannot import "node:fs"`, "does not support"}},
		{"missing npm package", `import leftPad from 'left-pad'; export const x = leftPad`,
			[]string{`cannot import "left-pad"`, "npm install left-pad", "index.js:1:"}},
		{"missing relative file", `import { a } from './lib/missing'; export const x = a`,
			[]string{`cannot import "./lib/missing": file not found`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "plugin.json"), []byte(`{"name":"imports"}`), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "index.js"), []byte(c.source), 0o644))
			mem := state.NewMemory()
			defer mem.Close()
			_, err := Load(Options{Path: dir, Logger: &testutil.Logger{T: t}, Cache: mem.Cache(), Storage: mem.Storage()})
			require.Error(t, err)
			assert.Contains(t, err.Error(), `plugin "imports"`)
			for _, want := range c.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}
