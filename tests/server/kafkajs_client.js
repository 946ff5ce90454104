// @kafkajs/confluent-schema-registry (npm, version 4) against a registry, as a Node
// service uses it. Usage: node kafkajs_client.js REGISTRY_URL AVRO_SUBJECT JSON_SUBJECT
// (the package found through NODE_PATH). Prints one JSON summary on stdout; the Python
// test (test_kafkajs.py) does the asserting.
'use strict'

const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry')

const [host, avroSubject, jsonSubject] = process.argv.slice(2)

const ORDER = {
  type: 'record',
  name: 'Order',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'amount', type: 'double' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
}
const EVOLVED = {
  ...ORDER,
  fields: [...ORDER.fields, { name: 'coupon', type: 'string', default: 'none' }],
}
const BROKEN = { ...ORDER, fields: [{ name: 'id', type: 'string' }] }
const ORDER_JSON = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order',
  type: 'object',
  properties: { id: { type: 'integer' }, amount: { type: 'number' } },
  required: ['id'],
}

// every HTTP exchange, "METHOD /path -> status", to explain a failure. Ours is the
// outermost middleware: it sees a mappersmith Response, or the library's ResponseError
// (with `url` "method URL" and `status`) for an answer of 400 or more.
const calls = []
const record = outcome => {
  const [method, url] = outcome.url
    ? outcome.url.split(' ')
    : [outcome.request().method(), outcome.request().url()]
  const status = typeof outcome.status === 'function' ? outcome.status() : outcome.status
  calls.push(`${method.toUpperCase()} ${new URL(url).pathname} -> ${status}`)
  return outcome
}
const recorder = () => ({
  response: next => next().then(record, error => { throw record(error) }),
})

// a client with an empty cache, so that decoding reads the schema by id over HTTP
const client = () => new SchemaRegistry({ host, retry: { retries: 0 }, middlewares: [recorder] })
const avro = schema => ({ type: SchemaType.AVRO, schema: JSON.stringify(schema) })

async function main() {
  const out = { calls }
  const writer = client()

  const first = await writer.register(avro(ORDER), { subject: avroSubject })
  const value = { id: 7, amount: 12.5, note: 'first' }
  const payload = await writer.encode(first.id, value)
  out.avro = {
    id: first.id,
    decoded: await client().decode(payload),
    latestId: await client().getLatestSchemaId(avroSubject),
  }

  const second = await writer.register(avro(EVOLVED), { subject: avroSubject })
  out.evolved = {
    id: second.id,
    latestId: await client().getLatestSchemaId(avroSubject),
    oldPayload: await client().decode(payload),
    oldPayloadAsEvolved: await client().decode(payload, {
      [SchemaType.AVRO]: { readerSchema: EVOLVED },
    }),
  }

  try {
    const third = await writer.register(avro(BROKEN), { subject: avroSubject })
    out.incompatible = { registered: third.id }
  } catch (error) {
    out.incompatible = { name: error.name, status: error.status, message: error.message }
  }

  const json = await writer.register(
    { type: SchemaType.JSON, schema: JSON.stringify(ORDER_JSON) },
    { subject: jsonSubject },
  )
  const jsonValue = { id: 3, amount: 4.5 }
  out.json = {
    id: json.id,
    decoded: await client().decode(await writer.encode(json.id, jsonValue)),
    latestId: await client().getLatestSchemaId(jsonSubject),
  }
  return out
}

main().then(
  out => process.stdout.write(JSON.stringify(out)),
  error => {
    const failure = { name: error.name, status: error.status, message: error.message }
    process.stdout.write(JSON.stringify({ calls, failure }))
    process.exitCode = 1
  },
)
