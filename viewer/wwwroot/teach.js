// Teaching, Teachable Machine style: one row per class with its name, a hold-to-record button (mouse, touch or
// Space/Enter held down), "add images" (uploaded pictures go through the same path as camera frames), delete,
// its sample count and thumbnails of what it captured. Renames and deletes go to the server, which keeps the
// samples under the page session; a name already taken is refused, so no row is ever duplicated. After training
// the held-out accuracy (and the confusion matrix, where the server sends one) is shown; export buttons fetch the
// taught model from api/teach/export. window.gmnTeach exposes the state for tests.
'use strict';
(() => {
  const maxThumbs = 8, thumbSize = 40;
  let classes = []; // [{ name, count, thumbs: [canvas] }], in the order shown
  let recording = null;
  const gone = new Set(); // renamed or deleted names a reply computed earlier may still list

  function say(text, error) { const s = $('teach-status'); s.textContent = text; s.classList.toggle('error', !!error); }
  const byName = name => classes.find(c => c.name === name);

  function addClass(name) {
    let i = classes.length + 1;
    while (!name && byName(`class ${i}`)) i++;
    classes.push({ name: name || `class ${i}`, count: 0, thumbs: [] });
    render();
  }

  function render() {
    $('classes').replaceChildren(...classes.map(row));
  }

  function row(c, i) {
    const div = document.createElement('div');
    div.className = 'class-row';
    div.setAttribute('role', 'group');
    div.innerHTML = `<div class="class-line"><input type="text" maxlength="40"><span class="count"></span></div>
      <div class="class-line"><button type="button" class="record" aria-pressed="false">hold to record</button>
      <button type="button" class="add-images">add images</button><input type="file" accept="image/*" multiple hidden>
      <button type="button" class="remove">delete</button></div><div class="thumbs" aria-hidden="true"></div>`;
    div.setAttribute('aria-label', `class ${i + 1}: ${c.name}`);
    const input = div.querySelector('input[type=text]');
    input.value = c.name;
    input.setAttribute('aria-label', `name of class ${i + 1}`);
    input.onchange = () => rename(c, input);
    div.querySelector('.count').textContent = `${c.count} samples`;
    const record = div.querySelector('.record');
    record.setAttribute('aria-label', `hold to record ${c.name}`);
    holdToRecord(record, c);
    const files = div.querySelector('input[type=file]');
    div.querySelector('.add-images').setAttribute('aria-label', `add images to ${c.name}`);
    div.querySelector('.add-images').onclick = () => files.click();
    files.onchange = () => { addImages(c, [...files.files]); files.value = ''; };
    const remove = div.querySelector('.remove');
    remove.setAttribute('aria-label', `delete ${c.name}`);
    remove.onclick = () => removeClass(c);
    div.querySelector('.thumbs').append(...c.thumbs);
    return div;
  }

  function rename(c, input) {
    const to = input.value.trim();
    if (!to || to === c.name) { input.value = c.name; return; }
    if (byName(to)) { say(`a class named "${to}" already exists`, true); input.value = c.name; return; }
    if (c.count > 0) { gmn.send({ type: 'rename', from: c.name, to }); return; } // the reply renames the row
    c.name = to;
    render();
  }

  function removeClass(c) {
    classes = classes.filter(o => o !== c);
    gone.add(c.name);
    gmn.send({ type: 'remove', label: c.name });
    render();
  }

  // Records while the button is held: pointer down to up, or Space/Enter down to up.
  function holdToRecord(button, c) {
    const start = () => {
      if (recording) return;
      recording = c.name;
      if (gmn.mode !== 'classify') gmn.setMode('classify');
      gmn.capture(c.name, 1000);
      button.setAttribute('aria-pressed', 'true');
      button.classList.add('active');
    };
    const stop = () => {
      if (recording !== c.name) return;
      recording = null;
      gmn.send({ type: 'stop' });
      button.setAttribute('aria-pressed', 'false');
      button.classList.remove('active');
    };
    button.addEventListener('pointerdown', e => { e.preventDefault(); button.setPointerCapture(e.pointerId); start(); });
    for (const ev of ['pointerup', 'pointercancel', 'lostpointercapture', 'blur']) button.addEventListener(ev, stop);
    button.addEventListener('keydown', e => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) { e.preventDefault(); start(); } });
    button.addEventListener('keyup', e => { if (e.key === ' ' || e.key === 'Enter') stop(); });
    button.addEventListener('contextmenu', e => e.preventDefault()); // a long press on a phone
  }

  async function addImages(c, files) {
    const images = [];
    for (const f of files) {
      try { images.push(await createImageBitmap(f)); } catch { say(`"${f.name}" is not an image this browser can read`, true); return; }
    }
    if (!images.length) return;
    if (gmn.mode !== 'classify') gmn.setMode('classify');
    let done = 0;
    try {
      await gmn.feedImages(images, {
        before: () => gmn.capture(c.name, images.length),
        onEach: () => say(`added ${++done} of ${images.length} images to "${c.name}"`),
      });
    } catch (e) {
      say(`adding images to "${c.name}" failed: ${e.message}`, true);
    } finally {
      gmn.send({ type: 'stop' });
      images.forEach(i => i.close());
    }
  }

  // Each reply carries the sample counts; a class whose count rose captured the frame that reply answers.
  function onResult(m, frame) {
    const samples = m.samples || {};
    for (const name of gone) if (!(name in samples)) gone.delete(name);
    let added = false;
    for (const name of Object.keys(samples)) if (!byName(name) && !gone.has(name)) { classes.push({ name, count: 0, thumbs: [] }); added = true; }
    if (added) render();
    classes.forEach((c, i) => {
      const n = samples[c.name] || 0;
      if (n > c.count) addThumb(c, i, frame);
      if (n !== c.count) { c.count = n; $('classes').children[i].querySelector('.count').textContent = `${n} samples`; }
    });
  }

  function addThumb(c, i, frame) {
    const t = document.createElement('canvas');
    t.width = t.height = thumbSize;
    t.getContext('2d').drawImage(frame, 0, 0, thumbSize, thumbSize);
    c.thumbs.push(t);
    if (c.thumbs.length > maxThumbs) c.thumbs.shift().remove();
    $('classes').children[i].querySelector('.thumbs').append(t);
  }

  function onMessage(m) {
    switch (m.type) {
      case 'capturing': say(`recording "${m.label}"…`); break;
      case 'stopped': if (!recording) say('recorded'); break;
      case 'trained': gmn.trained = m; showReport(m); break;
      case 'cleared': say('back to the model'); dropped(); break;
      case 'removed': dropped(); say(`deleted "${m.label}": train again`); break;
      case 'renamed': {
        const c = byName(m.from);
        if (c) { c.name = m.to; gone.add(m.from); render(); }
        // the server's head follows the rename: show the report under the new name
        if (gmn.trained?.classes) { gmn.trained.classes = gmn.trained.classes.map(n => n === m.from ? m.to : n); showReport(gmn.trained); }
        say(`renamed "${m.from}" to "${m.to}"`);
        break;
      }
      case 'head': download('head.json', new Blob([JSON.stringify(m.head)], { type: 'application/json' })); break;
    }
  }

  function dropped() { gmn.trained = null; $('teach-report').replaceChildren(); } // the server dropped the head

  function onError() { render(); } // e.g. a refused rename: show the names the server kept

  const percent = x => `${(100 * x).toFixed(0)}%`;

  // heldOut: { kind: accuracy } for the head kinds tried (empty when a class has fewer than 5 samples).
  function showReport(m) {
    const p = document.createElement('p');
    const held = m.heldOut || {}, kinds = Object.keys(held);
    const accuracy = kinds.length
      ? `held-out accuracy ${percent(held[m.kind] ?? Math.max(...kinds.map(k => held[k])))} (${kinds.map(k => `${k} ${percent(held[k])}`).join(', ')})`
      : 'held-out accuracy needs at least 5 samples per class';
    p.textContent = `trained a ${m.kind} head on ${m.classes.join(', ')}` + (m.ms !== undefined ? ` in ${m.ms} ms` : '') + `; ${accuracy}`;
    $('teach-report').replaceChildren(p, ...(m.confusion ? [confusionFigure(m.classes, m.confusion)] : []));
  }

  // confusion[t][p]: held-out samples of true class t predicted as p.
  function confusionFigure(names, confusion) {
    const figure = document.createElement('figure');
    const caption = figure.appendChild(document.createElement('figcaption'));
    caption.textContent = 'held-out confusion matrix: rows are the true class, columns the predicted one';
    const table = figure.appendChild(document.createElement('table'));
    table.className = 'confusion';
    table.setAttribute('aria-label', 'held-out confusion matrix');
    const head = table.createTHead().insertRow();
    head.appendChild(document.createElement('td'));
    for (const n of names) { const th = document.createElement('th'); th.scope = 'col'; th.textContent = n; head.appendChild(th); }
    const body = table.createTBody();
    confusion.forEach((counts, t) => {
      const r = body.insertRow();
      const th = document.createElement('th'); th.scope = 'row'; th.textContent = names[t]; r.appendChild(th);
      counts.forEach((n, p) => { const td = r.insertCell(); td.textContent = n; td.classList.toggle('diagonal', p === t); });
    });
    return figure;
  }

  async function exportModel(format, what) {
    try {
      const r = await fetch(`api/teach/export?format=${format}&session=${encodeURIComponent(gmn.session)}`);
      if (!r.ok) {
        let error = null;
        try { error = (await r.json()).error; } catch { /* not JSON */ }
        say(error || (r.status === 404 ? `this server cannot export ${what} (api/teach/export answered 404)` : `export failed: HTTP ${r.status}`), true);
        return;
      }
      const name = /filename="?([^";]+)"?/.exec(r.headers.get('Content-Disposition') || '');
      download(name ? name[1] : `taught.${format === 'onnx' ? 'onnx' : 'zip'}`, await r.blob());
      say(`exported ${what}`);
    } catch (e) {
      say(`export failed: ${e.message}`, true);
    }
  }

  function download(name, blob) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.click();
  }

  function reset() { classes = []; gone.clear(); render(); }

  // The guided start: classify mode, two classes ready, the steps shown, focus on the first record button.
  function guide() {
    gmn.setMode('classify');
    while (classes.length < 2) addClass();
    $('guide').hidden = false;
    $('teach-title').scrollIntoView({ behavior: 'smooth' });
    $('classes').querySelector('.record').focus();
  }

  window.gmnTeach = { onMessage, onResult, onError, reset, guide, addClass, get classes() { return classes; } };
  $('guided').onclick = guide;
  $('add-class').onclick = () => addClass();
  $('train').onclick = () => gmn.train();
  $('reset').onclick = () => { reset(); gmn.send({ type: 'clear' }); };
  $('export-onnx').onclick = () => exportModel('onnx', 'ONNX');
  $('export-tfjs').onclick = () => exportModel('tfjs', 'TF.js');
  $('save-head').onclick = () => gmn.send({ type: 'head' });
  $('load-head-button').onclick = () => $('load-head').click();
  $('load-head').onchange = async e => {
    const f = e.target.files[0];
    if (!f) return;
    try { gmn.send({ type: 'loadHead', head: JSON.parse(await f.text()) }); } catch { say(`"${f.name}" is not a head JSON file`, true); }
    e.target.value = '';
  };
})();
