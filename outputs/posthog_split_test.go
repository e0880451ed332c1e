package outputs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// phOutSizeLimited answers 413 to a /batch/ body over limit bytes, as PostHog
// does, and records the events it accepted and the sizes it refused.
type phOutSizeLimited struct {
	limit    int
	mu       sync.Mutex
	accepted []string
	refused  []int
}

func (f *phOutSizeLimited) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req phOutRequest
	if err := json.Unmarshal(body, &req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(body) > f.limit {
		f.refused = append(f.refused, len(req.Batch))
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = w.Write([]byte(`{"type":"validation_error","code":"payload_too_large"}`))
		return
	}
	for _, ev := range req.Batch {
		var e struct{ Event string }
		_ = json.Unmarshal(ev, &e)
		f.accepted = append(f.accepted, e.Event)
	}
	_, _ = w.Write([]byte(`{"status":"Ok"}`))
}

func TestPHOutputSplitsOn413(t *testing.T) {
	for _, tc := range []struct {
		name     string
		events   int
		big      map[int]bool // events too large even alone
		limit    int
		requests int // at least this many refused requests
	}{
		{"fits", 4, nil, 1 << 20, 0},
		{"halves until each part fits", 10, nil, 400, 1},
		{"one event too large alone fails, the rest goes", 9, map[int]bool{4: true}, 2000, 1},
		{"every event too large", 3, map[int]bool{0: true, 1: true, 2: true}, 1000, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &phOutSizeLimited{limit: tc.limit}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			o := phOutNew(t, "url: "+srv.URL+"\napi_key: k\ncompression: none\nmax_retries: 0")

			var events []string
			var want []string
			for i := range tc.events {
				pad := ""
				if tc.big[i] {
					pad = strings.Repeat("x", 3000)
				}
				name := fmt.Sprintf("e%d", i)
				events = append(events, fmt.Sprintf(`{"event":%q,"distinct_id":"d","properties":{"pad":%q}}`, name, pad))
				if !tc.big[i] {
					want = append(want, name)
				}
			}
			batch := phOutBatch(events...)
			index := batch.Index()
			err := o.WriteBatch(t.Context(), batch)

			fake.mu.Lock()
			defer fake.mu.Unlock()
			assert.Equal(t, want, fake.accepted, "every event that fits is sent once, in order")
			assert.GreaterOrEqual(t, len(fake.refused), tc.requests)
			if len(tc.big) == 0 {
				require.NoError(t, err)
				return
			}
			var batchErr *service.BatchError
			require.True(t, errors.As(err, &batchErr), "%v", err)
			failed := 0
			batchErr.WalkMessagesIndexedBy(index, func(i int, _ *service.Message, err error) bool {
				if err != nil {
					failed++
					assert.True(t, tc.big[i], "event %d failed: %v", i, err)
					assert.ErrorContains(t, err, "too large for PostHog even alone")
					assert.ErrorContains(t, err, "413")
				}
				return true
			})
			assert.Equal(t, len(tc.big), failed, "each event too large alone fails, and only those")
		})
	}
}
