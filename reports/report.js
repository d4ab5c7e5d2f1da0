// ctiload report page: draws the charts of the page model (reports/page.go) with uPlot and, on
// the live dashboard (body[data-live] names the event stream), applies each update: the page's
// parts rendered again by the server and the newest seconds of every series. One script for the
// file report and the dashboard, so that they cannot drift.
(function () {
  "use strict";
  var palette = ["#2e6bd9", "#e07b1a", "#c4320a", "#12805c", "#7a4fd6", "#0e8fa3", "#b9368f", "#6b7a12"];
  // Each series differs from its neighbours in colour and in dash: 8 colours × 4 dashes, the dash
  // shifted every 8 series, so the first 32 series of a chart are all distinct pairs.
  var dashes = [[], [9, 4], [2, 3], [12, 3, 3, 3]];
  var dashNames = ["solid", "dashed", "dotted", "dashdot"];
  var F = { t: 0, n: 1, sum: 2, last: 3, p50: 4, p95: 5, p99: 6 };
  var points = {}; // key → {second: row}
  var charts = {}; // id → {spec, u, zoomed, fig}

  function styleOf(i) {
    var d = (i + Math.floor(i / palette.length)) % dashes.length;
    return { stroke: palette[i % palette.length], dash: dashes[d], name: dashNames[d] };
  }
  function cssVar(name, dflt) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name);
    return (v && v.trim()) || dflt;
  }
  function num(v) {
    var a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 1 : 2) + "M";
    if (a >= 1e4) return (v / 1e3).toFixed(1) + "k";
    if (Number.isInteger(v)) return String(v);
    return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
  }
  function ms(v) {
    var a = Math.abs(v);
    if (a === 0) return "0";
    if (a < 1) return (v * 1000).toFixed(a < 0.01 ? 1 : 0) + " µs";
    if (a < 1000) return v.toFixed(a < 10 ? 2 : a < 100 ? 1 : 0) + " ms";
    return (v / 1000).toFixed(2) + " s";
  }
  function bytes(v) {
    var u = ["B", "kB", "MB", "GB"], i = 0;
    while (Math.abs(v) >= 1000 && i < u.length - 1) { v /= 1000; i++; }
    return num(v) + " " + u[i];
  }
  function fmt(unit, v) {
    if (v == null || isNaN(v)) return "–";
    switch (unit) {
      case "ms": return ms(v);
      case "percent": return v.toFixed(1) + " %";
      case "rate": return num(v) + "/s";
      case "bytes": return bytes(v);
    }
    return num(v);
  }
  function value(row, field) {
    if (!row) return null;
    var n = row[F.n];
    switch (field) {
      case "zero": return 0;
      case "rate": return n > 0 ? (100 * row[F.sum]) / n : null;
      case "avg": return n > 0 ? row[F.sum] / n : null;
      case "p50": case "p95": case "p99": return n > 0 ? row[F[field]] : null;
    }
    return row[F[field]];
  }

  function merge(model) {
    if (model.full) points = {};
    Object.keys(model.points || {}).forEach(function (key) {
      var m = points[key] || (points[key] = {});
      model.points[key].forEach(function (r) { m[r[0]] = r; });
    });
  }
  function dataOf(spec) {
    if (spec.kind === "hist") return [spec.x, spec.series[0].y];
    var seen = {};
    spec.series.forEach(function (s) { Object.keys(points[s.key] || {}).forEach(function (t) { seen[t] = true; }); });
    var xs = Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
    var data = [xs];
    spec.series.forEach(function (s) {
      var m = points[s.key] || {};
      data.push(xs.map(function (t) { return value(m[t], s.field); }));
    });
    return data;
  }
  function signature(spec) {
    return spec.kind + "|" + spec.series.map(function (s) { return s.label; }).join("|");
  }

  function makeChart(spec, fig) {
    var plot = fig.querySelector(".plot");
    plot.innerHTML = "";
    var muted = cssVar("--muted", "#667085"), grid = cssVar("--grid", "#eef0f3");
    var hist = spec.kind === "hist";
    var styles = [];
    var opts = {
      width: Math.max(plot.clientWidth, 300), height: hist ? 200 : 240,
      scales: { x: hist ? { time: false, distr: spec.logx ? 3 : 1 } : { time: true } },
      axes: [
        { stroke: muted, grid: { stroke: grid }, ticks: { stroke: grid },
          values: hist ? function (u, vals) { return vals.map(function (v) { return ms(v); }); } : undefined },
        { stroke: muted, grid: { stroke: grid }, ticks: { stroke: grid }, size: 64,
          values: function (u, vals) { return vals.map(function (v) { return fmt(spec.unit, v); }); } }
      ],
      series: [{
        label: hist ? "latency" : "time",
        value: hist ? function (u, v) { return v == null ? "–" : ms(v); }
          : function (u, v) { return v == null ? "–" : new Date(v * 1000).toLocaleTimeString(); }
      }],
      legend: { markers: { width: 3, dash: function (u, i) { return styles[i] ? styles[i].css : "solid"; } } },
      cursor: { drag: { x: true, y: false } },
      hooks: {
        setSelect: [function (u) { if (u.select.width > 0) charts[spec.id].zoomed = true; }],
        draw: hist ? [drawMarks(spec)] : []
      }
    };
    spec.series.forEach(function (s, i) {
      var st = styleOf(i);
      styles[i + 1] = { css: st.name === "dashdot" ? "double" : st.name };
      var ser = { label: s.label, stroke: st.stroke, width: 1.8, dash: st.dash, spanGaps: false,
        points: { show: false }, value: function (u, v) { return fmt(spec.unit, v); } };
      if (hist) {
        ser.paths = uPlot.paths.bars({ size: [0.92, 60] });
        ser.fill = palette[0] + "cc";
        ser.dash = [];
        ser.value = function (u, v) { return v == null ? "–" : num(v); };
      }
      opts.series.push(ser);
    });
    var u = new uPlot(opts, dataOf(spec), plot);
    u.root.addEventListener("dblclick", function () { charts[spec.id].zoomed = false; });
    fig.dataset.series = String(spec.series.length);
    return u;
  }
  // drawMarks draws the percentile lines of a distribution, labelled on the plot.
  function drawMarks(spec) {
    return function (u) {
      var ctx = u.ctx, marks = spec.marks || {}, colors = { p50: palette[3], p95: palette[1], p99: palette[2] };
      ctx.save();
      ctx.font = 11 * devicePixelRatio + "px system-ui, sans-serif";
      ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
      Object.keys(marks).sort().forEach(function (k, i) {
        var x = u.valToPos(marks[k], "x", true);
        if (!(x >= u.bbox.left && x <= u.bbox.left + u.bbox.width)) return;
        ctx.strokeStyle = ctx.fillStyle = colors[k] || "#666";
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.fillText(k + " " + ms(marks[k]), x + 3 * devicePixelRatio, u.bbox.top + (12 + 13 * i) * devicePixelRatio);
      });
      ctx.restore();
    };
  }

  function render(model) {
    merge(model);
    (model.charts || []).forEach(function (spec) {
      var c = charts[spec.id];
      if (c && c.sig === signature(spec)) {
        c.spec = spec;
        if (spec.kind === "hist") {
          c.u.destroy();
          c.u = makeChart(spec, c.fig); // new bins and marks
        } else {
          c.u.setData(dataOf(spec), !c.zoomed);
        }
        return;
      }
      var fig = c ? c.fig : null;
      if (!fig) {
        fig = document.createElement("figure");
        fig.className = "chart";
        fig.dataset.chart = spec.id;
        var cap = document.createElement("figcaption");
        cap.textContent = spec.title;
        if (spec.note) {
          var small = document.createElement("small");
          small.textContent = spec.note;
          cap.appendChild(small);
        }
        var plot = document.createElement("div");
        plot.className = "plot";
        fig.appendChild(cap);
        fig.appendChild(plot);
        document.getElementById("charts-" + spec.section).appendChild(fig);
      } else if (c.u) {
        c.u.destroy();
      }
      charts[spec.id] = { spec: spec, sig: signature(spec), fig: fig, zoomed: false };
      charts[spec.id].u = makeChart(spec, fig);
    });
    var dist = document.getElementById("distributions");
    if (dist) dist.hidden = !document.querySelector("#charts-dist figure");
    document.body.dataset.charts = String(Object.keys(charts).length);
  }

  function resize() {
    Object.keys(charts).forEach(function (id) {
      var c = charts[id], w = c.fig.querySelector(".plot").clientWidth;
      if (w > 0 && Math.abs(w - c.u.width) > 4) c.u.setSize({ width: w, height: c.u.height });
    });
  }

  function follow(url) {
    var es = new EventSource(url), updates = 0;
    es.onmessage = function (e) {
      var up = JSON.parse(e.data);
      Object.keys(up.parts || {}).forEach(function (name) {
        var el = document.querySelector('[data-part="' + name + '"]');
        if (el) el.innerHTML = up.parts[name];
      });
      render(up.model);
      document.body.dataset.updates = String(++updates);
      if (up.done) {
        es.close();
        document.body.removeAttribute("data-live");
        document.body.dataset.done = "true";
        var f = document.querySelector("footer .live-note");
        if (f) f.textContent = "The run has ended: this is its final report. The page stays until ctiload exits.";
      }
    };
  }

  render(JSON.parse(document.getElementById("ctiload-model").textContent));
  window.addEventListener("resize", resize);
  if (document.body.dataset.live) follow(document.body.dataset.live);
})();
