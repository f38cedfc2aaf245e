#!/usr/bin/env node
// A KServe v2 gRPC client on @grpc/grpc-js + @grpc/proto-loader (not our code): it loads the protocol's .proto and
// calls a server, for the tests (call, malformed) and the load benchmark (encode, check, load). Prints one JSON document
// on stdout.
//   node kserve-grpc.js call ADDRESS METHOD REQUEST.json [--copies N] [--cancel-every K --cancel-after-ms M]
//   node kserve-grpc.js malformed ADDRESS            (bytes that are no protobuf message, to ModelInfer)
//   node kserve-grpc.js encode REQUEST.json FRAMED.bin   (a ModelInferRequest as gRPC frames it: a 5-byte prefix, the message)
//   node kserve-grpc.js check ADDRESS FRAMED.bin REST.json   (ModelInfer with those very bytes; each raw output against
//                                                             the REST answer's output of that name)
//   node kserve-grpc.js load ADDRESS REQUEST.json --clients C --seconds S   (closed loop: each client waits for its answer)
// Options for all: --modules DIR (the node_modules holding @grpc), --proto FILE (grpc_predict_v2.proto).
// Bytes fields (raw_input_contents) are base64 strings in REQUEST.json and in the output.
'use strict';
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const option = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const modules = option('--modules', path.join(__dirname, '..', 'models', 'cache', 'grpc', 'node_modules'));
const protoFile = option('--proto', path.join(__dirname, '..', 'viewer', 'Grpc', 'grpc_predict_v2.proto'));
const grpc = require(path.join(modules, '@grpc', 'grpc-js'));
const loader = require(path.join(modules, '@grpc', 'proto-loader'));

const definition = loader.loadSync(protoFile, { keepCase: true, longs: Number, enums: String, bytes: String, defaults: false, oneofs: true });
const Service = grpc.loadPackageDefinition(definition).inference.GRPCInferenceService;
const Infer = definition['inference.GRPCInferenceService'].ModelInfer; // its path, serializer and deserializer
const [mode, address] = args;
const limits = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 };
const client = mode === 'encode' ? null : new Service(address, grpc.credentials.createInsecure(), limits);

function call(method, request, cancelAfterMs) {
    return new Promise(resolve => {
        const started = process.hrtime.bigint();
        const deadline = new Date(Date.now() + 120000); // only a hang guard
        const c = client[method](request, { deadline }, (error, response) => {
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            resolve(error ? { code: grpc.status[error.code], details: error.details, ms } : { code: 'OK', response, ms });
        });
        if (cancelAfterMs !== undefined) setTimeout(() => c.cancel(), cancelAfterMs);
    });
}

function percentile(sorted, p) {
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] : null;
}

async function load(request, clients, seconds) {
    const end = Date.now() + seconds * 1000;
    const latencies = [], codes = {};
    const started = Date.now();
    await Promise.all(Array.from({ length: clients }, async () => {
        while (Date.now() < end) {
            const r = await call('ModelInfer', request);
            codes[r.code] = (codes[r.code] || 0) + 1;
            if (r.code === 'OK') latencies.push(r.ms);
        }
    }));
    const elapsed = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const total = Object.values(codes).reduce((a, b) => a + b, 0);
    return { clients, seconds: elapsed, requests: total, errors: total - (codes.OK || 0), codes,
             per_second: (codes.OK || 0) / elapsed, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99) };
}

/** ModelInfer with a message given as bytes, sent as they are; the answer as proto-loader decodes it. */
function inferBytes(message) {
    return new Promise(resolve => {
        client.makeUnaryRequest(Infer.path, b => b, Infer.responseDeserialize, message, (error, response) =>
            resolve(error ? { code: grpc.status[error.code], details: error.details } : { code: 'OK', response }));
    });
}

function malformed() {
    return inferBytes(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])); // field 1, a length far past the end
}

function encode(request) {
    const message = Infer.requestSerialize(request);
    const prefix = Buffer.alloc(5); // not compressed, then the length, big-endian
    prefix.writeUInt32BE(message.length, 1);
    return Buffer.concat([prefix, message]);
}

const readers = { FP32: [4, (b, i) => b.readFloatLE(i)], INT32: [4, (b, i) => b.readInt32LE(i)], INT64: [8, (b, i) => Number(b.readBigInt64LE(i))] };

/** The framed request's answer over gRPC against the REST answer: the largest difference over every output. */
async function check(framed, rest) {
    const length = framed.readUInt32BE(1);
    if (framed.length !== 5 + length || framed[0] !== 0) throw new Error(`not one uncompressed gRPC frame (${framed.length} bytes, prefix says ${length} + 5)`);
    const r = await inferBytes(framed.subarray(5));
    if (r.code !== 'OK') return r;
    let values = 0, largest = 0;
    r.response.outputs.forEach((output, k) => {
        const expected = (rest.outputs || []).find(o => o.name === output.name);
        if (!expected) throw new Error(`gRPC output '${output.name}' is not in the REST answer`);
        const [size, read] = readers[output.datatype] || [];
        if (!read) throw new Error(`output '${output.name}': cannot compare datatype ${output.datatype}`);
        const raw = Buffer.from(r.response.raw_output_contents[k], 'base64');
        if (raw.length !== expected.data.length * size) throw new Error(`output '${output.name}': ${raw.length / size} values over gRPC, ${expected.data.length} over REST`);
        expected.data.forEach((v, i) => { largest = Math.max(largest, Math.abs(read(raw, i * size) - v)); });
        values += expected.data.length;
    });
    return { code: 'OK', outputs: r.response.outputs.length, values, max_abs_difference: largest };
}

async function main() {
    let result;
    if (mode === 'call') {
        const request = JSON.parse(fs.readFileSync(args[3], 'utf8'));
        const copies = Number(option('--copies', 1)), every = Number(option('--cancel-every', 0));
        const after = option('--cancel-after-ms');
        result = await Promise.all(Array.from({ length: copies }, (_, i) =>
            call(args[2], request, every > 0 && i % every === 0 ? Number(after) : undefined)));
        if (copies === 1) result = result[0];
    } else if (mode === 'malformed') {
        result = await malformed();
    } else if (mode === 'encode') {
        fs.writeFileSync(args[2], encode(JSON.parse(fs.readFileSync(args[1], 'utf8'))));
        result = { bytes: fs.statSync(args[2]).size };
    } else if (mode === 'check') {
        result = await check(fs.readFileSync(args[2]), JSON.parse(fs.readFileSync(args[3], 'utf8')));
    } else if (mode === 'load') {
        const request = JSON.parse(fs.readFileSync(args[2], 'utf8'));
        result = await load(request, Number(option('--clients', 1)), Number(option('--seconds', 10)));
    } else {
        throw new Error(`unknown mode '${mode}': call, malformed, encode, check or load`);
    }
    if (client) client.close();
    process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch(e => { console.error(`kserve-grpc.js: ${e.message}`); process.exit(1); });
