// Detection mode: while "detect objects" is on, the visible source (camera, test clip or uploaded image) is drawn at
// the SSD's 300x300 input, posted to /api/detect as one frame (uint16 width, uint16 height, RGBA8), and the boxes and
// labels of the reply are drawn over the preview. One request in flight: the next frame goes when the reply arrives.
// window.gmnDetect exposes the state for tests.
'use strict';
(() => {
  const size = 300;
  const toggle = document.getElementById('detect');
  const overlay = document.getElementById('detect-overlay');
  const fpsCell = document.getElementById('detect-fps');
  const grab = document.createElement('canvas');
  grab.width = size; grab.height = size;
  const grabCtx = grab.getContext('2d', { willReadFrequently: true });
  const state = window.gmnDetect = { frames: 0, fps: 0, last: null, errors: [] };
  let times = [];

  function source() {
    for (const id of ['video', 'clip', 'uploaded']) {
      const el = document.getElementById(id);
      if (el && !el.hidden && (el.videoWidth || el.naturalWidth || el.width)) return el;
    }
    return null;
  }

  async function step() {
    if (!toggle.checked) { overlay.hidden = true; return; }
    const src = source();
    if (!src) { setTimeout(step, 200); return; }
    grabCtx.drawImage(src, 0, 0, size, size);
    const rgba = grabCtx.getImageData(0, 0, size, size).data;
    const body = packFrame(size, size, rgba);  // app.js
    try {
      const reply = await fetch('/api/detect', { method: 'POST', body });
      const m = await reply.json();
      if (!reply.ok) throw new Error(m.error || reply.statusText);
      const now = performance.now();
      times.push(now);
      times = times.filter(t => now - t < 2000);
      state.fps = times.length > 1 ? (times.length - 1) * 1000 / (times[times.length - 1] - times[0]) : 0;
      state.frames++;
      state.last = m;
      draw(src, m);
      fpsCell.textContent = `${state.fps.toFixed(1)} (network ${m.networkMs} ms, decode ${m.decodeMs} ms, NMS ${m.nmsMs} ms)`;
    } catch (e) {
      state.errors.push(String(e));
      fpsCell.textContent = String(e);
      await new Promise(r => setTimeout(r, 1000));
    }
    requestAnimationFrame(step);
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
      const hue = (d.classId * 47) % 360;
      ctx.strokeStyle = ctx.fillStyle = `hsl(${hue} 90% 50%)`;
      ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
      const text = `${d.label} ${d.score.toFixed(2)}`;
      const top = Math.max(0, y0 - 18);
      ctx.fillRect(x0, top, ctx.measureText(text).width + 8, 18);
      ctx.fillStyle = 'white';
      ctx.fillText(text, x0 + 4, top + 14);
    }
  }

  toggle.addEventListener('change', () => { if (toggle.checked) step(); else overlay.hidden = true; });
})();
