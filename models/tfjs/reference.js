#!/usr/bin/env node
// Runs a TF.js layers model on one input with the pure-JS CPU backend of @tensorflow/tfjs: the
// independent oracle that the C# importer + ReferenceExecutor are checked against.
//
// usage: node reference.js <model.json> <input.f32> <output.f32> [node_modules dir]
//   input.f32:  one sample, float32 little-endian, NCHW [C,H,W] (the engine's own layout, so the
//               C# side writes its tensor as is; the NHWC transpose TF.js needs happens here, in
//               one place). H, W, C come from the model's input layer.
//   output.f32: the model's output (e.g. the class probabilities), float32 little-endian.
//   node_modules dir: where @tensorflow/tfjs is installed (default models/cache/node/node_modules).
'use strict';
const fs = require('fs');
const path = require('path');

const [modelJson, inputPath, outputPath, modulesArg] = process.argv.slice(2);
if (!modelJson || !inputPath || !outputPath) {
    console.error('usage: node reference.js <model.json> <input.f32> <output.f32> [node_modules dir]');
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

async function main() {
    await tf.setBackend('cpu');
    const model = await tf.loadLayersModel(tf.io.fromMemory(loadArtifacts(modelJson)));
    const [, h, w, c] = model.inputs[0].shape;
    const raw = fs.readFileSync(inputPath);
    const expected = h * w * c * 4;
    if (raw.length !== expected) {
        console.error(`${inputPath}: ${raw.length} bytes, model input ${c}x${h}x${w} float32 needs ${expected}`);
        process.exit(1);
    }
    const nchw = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const out = tf.tidy(() => {
        const x = tf.tensor4d(nchw, [1, c, h, w]).transpose([0, 2, 3, 1]);
        return model.predict(x);
    });
    const values = await out.data();
    fs.writeFileSync(outputPath, Buffer.from(new Float32Array(values).buffer));
    console.log(`backend ${tf.getBackend()}, output [${out.shape}]: ${Array.from(values).map(v => v.toFixed(6)).join(' ')}`);
}

main().catch(e => { console.error(e && e.stack || String(e)); process.exit(1); });
