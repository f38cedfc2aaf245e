// GpuMobileNet viewer page. Two modes: "detect objects" (detect.js, the default: everyday classes mean something on
// a webcam) and "classify", which draws the current source (camera, test clip) to a canvas at the model's input size
// and sends it as one binary WebSocket message (uint16 width, uint16 height, RGBA8 pixels). At most one frame is in
// flight: the next is sent when the reply arrives, so nothing queues; a frame unanswered for frameTimeoutMs is given
// up. The socket reconnects with backoff. Every path is relative, so the page works under a path prefix.
// window.gmn exposes state for the browser tests.
'use strict';
const $ = id => document.getElementById(id);
const gmn = window.gmn = {
  results: 0, fps: 0, model: null, pair: null, lastResult: null, errors: [], trained: null, source: 'none', models: [],
  mode: 'detect', notice: '', timeouts: 0, reconnects: 0, socketUrl: null,
};
const frameCanvas = $('frame');
const frameCtx = frameCanvas.getContext('2d', { willReadFrequently: true });
const params = new URLSearchParams(location.search);
const frameTimeoutMs = Number(params.get('frameTimeout') || 10000);
let ws = null, inFlight = false, sentAt = 0, sentFrame = null, resultTimes = [], source = null, clip = null;
let retryMs = 500, lateReplies = 0, replyWaiter = null, feeding = false, wantedModel = params.get('model');

// Teaching state lives on the server under this page session, so classes survive a reload or a change of camera.
const session = params.get('session') || sessionStorage.getItem('gmn-session') || Math.random().toString(36).slice(2);
sessionStorage.setItem('gmn-session', session);
gmn.session = session;

// --- connection ----------------------------------------------------------------------------------------------------
function connect() {
  const model = wantedModel ? `&model=${encodeURIComponent(wantedModel)}` : ''; // keeps taught classes over a reconnect
  const url = new URL(`ws?session=${encodeURIComponent(session)}${model}`, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  gmn.socketUrl = url.href;
  ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => status('connected');
  ws.onclose = e => {
    inFlight = false; lateReplies = 0; gmn.model = null;
    const wait = retryMs;
    retryMs = Math.min(2 * retryMs, 15000);
    status(`disconnected${e.reason ? ': ' + e.reason : ''}; reconnecting in ${(wait / 1000).toFixed(1)} s`, true);
    setTimeout(() => { gmn.reconnects++; $('reconnects').textContent = gmn.reconnects; connect(); }, wait);
  };
  ws.onmessage = e => onMessage(JSON.parse(e.data));
}

function status(text, error) { const s = $('status'); s.textContent = text; s.classList.toggle('error', !!error); }
function send(obj) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj)); }

function onMessage(m) {
  switch (m.type) {
    case 'hello':
      gmn.models = m.models;
      $('model').replaceChildren(...m.models.map(n => new Option(n, n)));
      $('device').textContent = `device: ${m.device}`;
      break;
    case 'model':
      retryMs = 500; // served (a full server accepts, says so and closes: that keeps backing off)
      gmn.model = m;
      $('model').value = m.name;
      frameCanvas.width = m.width; frameCanvas.height = m.height;
      if (gmn.mode === 'classify') status(modeStatus(), !!gmn.notice);
      if (wantedModel && wantedModel !== m.name) send({ type: 'model', name: wantedModel }); // after a reconnect too
      if (benchSeconds && (!params.get('model') || params.get('model') === m.name)) startBench();
      break;
    case 'result': onResult(m); break;
    case 'error':
      gmn.errors.push(m.error);
      status(m.error, true);
      if (m.frame) answered(m);
      gmnTeach.onError(m);
      break;
    default:
      if (m.type === 'trained' && bench) bench.onTrained(m);
      gmnTeach.onMessage(m);
  }
}

// The reply to the frame in flight has come: the next may go. A reply to a frame given up as timed out is shown
// but neither paired with the newer frame nor allowed to release it.
function answered(m) {
  if (lateReplies > 0) { lateReplies--; if (inFlight) return false; }
  inFlight = false;
  if (replyWaiter) { const w = replyWaiter; replyWaiter = null; w(m); }
  return true;
}

function onResult(m) {
  const now = performance.now();
  const current = answered(m);
  gmn.results++;
  gmn.lastResult = m;
  if (current) gmn.pair = { frame: sentFrame, width: frameCanvas.width, height: frameCanvas.height, result: m };
  gmn.fps = rate(resultTimes, now);
  const rtt = now - sentAt, t = m.timing;
  report({ ...t, other: rtt - t.receive - t.preprocess - t.inference - t.reply }, rtt, gmn.fps);
  $('dropped').textContent = m.dropped;
  $('source-title').textContent = m.source === 'taught' ? 'taught classes' : `predictions (${m.model})`;
  renderTop(m.top.map(x => ({ label: x.label, p: x.p })));
  gmnTeach.onResult(m, frameCanvas);
  if (bench) bench.onResult(m);
  if (current) sendFrame();
}

// Frames per second over the last 2 s of reply times (times is updated in place).
function rate(times, now) {
  times.push(now);
  while (times.length && times[0] < now - 2000) times.shift();
  return times.length > 1 ? (times.length - 1) * 1000 / (times[times.length - 1] - times[0]) : 0;
}

// --- what both modes show: the top list, a spoken summary, the stage and FPS charts -------------------------------
const stageSets = {
  classify: [['receive', 'receive'], ['preprocess', 'preprocess (GPU)'], ['inference', 'inference'], ['reply', 'reply'], ['other', 'network + page']],
  detect: [['receive', 'receive'], ['wait', 'queued (next frame)'], ['preprocess', 'preprocess'], ['inference', 'inference'], ['post', 'decode + NMS'], ['other', 'network + page']],
};
const stageColors = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#b07aa1', '#edc948'];

function report(stages, rtt, fps) {
  gmnCharts.stage.push(stages);
  gmnCharts.fps.push(fps);
  $('fps').textContent = fps.toFixed(1);
  $('rtt').textContent = `${rtt.toFixed(1)} ms`;
}

// items: [{ label, p }], most likely first. The live region speaks only when the leading labels change.
function renderTop(items) {
  $('top').replaceChildren(...items.map(t => {
    const li = document.createElement('li');
    li.innerHTML = '<div class="label"><span></span><span></span></div><div class="bar"></div>';
    li.querySelector('.label span').textContent = t.label;
    li.querySelector('.label span:last-child').textContent = (100 * t.p).toFixed(1) + '%';
    li.querySelector('.bar').style.width = `${Math.max(1, 100 * t.p)}%`;
    return li;
  }));
  const names = [...new Set(items.slice(0, 3).map(t => t.label))];
  const text = names.length ? `${gmn.mode === 'detect' ? 'seeing' : 'top'}: ${names.join(', ')}` : 'nothing found';
  if ($('summary').textContent !== text) $('summary').textContent = text;
}

// What the page is doing, after gmn.notice where there is one (e.g. why it is not detecting).
function modeStatus() {
  const m = gmn.model;
  if (gmn.mode === 'detect') return 'detecting everyday objects (SSD-MobileNetV2, Open Images classes)';
  const ready = m ? `${m.name} (${m.width}x${m.height}, ${m.classes} classes) ready` : 'loading the model…';
  return gmn.notice ? `${gmn.notice}; ${ready}` : ready;
}

function setMode(mode) {
  gmn.mode = mode;
  $(mode).checked = true;
  gmnCharts.stage.setStages(stageSets[mode].map(([key, label], i) => ({ key, label, color: stageColors[i] })));
  gmnCharts.fps.clear();
  resultTimes = [];
  $('source-title').textContent = mode === 'detect' ? 'objects' : 'predictions';
  frameCanvas.hidden = mode === 'detect';
  status(modeStatus(), mode === 'classify' && !!gmn.notice);
  $('top').replaceChildren();
  $('summary').textContent = '';
  window.dispatchEvent(new CustomEvent('gmn-mode', { detail: mode }));
  if (mode === 'classify') sendFrame();
}

// --- sources -------------------------------------------------------------------------------------------------------
async function useCamera(deviceId) {
  try {
    const old = $('video').srcObject;
    if (old) old.getTracks().forEach(t => t.stop());
    const video = { width: 640, height: 480, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) };
    const stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
    $('video').srcObject = stream;
    await $('video').play();
    setSource('camera', $('video'));
    await listCameras(stream.getVideoTracks()[0].getSettings().deviceId);
  } catch (e) {
    status(`no camera (${e.name}): use the test clip or upload an image`, true);
  }
}

// Camera names are only given once a camera is allowed, so the picker is filled after the first one opens.
async function listCameras(current) {
  const cameras = (await navigator.mediaDevices.enumerateDevices()).filter(d => d.kind === 'videoinput');
  $('camera').replaceChildren(...cameras.map((c, i) => new Option(c.label || `camera ${i + 1}`, c.deviceId)));
  if (current) $('camera').value = current;
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
  if (gmn.mode === 'detect') return; // detect.js boxes the visible image
  const r = await fetch(`api/classify?model=${encodeURIComponent($('model').value)}`, { method: 'POST', body: file });
  const body = await r.json();
  if (!r.ok) { gmn.errors.push(body.error); status(body.error, true); return; }
  $('source-title').textContent = `predictions (${body.model}, uploaded ${body.width}x${body.height})`;
  renderTop(body.top);
}

// Draws a source into a canvas context at w x h, flipped left to right when "mirror" is ticked (the preview is
// flipped too, so boxes drawn over it line up).
function drawSource(ctx, element, w, h) {
  ctx.save();
  if ($('mirror').checked) ctx.setTransform(-1, 0, 0, 1, w, 0);
  ctx.drawImage(element, 0, 0, w, h);
  ctx.restore();
}

// --- the frame loop ------------------------------------------------------------------------------------------------
function tick() {
  requestAnimationFrame(tick);
  if (clip && gmn.source === 'clip') clip();
  sendFrame();
}

// One frame as the server reads it (the socket and api/detect alike): uint16 width, uint16 height (little-endian), RGBA8.
function packFrame(w, h, pixels) {
  const message = new Uint8Array(4 + pixels.length);
  const header = new DataView(message.buffer);
  header.setUint16(0, w, true);
  header.setUint16(2, h, true);
  message.set(pixels, 4);
  return message;
}

function socketReady() { return gmn.model && ws && ws.readyState === WebSocket.OPEN; }

// Sends the source's current picture unless a frame is in flight. Called on every animation frame and straight from
// a result, so the next frame leaves without waiting up to 16 ms for the next animation frame.
function sendFrame() {
  if (gmn.mode !== 'classify' || feeding || !source || inFlight || !socketReady()) return;
  if (source instanceof HTMLVideoElement && source.readyState < 2) return;
  drawSource(frameCtx, source, frameCanvas.width, frameCanvas.height);
  sendCanvas();
}

function sendCanvas() {
  const w = frameCanvas.width, h = frameCanvas.height;
  const pixels = frameCtx.getImageData(0, 0, w, h).data;
  sentFrame = pixels;
  sentAt = performance.now();
  inFlight = true;
  ws.send(packFrame(w, h, pixels).buffer);
}

// A frame unanswered for frameTimeoutMs is given up, so a lost reply cannot stall the page.
setInterval(() => {
  if (!inFlight || performance.now() - sentAt < frameTimeoutMs) return;
  gmn.timeouts++;
  $('timeouts').textContent = gmn.timeouts;
  lateReplies++;
  inFlight = false;
  status(`no reply to a frame in ${frameTimeoutMs / 1000} s: sending the next one`, true);
  if (replyWaiter) { const w = replyWaiter; replyWaiter = null; w(null); }
}, 500);

// Sends still images (teaching from uploads) through the same path as camera frames, one at a time; the live
// frames pause meanwhile. before() runs once no live frame is in flight (so a capture it starts takes only these);
// onEach gets each reply (null where one timed out).
async function feedImages(images, { before, onEach }) {
  feeding = true;
  try {
    while (inFlight) await new Promise(r => setTimeout(r, 20));
    before();
    for (const image of images) {
      if (!socketReady()) throw new Error('not connected');
      const reply = new Promise(r => { replyWaiter = r; });
      frameCtx.drawImage(image, 0, 0, frameCanvas.width, frameCanvas.height);
      sendCanvas();
      onEach(await reply);
    }
  } finally {
    feeding = false;
  }
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

function capture(label, frames) { send({ type: 'capture', label, frames }); }

// --- wiring --------------------------------------------------------------------------------------------------------
Object.assign(gmn, {
  capture, train: () => send({ type: 'train' }), useClip, useCamera, send, status, setMode, feedImages, packFrame, drawSource, renderTop, report, rate,
  selectModel: name => { wantedModel = name; send({ type: 'model', name }); },
});

function start() {
  $('detect').onchange = () => setMode('detect');
  $('classify').onchange = () => setMode('classify');
  $('use-camera').onclick = () => useCamera($('camera').value);
  $('camera').onchange = e => useCamera(e.target.value);
  $('mirror').onchange = e => { document.body.classList.toggle('mirrored', e.target.checked); };
  $('use-clip').onclick = useClip;
  $('upload-button').onclick = () => $('upload').click();
  $('upload').onchange = e => e.target.files[0] && upload(e.target.files[0]);
  $('model').onchange = e => { gmnTeach.reset(); gmn.selectModel(e.target.value); };
  connect();
  setMode(params.get('mode') === 'classify' || benchSeconds ? 'classify' : 'detect');
  requestAnimationFrame(tick);
  // Start with the camera where there is one; the page says so and offers the clip where there is not.
  if (params.get('source') === 'clip') useClip(); else useCamera();
}
document.addEventListener('DOMContentLoaded', start);
