// Package s3test starts a local S3 server (gofakes3, in memory) for tests
// of the aws-sdk host package and of the plugins using it. It accepts only
// one access key, as S3 would refuse a wrong one.
package s3test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// AccessKey is the access key the server accepts.
const AccessKey = "AKIAHOGPIPETEST"

// Server is a running local S3 server.
type Server struct {
	URL     string
	Backend *s3mem.Backend
}

// Start runs a server until the test ends, with the buckets named.
func Start(t testing.TB, buckets ...string) *Server {
	t.Helper()
	backend := s3mem.New()
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatalf("s3test: create bucket %s: %v", b, err)
		}
	}
	faker := gofakes3.New(backend, gofakes3.WithAutoBucket(false))
	srv := httptest.NewServer(checkAccessKey(faker.Server()))
	t.Cleanup(srv.Close)
	return &Server{URL: srv.URL, Backend: backend}
}

// checkAccessKey refuses requests signed with another key, the way S3
// does; gofakes3 itself accepts any signature.
func checkAccessKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Authorization"), "Credential="+AccessKey+"/") {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			if r.Method != http.MethodHead {
				_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code>` +
					`<Message>The AWS Access Key Id you provided does not exist in our records.</Message><RequestId>hogpipe-test</RequestId></Error>`))
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Object returns the stored body of bucket/key.
func (s *Server) Object(t testing.TB, bucket, key string) []byte {
	t.Helper()
	obj, err := s.Backend.GetObject(bucket, key, nil)
	if err != nil {
		t.Fatalf("s3test: get %s/%s: %v", bucket, key, err)
	}
	defer obj.Contents.Close()
	buf := new(strings.Builder)
	if _, err := io.Copy(buf, obj.Contents); err != nil {
		t.Fatalf("s3test: read %s/%s: %v", bucket, key, err)
	}
	return []byte(buf.String())
}

// Keys lists the keys in bucket.
func (s *Server) Keys(t testing.TB, bucket string) []string {
	t.Helper()
	list, err := s.Backend.ListBucket(bucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatalf("s3test: list %s: %v", bucket, err)
	}
	var keys []string
	for _, c := range list.Contents {
		keys = append(keys, c.Key)
	}
	return keys
}
