// Detection mode (the page's default): the visible source (camera, test clip or uploaded image) is drawn at the SSD's
// 300x300 input, posted to api/detect as one frame (uint16 width, uint16 height, RGBA8), and the boxes and labels of
// the reply are drawn over the preview. Two requests in flight once the detector is loaded: while the server runs one
// frame the next is already there, and a reply sends the next frame before it is drawn, so the rate is bounded by the
// device rather than by the round trip (a reply older than one already drawn is dropped; ?detectDepth=1 keeps one). A request unanswered in
// 30 s (the first, which loads the detector: 120 s) is abandoned. Without the detector (not fetched) the page says so
// and switches to classify. The page's own stages (capture, draw) go with the next frame as X-Capture-Ms and
// X-Draw-Ms for the server's bench. window.gmnDetect exposes the state for tests.
'use strict';
(() => {
  const size = 300, depth = Math.min(4, Math.max(1, Number(new URLSearchParams(location.search).get('detectDepth')) || 2));
  const overlay = document.getElementById('detect-overlay');
  const grab = document.createElement('canvas');
  grab.width = size; grab.height = size;
  const grabCtx = grab.getContext('2d', { willReadFrequently: true });
  const state = window.gmnDetect = { frames: 0, fps: 0, last: null, errors: [], inFlight: 0, captureMs: 0, drawMs: 0 };
  const times = [];
  let running = false, loaded = false, sent = 0, drawn = 0, waiting = false;

  function source() {
    for (const id of ['video', 'clip', 'uploaded']) {
      const el = document.getElementById(id);
      if (el && !el.hidden && (el.videoWidth || el.naturalWidth || (id === 'clip' && gmn.source === 'clip'))) return el;
    }
    return null;
  }

  // Tops the requests in flight up to the depth (one until the first reply: it loads the detector).
  function fill() {
    waiting = false;
    if (gmn.mode !== 'detect') { running = false; overlay.hidden = true; return; }
    while (state.inFlight < (loaded ? depth : 1)) {
      const src = source();
      if (!src) { retry(200); return; }
      post(src, capture(src));
    }
  }

  function retry(ms) { if (!waiting) { waiting = true; setTimeout(fill, ms); } }

  function capture(src) {
    const start = performance.now();
    gmn.drawSource(grabCtx, src, size, size);
    const body = gmn.packFrame(size, size, grabCtx.getImageData(0, 0, size, size).data);
    state.captureMs = performance.now() - start;
    return body;
  }

  async function post(src, body) {
    const seq = ++sent, start = performance.now(), timeoutMs = loaded ? 30000 : 120000;
    const headers = { 'X-Capture-Ms': state.captureMs.toFixed(2), 'X-Draw-Ms': state.drawMs.toFixed(2) };
    let reply = null, m = null, failure = null;
    state.inFlight++;
    try {
      reply = await fetch('api/detect', { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs) });
      m = await reply.json();
      if (!reply.ok && reply.status !== 503) failure = m.error || reply.statusText;
    } catch (e) {
      failure = e.name === 'TimeoutError' ? `no detection reply in ${timeoutMs / 1000} s` : String(e);
    }
    state.inFlight--;
    if (failure) {
      state.errors.push(failure);
      gmn.status(failure, true);
      retry(1000);
      return;
    }
    if (reply.status === 503) { unavailable(m.error); return; }
    loaded = true;
    fill(); // the next frame leaves before this one is drawn
    if (seq > drawn && gmn.mode === 'detect') { drawn = seq; onReply(src, m, performance.now() - start); }
  }

  function onReply(src, m, rtt) {
    state.fps = gmn.rate(times, performance.now());
    state.frames++;
    state.last = m;
    gmn.notice = '';
    const post = m.decodeMs + m.nmsMs, server = m.receiveMs + m.waitMs + m.preprocessMs + m.networkMs + post;
    gmn.report({
      receive: m.receiveMs, wait: m.waitMs, preprocess: m.preprocessMs, inference: m.networkMs, post, other: rtt - server,
    }, rtt, state.fps);
    gmn.renderTop(m.detections.slice(0, 5).map(d => ({ label: d.label, p: d.score })));
    const drawStart = performance.now();
    draw(src, m);
    state.drawMs = performance.now() - drawStart;
  }

  function unavailable(error) {
    running = false;
    gmn.notice = `object detection unavailable (${error}): classifying instead`;
    gmn.setMode('classify');
  }

  function draw(src, m) {
    const rect = src.getBoundingClientRect(), parent = overlay.parentElement.getBoundingClientRect();
    overlay.hidden = false;
    overlay.style.left = `${rect.left - parent.left}px`;
    overlay.style.top = `${rect.top - parent.top}px`;
    // Resized only when the preview's size changed: setting a canvas's size reallocates it.
    const w = Math.trunc(rect.width), h = Math.trunc(rect.height); // what the canvas's size setter keeps
    if (overlay.width !== w || overlay.height !== h) { overlay.width = w; overlay.height = h; }
    const ctx = overlay.getContext('2d');
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    ctx.lineWidth = 3;
    ctx.font = '14px sans-serif';
    for (const d of m.detections) {
      const [x0, y0, x1, y1] = d.box.map((v, i) => v * (i % 2 ? overlay.height : overlay.width));
      ctx.strokeStyle = ctx.fillStyle = `hsl(${(d.classId * 47) % 360} 90% 35%)`;
      ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
      const text = `${d.label} ${d.score.toFixed(2)}`;
      const top = Math.max(0, y0 - 18);
      ctx.fillRect(x0, top, ctx.measureText(text).width + 8, 18);
      ctx.fillStyle = 'white';
      ctx.fillText(text, x0 + 4, top + 14);
    }
  }

  window.addEventListener('gmn-mode', e => {
    if (e.detail !== 'detect') { overlay.hidden = true; return; }
    if (!running) { running = true; fill(); }
  });
})();
