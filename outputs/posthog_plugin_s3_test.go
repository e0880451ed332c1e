package outputs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/node/awssdk/s3test"
	"github.com/hogpipe/hogpipe/internal/testutil"
)

// TestPluginOutputS3Export runs the real s3-export plugin, unmodified,
// against a local S3 server: each batch lands as one object under the
// plugin's key layout, and gzip and brotli bodies decode to the events as
// JSON lines.
func TestPluginOutputS3Export(t *testing.T) {
	dir := sharedPlugin(t, "s3-export")
	for _, c := range []struct {
		compression, ext string
		decode           func([]byte) ([]byte, error)
	}{
		{"gzip", ".jsonl.gz", func(b []byte) ([]byte, error) {
			r, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			return io.ReadAll(r)
		}},
		{"brotli", ".jsonl.br", func(b []byte) ([]byte, error) { return io.ReadAll(brotli.NewReader(bytes.NewReader(b))) }},
		{"no compression", ".jsonl", func(b []byte) ([]byte, error) { return b, nil }},
	} {
		t.Run(c.compression, func(t *testing.T) {
			testutil.NoLeaks(t)
			srv := s3test.Start(t, "events")
			env, sink := pluginOutTestEnv(t)
			pluginOutTestRun(t, env, fmt.Sprintf(`
input:
  generate:
    count: 5
    interval: ""
    mapping: |
      let n = counter()
      root = {"event": "e", "uuid": "u" + $n.string(), "distinct_id": "d", "properties": {"n": $n}}
output:
  fallback:
    - posthog_plugin:
        path: %q
        config:
          awsAccessKey: %s
          awsSecretAccessKey: secret
          s3BucketName: events
          s3BucketEndpoint: %s
          s3ForcePathStyle: "true"
          signatureVersion: v4
          prefix: backups/posthog/
          compression: %s
        plugin_id: 9301
        vms: 1
        batching: {count: 5}
        max_in_flight: 1
        retry_initial_interval: 10ms
        max_retries: 1
    - test_sink: {}
logger: {level: none}
`, dir, s3test.AccessKey, srv.URL, c.compression))
			assert.Empty(t, sink.bodies(), "nothing dead-lettered")
			keys := srv.Keys(t, "events")
			require.Len(t, keys, 1, "one object for the batch")
			layout := regexp.MustCompile(`^backups/posthog/(\d{4}-\d{2}-\d{2})/(\d{8})-\d{6}\.\d{3}Z-[0-9a-f]{16}` + regexp.QuoteMeta(c.ext) + `$`)
			m := layout.FindStringSubmatch(keys[0])
			require.NotNil(t, m, "key %q follows the plugin's layout", keys[0])
			assert.Equal(t, strings.ReplaceAll(m[1], "-", ""), m[2])
			body, err := c.decode(srv.Object(t, "events", keys[0]))
			require.NoError(t, err)
			var uuids []string
			for _, line := range strings.Split(string(body), "\n") {
				var e struct {
					UUID, Event string
					Properties  map[string]any
				}
				require.NoError(t, json.Unmarshal([]byte(line), &e), "line %q", line)
				assert.Equal(t, "e", e.Event)
				uuids = append(uuids, e.UUID)
			}
			sort.Strings(uuids)
			assert.Equal(t, []string{"u1", "u2", "u3", "u4", "u5"}, uuids)
		})
	}
}

// TestPluginOutputS3ExportFailures: with wrong credentials or a missing
// bucket the plugin sees the SDK's error, throws RetryError, and after the
// retries the events reach the dead letter — none is dropped.
func TestPluginOutputS3ExportFailures(t *testing.T) {
	dir := sharedPlugin(t, "s3-export")
	for _, c := range []struct{ name, key, bucket, logged string }{
		{"wrong credentials", "AKIAWRONG", "events", "Error uploading to S3: The AWS Access Key Id you provided does not exist in our records."},
		{"missing bucket", s3test.AccessKey, "nobucket", "Error uploading to S3: The specified bucket does not exist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			testutil.NoLeaks(t)
			srv := s3test.Start(t, "events")
			env, sink := pluginOutTestEnv(t)
			watch := pluginOutTestWatch(c.logged)
			builder := env.NewStreamBuilder()
			builder.SetLogger(slog.New(slog.NewTextHandler(watch, nil)))
			require.NoError(t, builder.SetYAML(fmt.Sprintf(`
input:
  generate:
    count: 3
    interval: ""
    mapping: |
      root = {"event": "e", "uuid": "u" + counter().string(), "properties": {}}
output:
  fallback:
    - posthog_plugin:
        path: %q
        config:
          awsAccessKey: %s
          awsSecretAccessKey: secret
          s3BucketName: %s
          s3BucketEndpoint: %s
          s3ForcePathStyle: "true"
        plugin_id: 9302
        vms: 1
        batching: {count: 3}
        max_in_flight: 1
        retry_initial_interval: 10ms
        max_retries: 2
    - test_sink: {}
`, dir, c.key, c.bucket, srv.URL)))
			stream, err := builder.Build()
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			require.NoError(t, stream.Run(ctx))
			watch.wait(t, "the plugin did not log the SDK's error")
			assert.Equal(t, []string{
				`{"event":"e","properties":{},"uuid":"u1"}`,
				`{"event":"e","properties":{},"uuid":"u2"}`,
				`{"event":"e","properties":{},"uuid":"u3"}`,
			}, sink.bodies(), "every event dead-lettered")
			assert.Empty(t, srv.Keys(t, "events"))
		})
	}
}
