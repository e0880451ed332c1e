// Package awssdk serves the part of the aws-sdk package (the v2 JavaScript
// API) that export plugins use: the S3 client, its config and credentials,
// on github.com/aws/aws-sdk-go-v2. Requests go through the plugin's guarded
// outbound client, so fetch_allow and fetch_deny_private apply to them too.
package awssdk

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
	"github.com/hogpipe/hogpipe/internal/outbound"
)

//go:embed awssdk.js
var source string

var program = goja.MustCompile("node:aws-sdk", source, true)

// Name is the import name; ClientsS3 is the per-service entry point some
// plugins import instead.
const (
	Name      = "aws-sdk"
	ClientsS3 = "aws-sdk/clients/s3"
)

// Modules serves aws-sdk and aws-sdk/clients/s3 over client, the plugin's
// guarded HTTP client (shared with fetch, closed with the plugin).
func Modules(client *outbound.Client) []node.Module {
	return []node.Module{
		{Name: Name, Load: func(h node.Host) require.ModuleLoader { return load(client, h) }},
		{Name: ClientsS3, Load: func(node.Host) require.ModuleLoader {
			return func(rt *goja.Runtime, module *goja.Object) {
				sdk := require.Require(rt, Name).ToObject(rt)
				_ = module.Set("exports", sdk.Get("S3"))
			}
		}},
	}
}

func load(client *outbound.Client, h node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		host := rt.NewObject()
		_ = host.Set("call", func(call goja.FunctionCall) goja.Value {
			return callS3(rt, client, h, call)
		})
		node.RunJSModule(rt, program, module, host)
	}
}

// clientConfig is the part of an S3 client's config that the Go client
// honours.
type clientConfig struct {
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Endpoint        string
	PathStyle       bool
}

func readConfig(rt *goja.Runtime, v goja.Value) (clientConfig, error) {
	var c clientConfig
	obj, ok := v.(*goja.Object)
	if !ok {
		return c, nil
	}
	str := func(o *goja.Object, k string) string {
		if o == nil {
			return ""
		}
		x := o.Get(k)
		if x == nil || goja.IsUndefined(x) || goja.IsNull(x) {
			return ""
		}
		return x.String()
	}
	c.Region = str(obj, "region")
	c.AccessKeyID = str(obj, "accessKeyId")
	c.SecretAccessKey = str(obj, "secretAccessKey")
	c.SessionToken = str(obj, "sessionToken")
	if creds, ok := obj.Get("credentials").(*goja.Object); ok && c.AccessKeyID == "" {
		c.AccessKeyID = str(creds, "accessKeyId")
		c.SecretAccessKey = str(creds, "secretAccessKey")
		c.SessionToken = str(creds, "sessionToken")
	}
	c.Endpoint = str(obj, "endpoint")
	if ep, ok := obj.Get("endpoint").(*goja.Object); ok && str(ep, "href") != "" {
		c.Endpoint = str(ep, "href")
	}
	if c.Endpoint != "" && !strings.Contains(c.Endpoint, "://") {
		c.Endpoint = "https://" + c.Endpoint
	}
	if c.Endpoint != "" {
		if u, err := url.Parse(c.Endpoint); err != nil || u.Host == "" {
			return c, fmt.Errorf("invalid endpoint %q", c.Endpoint)
		}
	}
	if p := obj.Get("s3ForcePathStyle"); p != nil {
		c.PathStyle = p.ToBoolean()
	}
	switch sv := str(obj, "signatureVersion"); sv {
	case "", "v4", "s3v4":
	default:
		return c, fmt.Errorf("signatureVersion %q is not supported: hogpipe signs with v4", sv)
	}
	if c.Region == "" {
		// The JavaScript SDK's S3 client works in us-east-1 when no region
		// is given; S3-compatible servers ignore the region.
		c.Region = "us-east-1"
	}
	return c, nil
}

func newClient(httpClient aws.HTTPClient, c clientConfig) *s3.Client {
	return s3.New(s3.Options{
		Region:       c.Region,
		HTTPClient:   httpClient,
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		UsePathStyle: c.PathStyle,
		BaseEndpoint: optional(c.Endpoint),
		// S3-compatible stores (MinIO, Ceph, …) predate the flexible
		// checksums the Go SDK adds by default; the JavaScript SDK v2 never
		// sent them.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           3,
	})
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// sdkError is an error shaped like the JavaScript SDK's AWSError.
type sdkError struct {
	code       string
	message    string
	statusCode int
	requestID  string
	retryable  bool
}

// callS3 runs host.call(operation, config, params, done) off the loop;
// done(err, data) runs on the loop later.
func callS3(rt *goja.Runtime, client *outbound.Client, h node.Host, call goja.FunctionCall) goja.Value {
	op := call.Argument(0).String()
	done, ok := goja.AssertFunction(call.Argument(3))
	if !ok {
		panic(rt.NewTypeError("aws-sdk: internal: callback missing"))
	}
	later := h.Callback()
	ctx := h.Context()
	finish := func(data func() goja.Value, e *sdkError) {
		later(func() {
			var err error
			if e != nil {
				_, err = done(goja.Undefined(), e.value(rt))
			} else {
				_, err = done(goja.Undefined(), goja.Null(), data())
			}
			if err != nil {
				h.ReportError(fmt.Errorf("aws-sdk S3.%s callback: %w", op, err))
			}
		})
	}
	cfg, err := readConfig(rt, call.Argument(1))
	if err != nil {
		go finish(nil, &sdkError{code: "ConfigError", message: err.Error()})
		return goja.Undefined()
	}
	if cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		go finish(nil, &sdkError{code: "CredentialsError", message: "Missing credentials in config, if using AWS_CONFIG_FILE, set AWS_SDK_LOAD_CONFIG=1"})
		return goja.Undefined()
	}
	params, perr := readParams(rt, call.Argument(2))
	if perr != nil {
		go finish(nil, perr)
		return goja.Undefined()
	}
	httpClient, err := client.HTTP()
	if err != nil {
		go finish(nil, &sdkError{code: "NetworkingError", message: err.Error(), retryable: true})
		return goja.Undefined()
	}
	if !client.Begin() {
		go finish(nil, &sdkError{code: "NetworkingError", message: "the plugin is closed"})
		return goja.Undefined()
	}
	go func() {
		defer client.End()
		data, e := run(ctx, newClient(httpClient, cfg), op, params)
		if e != nil {
			finish(nil, e)
			return
		}
		finish(func() goja.Value { return data.value(rt) }, nil)
	}()
	return goja.Undefined()
}

// params are the request parameters plugins pass.
type params struct {
	bucket, key                   string
	body                          []byte
	hasBody                       bool
	contentType, contentEncoding  string
	sse, sseKMSKeyID              string
	prefix, delimiter, startAfter string
	continuationToken             string
	maxKeys                       int32
	metadata                      map[string]string
}

func readParams(rt *goja.Runtime, v goja.Value) (params, *sdkError) {
	var p params
	obj, ok := v.(*goja.Object)
	if !ok {
		return p, nil
	}
	str := func(k string) string {
		x := obj.Get(k)
		if x == nil || goja.IsUndefined(x) || goja.IsNull(x) {
			return ""
		}
		return x.String()
	}
	p.bucket, p.key = str("Bucket"), str("Key")
	p.contentType, p.contentEncoding = str("ContentType"), str("ContentEncoding")
	p.sse, p.sseKMSKeyID = str("ServerSideEncryption"), str("SSEKMSKeyId")
	p.prefix, p.delimiter, p.startAfter = str("Prefix"), str("Delimiter"), str("StartAfter")
	p.continuationToken = str("ContinuationToken")
	if m := obj.Get("MaxKeys"); m != nil && !goja.IsUndefined(m) && !goja.IsNull(m) {
		p.maxKeys = int32(m.ToInteger())
	}
	if md, ok := obj.Get("Metadata").(*goja.Object); ok {
		p.metadata = make(map[string]string)
		for _, k := range md.Keys() {
			p.metadata[k] = md.Get(k).String()
		}
	}
	if b := obj.Get("Body"); b != nil && !goja.IsUndefined(b) && !goja.IsNull(b) {
		p.hasBody = true
		body, ok := node.BodyBytes(rt, b)
		if !ok {
			return p, &sdkError{code: "InvalidParameterType",
				message: "Expected params.Body to be a string, Buffer, Stream, Blob, or typed array object"}
		}
		p.body = body
	}
	return p, nil
}

// result is an operation's response data, built into JavaScript on the loop.
type result struct {
	fields map[string]any
}

func (r result) value(rt *goja.Runtime) goja.Value {
	obj := rt.NewObject()
	for k, v := range r.fields {
		_ = obj.Set(k, toJS(rt, v))
	}
	return obj
}

type date struct{ ms int64 }

func toJS(rt *goja.Runtime, v any) goja.Value {
	switch x := v.(type) {
	case []byte:
		return buffer.WrapBytes(rt, x)
	case date:
		d, err := rt.New(rt.Get("Date"), rt.ToValue(x.ms))
		if err != nil {
			return goja.Undefined()
		}
		return d
	case []map[string]any:
		arr := make([]any, len(x))
		for i, m := range x {
			arr[i] = result{m}.value(rt)
		}
		return rt.NewArray(arr...)
	case map[string]string:
		obj := rt.NewObject()
		for k, s := range x {
			_ = obj.Set(k, s)
		}
		return obj
	}
	return rt.ToValue(v)
}

func run(ctx context.Context, c *s3.Client, op string, p params) (result, *sdkError) {
	if p.bucket == "" {
		return result{}, &sdkError{code: "MissingRequiredParameter", message: "Missing required key 'Bucket' in params"}
	}
	needsKey := op != "headBucket" && op != "listObjectsV2"
	if needsKey && p.key == "" {
		return result{}, &sdkError{code: "MissingRequiredParameter", message: "Missing required key 'Key' in params"}
	}
	out := map[string]any{}
	var err error
	switch op {
	case "putObject", "upload":
		in := &s3.PutObjectInput{
			Bucket: &p.bucket, Key: &p.key, Body: bytes.NewReader(p.body),
			ContentType: optional(p.contentType), ContentEncoding: optional(p.contentEncoding),
			SSEKMSKeyId: optional(p.sseKMSKeyID), Metadata: p.metadata,
		}
		if p.sse != "" {
			in.ServerSideEncryption = types.ServerSideEncryption(p.sse)
		}
		if op == "upload" {
			// The uploader sends a large body as a multipart upload, as the
			// JavaScript SDK's ManagedUpload does.
			var res *manager.UploadOutput
			res, err = manager.NewUploader(c).Upload(ctx, in)
			if err == nil {
				out["Location"] = res.Location
				out["Bucket"], out["Key"] = p.bucket, p.key
				out["key"] = p.key
				if res.ETag != nil {
					out["ETag"] = *res.ETag
				}
			}
		} else {
			var res *s3.PutObjectOutput
			res, err = c.PutObject(ctx, in)
			if err == nil {
				if res.ETag != nil {
					out["ETag"] = *res.ETag
				}
				if res.ServerSideEncryption != "" {
					out["ServerSideEncryption"] = string(res.ServerSideEncryption)
				}
				if res.VersionId != nil {
					out["VersionId"] = *res.VersionId
				}
			}
		}
	case "getObject":
		var res *s3.GetObjectOutput
		res, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: &p.bucket, Key: &p.key})
		if err == nil {
			var body []byte
			body, err = io.ReadAll(res.Body)
			_ = res.Body.Close()
			out["Body"] = body
			setString(out, "ContentType", res.ContentType)
			setString(out, "ContentEncoding", res.ContentEncoding)
			setString(out, "ETag", res.ETag)
			if res.ContentLength != nil {
				out["ContentLength"] = *res.ContentLength
			}
			if res.LastModified != nil {
				out["LastModified"] = date{res.LastModified.UnixMilli()}
			}
			if res.ServerSideEncryption != "" {
				out["ServerSideEncryption"] = string(res.ServerSideEncryption)
			}
			out["Metadata"] = res.Metadata
			if res.Metadata == nil {
				out["Metadata"] = map[string]string{}
			}
		}
	case "headBucket":
		_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &p.bucket})
	case "deleteObject":
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &p.bucket, Key: &p.key})
	case "listObjectsV2":
		in := &s3.ListObjectsV2Input{Bucket: &p.bucket, Prefix: optional(p.prefix), Delimiter: optional(p.delimiter),
			StartAfter: optional(p.startAfter), ContinuationToken: optional(p.continuationToken)}
		if p.maxKeys > 0 {
			in.MaxKeys = &p.maxKeys
		}
		var res *s3.ListObjectsV2Output
		res, err = c.ListObjectsV2(ctx, in)
		if err == nil {
			contents := make([]map[string]any, 0, len(res.Contents))
			for _, o := range res.Contents {
				m := map[string]any{"StorageClass": string(o.StorageClass)}
				setString(m, "Key", o.Key)
				setString(m, "ETag", o.ETag)
				if o.Size != nil {
					m["Size"] = *o.Size
				}
				if o.LastModified != nil {
					m["LastModified"] = date{o.LastModified.UnixMilli()}
				}
				contents = append(contents, m)
			}
			out["Contents"] = contents
			out["IsTruncated"] = res.IsTruncated != nil && *res.IsTruncated
			setString(out, "Name", res.Name)
			out["Prefix"] = p.prefix
			setString(out, "NextContinuationToken", res.NextContinuationToken)
			setString(out, "ContinuationToken", res.ContinuationToken)
			if res.KeyCount != nil {
				out["KeyCount"] = *res.KeyCount
			}
			if res.MaxKeys != nil {
				out["MaxKeys"] = *res.MaxKeys
			}
			prefixes := make([]map[string]any, 0, len(res.CommonPrefixes))
			for _, cp := range res.CommonPrefixes {
				m := map[string]any{}
				setString(m, "Prefix", cp.Prefix)
				prefixes = append(prefixes, m)
			}
			out["CommonPrefixes"] = prefixes
		}
	default:
		return result{}, &sdkError{code: "UnknownOperation", message: "aws-sdk: S3." + op + " is not supported by hogpipe"}
	}
	if err != nil {
		return result{}, toSDKError(ctx, err)
	}
	return result{out}, nil
}

func setString(m map[string]any, k string, v *string) {
	if v != nil {
		m[k] = *v
	}
}

// toSDKError maps a Go SDK error to the code, statusCode and message the
// JavaScript SDK would give, so a plugin's error handling sees what it
// expects.
func toSDKError(ctx context.Context, err error) *sdkError {
	e := &sdkError{message: err.Error()}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		e.statusCode = respErr.HTTPStatusCode()
		e.requestID = respErr.ServiceRequestID()
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		e.code, e.message = apiErr.ErrorCode(), apiErr.ErrorMessage()
		if e.message == "" {
			// HEAD responses carry no body: the JavaScript SDK names the
			// status instead.
			e.message = http.StatusText(e.statusCode)
		}
		if e.code == "" {
			e.code = strings.ReplaceAll(http.StatusText(e.statusCode), " ", "")
		}
		e.retryable = e.statusCode >= 500 || e.statusCode == 429
		return e
	}
	if e.statusCode != 0 {
		e.code = fmt.Sprintf("%d", e.statusCode)
		e.retryable = e.statusCode >= 500
		return e
	}
	var refused *outbound.RefusedError
	switch {
	case errors.As(err, &refused):
		e.code = "NetworkingError"
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		e.code, e.message = "TimeoutError", "Connection timed out after the call's deadline: "+err.Error()
	default:
		e.code = "NetworkingError"
	}
	e.retryable = true
	return e
}

func (e *sdkError) value(rt *goja.Runtime) goja.Value {
	obj, err := rt.New(rt.Get("Error"), rt.ToValue(e.message))
	if err != nil {
		return rt.ToValue(e.message)
	}
	_ = obj.Set("code", e.code)
	_ = obj.Set("name", e.code)
	_ = obj.Set("retryable", e.retryable)
	if d, err := rt.New(rt.Get("Date")); err == nil {
		_ = obj.Set("time", d)
	}
	if e.statusCode != 0 {
		_ = obj.Set("statusCode", e.statusCode)
	}
	if e.requestID != "" {
		_ = obj.Set("requestId", e.requestID)
	}
	return obj
}
