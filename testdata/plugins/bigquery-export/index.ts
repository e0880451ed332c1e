// A BigQuery exporter written as a hogpipe test fixture. It makes the calls
// the public BigQuery export app makes, in its own way: the table is
// checked (and created, or given the columns it lacks) at setup, and each
// batch goes in one streaming insert keyed by the events' uuids.
import { BigQuery } from '@google-cloud/bigquery'
import { RetryError } from '@posthog/plugin-scaffold'

type Column = { name: string; type: string; mode?: string }

const columns: Column[] = [
    { name: 'uuid', type: 'STRING' },
    { name: 'event', type: 'STRING' },
    { name: 'distinct_id', type: 'STRING' },
    { name: 'team_id', type: 'INT64' },
    { name: 'properties', type: 'STRING' },
    { name: 'timestamp', type: 'TIMESTAMP' },
    { name: 'exported_at', type: 'TIMESTAMP' },
]

const transientCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECANCELED'])

// Worth another try: the service or the network failed, not the data.
function isTransient(error: any): boolean {
    if (typeof error.code === 'number') return error.code === 429 || error.code >= 500
    return transientCodes.has(error.code)
}

export async function setupPlugin({ config, attachments, global }) {
    const key = attachments.googleCloudKeyJson
    if (!key) throw new Error('googleCloudKeyJson: attach the service account key file')
    const credentials = JSON.parse(key.contents.toString())
    const options: Record<string, unknown> = { projectId: credentials.project_id, credentials, autoRetry: false }
    if (config.apiEndpoint) options.apiEndpoint = config.apiEndpoint
    const bigquery = new BigQuery(options)
    const dataset = bigquery.dataset(config.datasetId)
    global.table = dataset.table(config.tableId)
    try {
        const [metadata] = await global.table.getMetadata()
        const fields: Column[] = (metadata.schema && metadata.schema.fields) || []
        const present = new Set(fields.map((f) => f.name))
        const missing = columns.filter((c) => !present.has(c.name))
        if (missing.length > 0) {
            metadata.schema = { fields: [...fields, ...missing.map((c) => ({ ...c, mode: 'NULLABLE' }))] }
            await global.table.setMetadata(metadata)
            console.log(`added ${missing.map((c) => c.name).join(', ')} to ${config.datasetId}.${config.tableId}`)
        }
    } catch (error) {
        if (error.code !== 404) {
            if (isTransient(error)) throw new RetryError(`BigQuery unavailable at setup: ${error.message}`)
            throw error
        }
        await dataset.createTable(config.tableId, { schema: columns, timePartitioning: { type: 'DAY', field: 'timestamp' } })
        console.log(`created ${config.datasetId}.${config.tableId}`)
    }
}

export async function exportEvents(events, { global }) {
    const exportedAt = new Date().toISOString()
    const rows = events.map((e) => ({
        insertId: e.uuid,
        json: {
            uuid: e.uuid,
            event: e.event,
            distinct_id: e.distinct_id,
            team_id: e.team_id,
            properties: JSON.stringify(e.properties || {}),
            timestamp: e.timestamp || null,
            exported_at: exportedAt,
        },
    }))
    try {
        await global.table.insert(rows, { skipInvalidRows: false, ignoreUnknownValues: false, raw: true })
    } catch (error) {
        if (error.name === 'PartialFailureError') {
            // Rows BigQuery refused, with why; the others were "stopped"
            // with them, so the whole batch failed.
            const refused = error.errors
                .filter((f) => f.errors.some((e) => e.reason !== 'stopped'))
                .map((f) => `${f.row.insertId}: ${f.errors.map((e) => e.message).join('; ')}`)
            throw new Error(`BigQuery refused ${refused.length} of ${rows.length} rows: ${refused.join(', ')}`)
        }
        if (isTransient(error)) throw new RetryError(`BigQuery insert failed, retrying: ${error.message}`)
        throw error
    }
}
