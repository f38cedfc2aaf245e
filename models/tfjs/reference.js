#!/usr/bin/env node
// Runs a TF.js layers model on one input with the pure-JS CPU backend of @tensorflow/tfjs: the
// independent oracle that the C# importer + ReferenceExecutor are checked against.
//
// usage: node reference.js <model.json> <input> <output.f32> [--rgb WxH] [--dump-input <file>] [--modules <dir>]
//   input:      by default one sample, float32 little-endian, NCHW [C,H,W] (the engine's own layout,
//               so the C# side writes its tensor as is; the NHWC transpose TF.js needs happens here,
//               in one place). H, W, C come from the model's input layer.
//   --rgb WxH:  the input is instead a decoded image, W*H*3 bytes of interleaved 8-bit RGB, and is
//               preprocessed exactly as nsfwjs 4.3.0 NSFWJS.infer does: toFloat().div(255), then
//               tf.image.resizeBilinear(x, [H, W] of the model, alignCorners=true) when sizes differ.
//               This checks the C# preprocessing too, not only the network.
//   output.f32: the model's output (e.g. the class probabilities), float32 little-endian.
//   --dump-input <file>: also write the tensor the model was given, NCHW float32, so the C#
//               preprocessing can be compared with TF.js's on its own.
//   --modules <dir>: where @tensorflow/tfjs is installed (default models/cache/node/node_modules).
'use strict';
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
function option(name) {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
}
const rgbSize = option('--rgb');
const modulesArg = option('--modules');
const dumpInput = option('--dump-input');
const [modelJson, inputPath, outputPath] = args;
if (!modelJson || !inputPath || !outputPath || (rgbSize !== undefined && !/^\d+x\d+$/.test(rgbSize))) {
    console.error('usage: node reference.js <model.json> <input> <output.f32> [--rgb WxH] [--dump-input <file>] [--modules <dir>]');
    process.exit(2);
}
const modulesDir = modulesArg || path.join(__dirname, '..', 'cache', 'node', 'node_modules');
const tf = require(path.join(path.resolve(modulesDir), '@tensorflow', 'tfjs'));

// Pure-JS tfjs has no file:// loader: read model.json and its shards ourselves and hand them over
// as an in-memory artifact.
function loadArtifacts(jsonPath) {
    const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
    const dir = path.dirname(jsonPath);
    const specs = [];
    const buffers = [];
    for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
    }
    const all = Buffer.concat(buffers);
    const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
    return { modelTopology: json.modelTopology, weightSpecs: specs, weightData, format: json.format };
}

function fromNchw(raw, c, h, w) {
    const expected = h * w * c * 4;
    if (raw.length !== expected) fail(`${inputPath}: ${raw.length} bytes, model input ${c}x${h}x${w} float32 needs ${expected}`);
    const nchw = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    return tf.tensor4d(nchw, [1, c, h, w]).transpose([0, 2, 3, 1]);
}

// The preprocessing of nsfwjs 4.3.0 (dist/cjs/core.js, NSFWJS.prototype.infer), step for step.
function fromRgb(raw, h, w) {
    const [iw, ih] = rgbSize.split('x').map(Number);
    if (raw.length !== iw * ih * 3) fail(`${inputPath}: ${raw.length} bytes, ${iw}x${ih} RGB needs ${iw * ih * 3}`);
    const img = tf.tensor3d(new Uint8Array(raw), [ih, iw, 3], 'int32');
    const normalized = img.toFloat().div(tf.scalar(255));
    const resized = ih !== h || iw !== w ? tf.image.resizeBilinear(normalized, [h, w], true) : normalized;
    return resized.reshape([1, h, w, 3]);
}

function fail(message) {
    console.error(message);
    process.exit(1);
}

async function main() {
    await tf.setBackend('cpu');
    const model = await tf.loadLayersModel(tf.io.fromMemory(loadArtifacts(modelJson)));
    const [, h, w, c] = model.inputs[0].shape;
    const raw = fs.readFileSync(inputPath);
    const x = rgbSize ? fromRgb(raw, h, w) : fromNchw(raw, c, h, w);
    if (dumpInput) {
        const nchw = await x.transpose([0, 3, 1, 2]).data();
        fs.writeFileSync(dumpInput, Buffer.from(new Float32Array(nchw).buffer));
    }
    const out = model.predict(x);
    const values = await out.data();
    fs.writeFileSync(outputPath, Buffer.from(new Float32Array(values).buffer));
    console.log(`backend ${tf.getBackend()}, output [${out.shape}]: ${Array.from(values).map(v => v.toFixed(6)).join(' ')}`);
}

main().catch(e => { console.error(e && e.stack || String(e)); process.exit(1); });
