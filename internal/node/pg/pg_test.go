package pg

import (
	"fmt"
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/events"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
	"github.com/hogpipe/hogpipe/internal/pgtest"
)

// TestModulePg runs node-postgres calls against a real PostgreSQL. The
// expected values are what node-postgres 8 returns for the same calls.
func TestModulePg(t *testing.T) {
	srv := pgtest.Start(t)
	env := nodetest.New(t, nodetest.Modules(Module(), events.Module()), nodetest.Globals(buffer.Global()))
	url := srv.URL()
	fields := fmt.Sprintf(`{host: '127.0.0.1', port: '%d', user: 'postgres', password: '%s', database: 'postgres', ssl: {rejectUnauthorized: false}}`, srv.Port(), pgtest.Password)
	env.Run(t, []nodetest.Case{
		{"connection string, promises", `(async () => {
			const { Client } = require('pg')
			const c = new Client({connectionString: '` + url + `'})
			await c.connect()
			const r = await c.query('SELECT $1::int AS n, $2::text AS s, $3::jsonb AS j, $4::bool AS b, $5::int8 AS big, $6::text AS nul', [42, 'x', {a: 1}, true, '9007199254740993', null])
			await c.end()
			return JSON.stringify([r.command, r.rowCount, r.rows, r.fields.map(f => [f.name, f.dataTypeID])])
		})()`, `["SELECT",1,[{"n":42,"s":"x","j":{"a":1},"b":true,"big":"9007199254740993","nul":null}],[["n",23],["s",25],["j",3802],["b",16],["big",20],["nul",25]]]`},
		{"fields, ssl rejectUnauthorized false, callbacks", `new Promise((resolve) => {
			const { Client } = require('pg')
			const c = new Client(` + fields + `)
			c.connect((err) => {
				if (err) return resolve('connect: ' + err.message)
				c.query('SELECT 1 AS one', (err, res) => {
					c.end(() => resolve(err ? err.message : JSON.stringify(res.rows)))
				})
			})
		})`, `[{"one":1}]`},
		{"ddl, insert, timestamptz", `(async () => {
			const { Client } = require('pg')
			const c = new Client(` + fields + `)
			await c.connect()
			const created = await c.query('CREATE TABLE IF NOT EXISTS t1 (id int, at timestamp with time zone, doc jsonb)', [])
			const ins = await c.query('INSERT INTO t1 VALUES ($1, $2, $3), ($4, $5, $6)', [1, '2024-01-02T03:04:05.678Z', '{"k":[1]}', 2, new Date(Date.UTC(2020, 0, 1)), null])
			const sel = await c.query({text: 'SELECT id, at, doc FROM t1 ORDER BY id', rowMode: 'array'})
			await c.end()
			return JSON.stringify([created.command, created.rowCount, ins.command, ins.rowCount, sel.rows])
		})()`, `["CREATE",null,"INSERT",2,[[1,"2024-01-02T03:04:05.678Z",{"k":[1]}],[2,"2020-01-01T00:00:00.000Z",null]]]`},
		{"server error has SQLSTATE", `(async () => {
			const { Client } = require('pg')
			const c = new Client(` + fields + `)
			await c.connect()
			try { await c.query('SELECT * FROM missing_table') } catch (e) { return [e instanceof Error, e.code, e.message, e.severity].join('|') } finally { await c.end() }
		})()`, `true|42P01|relation "missing_table" does not exist|ERROR`},
		{"wrong password", `(async () => {
			const { Client } = require('pg')
			const c = new Client({host: '127.0.0.1', port: ` + fmt.Sprint(srv.Port()) + `, user: 'postgres', password: 'nope', ssl: {rejectUnauthorized: false}})
			try { await c.connect() } catch (e) { return [e.code, e.message].join('|') }
		})()`, `28P01|password authentication failed for user "postgres"`},
		{"queries queue on one client", `(async () => {
			const { Client } = require('pg')
			const c = new Client(` + fields + `)
			c.connect()
			const rs = await Promise.all([1, 2, 3].map((n) => c.query('SELECT $1::int AS n', [n])))
			await c.end()
			return rs.map((r) => r.rows[0].n).join(',')
		})()`, `1,2,3`},
		{"pool", `(async () => {
			const { Pool } = require('pg')
			const pool = new Pool(Object.assign(` + fields + `, {max: 2}))
			const rs = await Promise.all([1, 2, 3, 4].map((n) => pool.query('SELECT $1::int AS n', [n])))
			const client = await pool.connect()
			const r = await client.query('SELECT 5 AS n')
			client.release()
			const counts = [pool.totalCount, pool.idleCount]
			await pool.end()
			return rs.map((r) => r.rows[0].n).concat(r.rows[0].n, counts).join(',')
		})()`, `1,2,3,4,5,2,2`},
		{"unsupported method", `(() => { try { new (require('pg').Client)().copyFrom('x') } catch (e) { return e.name + ': ' + e.message } })()`, `TypeError: pg: Client.copyFrom is not supported by hogpipe`},
		{"escape", `(() => { const c = new (require('pg').Client)(); return c.escapeIdentifier('a"b') + ' ' + c.escapeLiteral("it's \\ x") })()`, `"a""b"  E'it''s \\ x'`},
	})
}

// TestModulePgUnreachable checks a refused connection carries Node's code,
// so a plugin's retry logic sees what it would see under Node.
func TestModulePgUnreachable(t *testing.T) {
	env := nodetest.New(t, nodetest.Modules(Module(), events.Module()), nodetest.Globals(buffer.Global()))
	srv := pgtest.Start(t)
	port := srv.Port()
	srv.Stop()
	got := env.Eval(fmt.Sprintf(`(async () => {
		const c = new (require('pg').Client)({host: '127.0.0.1', port: %d, user: 'postgres'})
		try { await c.connect() } catch (e) { return e.code + '|' + e.message }
	})()`, port))
	if want := fmt.Sprintf("ECONNREFUSED|connect ECONNREFUSED 127.0.0.1:%d", port); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
