// GpuMobileNet viewer page: draws the current source (camera, test clip) to a canvas at the model's input size and
// sends it as one binary WebSocket message (uint16 width, uint16 height, RGBA8 pixels). At most one frame is in flight:
// the next is sent when the reply arrives, so nothing queues. window.gmn exposes state for the browser test.
'use strict';
const $ = id => document.getElementById(id);
const gmn = window.gmn = { results: 0, fps: 0, model: null, pair: null, lastResult: null, errors: [], trained: null, source: 'none', models: [] };
const frameCanvas = $('frame');
const frameCtx = frameCanvas.getContext('2d', { willReadFrequently: true });
let ws = null, inFlight = false, sentAt = 0, sentFrame = null, resultTimes = [], source = null, clip = null;

// Teaching state lives on the server under this page session, so classes survive a reload or a change of camera.
const params = new URLSearchParams(location.search);
const session = params.get('session') || sessionStorage.getItem('gmn-session') || Math.random().toString(36).slice(2);
sessionStorage.setItem('gmn-session', session);

function connect() {
  ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?session=${encodeURIComponent(session)}`);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => status('connected');
  ws.onclose = e => { status(`disconnected${e.reason ? ': ' + e.reason : ''}`, true); };
  ws.onmessage = e => onMessage(JSON.parse(e.data));
}

function status(text, error) { const s = $('status'); s.textContent = text; s.classList.toggle('error', !!error); }

function onMessage(m) {
  switch (m.type) {
    case 'hello':
      gmn.models = m.models;
      $('model').replaceChildren(...m.models.map(n => new Option(n, n)));
      $('device').textContent = `device: ${m.device}`;
      if (params.get('model') && params.get('model') !== $('model').value) send({ type: 'model', name: params.get('model') });
      break;
    case 'model':
      gmn.model = m;
      $('model').value = m.name;
      frameCanvas.width = m.width; frameCanvas.height = m.height;
      status(`${m.name} (${m.width}x${m.height}, ${m.classes} classes) ready`);
      renderClasses({});
      if (benchSeconds && (!params.get('model') || params.get('model') === m.name)) startBench();
      break;
    case 'result': onResult(m); break;
    case 'capturing': $('teach-status').textContent = `capturing "${m.label}"…`; break;
    case 'trained':
      gmn.trained = m;
      if (bench) bench.onTrained(m);
      $('teach-status').textContent = `trained ${m.kind} head on ${m.classes.join(', ')}` + (m.ms !== undefined ? ` in ${m.ms} ms` : '');
      break;
    case 'cleared': $('teach-status').textContent = 'back to the model'; gmn.trained = null; break;
    case 'head': download('head.json', JSON.stringify(m.head)); break;
    case 'error':
      gmn.errors.push(m.error);
      status(m.error, true);
      if (m.frame) inFlight = false; // the error answers the frame in flight
      break;
  }
}

function onResult(m) {
  const now = performance.now();
  inFlight = false;
  gmn.results++;
  gmn.lastResult = m;
  gmn.pair = { frame: sentFrame, width: frameCanvas.width, height: frameCanvas.height, result: m };
  resultTimes.push(now);
  while (resultTimes.length && resultTimes[0] < now - 2000) resultTimes.shift();
  gmn.fps = resultTimes.length > 1 ? (resultTimes.length - 1) * 1000 / (resultTimes[resultTimes.length - 1] - resultTimes[0]) : 0;
  const rtt = now - sentAt;
  $('fps').textContent = gmn.fps.toFixed(1);
  $('rtt').textContent = `${rtt.toFixed(1)} ms`;
  for (const k of ['receive', 'preprocess', 'inference', 'reply']) $(`t-${k}`).textContent = `${m.timing[k].toFixed(2)} ms`;
  $('dropped').textContent = m.dropped;
  $('source-title').textContent = m.source === 'taught' ? 'taught classes' : `predictions (${m.model})`;
  renderTop(m.top);
  renderClasses(m.samples, m.capturing);
  if (bench) bench.onResult(m);
  sendFrame();
}

function renderTop(top) {
  $('top').replaceChildren(...top.map(t => {
    const li = document.createElement('li');
    li.innerHTML = '<div class="label"><span></span><span></span></div><div class="bar"></div>';
    li.querySelector('.label span').textContent = t.label;
    li.querySelector('.label span:last-child').textContent = (100 * t.p).toFixed(1) + '%';
    li.querySelector('.bar').style.width = `${Math.max(1, 100 * t.p)}%`;
    return li;
  }));
}

// --- sources -------------------------------------------------------------------------------------------------------
async function useCamera() {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
    const video = $('video');
    video.srcObject = stream;
    await video.play();
    setSource('camera', video);
  } catch (e) {
    status(`no camera (${e.name}): use the test clip or upload an image`, true);
  }
}

// The test clip: the sample photos served by the viewer, each shown for 2 s with a slow zoom and pan.
async function useClip() {
  const names = await (await fetch('api/photos')).json();
  const images = await Promise.all(names.map(n => new Promise((ok, fail) => { const i = new Image(); i.onload = () => ok(i); i.onerror = fail; i.src = `photos/${n}`; })));
  const canvas = $('clip'), ctx = canvas.getContext('2d');
  const start = performance.now();
  clip = () => {
    const t = (performance.now() - start) / 2000, img = images[Math.floor(t) % images.length], f = t % 1;
    const zoom = 1 + 0.25 * f, w = img.width / zoom, h = img.height / zoom;
    ctx.drawImage(img, (img.width - w) * f, (img.height - h) * 0.5, w, h, 0, 0, canvas.width, canvas.height);
  };
  setSource('clip', canvas);
}

function setSource(kind, element) {
  source = element;
  gmn.source = kind;
  $('video').hidden = kind !== 'camera';
  $('clip').hidden = kind !== 'clip';
  $('uploaded').hidden = kind !== 'image';
  $('use-camera').classList.toggle('active', kind === 'camera');
  $('use-clip').classList.toggle('active', kind === 'clip');
}

async function upload(file) {
  setSource('image', null);
  $('uploaded').src = URL.createObjectURL(file);
  const model = encodeURIComponent($('model').value);
  const r = await fetch(`api/classify?model=${model}`, { method: 'POST', body: file });
  const body = await r.json();
  if (!r.ok) { gmn.errors.push(body.error); status(body.error, true); return; }
  $('source-title').textContent = `predictions (${body.model}, uploaded ${body.width}x${body.height})`;
  renderTop(body.top);
  $('t-preprocess').textContent = `${body.timing.preprocess.toFixed(2)} ms`;
  $('t-inference').textContent = `${body.timing.inference.toFixed(2)} ms`;
}

// --- the frame loop ------------------------------------------------------------------------------------------------
function tick() {
  requestAnimationFrame(tick);
  if (clip && gmn.source === 'clip') clip();
  sendFrame();
}

// One frame as the server reads it (the socket and /api/detect alike): uint16 width, uint16 height (little-endian), RGBA8.
function packFrame(w, h, pixels) {
  const message = new Uint8Array(4 + pixels.length);
  const header = new DataView(message.buffer);
  header.setUint16(0, w, true);
  header.setUint16(2, h, true);
  message.set(pixels, 4);
  return message;
}

// Sends the source's current picture unless a frame is in flight. Called on every animation frame and straight from
// a result, so the next frame leaves without waiting up to 16 ms for the next animation frame.
function sendFrame() {
  if (!source || inFlight || !gmn.model || !ws || ws.readyState !== WebSocket.OPEN) return;
  if (source instanceof HTMLVideoElement && source.readyState < 2) return;
  const w = frameCanvas.width, h = frameCanvas.height;
  frameCtx.drawImage(source, 0, 0, w, h);
  const pixels = frameCtx.getImageData(0, 0, w, h).data;
  const message = packFrame(w, h, pixels);
  sentFrame = pixels;
  sentAt = performance.now();
  inFlight = true;
  ws.send(message.buffer);
}

// --- bench mode (?bench=SECONDS, driven by `GpuMobileNet.Viewer --bench`) -----------------------------------------
const benchSeconds = Number(params.get('bench') || 0);
let bench = null;
function startBench() {
  if (bench) return;
  const samples = [], median = a => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor(s.length / 2)] : 0; };
  let start = 0, phase = 'warmup', measured = null;
  const t0 = performance.now();
  bench = {
    onResult(m) {
      const now = performance.now();
      if (phase === 'warmup' && now - t0 > 2000) { phase = 'measure'; start = now; return; }
      if (phase === 'measure') {
        samples.push({ rtt: now - sentAt, ...m.timing });
        if (now - start >= benchSeconds * 1000) {
          const seconds = (now - start) / 1000;
          measured = {
            model: m.model, frames: samples.length, seconds, fps: samples.length / seconds,
            median: Object.fromEntries(['rtt', 'receive', 'preprocess', 'inference', 'reply'].map(k => [k, median(samples.map(x => x[k]))])),
          };
          phase = 'teach-a'; capture('a', 30);
        }
      } else if (phase.startsWith('teach-')) {
        const label = phase.slice(6), next = { a: 'b', b: 'c' }[label];
        if ((m.samples[label] || 0) >= 30) {
          if (next) { phase = 'teach-' + next; capture(next, 30); } else { phase = 'train'; send({ type: 'train' }); }
        }
      }
    },
    onTrained(t) {
      if (phase !== 'train') return;
      phase = 'done';
      fetch('api/bench', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...measured, teachMs: t.ms, teachKind: t.kind }) });
    },
  };
}

// --- teaching ------------------------------------------------------------------------------------------------------
let classNames = [];
function addClass(name) {
  classNames.push(name || `class ${classNames.length + 1}`);
  renderClasses(gmn.lastResult ? gmn.lastResult.samples : {});
}

function renderClasses(samples, capturing) {
  for (const name of Object.keys(samples || {})) if (!classNames.includes(name)) classNames.push(name);
  const rows = classNames.map((name, i) => {
    let row = $('classes').children[i];
    if (!row) {
      row = document.createElement('div');
      row.className = 'class-row';
      row.innerHTML = '<input type="text"><button>capture 30</button><span class="count"></span>';
      row.querySelector('input').onchange = e => { classNames[i] = e.target.value; };
      row.querySelector('button').onclick = () => capture(classNames[i], 30);
    }
    const input = row.querySelector('input');
    if (document.activeElement !== input) input.value = name;
    row.querySelector('.count').textContent = (samples && samples[name]) || 0;
    row.querySelector('button').classList.toggle('active', capturing === name);
    return row;
  });
  $('classes').replaceChildren(...rows);
}

function send(obj) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj)); }
function capture(label, frames) { send({ type: 'capture', label, frames }); }
function download(name, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  a.download = name;
  a.click();
}

gmn.capture = capture;
gmn.addClass = addClass;
gmn.train = () => send({ type: 'train' });
gmn.useClip = useClip;
gmn.useCamera = useCamera;
gmn.selectModel = name => send({ type: 'model', name });

$('use-camera').onclick = useCamera;
$('use-clip').onclick = useClip;
$('upload').onchange = e => e.target.files[0] && upload(e.target.files[0]);
$('model').onchange = e => { classNames = []; send({ type: 'model', name: e.target.value }); };
$('add-class').onclick = () => addClass();
$('train').onclick = gmn.train;
$('reset').onclick = () => { classNames = []; send({ type: 'clear' }); renderClasses({}); };
$('save-head').onclick = () => send({ type: 'head' });
$('load-head').onchange = async e => { const f = e.target.files[0]; if (f) send({ type: 'loadHead', head: JSON.parse(await f.text()) }); };

connect();
requestAnimationFrame(tick);
// Start with the camera where there is one; the page says so and offers the clip where there is not.
if (params.get('source') === 'clip') useClip(); else useCamera();
