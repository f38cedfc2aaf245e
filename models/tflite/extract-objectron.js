// Extracts the files packed into @mediapipe/objectron's objectron_solution_packed_assets.data, by the
// offsets its Emscripten loader (objectron_solution_packed_assets_loader.js) declares, into a folder.
// Usage: node extract-objectron.js <package dir> <dest dir> <basename>...   (only the named files are written)
'use strict';
const fs = require('fs');
const path = require('path');

const [pkg, dest, ...wanted] = process.argv.slice(2);
if (!pkg || !dest || wanted.length === 0) {
  console.error('usage: extract-objectron.js <package dir> <dest dir> <file name>...');
  process.exit(2);
}
const loader = fs.readFileSync(path.join(pkg, 'objectron_solution_packed_assets_loader.js'), 'utf8');
// The loader calls loadPackage({"files": [{"filename": ..., "start": ..., "end": ...}, ...], "remote_package_size": N}).
const match = loader.match(/loadPackage\((\{"files":.*?"remote_package_size":\s*\d+\})\)/s);
if (!match) { console.error('no loadPackage({...}) metadata in the loader'); process.exit(1); }
const meta = JSON.parse(match[1]);
const data = fs.readFileSync(path.join(pkg, 'objectron_solution_packed_assets.data'));
if (data.length !== meta.remote_package_size) {
  console.error(`packed data is ${data.length} bytes, the loader says ${meta.remote_package_size}`);
  process.exit(1);
}
fs.mkdirSync(dest, { recursive: true });
for (const name of wanted) {
  const f = meta.files.find(e => path.basename(e.filename) === name);
  if (!f) { console.error(`${name} is not in the packed assets`); process.exit(1); }
  fs.writeFileSync(path.join(dest, name), data.subarray(f.start, f.end));
  console.log(`${name}: bytes ${f.start}..${f.end}`);
}
