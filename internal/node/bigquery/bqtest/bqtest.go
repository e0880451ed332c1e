// Package bqtest starts a local stand-in for BigQuery's REST API, behind
// authtest's token check, for tests of the bigquery host package and of the
// plugins using it: datasets, tables with their schema, insertAll with
// BigQuery's answers to unknown fields, and failures on demand.
package bqtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hogpipe/hogpipe/internal/node/googleauth/authtest"
)

// Server is a running stand-in with its state.
type Server struct {
	*authtest.Server

	mu       sync.Mutex
	datasets map[string]bool
	tables   map[string]map[string]any // "dataset.table" → metadata
	rows     map[string][]map[string]any
	inserts  []InsertAll
	failures []int // statuses the next insertAll calls answer
	patches  int
}

// InsertAll is one insertAll request body as received.
type InsertAll struct {
	Table               string
	SkipInvalidRows     *bool
	IgnoreUnknownValues *bool
	Rows                []Row
}

// Row is one row of an insertAll request.
type Row struct {
	InsertID string         `json:"insertId"`
	JSON     map[string]any `json:"json"`
}

// Start runs a server with the datasets named until the test ends.
func Start(t testing.TB, datasets ...string) *Server {
	t.Helper()
	s := &Server{datasets: map[string]bool{}, tables: map[string]map[string]any{}, rows: map[string][]map[string]any{}}
	for _, d := range datasets {
		s.datasets[d] = true
	}
	mux := http.NewServeMux()
	const base = "/bigquery/v2/projects/{p}/datasets/{d}"
	mux.HandleFunc("GET "+base, s.getDataset)
	mux.HandleFunc("POST "+base+"/tables", s.createTable)
	mux.HandleFunc("GET "+base+"/tables/{t}", s.getTable)
	mux.HandleFunc("PATCH "+base+"/tables/{t}", s.patchTable)
	mux.HandleFunc("POST "+base+"/tables/{t}/insertAll", s.insertAll)
	s.Server = authtest.Start(t, mux)
	return s
}

// FailInserts makes the next insertAll calls answer these statuses.
func (s *Server) FailInserts(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, statuses...)
}

// Rows returns the rows stored in dataset.table.
func (s *Server) Rows(table string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.rows[table]...)
}

// Inserts returns the insertAll requests received, failed ones included.
func (s *Server) Inserts() []InsertAll {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]InsertAll(nil), s.inserts...)
}

// Table returns the metadata of dataset.table, or nil.
func (s *Server) Table(table string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tables[table]
}

// Patches is how many times table metadata was patched.
func (s *Server) Patches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.patches
}

// CreateTable adds a table with these field names (all STRING).
func (s *Server) CreateTable(dataset, table string, fields ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var fs []any
	for _, f := range fields {
		fs = append(fs, map[string]any{"name": f, "type": "STRING", "mode": "NULLABLE"})
	}
	s.tables[dataset+"."+table] = s.metadata(authtest.ProjectID, dataset, table, map[string]any{"schema": map[string]any{"fields": fs}})
}

func (s *Server) metadata(project, dataset, table string, md map[string]any) map[string]any {
	md["kind"] = "bigquery#table"
	md["id"] = fmt.Sprintf("%s:%s.%s", project, dataset, table)
	md["tableReference"] = map[string]any{"projectId": project, "datasetId": dataset, "tableId": table}
	md["etag"] = fmt.Sprintf("etag-%d", s.patches)
	md["type"] = "TABLE"
	md["location"] = "US"
	return md
}

// isTimestamp accepts what BigQuery's streaming inserts take for a
// TIMESTAMP: null, seconds since the epoch, or a date and time.
func isTimestamp(v any) bool {
	switch x := v.(type) {
	case nil, float64:
		return true
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999", "2006-01-02 15:04:05", "2006-01-02T15:04:05.999999"} {
			if _, err := time.Parse(layout, x); err == nil {
				return true
			}
		}
	}
	return false
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) getDataset(w http.ResponseWriter, r *http.Request) {
	p, d := r.PathValue("p"), r.PathValue("d")
	s.mu.Lock()
	ok := s.datasets[d]
	s.mu.Unlock()
	if !ok {
		authtest.WriteError(w, 404, "notFound", fmt.Sprintf("Not found: Dataset %s:%s", p, d))
		return
	}
	reply(w, map[string]any{"kind": "bigquery#dataset", "id": p + ":" + d,
		"datasetReference": map[string]any{"projectId": p, "datasetId": d}, "location": "US"})
}

func (s *Server) getTable(w http.ResponseWriter, r *http.Request) {
	p, d, t := r.PathValue("p"), r.PathValue("d"), r.PathValue("t")
	s.mu.Lock()
	md, ok := s.tables[d+"."+t]
	s.mu.Unlock()
	if !ok {
		authtest.WriteError(w, 404, "notFound", fmt.Sprintf("Not found: Table %s:%s.%s", p, d, t))
		return
	}
	reply(w, md)
}

func (s *Server) createTable(w http.ResponseWriter, r *http.Request) {
	p, d := r.PathValue("p"), r.PathValue("d")
	var md map[string]any
	if err := json.NewDecoder(r.Body).Decode(&md); err != nil {
		authtest.WriteError(w, 400, "parseError", "Parse Error")
		return
	}
	ref, _ := md["tableReference"].(map[string]any)
	t, _ := ref["tableId"].(string)
	if t == "" {
		authtest.WriteError(w, 400, "invalid", "Table reference is required.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.datasets[d]:
		authtest.WriteError(w, 404, "notFound", fmt.Sprintf("Not found: Dataset %s:%s", p, d))
	case s.tables[d+"."+t] != nil:
		authtest.WriteError(w, 409, "duplicate", fmt.Sprintf("Already Exists: Table %s:%s.%s", p, d, t))
	default:
		s.tables[d+"."+t] = s.metadata(p, d, t, md)
		reply(w, s.tables[d+"."+t])
	}
}

func (s *Server) patchTable(w http.ResponseWriter, r *http.Request) {
	p, d, t := r.PathValue("p"), r.PathValue("d"), r.PathValue("t")
	var patch map[string]any
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
		authtest.WriteError(w, 400, "parseError", "Parse Error")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	md, ok := s.tables[d+"."+t]
	if !ok {
		authtest.WriteError(w, 404, "notFound", fmt.Sprintf("Not found: Table %s:%s.%s", p, d, t))
		return
	}
	s.patches++
	for k, v := range patch {
		md[k] = v
	}
	s.tables[d+"."+t] = s.metadata(p, d, t, md)
	reply(w, md)
}

// insertAll stores the rows, or answers with BigQuery's insertErrors: a
// field the schema lacks is invalid (unless ignoreUnknownValues), and
// without skipInvalidRows the other rows of the request are "stopped" and
// nothing is stored.
func (s *Server) insertAll(w http.ResponseWriter, r *http.Request) {
	p, d, t := r.PathValue("p"), r.PathValue("d"), r.PathValue("t")
	var req InsertAll
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		authtest.WriteError(w, 400, "parseError", "Parse Error")
		return
	}
	req.Table = d + "." + t
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inserts = append(s.inserts, req)
	if len(s.failures) > 0 {
		status := s.failures[0]
		s.failures = s.failures[1:]
		authtest.WriteError(w, status, "backendError", "Error encountered during execution. Retrying may solve the problem.")
		return
	}
	md, ok := s.tables[req.Table]
	if !ok {
		authtest.WriteError(w, 404, "notFound", fmt.Sprintf("Not found: Table %s:%s.%s", p, d, t))
		return
	}
	known := map[string]string{} // field name → type
	if schema, ok := md["schema"].(map[string]any); ok {
		fields, _ := schema["fields"].([]any)
		for _, f := range fields {
			if fm, ok := f.(map[string]any); ok {
				name, _ := fm["name"].(string)
				typ, _ := fm["type"].(string)
				known[name] = typ
			}
		}
	}
	ignoreUnknown := req.IgnoreUnknownValues != nil && *req.IgnoreUnknownValues
	var insertErrors []any
	bad := map[int]bool{}
	for i, row := range req.Rows {
		for _, k := range slices.Sorted(maps.Keys(row.JSON)) {
			typ, ok := known[k]
			msg := ""
			switch {
			case !ok && !ignoreUnknown:
				msg = "no such field: " + k + "."
			case typ == "TIMESTAMP" && !isTimestamp(row.JSON[k]):
				msg = fmt.Sprintf("Could not parse '%v' as a timestamp. Required format is YYYY-MM-DD HH:MM[:SS[.SSSSSS]] or YYYY/MM/DD HH:MM[:SS[.SSSSSS]]", row.JSON[k])
			}
			if msg != "" {
				insertErrors = append(insertErrors, map[string]any{"index": i, "errors": []any{
					map[string]any{"reason": "invalid", "location": k, "debugInfo": "", "message": msg}}})
				bad[i] = true
				break
			}
		}
	}
	skip := req.SkipInvalidRows != nil && *req.SkipInvalidRows
	if len(bad) > 0 && !skip {
		for i := range req.Rows {
			if !bad[i] {
				insertErrors = append(insertErrors, map[string]any{"index": i, "errors": []any{
					map[string]any{"reason": "stopped", "location": "", "debugInfo": "", "message": ""}}})
			}
		}
	} else {
		for i, row := range req.Rows {
			if !bad[i] {
				s.rows[req.Table] = append(s.rows[req.Table], row.JSON)
			}
		}
	}
	answer := map[string]any{"kind": "bigquery#tableDataInsertAllResponse"}
	if len(insertErrors) > 0 {
		answer["insertErrors"] = insertErrors
	}
	reply(w, answer)
}
