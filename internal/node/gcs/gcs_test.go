package gcs_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/gcs"
	"github.com/hogpipe/hogpipe/internal/node/googleauth/authtest"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
	"github.com/hogpipe/hogpipe/internal/outbound"
	weburl "github.com/hogpipe/hogpipe/internal/web/url"
)

// object is an upload as the stand-in received it.
type object struct {
	uploadType, contentType, contentEncoding, acl string
	custom                                        map[string]string
	data                                          []byte
}

// store is a stand-in for Cloud Storage's upload endpoint, with one bucket.
type store struct {
	mu      sync.Mutex
	objects map[string]object
}

func (s *store) upload(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("bucket") != "events" {
		authtest.WriteError(w, 404, "notFound", "The specified bucket does not exist.")
		return
	}
	q := r.URL.Query()
	o := object{uploadType: q.Get("uploadType"), acl: q.Get("predefinedAcl")}
	name := q.Get("name")
	switch o.uploadType {
	case "media":
		o.contentType = r.Header.Get("Content-Type")
		o.data, _ = io.ReadAll(r.Body)
	case "multipart":
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			authtest.WriteError(w, 400, "invalid", "bad multipart")
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		meta, err := mr.NextPart()
		if err != nil {
			authtest.WriteError(w, 400, "invalid", "no metadata part")
			return
		}
		var md struct {
			Name, ContentType, ContentEncoding string
			Metadata                           map[string]string
		}
		if err := json.NewDecoder(meta).Decode(&md); err != nil {
			authtest.WriteError(w, 400, "invalid", "bad metadata")
			return
		}
		media, err := mr.NextPart()
		if err != nil {
			authtest.WriteError(w, 400, "invalid", "no media part")
			return
		}
		o.data, _ = io.ReadAll(media)
		name, o.contentType, o.contentEncoding, o.custom = md.Name, md.ContentType, md.ContentEncoding, md.Metadata
		if o.contentType == "" {
			o.contentType = media.Header.Get("Content-Type")
		}
	default:
		authtest.WriteError(w, 400, "invalid", "Upload requests must include an uploadType URL parameter and a URL path beginning with /upload/")
		return
	}
	s.mu.Lock()
	s.objects[name] = o
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "storage#object", "name": name, "bucket": "events",
		"size": len(o.data), "contentType": o.contentType, "generation": "1"})
}

func (s *store) get(name string) object {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[name]
}

// TestStorage uploads with file.save against the stand-in: media uploads,
// multipart ones with metadata, gzip, and the SDK's errors.
func TestStorage(t *testing.T) {
	st := &store{objects: map[string]object{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload/storage/v1/b/{bucket}/o", st.upload)
	srv := authtest.Start(t, mux)
	client := outbound.New(outbound.Options{})
	t.Cleanup(client.Close)
	env := nodetest.New(t, nodetest.Modules(gcs.Module(client), buffer.Module()), nodetest.Globals(buffer.Global(), weburl.Global()))
	env.Eval(`const { Storage } = require('@google-cloud/storage');
		globalThis.storage = new Storage({ projectId: 'hogpipe-test', credentials: ` + srv.Credentials() + `, apiEndpoint: '` + srv.URL + `' });
		globalThis.bucket = storage.bucket('events'); 1`)
	env.Run(t, []nodetest.Case{
		{"save string", `bucket.file('a/b.json').save('{"x":1}').then((r) => [JSON.stringify(r), bucket.file('a/b.json').name].join())`, "[],a/b.json"},
		{"save buffer with callback", `new Promise((resolve) => bucket.file('c.bin').save(Buffer.from([1, 2, 3]), { contentType: 'application/x-test', resumable: false }, (err) => resolve(String(err))))`, "null"},
		{"save gzip with metadata", `bucket.file('d.jsonl').save('line\n', { gzip: true, metadata: { contentType: 'application/x-ndjson', metadata: { source: 'hogpipe' } } }).then(() => 'ok')`, "ok"},
		{"public", `bucket.file('p.txt').save('p', { public: true }).then(() => 'ok')`, "ok"},
		{"missing bucket", `storage.bucket('nope').file('x').save('x').catch((e) => [e.code, e.message, e.errors[0].reason].join('|'))`, "404|The specified bucket does not exist.|notFound"},
		{"wrong credentials", `new Storage({ credentials: ` + srv.WrongCredentials(t) + `, apiEndpoint: '` + srv.URL + `' }).bucket('events').file('x').save('x').catch((e) => e.message)`, "invalid_grant: Invalid JWT Signature."},
		{"bad data", `bucket.file('x').save(5).catch((e) => [e.name, e.code].join())`, "TypeError,ERR_INVALID_ARG_TYPE"},
		{"unsupported method", `(() => { try { bucket.upload('/tmp/x') } catch (e) { return e.name + ': ' + e.message } })()`,
			"TypeError: @google-cloud/storage: Bucket.upload is not supported by hogpipe (supported: file)"},
		{"unsupported file method", `(() => { try { bucket.file('x').download() } catch (e) { return e.message } })()`,
			"@google-cloud/storage: File.download is not supported by hogpipe (supported: save)"},
		{"keyFilename", `(() => { try { new Storage({ keyFilename: 'k.json' }) } catch (e) { return e.message } })()`,
			"@google-cloud/storage: new Storage({keyFilename}) is not supported by hogpipe: pass the service account key as credentials: {client_email, private_key}"},
	})

	a := st.get("a/b.json")
	assert.Equal(t, object{uploadType: "media", contentType: "application/json", data: []byte(`{"x":1}`)}, a)
	c := st.get("c.bin")
	assert.Equal(t, "media", c.uploadType)
	assert.Equal(t, "application/x-test", c.contentType)
	assert.Equal(t, []byte{1, 2, 3}, c.data)
	d := st.get("d.jsonl")
	assert.Equal(t, "multipart", d.uploadType)
	assert.Equal(t, "gzip", d.contentEncoding)
	assert.Equal(t, "application/x-ndjson", d.contentType)
	assert.Equal(t, map[string]string{"source": "hogpipe"}, d.custom)
	zr, err := gzip.NewReader(bytes.NewReader(d.data))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, "line\n", string(plain))
	assert.Equal(t, "publicRead", st.get("p.txt").acl)
	assert.True(t, strings.HasPrefix(st.get("p.txt").contentType, "text/plain"))
}
