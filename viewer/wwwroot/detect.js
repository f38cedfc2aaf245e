// Detection mode (the page's default): the visible source (camera, test clip or uploaded image) is drawn at the SSD's
// 300x300 input, posted to api/detect as one frame (uint16 width, uint16 height, RGBA8), and the boxes and labels of
// the reply are drawn over the preview. One request in flight: the next frame goes when the reply arrives; a request
// unanswered in 30 s (the first, which loads the detector: 120 s) is abandoned. Without the detector (not fetched) the page says so and switches to classify.
// window.gmnDetect exposes the state for tests.
'use strict';
(() => {
  const size = 300;
  const overlay = document.getElementById('detect-overlay');
  const grab = document.createElement('canvas');
  grab.width = size; grab.height = size;
  const grabCtx = grab.getContext('2d', { willReadFrequently: true });
  const state = window.gmnDetect = { frames: 0, fps: 0, last: null, errors: [] };
  const times = [];
  let running = false;

  function source() {
    for (const id of ['video', 'clip', 'uploaded']) {
      const el = document.getElementById(id);
      if (el && !el.hidden && (el.videoWidth || el.naturalWidth || (id === 'clip' && gmn.source === 'clip'))) return el;
    }
    return null;
  }

  async function step() {
    if (gmn.mode !== 'detect') { running = false; overlay.hidden = true; return; }
    const src = source();
    if (!src) { setTimeout(step, 200); return; }
    gmn.drawSource(grabCtx, src, size, size);
    const body = gmn.packFrame(size, size, grabCtx.getImageData(0, 0, size, size).data);
    const sent = performance.now(), timeoutMs = state.frames ? 30000 : 120000; // the first request loads the detector
    try {
      const reply = await fetch('api/detect', { method: 'POST', body, signal: AbortSignal.timeout(timeoutMs) });
      const m = await reply.json();
      if (reply.status === 503) { unavailable(m.error); return; }
      if (!reply.ok) throw new Error(m.error || reply.statusText);
      onReply(src, m, performance.now() - sent);
    } catch (e) {
      const text = e.name === 'TimeoutError' ? `no detection reply in ${timeoutMs / 1000} s` : String(e);
      state.errors.push(text);
      gmn.status(text, true);
      await new Promise(r => setTimeout(r, 1000));
    }
    requestAnimationFrame(step);
  }

  function onReply(src, m, rtt) {
    state.fps = gmn.rate(times, performance.now());
    state.frames++;
    state.last = m;
    gmn.notice = '';
    const post = m.decodeMs + m.nmsMs;
    gmn.report({
      receive: m.receiveMs, preprocess: m.preprocessMs, inference: m.networkMs, post,
      other: rtt - m.receiveMs - m.preprocessMs - m.networkMs - post,
    }, rtt, state.fps);
    gmn.renderTop(m.detections.slice(0, 5).map(d => ({ label: d.label, p: d.score })));
    draw(src, m);
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
    overlay.width = rect.width; overlay.height = rect.height;
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
    if (!running) { running = true; step(); }
  });
})();
