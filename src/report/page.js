// borderwatch report: the interactive map. Reads the run's data from the JSON in
// <script id="report-data">, draws the basemap, the segments in the run's classes, the
// incidents by type (clustered past CLUSTER_AT), their uncertainty circles and the stretches
// of records known only along a border, and applies the filters (date range, event types,
// border), which also read and write the URL hash (#from=2024-01-01&to=…&types=a,b&border=AF-PK).
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var CLUSTER_AT = 2000;
  var DAY_MS = 86400000;
  var status = document.getElementById("status");

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function isoDay(d) {
    return new Date(d * DAY_MS).toISOString().slice(0, 10);
  }
  function dayOf(iso) {
    var t = Date.parse(iso + (iso.length === 4 ? "-01-01" : iso.length === 7 ? "-01" : ""));
    return isNaN(t) ? null : Math.floor(t / DAY_MS);
  }
  function str(i) {
    return i === null || i === undefined || i < 0 ? null : D.strings[i];
  }

  // --- the map and its basemap --------------------------------------------------------
  var canvas = L.canvas({ padding: 0.5 });
  var map = L.map("map", { preferCanvas: true, renderer: canvas, zoomSnap: 0.25, minZoom: 3, maxZoom: 14 });
  // The view first: Leaflet's renderers need one before any layer is added.
  var bounds = L.latLngBounds([]);
  D.borders.forEach(function (b) { bounds.extend(b.line); });
  map.fitBounds(bounds.isValid() ? bounds.pad(0.05) : [[29, 60], [39, 75]]);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(D.attribution_short);
  var bm = D.basemap;
  function polys(list, style, tip) {
    var g = L.layerGroup();
    list.forEach(function (a) {
      var p = L.polygon(a.rings, Object.assign({ renderer: canvas, interactive: !!tip }, style(a)));
      if (tip && a.name) p.bindTooltip(esc(a.name), { sticky: true });
      g.addLayer(p);
    });
    return g;
  }
  polys(bm.countries, function (a) {
    return { fillColor: a.focus ? bm.focus_land : bm.land, fillOpacity: 1, color: bm.country_line, weight: 0.8 };
  }).addTo(map);
  var districts = polys(bm.districts, function () {
    return { fill: false, color: bm.district_line, weight: 0.4 };
  });
  polys(bm.provinces, function () {
    return { fill: false, color: bm.province_line, weight: 0.8 };
  }).addTo(map);
  D.borders.forEach(function (b) {
    L.polyline(b.line, { renderer: canvas, color: bm.border_line, weight: 1.5, interactive: false }).addTo(map);
  });
  function zoomDistricts() {
    if (map.getZoom() >= 7) districts.addTo(map);
    else districts.remove();
  }
  map.on("zoomend", zoomDistricts);

  // --- segments in the run's classes -------------------------------------------------
  // Segments over the stretches and circles (as on the PNG maps), under the symbols.
  map.createPane("segments");
  map.getPane("segments").style.zIndex = 450;
  var segCanvas = L.canvas({ padding: 0.5, pane: "segments" });
  var segs = L.layerGroup().addTo(map);
  D.segments.forEach(function (s) {
    if (s.hotspot) {
      L.polyline(s.line, { renderer: segCanvas, pane: "segments", color: "#191919", weight: 9, opacity: 0.9, interactive: false }).addTo(segs);
    }
    var l = L.polyline(s.line, { renderer: segCanvas, pane: "segments", color: s.color, weight: 5, opacity: 1, lineCap: "butt" });
    l.bindPopup(function () {
      return "<b>" + esc(s.id) + "</b> (km " + esc(s.km) + ")<br>" + esc(s.provinces) +
        "<br>" + esc(s.events) + " events; <b>" + esc(s.rate) + "</b> " + esc(D.classes.unit) +
        (s.ci ? " (95% CI " + esc(s.ci) + ")" : "") +
        (s.hotspot ? "<br><b>hotspot</b> (q = " + esc(s.q) + ")" : "");
    });
    l.addTo(segs);
  });

  // --- incidents ----------------------------------------------------------------------
  var I = D.incidents;
  var N = I.lat.length;
  // Columns whose every entry is the default are left out of the data: fill them in.
  [["dd", 0], ["f", null], ["w", null], ["n", 1], ["r", 0], ["b", -1], ["place", -1], ["method", -1],
    ["prec", -1], ["src", -1], ["url", -1], ["excluded", -1], ["s", -1]].forEach(function (c) {
    if (!I[c[0]]) I[c[0]] = new Array(N).fill(c[1]);
  });
  var icons = {};
  function icon(t, excluded) {
    var k = t + (excluded ? "x" : "");
    if (!icons[k]) {
      var ty = D.types[t];
      var shape = D.shapes[ty.shape];
      var fill = excluded ? "none" : ty.color;
      var stroke = excluded ? "#888" : "#fff";
      icons[k] = L.divIcon({
        className: "bw-symbol",
        iconSize: [14, 14],
        iconAnchor: [7, 7],
        popupAnchor: [0, -6],
        html: '<svg width="14" height="14" viewBox="0 0 14 14"><path d="' + shape +
          '" fill="' + fill + '" stroke="' + stroke + '" stroke-width="1.3"/></svg>'
      });
    }
    return icons[k];
  }
  function popup(i) {
    var ty = D.types[I.t[i]];
    var date = I.d0[i] === null ? "undated" : isoDay(I.d0[i]) +
      (I.dd[i] > 0 ? " to " + isoDay(I.d0[i] + I.dd[i]) : "");
    var cas = [];
    if (I.f[i] !== null) cas.push(I.f[i] + " killed");
    if (I.w[i] !== null) cas.push(I.w[i] + " wounded");
    var h = "<b>" + esc(ty.label) + "</b>" + (I.n[i] > 1 ? " (" + I.n[i] + " events, one row)" : "") +
      "<br>" + esc(date) +
      "<br>casualties: " + (cas.length ? esc(cas.join(", ")) : "unknown");
    var place = str(I.place[i]);
    h += "<br>place as written: " + (place ? "<i>" + esc(place) + "</i>" : "(none)");
    var how = str(I.method[i]), prec = str(I.prec[i]);
    h += "<br>how located: " + esc(how || "?") + "; precision: " + esc(prec || "?") +
      (I.r[i] > 0 ? " (within " + I.r[i] + " km)" : "");
    var src = str(I.src[i]), url = str(I.url[i]);
    if (src || url) {
      h += "<br>source: " + (src ? esc(src) : "");
      if (url && /^https?:\/\//i.test(url)) {
        h += ' <a href="' + esc(url) + '" target="_blank" rel="noopener noreferrer">link</a>';
      } else if (url) {
        h += " " + esc(url);
      }
    }
    var ex = str(I.excluded[i]);
    if (ex) h += "<br><i>not counted: " + esc(ex) + "</i>";
    h += '<br><span class="bw-id">' + esc(I.id[i]) + "</span>";
    return '<div class="bw-popup">' + h + "</div>";
  }
  var markers = new Array(N);
  var circles = new Array(N);
  var stretchLines = new Array(N);
  var circleStyle = { renderer: canvas, color: "#555", weight: 0.8, opacity: 0.6, fillOpacity: 0.06, interactive: false };
  var focusCircle = null;
  function marker(i) {
    if (!markers[i]) {
      var m = L.marker([I.lat[i], I.lon[i]], { icon: icon(I.t[i], I.excluded[i] >= 0) });
      m.bindPopup(function () { return popup(i); });
      m.on("popupopen", function () {
        if (focusCircle) focusCircle.remove();
        focusCircle = I.r[i] > 0 ? L.circle([I.lat[i], I.lon[i]], Object.assign({}, circleStyle, { radius: I.r[i] * 1000, color: "#222", opacity: 0.9 })).addTo(map) : null;
      });
      m.on("popupclose", function () {
        if (focusCircle) { focusCircle.remove(); focusCircle = null; }
      });
      markers[i] = m;
    }
    return markers[i];
  }
  function circle(i) {
    if (!circles[i]) circles[i] = L.circle([I.lat[i], I.lon[i]], Object.assign({ radius: I.r[i] * 1000 }, circleStyle));
    return circles[i];
  }
  function stretch(i) {
    if (!stretchLines[i]) {
      var ty = D.types[I.t[i]];
      var aggregate = I.n[i] > 1;
      var l = L.polyline(D.stretches[I.s[i]], {
        renderer: canvas, color: ty.color, weight: aggregate ? 12 : 10, opacity: aggregate ? 0.55 : 0.3,
        dashArray: aggregate ? "14 7" : null, lineCap: "butt"
      });
      l.bindPopup(function () { return popup(i); });
      stretchLines[i] = l;
    }
    return stretchLines[i];
  }

  var stretchLayer = L.layerGroup().addTo(map);
  var circleLayer = L.layerGroup().addTo(map);
  var pointLayer = null;
  var firstDraw = true;

  // --- filters ------------------------------------------------------------------------
  var from = document.getElementById("f-from"), to = document.getElementById("f-to");
  var fromOut = document.getElementById("f-from-out"), toOut = document.getElementById("f-to-out");
  var borderSel = document.getElementById("f-border");
  var typeBoxes = Array.prototype.slice.call(document.querySelectorAll("#f-types input"));
  var dated = D.day_min !== null;
  if (dated) {
    [from, to].forEach(function (r) { r.min = D.day_min; r.max = D.day_max; r.step = 1; });
    from.value = D.day_min;
    to.value = D.day_max;
  } else {
    document.getElementById("f-dates").hidden = true;
  }

  function readHash() {
    var h = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var p = kv.split("=");
      if (p[0]) h[decodeURIComponent(p[0])] = decodeURIComponent(p.slice(1).join("="));
    });
    if (dated && h.from && dayOf(h.from) !== null) from.value = Math.max(D.day_min, Math.min(D.day_max, dayOf(h.from)));
    if (dated && h.to && dayOf(h.to) !== null) to.value = Math.max(D.day_min, Math.min(D.day_max, dayOf(h.to)));
    if (h.types) {
      // Matched as the ingest matches type words: case, spaces and punctuation aside.
      var key = function (s) { return s.toLowerCase().replace(/[^a-z0-9]+/g, "_"); };
      var want = h.types.split(",").map(key);
      typeBoxes.forEach(function (b) { b.checked = want.indexOf(key(b.value)) >= 0; });
    }
    if (h.border) borderSel.value = h.border;
  }
  function writeHash() {
    var parts = [];
    if (dated && +from.value > D.day_min) parts.push("from=" + isoDay(+from.value));
    if (dated && +to.value < D.day_max) parts.push("to=" + isoDay(+to.value));
    var on = typeBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    if (on.length < typeBoxes.length) parts.push("types=" + on.map(encodeURIComponent).join(","));
    if (borderSel.value) parts.push("border=" + encodeURIComponent(borderSel.value));
    var h = parts.length ? "#" + parts.join("&") : "";
    if (h !== location.hash && !(h === "" && location.hash === "#")) {
      history.replaceState(null, "", h || location.pathname + location.search);
    }
  }

  function selected() {
    var lo = Math.min(+from.value, +to.value), hi = Math.max(+from.value, +to.value);
    var whole = !dated || (lo <= D.day_min && hi >= D.day_max);
    var types = {};
    typeBoxes.forEach(function (b) { if (b.checked) types[+b.dataset.index] = true; });
    var border = borderSel.value ? D.strings.indexOf(borderSel.value) : -1;
    if (dated) {
      fromOut.textContent = isoDay(lo);
      toOut.textContent = isoDay(hi);
    }
    var out = [];
    for (var i = 0; i < N; i++) {
      if (!types[I.t[i]]) continue;
      if (border >= 0 && I.b[i] !== border) continue;
      // Undated records are kept only while the whole span is shown.
      if (!whole && (I.d0[i] === null || I.d0[i] + I.dd[i] < lo || I.d0[i] > hi)) continue;
      out.push(i);
    }
    return out;
  }

  function draw() {
    var idx = selected();
    writeHash();
    stretchLayer.clearLayers();
    circleLayer.clearLayers();
    if (pointLayer) map.removeLayer(pointLayer);
    var points = [];
    idx.forEach(function (i) {
      if (I.s[i] >= 0) stretchLayer.addLayer(stretch(i));
      else points.push(i);
    });
    var clustered = points.length > CLUSTER_AT;
    if (!clustered) {
      points.forEach(function (i) { if (I.r[i] > 0 && I.excluded[i] < 0) circleLayer.addLayer(circle(i)); });
    }
    var done = function () {
      status.textContent = idx.length.toLocaleString("en-US") + " incidents drawn" +
        (idx.length < N ? " (of " + N.toLocaleString("en-US") + ")" : "") +
        (clustered ? "; clustered, uncertainty circles shown for the incident whose popup is open" : "");
      status.dataset.drawn = idx.length;
      if (firstDraw) {
        status.dataset.firstDrawMs = Math.round(performance.now());
        firstDraw = false;
      }
    };
    status.textContent = "drawing " + idx.length.toLocaleString("en-US") + " incidents…";
    var ms = points.map(marker);
    if (clustered) {
      pointLayer = L.markerClusterGroup({
        chunkedLoading: true,
        showCoverageOnHover: false,
        maxClusterRadius: 50,
        chunkProgress: function (processed, total) { if (processed === total) done(); }
      });
      pointLayer.addTo(map);
      pointLayer.addLayers(ms);
      if (!ms.length) done();
    } else {
      pointLayer = L.featureGroup(ms).addTo(map);
      done();
    }
  }

  zoomDistricts();

  // --- legend -------------------------------------------------------------------------
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "bw-legend");
    div.innerHTML = document.getElementById("legend-template").innerHTML;
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  legend.addTo(map);

  readHash();
  [from, to, borderSel].forEach(function (e) { e.addEventListener("input", draw); });
  typeBoxes.forEach(function (b) { b.addEventListener("change", draw); });
  document.getElementById("f-reset").addEventListener("click", function () {
    if (dated) { from.value = D.day_min; to.value = D.day_max; }
    typeBoxes.forEach(function (b) { b.checked = true; });
    borderSel.value = "";
    draw();
  });
  window.addEventListener("hashchange", function () { readHash(); draw(); });
  draw();
})();
