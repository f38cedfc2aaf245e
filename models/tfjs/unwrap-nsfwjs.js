#!/usr/bin/env node
// nsfwjs ships its TF.js layers model wrapped in JS modules (so bundlers can inline it) instead of
// model.json + .bin files. This turns them back into the standard layers-model files that
// TfjsLayersImporter and tf.loadLayersModel read, and checks the class order against nsfwjs's own
// NSFW_CLASSES so the committed labels file cannot drift from the weights.
//
// usage: node unwrap-nsfwjs.js <extracted npm package dir> <output dir> [labels file]
'use strict';
const fs = require('fs');
const path = require('path');

const [pkgDir, outDir, labelsPath] = process.argv.slice(2);
if (!pkgDir || !outDir) {
    console.error('usage: node unwrap-nsfwjs.js <package dir> <output dir> [labels file]');
    process.exit(2);
}

const modelDir = path.join(path.resolve(pkgDir), 'dist', 'models', 'mobilenet_v2');
const { modelTopology, weightsManifest } = require(path.join(modelDir, 'model.min.js'));
const base64 = require(path.join(modelDir, 'group1-shard1of1.min.js'));
if (!modelTopology || !Array.isArray(weightsManifest) || typeof base64 !== 'string') {
    console.error(`unexpected contents in ${modelDir}: want {modelTopology, weightsManifest} and a base64 string`);
    process.exit(1);
}

const weights = Buffer.from(base64, 'base64');
// The single shard file keeps its manifest name plus the usual .bin suffix.
const manifest = weightsManifest.map(g => ({ ...g, paths: ['group1-shard1of1.bin'] }));
if (manifest.length !== 1) {
    console.error(`expected one weight group, found ${manifest.length}`);
    process.exit(1);
}

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'group1-shard1of1.bin'), weights);
fs.writeFileSync(path.join(outDir, 'model.json'),
    JSON.stringify({ format: 'layers-model', modelTopology, weightsManifest: manifest }));
console.log(`wrote ${path.join(outDir, 'model.json')} and group1-shard1of1.bin (${weights.length} bytes)`);

if (labelsPath) {
    const { NSFW_CLASSES } = require(path.join(path.resolve(pkgDir), 'dist', 'cjs', 'nsfw_classes.js'));
    const count = Object.keys(NSFW_CLASSES).length;
    const labels = Array.from({ length: count }, (_, i) => NSFW_CLASSES[i]);
    const text = labels.join('\n') + '\n';
    if (!fs.existsSync(labelsPath) || fs.readFileSync(labelsPath, 'utf8') !== text) {
        fs.writeFileSync(labelsPath, text);
        console.log(`wrote ${labelsPath}: ${labels.join(', ')}`);
    }
}
