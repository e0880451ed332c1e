package bigquery_test

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/node/bigquery"
	"github.com/hogpipe/hogpipe/internal/node/bigquery/bqtest"
	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
	"github.com/hogpipe/hogpipe/internal/outbound"
)

func newEnv(t *testing.T, opts outbound.Options) *nodetest.Env {
	client := outbound.New(opts)
	t.Cleanup(client.Close)
	return nodetest.New(t, nodetest.Modules(bigquery.Module(client), buffer.Module()), nodetest.Globals(buffer.Global()))
}

// TestBigQuery runs the supported calls against the local stand-in, with
// the shapes the SDK gives: [metadata, apiResponse] arrays, callbacks,
// ApiError (code, errors, message) and PartialFailureError (name,
// errors[{row, errors[{message, reason}]}], response).
func TestBigQuery(t *testing.T) {
	srv := bqtest.Start(t, "analytics")
	env := newEnv(t, outbound.Options{})
	env.Eval(`const { BigQuery } = require('@google-cloud/bigquery');
		globalThis.bq = new BigQuery({ projectId: 'hogpipe-test', credentials: ` + srv.Credentials() + `, apiEndpoint: '` + srv.URL + `' });
		globalThis.ds = bq.dataset('analytics'); globalThis.table = ds.table('events'); 1`)
	require.NoError(t, env.Do(func(rt *goja.Runtime) error { return rt.Set("fail", srv.FailInserts) }))
	env.Run(t, []nodetest.Case{
		{"missing table", `table.getMetadata().catch((e) => [e.name, e.code, e.message, e.errors[0].reason, e.response.statusCode, e instanceof Error].join('|'))`,
			"Error|404|Not found: Table hogpipe-test:analytics.events|notFound|404|true"},
		{"exists false", `table.exists().then(([x]) => x)`, "false"},
		{"create table", `ds.createTable('events', { schema: { fields: [{ name: 'uuid', type: 'STRING' }, { name: 'properties', type: 'STRING' }] }, timePartitioning: { type: 'DAY' } })
			.then(([t, md]) => [t.id, t.metadata.id, md.timePartitioning.type, md.schema.fields.length].join())`, "events,hogpipe-test:analytics.events,DAY,2"},
		{"create again", `ds.createTable('events', { schema: 'uuid:string' }).catch((e) => e.code + ' ' + e.message)`, "409 Already Exists: Table hogpipe-test:analytics.events"},
		{"create schema array, callback", `new Promise((resolve) => ds.createTable('other', { schema: [{ name: 'a', type: 'STRING' }] }, (err, t, md) => resolve([err, t.id, md.schema.fields[0].name].join())))`, ",other,a"},
		{"create schema string", `ds.createTable('third', { schema: 'a:integer, b' }).then(([, md]) => JSON.stringify(md.schema.fields))`, `[{"name":"a","type":"INTEGER"},{"name":"b","type":"STRING"}]`},
		{"get metadata", `table.getMetadata().then(([md, res]) => [md.schema.fields.map((f) => f.name).join('+'), res.statusCode, table.metadata === md].join())`, "uuid+properties,200,true"},
		{"get metadata callback", `new Promise((resolve) => table.getMetadata((err, md, res) => resolve([err, md.tableReference.tableId, res.statusCode].join())))`, ",events,200"},
		{"set metadata", `table.getMetadata().then(([md]) => { md.schema.fields.push({ name: 'elements', type: 'STRING' }); return table.setMetadata(md) })
			.then(([md]) => md.schema.fields.map((f) => f.name).join('+'))`, "uuid+properties+elements"},
		{"insert raw", `table.insert([{ insertId: 'i1', json: { uuid: 'u1', properties: '{}' } }, { insertId: 'i2', json: { uuid: 'u2' } }], { raw: true, skipInvalidRows: false, ignoreUnknownValues: false })
			.then(([resp]) => resp.kind)`, "bigquery#tableDataInsertAllResponse"},
		{"insert plain rows with callback", `new Promise((resolve) => table.insert({ uuid: 'u3', properties: Buffer.from('hi') }, (err, resp) => resolve([err, resp.kind].join())))`, ",bigquery#tableDataInsertAllResponse"},
		{"get", `table.get().then(([t, res]) => [t === table, res.statusCode].join())`, "true,200"},
		{"get missing, callback", `new Promise((resolve) => ds.table('nope').get((err) => resolve(err.code + ' ' + err.message)))`, "404 Not found: Table hogpipe-test:analytics.nope"},
		{"get autoCreate", `table.get({ autoCreate: true }).catch((e) => e.name)`, "TypeError"},
		{"timestamps", `[bq.timestamp(new Date(0)).value, BigQuery.timestamp('2024-01-02T03:04:05.678Z').value, bq.timestamp(1.5).value].join()`,
			"1970-01-01T00:00:00.000Z,2024-01-02T03:04:05.678Z,1970-01-01T00:00:01.500Z"},
		{"timestamp in a plain row", `table.insert({ uuid: 'ts', properties: bq.timestamp(new Date(0)) }).then(([r]) => r.kind)`, "bigquery#tableDataInsertAllResponse"},
		{"insert errors", `table.insert([{ insertId: 'i4', json: { uuid: 'u4' } }, { insertId: 'i5', json: { nope: 1 } }], { raw: true })
			.catch((e) => [e.name, e instanceof Error, JSON.stringify(e.message), e.errors.length, e.errors[0].row.insertId, e.errors[0].errors[0].reason + ':' + e.errors[0].errors[0].message, e.errors[1].row.insertId, e.errors[1].errors[0].reason, e.response.insertErrors.length].join('|'))`,
			`PartialFailureError|true|""|2|i5|invalid:no such field: nope.|i4|stopped|2`},
		{"insert errors callback", `new Promise((resolve) => table.insert({ nope: 1 }, (err) => resolve(err.name)))`, "PartialFailureError"},
		{"no rows", `table.insert([]).catch((e) => e.message)`, "You must provide at least 1 row to be inserted."},
		{"server error", `(() => { globalThis.fail(503); return table.insert({ uuid: 'x' }).catch((e) => [e.code, e.message, e.errors[0].reason].join('|')) })()`, "503|Error encountered during execution. Retrying may solve the problem.|backendError"},
		{"dataset missing", `bq.dataset('nope').createTable('t', {}).catch((e) => e.code + ' ' + e.message)`, "404 Not found: Dataset hogpipe-test:nope"},
		{"dataset exists", `Promise.all([ds.exists(), bq.dataset('nope').exists()]).then((r) => r.map(([x]) => x).join())`, "true,false"},
		{"wrong credentials", `new BigQuery({ projectId: 'p', credentials: ` + srv.WrongCredentials(t) + `, apiEndpoint: '` + srv.URL + `' }).dataset('d').table('t').getMetadata()
			.catch((e) => [e.message, e.code].join('|'))`, "invalid_grant: Invalid JWT Signature.|400"},
		{"no credentials", `new BigQuery({ projectId: 'p', apiEndpoint: '` + srv.URL + `' }).dataset('d').table('t').getMetadata().catch((e) => e.message)`,
			"Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information."},
		{"no project", `new BigQuery({ credentials: {} }).dataset('d').table('t').getMetadata().catch((e) => e.message.split('\n')[0])`, "Unable to detect a Project Id in the current environment. "},
		{"project from credentials", `new BigQuery({ credentials: ` + srv.Credentials() + `, apiEndpoint: '` + srv.URL + `' }).dataset('analytics').exists().then(([x]) => x)`, "true"},
		{"unreachable", `new BigQuery({ projectId: 'p', credentials: ` + srv.Credentials() + `, apiEndpoint: 'http://127.0.0.1:1' }).dataset('d').table('t').insert({ a: 1 })
			.catch((e) => [e.code, e.message.startsWith('request to http://127.0.0.1:1/bigquery/v2/projects/p/datasets/d/tables/t/insertAll failed, reason: ')].join())`, "ECONNREFUSED,true"},
		{"keyFilename", `(() => { try { new BigQuery({ keyFilename: '/k.json' }) } catch (e) { return e.name + ': ' + e.message } })()`,
			"TypeError: @google-cloud/bigquery: new BigQuery({keyFilename}) is not supported by hogpipe: pass the service account key as credentials: {client_email, private_key}"},
		{"unsupported method", `(() => { try { bq.query('SELECT 1') } catch (e) { return e.name + ': ' + e.message } })()`,
			"TypeError: @google-cloud/bigquery: BigQuery.query is not supported by hogpipe (supported: dataset, timestamp)"},
		{"unsupported table method", `(() => { try { table.getRows() } catch (e) { return e.message } })()`,
			"@google-cloud/bigquery: Table.getRows is not supported by hogpipe (supported: get, getMetadata, setMetadata, insert, exists)"},
		{"unsupported class", `(() => { try { new (require('@google-cloud/bigquery').Job)() } catch (e) { return e.name + ': ' + e.message } })()`,
			"TypeError: @google-cloud/bigquery: Job is not supported by hogpipe (supported: BigQuery, Dataset, Table, BigQueryTimestamp)"},
		{"key not enumerable", `JSON.stringify(bq).includes('PRIVATE') || Object.keys(bq).includes('_credentials')`, "false"},
		{"module shapes", `(() => { const m = require('@google-cloud/bigquery'); return [typeof m.BigQuery, m.__esModule, typeof m.default].join() })()`, "function,,undefined"},
	})

	rows := srv.Rows("analytics.events")
	require.Len(t, rows, 4)
	assert.Equal(t, "u1", rows[0]["uuid"])
	assert.Equal(t, "aGk=", rows[2]["properties"], "a Buffer goes as base64")
	assert.Equal(t, "1970-01-01T00:00:00.000Z", rows[3]["properties"], "a BigQueryTimestamp goes as its value")
	inserts := srv.Inserts()
	require.NotEmpty(t, inserts)
	assert.Equal(t, "i1", inserts[0].Rows[0].InsertID)
	require.NotNil(t, inserts[0].SkipInvalidRows)
	assert.False(t, *inserts[0].SkipInvalidRows)
	assert.Len(t, inserts[1].Rows[0].InsertID, 36, "a plain row gets a UUID insertId")
	assert.Equal(t, 1, srv.Mints(), "the token is minted once and reused")
	assert.Equal(t, 1, srv.Patches())
}

// TestBigQueryGuarded checks that token and API requests go through the
// outbound guard.
func TestBigQueryGuarded(t *testing.T) {
	srv := bqtest.Start(t, "analytics")
	env := newEnv(t, outbound.Options{DenyPrivate: true})
	got := env.Eval(`new (require('@google-cloud/bigquery').BigQuery)({ projectId: 'p', credentials: ` + srv.Credentials() + `, apiEndpoint: '` + srv.URL + `' }).dataset('analytics').table('t').getMetadata().catch((e) => e.code + ' ' + e.message)`)
	assert.True(t, strings.HasPrefix(got, "ERR_FETCH_REFUSED request to "+srv.URL+"/token failed"), got)
	assert.NotContains(t, got, "PRIVATE KEY")
	assert.Equal(t, 0, srv.Mints())
}
