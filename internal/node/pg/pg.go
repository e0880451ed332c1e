// Package pg serves the node-postgres package ("pg") to plugins on pgx:
// Client (connect, query, end) and Pool, written in JavaScript (pg.js) over
// three Go helpers that open a connection, run a statement and close it.
// Statements go over the wire as node-postgres sends them: parameters as
// text with no declared type, results as text, parsed in JavaScript by
// column type the way node-postgres parses them.
package pg

import (
	"context"
	"crypto/tls"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hogpipe/hogpipe/internal/node"
)

//go:embed pg.js
var source string

var program = goja.MustCompile("pg", source, true)

// Module serves require("pg").
func Module() node.Module { return node.Module{Name: "pg", Load: load} }

func load(h node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		c := &conns{open: make(map[int64]*pgconn.PgConn)}
		hostObj := rt.NewObject()
		_ = hostObj.Set("connect", c.connectFunc(rt, h))
		_ = hostObj.Set("query", c.queryFunc(rt, h))
		_ = hostObj.Set("end", c.endFunc(rt, h))
		node.RunJSModule(rt, program, module, hostObj)
	}
}

// conns are one runtime's open connections by id. The runtime's loop hands
// a connection to one goroutine at a time (pg.js queues a client's queries),
// so the map is the only state shared across goroutines.
type conns struct {
	mu   sync.Mutex
	next int64
	open map[int64]*pgconn.PgConn
}

func (c *conns) get(id int64) *pgconn.PgConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open[id]
}

// options are the connection settings pg.js gathered from the Client's
// config.
type options struct {
	ConnectionString string
	Host, User       string
	Password         string
	Database         string
	Port             int64
	SSL              string // "default", "off", "verify", "noverify"
}

func readOptions(rt *goja.Runtime, v goja.Value) (options, error) {
	var o options
	obj := v.ToObject(rt)
	str := func(name string) string {
		if x := obj.Get(name); x != nil && !goja.IsUndefined(x) && !goja.IsNull(x) {
			return x.String()
		}
		return ""
	}
	o.ConnectionString = str("connectionString")
	o.Host, o.User, o.Password, o.Database = str("host"), str("user"), str("password"), str("database")
	o.SSL = str("ssl")
	if p := str("port"); p != "" {
		n, err := strconv.ParseInt(p, 10, 32)
		if err != nil || n <= 0 || n > 65535 {
			return o, fmt.Errorf("pg: invalid port %q", p)
		}
		o.Port = n
	}
	return o, nil
}

// config turns the options into pgconn's config: a connection string
// first, the fields over it, then TLS as node-postgres decides it (no TLS
// unless ssl is set or the string asks for it).
func (o options) config(dial node.Dialer) (*pgconn.Config, error) {
	cfg, err := pgconn.ParseConfig(o.ConnectionString)
	if err != nil {
		return nil, fmt.Errorf("pg: invalid connection settings: %w", err)
	}
	if o.Host != "" {
		cfg.Host = o.Host
	}
	if o.Port != 0 {
		cfg.Port = uint16(o.Port)
	}
	if o.User != "" {
		cfg.User = o.User
	}
	if o.Password != "" {
		cfg.Password = o.Password
	}
	if o.Database != "" {
		cfg.Database = o.Database
	}
	switch o.SSL {
	case "off":
		cfg.TLSConfig = nil
	case "verify":
		cfg.TLSConfig = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	case "noverify":
		cfg.TLSConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the plugin asked for rejectUnauthorized: false
	default:
		if !strings.Contains(o.ConnectionString, "sslmode") {
			cfg.TLSConfig = nil
		}
	}
	// One attempt, as node-postgres makes: no fallback to other hosts or
	// to plain text.
	cfg.Fallbacks = nil
	if strings.HasPrefix(cfg.Host, "/") {
		return nil, fmt.Errorf("pg: unix socket %q: plugins connect over TCP only", cfg.Host)
	}
	// The dialer resolves the name itself, so fetch_allow sees the host
	// name the plugin gave.
	cfg.LookupFunc = func(_ context.Context, host string) ([]string, error) { return []string{host}, nil }
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dial.Dial(ctx, network, addr)
	}
	return cfg, nil
}

func (c *conns) connectFunc(rt *goja.Runtime, h node.Host) func(goja.Value, goja.Callable) {
	return func(optsVal goja.Value, cb goja.Callable) {
		done := h.Callback()
		o, err := readOptions(rt, optsVal)
		dial, ok := h.(node.Dialer)
		if err == nil && !ok {
			err = errors.New("pg: this runtime opens no network connections")
		}
		var cfg *pgconn.Config
		if err == nil {
			cfg, err = o.config(dial)
		}
		if err != nil {
			_, _ = cb(goja.Undefined(), errorValue(rt, err))
			return
		}
		ctx := h.Context()
		go func() {
			conn, err := pgconn.ConnectConfig(ctx, cfg)
			var id int64
			if err == nil {
				c.mu.Lock()
				c.next++
				id = c.next
				c.open[id] = conn
				c.mu.Unlock()
			}
			if !done(func() {
				if err != nil {
					_, _ = cb(goja.Undefined(), errorValue(rt, err))
					return
				}
				_, _ = cb(goja.Undefined(), goja.Null(), rt.ToValue(id))
			}) && conn != nil {
				_ = conn.Close(context.Background())
			}
		}()
	}
}

// queryFunc runs text: with values (an array, even empty) on the extended
// protocol, one statement; without, on the simple protocol, where a string
// may hold several statements and the last one's result is returned.
func (c *conns) queryFunc(rt *goja.Runtime, h node.Host) func(int64, string, goja.Value, goja.Callable) {
	return func(id int64, text string, valuesVal goja.Value, cb goja.Callable) {
		done := h.Callback()
		conn := c.get(id)
		if conn == nil {
			_, _ = cb(goja.Undefined(), errorValue(rt, errors.New("Client was closed and is not queryable")))
			return
		}
		var params [][]byte
		extended := false
		if valuesVal != nil && !goja.IsUndefined(valuesVal) && !goja.IsNull(valuesVal) {
			extended = true
			arr := valuesVal.ToObject(rt)
			n := int(arr.Get("length").ToInteger())
			params = make([][]byte, n)
			for i := range n {
				v := arr.Get(strconv.Itoa(i))
				switch x := v.Export().(type) {
				case nil:
				case []byte:
					params[i] = append([]byte{}, x...)
				case goja.ArrayBuffer:
					params[i] = append([]byte{}, x.Bytes()...)
				default:
					params[i] = []byte(v.String())
				}
			}
		}
		ctx := h.Context()
		go func() {
			var res *pgconn.Result
			var err error
			if extended {
				res = conn.ExecParams(ctx, text, params, nil, nil, nil).Read()
				err = res.Err
			} else {
				var all []*pgconn.Result
				all, err = conn.Exec(ctx, text).ReadAll()
				if len(all) > 0 {
					res = all[len(all)-1]
				}
			}
			done(func() {
				if err != nil {
					_, _ = cb(goja.Undefined(), errorValue(rt, err))
					return
				}
				_, _ = cb(goja.Undefined(), goja.Null(), resultValue(rt, res))
			})
		}()
	}
}

func (c *conns) endFunc(rt *goja.Runtime, h node.Host) func(int64, goja.Callable) {
	return func(id int64, cb goja.Callable) {
		done := h.Callback()
		c.mu.Lock()
		conn := c.open[id]
		delete(c.open, id)
		c.mu.Unlock()
		if conn == nil {
			_, _ = cb(goja.Undefined(), goja.Null())
			return
		}
		ctx := h.Context()
		go func() {
			err := conn.Close(ctx)
			done(func() {
				if err != nil && !errors.Is(err, context.Canceled) {
					_, _ = cb(goja.Undefined(), errorValue(rt, err))
					return
				}
				_, _ = cb(goja.Undefined(), goja.Null())
			})
		}()
	}
}

// resultValue is {command, rowCount, fields: [{name, dataTypeID, …}],
// rows: [[text or null]]}; pg.js parses the texts by type.
func resultValue(rt *goja.Runtime, res *pgconn.Result) goja.Value {
	out := rt.NewObject()
	if res == nil {
		_ = out.Set("command", goja.Null())
		_ = out.Set("rowCount", goja.Null())
		_ = out.Set("fields", rt.NewArray())
		_ = out.Set("rows", rt.NewArray())
		return out
	}
	tag := res.CommandTag.String()
	cmd, rowCount := tag, goja.Value(goja.Null())
	if i := strings.IndexByte(tag, ' '); i >= 0 {
		cmd = tag[:i]
		last := tag[strings.LastIndexByte(tag, ' ')+1:]
		if _, err := strconv.ParseInt(last, 10, 64); err == nil {
			rowCount = rt.ToValue(res.CommandTag.RowsAffected())
		}
	}
	_ = out.Set("command", cmd)
	_ = out.Set("rowCount", rowCount)
	fields := make([]any, len(res.FieldDescriptions))
	for i, f := range res.FieldDescriptions {
		fields[i] = map[string]any{
			"name": f.Name, "tableID": f.TableOID, "columnID": f.TableAttributeNumber, "dataTypeID": f.DataTypeOID,
			"dataTypeSize": f.DataTypeSize, "dataTypeModifier": f.TypeModifier, "format": "text",
		}
	}
	_ = out.Set("fields", fields)
	rows := make([]any, len(res.Rows))
	for i, r := range res.Rows {
		row := make([]any, len(r))
		for j, cell := range r {
			if cell == nil {
				row[j] = nil
			} else {
				row[j] = string(cell)
			}
		}
		rows[i] = row
	}
	_ = out.Set("rows", rows)
	return out
}

// errorValue is the fields node-postgres puts on its errors: a server error
// keeps its SQLSTATE code and details, a refused or failed connection a
// Node-style code (ECONNREFUSED, …).
func errorValue(rt *goja.Runtime, err error) goja.Value {
	fields := map[string]any{"message": err.Error()}
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr):
		fields["message"] = pgErr.Message
		fields["code"] = pgErr.Code
		fields["severity"] = pgErr.Severity
		set := func(k, v string) {
			if v != "" {
				fields[k] = v
			}
		}
		set("detail", pgErr.Detail)
		set("hint", pgErr.Hint)
		set("schema", pgErr.SchemaName)
		set("table", pgErr.TableName)
		set("column", pgErr.ColumnName)
		set("constraint", pgErr.ConstraintName)
		set("routine", pgErr.Routine)
		if pgErr.Position != 0 {
			fields["position"] = strconv.Itoa(int(pgErr.Position))
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		fields["code"] = "ECONNREFUSED"
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr.Addr != nil {
			fields["message"] = "connect ECONNREFUSED " + opErr.Addr.String()
		}
	case errors.Is(err, syscall.ECONNRESET):
		fields["code"] = "ECONNRESET"
	case errors.Is(err, context.DeadlineExceeded):
		fields["code"] = "ETIMEDOUT"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		fields["code"] = "ENOTFOUND"
	}
	return rt.ToValue(fields)
}
