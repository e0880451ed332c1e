package awssdk_test

import (
	"strings"
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/awssdk"
	"github.com/hogpipe/hogpipe/internal/node/awssdk/s3test"
	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
	"github.com/hogpipe/hogpipe/internal/outbound"
	weburl "github.com/hogpipe/hogpipe/internal/web/url"
)

func newEnv(t *testing.T, opts outbound.Options) *nodetest.Env {
	client := outbound.New(opts)
	t.Cleanup(client.Close)
	return nodetest.New(t, nodetest.Modules(append(awssdk.Modules(client), buffer.Module())...),
		nodetest.Globals(buffer.Global(), weburl.Global()))
}

// TestS3 runs the supported S3 calls against a local S3 server, with the
// shapes of data and errors the JavaScript SDK gives.
func TestS3(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	env := newEnv(t, outbound.Options{})
	cfg := `{ accessKeyId: '` + s3test.AccessKey + `', secretAccessKey: 'secret', endpoint: '` + srv.URL + `', s3ForcePathStyle: true, signatureVersion: 'v4', region: 'eu-west-1' }`
	env.Eval(`globalThis.AWS = require('aws-sdk'); globalThis.s3 = new AWS.S3(` + cfg + `); 1`)
	env.Run(t, []nodetest.Case{
		{"upload callback", `new Promise((resolve) => s3.upload({ Bucket: 'bucket', Key: 'a/b.txt', Body: Buffer.from('hello'), ContentType: 'text/plain' }, (err, data) => resolve([err, data.Key, data.Bucket, typeof data.ETag, data.Location.endsWith('/bucket/a/b.txt')].join())))`, ",a/b.txt,bucket,string,true"},
		{"get object", `s3.getObject({ Bucket: 'bucket', Key: 'a/b.txt' }).promise().then((d) => [Buffer.isBuffer(d.Body), d.Body.toString(), d.ContentType, d.ContentLength, d.LastModified instanceof Date].join())`, "true,hello,text/plain,5,true"},
		{"put object string promise", `s3.putObject({ Bucket: 'bucket', Key: 'c.json', Body: '{"x":1}', ContentEncoding: 'identity' }).promise().then((d) => typeof d.ETag)`, "string"},
		{"list", `s3.listObjectsV2({ Bucket: 'bucket', Prefix: 'a/' }).promise().then((d) => [d.KeyCount, d.Contents.map((c) => c.Key + ':' + c.Size).join(' '), d.IsTruncated].join())`, "1,a/b.txt:5,false"},
		{"head bucket", `s3.headBucket({ Bucket: 'bucket' }).promise().then((d) => JSON.stringify(d))`, "{}"},
		{"delete", `s3.deleteObject({ Bucket: 'bucket', Key: 'c.json' }).promise().then(() => s3.listObjectsV2({ Bucket: 'bucket' }).promise()).then((d) => d.KeyCount)`, "1"},
		{"missing key", `s3.getObject({ Bucket: 'bucket', Key: 'nope' }).promise().catch((e) => [e.code, e.statusCode, e instanceof Error].join())`, "NoSuchKey,404,true"},
		{"missing bucket", `new Promise((resolve) => s3.upload({ Bucket: 'nobucket', Key: 'k', Body: 'x' }, (err) => resolve([err.code, err.statusCode, typeof err.message].join())))`, "NoSuchBucket,404,string"},
		{"head missing bucket", `s3.headBucket({ Bucket: 'nobucket' }).promise().catch((e) => [e.code, e.statusCode].join())`, "NotFound,404"},
		{"wrong key", `new AWS.S3({ credentials: new AWS.Credentials('AKIAWRONG', 'x'), endpoint: '` + srv.URL + `', s3ForcePathStyle: true }).putObject({ Bucket: 'bucket', Key: 'k', Body: 'x' }).promise().catch((e) => [e.code, e.statusCode, e.message].join('|'))`, "InvalidAccessKeyId|403|The AWS Access Key Id you provided does not exist in our records."},
		{"no credentials", `new (require('aws-sdk/clients/s3'))({ endpoint: 'http://127.0.0.1:1' }).headBucket({ Bucket: 'b' }).promise().catch((e) => e.code)`, "CredentialsError"},
		{"global config", `(() => { AWS.config.update({ accessKeyId: '` + s3test.AccessKey + `', secretAccessKey: 's' }); return new AWS.S3({ endpoint: '` + srv.URL + `', s3ForcePathStyle: true }).headBucket({ Bucket: 'bucket' }).promise().then(() => 'ok') })()`, "ok"},
		{"clients/s3", `(() => { const S3 = require('aws-sdk/clients/s3'); return new S3(` + cfg + `).headBucket({ Bucket: 'bucket' }).promise().then(() => S3 === AWS.S3) })()`, "true"},
		{"missing Key", `s3.putObject({ Bucket: 'bucket', Body: 'x' }).promise().catch((e) => e.code + ': ' + e.message)`, "MissingRequiredParameter: Missing required key 'Key' in params"},
		{"bad body", `s3.putObject({ Bucket: 'bucket', Key: 'k', Body: 5 }).promise().catch((e) => e.code)`, "InvalidParameterType"},
		{"unsupported method", `(() => { try { s3.copyObject({}) } catch (e) { return e.name + ': ' + e.message } })()`, "TypeError: aws-sdk: S3.copyObject is not supported by hogpipe (supported: upload, putObject, getObject, headBucket, listObjectsV2, deleteObject)"},
		{"unsupported service", `(() => { try { new AWS.DynamoDB() } catch (e) { return e.name + ': ' + e.message } })()`, "TypeError: aws-sdk: DynamoDB is not supported by hogpipe (supported: S3, Credentials, Config, config)"},
		{"signature v2 refused", `new AWS.S3({ accessKeyId: 'a', secretAccessKey: 'b', signatureVersion: 'v2' }).headBucket({ Bucket: 'b' }).promise().catch((e) => e.code + ': ' + e.message)`, "ConfigError: signatureVersion \"v2\" is not supported: hogpipe signs with v4"},
	})
}

// TestS3Guarded checks that S3 requests go through the outbound guard.
func TestS3Guarded(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	env := newEnv(t, outbound.Options{DenyPrivate: true})
	got := env.Eval(`new (require('aws-sdk').S3)({ accessKeyId: '` + s3test.AccessKey + `', secretAccessKey: 's', endpoint: '` + srv.URL + `', s3ForcePathStyle: true }).headBucket({ Bucket: 'bucket' }).promise().catch((e) => e.code + ' ' + e.message)`)
	if !strings.HasPrefix(got, "NetworkingError ") || !strings.Contains(got, "127.0.0.1") {
		t.Fatalf("want a refused NetworkingError, got %q", got)
	}
}
