// Live charts on plain canvases (nothing is downloaded at run time): per-stage latency as one stacked bar per reply,
// newest on the right, and FPS as a line. Each chart keeps its last `keep` samples; the table beside the stage chart
// gives the latest numbers as text, with the chart's colours as its key.
'use strict';
(() => {
  const keep = 90;
  const axisColor = '#8a8f98', textColor = '#c8ccd2';

  function scaleFor(max) { // a round axis top: 1, 2 or 5 times a power of ten
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(max, 1e-3))));
    return [1, 2, 5, 10].map(m => m * p).find(v => v >= max);
  }

  function axis(ctx, canvas, top, unit) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = axisColor;
    ctx.beginPath(); ctx.moveTo(0, canvas.height - 0.5); ctx.lineTo(canvas.width, canvas.height - 0.5); ctx.stroke();
    ctx.fillStyle = textColor;
    ctx.font = '11px sans-serif';
    ctx.fillText(`${top} ${unit}`, 2, 11);
  }

  // stages: [{ key, label, color }]; push({ key: ms, ... }).
  class StageChart {
    constructor(canvas, table) { this.canvas = canvas; this.table = table; this.samples = []; this.stages = []; }

    setStages(stages) {
      this.stages = stages;
      this.samples = [];
      this.table.replaceChildren(...stages.map(s => {
        const row = document.createElement('tr');
        row.innerHTML = '<th scope="row"><span class="swatch" aria-hidden="true"></span><span></span></th><td>–</td>';
        row.querySelector('.swatch').style.background = s.color;
        row.querySelector('th span:last-child').textContent = s.label;
        return row;
      }));
      this.draw();
    }

    push(values) {
      this.samples.push(values);
      if (this.samples.length > keep) this.samples.shift();
      this.stages.forEach((s, i) => { this.table.rows[i].cells[1].textContent = `${(values[s.key] || 0).toFixed(2)} ms`; });
      this.draw();
    }

    draw() {
      const c = this.canvas, ctx = c.getContext('2d');
      const total = v => this.stages.reduce((sum, s) => sum + Math.max(0, v[s.key] || 0), 0);
      // Scaled to the newest third, so one slow reply (a model loading) does not flatten the rest; it is clipped.
      const top = scaleFor(Math.max(1, ...this.samples.slice(-keep / 3).map(total)));
      axis(ctx, c, top, 'ms');
      const w = c.width / keep, h = c.height - 14;
      this.samples.forEach((v, i) => {
        let y = c.height;
        for (const s of this.stages) {
          const dy = h * Math.max(0, v[s.key] || 0) / top;
          ctx.fillStyle = s.color;
          ctx.fillRect(c.width - (this.samples.length - i) * w, y - dy, Math.max(1, w - 1), dy);
          y -= dy;
        }
      });
    }
  }

  class LineChart {
    constructor(canvas, unit, color) { this.canvas = canvas; this.unit = unit; this.color = color; this.samples = []; }

    clear() { this.samples = []; this.draw(); }

    push(value) {
      this.samples.push(value);
      if (this.samples.length > keep) this.samples.shift();
      this.draw();
    }

    draw() {
      const c = this.canvas, ctx = c.getContext('2d');
      const top = scaleFor(Math.max(1, ...this.samples));
      axis(ctx, c, top, this.unit);
      const w = c.width / keep, h = c.height - 14;
      ctx.strokeStyle = this.color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      this.samples.forEach((v, i) => {
        const x = c.width - (this.samples.length - i) * w, y = c.height - h * v / top;
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
  }

  window.gmnCharts = {
    stage: new StageChart(document.getElementById('stage-chart'), document.querySelector('#stage-table tbody')),
    fps: new LineChart(document.getElementById('fps-chart'), 'FPS', '#59a14f'),
  };
})();
