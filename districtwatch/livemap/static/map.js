// districtwatch live control map: district polygons coloured by holder, a history panel per district,
// a time slider over the alerts, live updates by server-sent events. Talks only to the worker that
// served it; every text from the data is set with textContent, never parsed as HTML.
(function () {
  "use strict";

  var COLOURS = {
    taliban: "#c0392b",
    resistance: "#2a9d4b",
    government: "#2e6fba",
    unknown: "#a0a0a0",
    other: "#8e44ad",
  };
  var LATEST = 15;

  var view = {
    config: {},
    layers: {}, // district key -> Leaflet layer
    entries: {}, // district key -> the entry drawn (holder, status, claimed…)
    places: {}, // district key -> {district, province, lat, lon}
    alerts: [], // compact alerts, event-time order
    moments: [],
    live: true,
    selected: null,
    defs: null,
  };

  function actorKey(actor) {
    if (!actor) return "unknown";
    return COLOURS[actor] ? actor : "other";
  }
  function colour(actor) { return COLOURS[actorKey(actor)]; }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "class") node.className = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function headers() {
    var token = document.getElementById("token").value.trim();
    return token ? { Authorization: "Bearer " + token } : {};
  }

  function getJSON(url) {
    return fetch(url, { headers: headers() }).then(function (reply) {
      if (!reply.ok) throw new Error(url + ": HTTP " + reply.status);
      return reply.json();
    });
  }

  function when(iso) {
    if (!iso) return "";
    return iso.replace("T", " ").replace(/:\d\d(\.\d+)?(\+00:00|Z)$/, " UTC");
  }

  // -- patterns: reported districts are hatched in the colour of the side said to have taken them,
  //    contested ones cross-hatched; both over a pale fill of the holder's colour ----------------------

  var SVG = "http://www.w3.org/2000/svg";

  function patternId(kind, holder, claimed) {
    return kind + "-" + actorKey(holder) + "-" + actorKey(claimed);
  }

  function ensurePattern(defs, kind, holder, claimed) {
    var id = patternId(kind, holder, claimed);
    if (defs.querySelector("#" + id)) return id;
    var pattern = document.createElementNS(SVG, "pattern");
    pattern.setAttribute("id", id);
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "8");
    pattern.setAttribute("height", "8");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var back = document.createElementNS(SVG, "rect");
    back.setAttribute("width", "8");
    back.setAttribute("height", "8");
    back.setAttribute("fill", colour(holder));
    back.setAttribute("fill-opacity", "0.35");
    pattern.appendChild(back);
    var stripe = document.createElementNS(SVG, "rect");
    stripe.setAttribute("width", "4");
    stripe.setAttribute("height", "8");
    stripe.setAttribute("fill", colour(claimed));
    pattern.appendChild(stripe);
    if (kind === "contested") {
      var cross = document.createElementNS(SVG, "rect");
      cross.setAttribute("width", "8");
      cross.setAttribute("height", "2");
      cross.setAttribute("fill", "#222");
      pattern.appendChild(cross);
    }
    defs.appendChild(pattern);
    return id;
  }

  function styleFor(entry, defs) {
    var status = entry.status;
    var base = { weight: 0.6, color: "#555", opacity: 0.9, dashArray: null, fillOpacity: 0.75 };
    if (status === "reported" || status === "contested") {
      var id = ensurePattern(defs, status, entry.holder, entry.claimed);
      base.fillColor = "url(#" + id + ")";
      base.fillOpacity = 0.95;
      base.weight = 1.8;
      base.color = status === "contested" ? "#e67e22" : colour(entry.claimed);
      base.dashArray = status === "contested" ? "2 3" : "5 3";
      return base;
    }
    base.fillColor = colour(entry.holder);
    if (status === "baseline") base.fillOpacity = 0.38;
    if (status === "unknown") base.fillOpacity = 0.25;
    if (status === "retracted") base.fillOpacity = 0.6;
    return base;
  }

  function restyle(key) {
    var layer = view.layers[key];
    var entry = view.entries[key];
    if (!layer || !entry) return;
    layer.setStyle(styleFor(entry, view.defs));
    var node = layer.getElement ? layer.getElement() : null;
    if (node) {
      node.setAttribute("data-holder", entry.holder || "unknown");
      node.setAttribute("data-status", entry.status);
      node.classList.toggle("selected", key === view.selected);
    }
    var place = view.places[key] || {};
    layer.setTooltipContent(
      (place.district || key) + ", " + (place.province || "") + ": " +
      (entry.holder || "unknown") + " (" + entry.status +
      (entry.claimed && entry.claimed !== entry.holder ? ", claimed by " + entry.claimed : "") + ")"
    );
  }

  function drawEntries(districts) {
    districts.forEach(function (entry) {
      view.entries[entry.key] = entry;
      restyle(entry.key);
    });
  }

  // -- the map ------------------------------------------------------------------------------------

  var map = L.map("map", { zoomSnap: 0.25, minZoom: 4 }).setView([34.3, 66.3], 6);
  var renderer = L.svg({ padding: 0.5 }).addTo(map);

  function rendererDefs() {
    var svg = document.querySelector("#map .leaflet-overlay-pane svg");
    var defs = svg.querySelector("defs");
    if (!defs) {
      defs = document.createElementNS(SVG, "defs");
      svg.insertBefore(defs, svg.firstChild);
    }
    return defs;
  }

  function addDistrictLayer(key, layer) {
    view.layers[key] = layer;
    layer.bindTooltip(key, { sticky: true });
    layer.on("click", function () { openHistory(key); });
    var node = layer.getElement ? layer.getElement() : null;
    if (node) node.setAttribute("data-key", key);
  }

  function drawShapes(shapes, places) {
    places.forEach(function (place) { view.places[place.key] = place; });
    var group = L.geoJSON(shapes, { renderer: renderer, style: { weight: 0.6, color: "#555" } });
    group.addTo(map);
    group.eachLayer(function (layer) { addDistrictLayer(layer.feature.id, layer); });
    places.forEach(function (place) {
      if (view.layers[place.key] || place.lat === null || place.lon === null) return;
      var point = L.circleMarker([place.lat, place.lon], { renderer: renderer, radius: 6 }).addTo(map);
      addDistrictLayer(place.key, point);
    });
    view.defs = rendererDefs();
    if (shapes.attribution) map.attributionControl.addAttribution(shapes.attribution);
    if (shapes.features.length) map.fitBounds(group.getBounds(), { padding: [8, 8] });
  }

  // -- legend ---------------------------------------------------------------------------------------

  function swatch(style) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "16");
    var rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("width", "28");
    rect.setAttribute("height", "16");
    rect.setAttribute("fill", style.fill);
    rect.setAttribute("fill-opacity", String(style.opacity === undefined ? 0.75 : style.opacity));
    if (style.stroke) {
      rect.setAttribute("stroke", style.stroke);
      rect.setAttribute("stroke-width", "2");
      rect.setAttribute("stroke-dasharray", style.dash || "");
    }
    svg.appendChild(rect);
    return svg;
  }

  function drawLegend() {
    var legend = document.getElementById("legend");
    legend.textContent = "";
    legend.appendChild(el("div", { class: "legend-title", text: "Held by" }));
    ["taliban", "resistance", "government", "other", "unknown"].forEach(function (actor) {
      legend.appendChild(el("div", { class: "legend-row" }, [swatch({ fill: COLOURS[actor] }), actor]));
    });
    legend.appendChild(el("div", { class: "legend-title", text: "How sure" }));
    var defs = view.defs;
    var rows = [
      [{ fill: COLOURS.taliban, opacity: 0.38 }, "baseline: held at the baseline date, nothing said since"],
      [{ fill: COLOURS.resistance }, "confirmed: independent sources agree (or an analyst confirmed)"],
      [{ fill: "url(#" + ensurePattern(defs, "reported", "taliban", "resistance") + ")", opacity: 1,
         stroke: COLOURS.resistance, dash: "5 3" }, "reported: stripes in the colour of the side said to have taken it"],
      [{ fill: "url(#" + ensurePattern(defs, "contested", "taliban", "resistance") + ")", opacity: 1,
         stroke: "#e67e22", dash: "2 3" }, "contested: a report that other posts deny"],
      [{ fill: COLOURS.taliban, opacity: 0.6 }, "retracted: an analyst rejected the change"],
    ];
    // The legend's swatches use the map's patterns: copy them into each swatch's own SVG.
    rows.forEach(function (row) {
      var sw = swatch(row[0]);
      var match = /url\(#([^)]+)\)/.exec(row[0].fill);
      if (match) {
        var copy = defs.querySelector("#" + match[1]).cloneNode(true);
        var localDefs = document.createElementNS(SVG, "defs");
        copy.setAttribute("id", match[1] + "-legend");
        localDefs.appendChild(copy);
        sw.insertBefore(localDefs, sw.firstChild);
        sw.querySelector("rect").setAttribute("fill", "url(#" + match[1] + "-legend)");
      }
      legend.appendChild(el("div", { class: "legend-row" }, [sw, row[1]]));
    });
  }

  // -- latest changes and the time slider --------------------------------------------------------

  function change(alert) {
    return (alert.lost_by || "?") + " → " + (alert.gained_by || "?");
  }

  function drawLatest(freshId) {
    var list = document.getElementById("latest-list");
    list.textContent = "";
    view.alerts.slice(-LATEST).reverse().forEach(function (alert) {
      var item = el("li", { "data-alert-id": alert.alert_id, "data-key": alert.key }, [
        el("span", { class: "badge " + alert.status, text: alert.status }), " ",
        el("strong", { text: alert.district }), ", " + alert.province + " ",
        el("span", { class: "actor", text: change(alert) }), el("br"),
        el("span", { class: "when", text: when(alert.at) + " · conf " + alert.confidence.toFixed(2) }),
      ]);
      if (alert.alert_id === freshId) item.classList.add("fresh");
      item.addEventListener("click", function () { openHistory(alert.key, true); });
      list.appendChild(item);
    });
  }

  function sliderAt(position) {
    // 0: before the first alert; k: after the k-th moment; the last position is live.
    if (position >= view.moments.length) return null;
    if (position === 0) {
      return new Date(new Date(view.moments[0]).getTime() - 1).toISOString();
    }
    return view.moments[position - 1];
  }

  function drawMoment() {
    var label = document.getElementById("moment");
    var slider = document.getElementById("slider");
    document.getElementById("live").classList.toggle("on", view.live);
    if (view.live) {
      var last = view.moments[view.moments.length - 1];
      label.textContent = "Live" + (last ? " · latest change " + when(last) : "");
    } else if (Number(slider.value) === 0) {
      label.textContent = "Before the first alert (" + when(view.moments[0]) + ")";
    } else {
      label.textContent = "As of " + when(sliderAt(Number(slider.value)));
    }
  }

  function setTimeline(timeline) {
    view.alerts = timeline.alerts;
    view.moments = timeline.moments;
    var slider = document.getElementById("slider");
    slider.max = String(view.moments.length);
    if (view.live) slider.value = slider.max;
    drawMoment();
  }

  function showMoment() {
    var slider = document.getElementById("slider");
    var at = sliderAt(Number(slider.value));
    view.live = at === null;
    drawMoment();
    var url = "/map/state" + (at ? "?at=" + encodeURIComponent(at) : "");
    return getJSON(url).then(function (body) {
      var current = sliderAt(Number(slider.value));
      if ((current || null) === (at || null)) drawEntries(body.districts);
    });
  }

  // -- the history panel ----------------------------------------------------------------------------

  function safeLink(url) {
    return /^https?:\/\//i.test(url || "") ? url : null;
  }

  function sourceItem(source) {
    var who = "@" + source.account + (source.via ? " (via @" + source.via + ")" : "");
    var link = safeLink(source.url);
    var name = link
      ? el("a", { href: link, target: "_blank", rel: "noopener noreferrer", text: who })
      : el("span", { text: who });
    return el("li", {}, [
      name, " ", el("span", { class: "when", text: source.platform + " · " + when(source.created_at) }),
      el("span", { class: "excerpt", text: source.excerpt }),
    ]);
  }

  function verdictButtons(alert) {
    var token = document.getElementById("token").value.trim();
    if (!token || !alert.verdict_open || !view.config.writes) return null;
    var box = el("div", { class: "verdicts" });
    ["confirm", "reject"].forEach(function (verdict) {
      var button = el("button", { type: "button", "data-verdict": verdict, text: verdict === "confirm" ? "Confirm" : "Reject" });
      button.addEventListener("click", function () { sendVerdict(alert, verdict); });
      box.appendChild(button);
    });
    return box;
  }

  function sendVerdict(alert, verdict) {
    var result = document.getElementById("verdict-result");
    var by = document.getElementById("analyst-name").value.trim() || "map analyst";
    var request = {
      method: "POST",
      headers: Object.assign({ "Content-Type": "application/json" }, headers()),
      body: JSON.stringify({ verdict: verdict, by: by, reason: "" }),
    };
    result.textContent = "sending…";
    fetch("/alerts/" + encodeURIComponent(alert.alert_id) + "/verdict", request)
      .then(function (reply) { return reply.json().then(function (body) { return [reply.status, body]; }); })
      .then(function (answer) {
        result.textContent = answer[0] === 202
          ? verdict + " accepted (verdict " + answer[1].verdict_id + "); the map updates when the worker applies it"
          : "refused: " + (answer[1].error || "HTTP " + answer[0]);
      })
      .catch(function (error) { result.textContent = "failed: " + error.message; });
  }

  function openHistory(key, fly) {
    var previous = view.selected;
    view.selected = key;
    if (previous) restyle(previous);
    restyle(key);
    var layer = view.layers[key];
    if (fly && layer) {
      if (layer.getBounds) map.fitBounds(layer.getBounds(), { maxZoom: 9 });
      else map.setView(layer.getLatLng(), 9);
    }
    var parts = key.split("/");
    var url = "/map/district/" + encodeURIComponent(parts[0]) + "/" + encodeURIComponent(parts.slice(1).join("/"));
    return getJSON(url).then(drawHistory);
  }

  function drawHistory(body) {
    var panel = document.getElementById("history");
    panel.hidden = false;
    panel.setAttribute("data-key", body.key);
    document.getElementById("history-title").textContent = body.district + ", " + body.province;
    var now = body.now;
    document.getElementById("history-now").textContent =
      "Now: " + (now.holder || "unknown") + " (" + now.status + ")" +
      (now.claimed && now.claimed !== now.holder ? ", claimed by " + now.claimed : "") +
      (now.since ? " since " + when(now.since) : "") + " · confidence " + now.confidence.toFixed(2);
    var list = document.getElementById("history-list");
    list.textContent = "";
    if (!body.alerts.length) list.appendChild(el("li", { text: "No alert about this district yet." }));
    body.alerts.slice().reverse().forEach(function (alert) {
      var sources = el("ol", { class: "sources" }, alert.sources.map(sourceItem));
      var analyst = alert.analyst
        ? el("div", { text: "analyst: " + alert.analyst.verdict + " by " + alert.analyst.by +
            (alert.analyst.reason ? " (" + alert.analyst.reason + ")" : "") })
        : null;
      list.appendChild(el("li", { "data-alert-id": alert.alert_id }, [
        el("span", { class: "badge " + alert.status, text: alert.status }), " ",
        el("span", { class: "actor", text: change(alert) }),
        " · confidence " + alert.confidence.toFixed(2), el("br"),
        el("span", { class: "when", text: when(alert.at) + " · alert " }), el("code", { text: alert.alert_id }),
        analyst, sources, verdictButtons(alert),
      ]));
    });
  }

  document.getElementById("history-close").addEventListener("click", function () {
    var previous = view.selected;
    view.selected = null;
    if (previous) restyle(previous);
    document.getElementById("history").hidden = true;
  });

  // -- live updates ---------------------------------------------------------------------------------

  function reload() {
    return Promise.all([getJSON("/map/timeline"), getJSON(view.live ? "/map/state" : "/map/state?at=" +
      encodeURIComponent(sliderAt(Number(document.getElementById("slider").value)) || ""))])
      .then(function (answers) {
        setTimeline(answers[0]);
        drawLatest(null);
        if (view.live) drawEntries(answers[1].districts);
      });
  }

  function onAlert(alert) {
    if (view.alerts.some(function (a) { return a.alert_id === alert.alert_id; })) return;
    view.alerts.push(alert);
    view.alerts.sort(function (a, b) { return a.at < b.at ? -1 : a.at > b.at ? 1 : 0; });
    if (view.moments.indexOf(alert.at) < 0) {
      view.moments.push(alert.at);
      view.moments.sort();
    }
    var slider = document.getElementById("slider");
    slider.max = String(view.moments.length);
    if (view.live) slider.value = slider.max;
    drawMoment();
    drawLatest(alert.alert_id);
    if (view.selected === alert.key) openHistory(alert.key);
  }

  function onDistrict(entry) {
    if (!view.live) return;
    var drawn = view.entries[entry.key] || {};
    view.entries[entry.key] = Object.assign({}, drawn, entry);
    restyle(entry.key);
  }

  function connect() {
    var token = document.getElementById("token").value.trim();
    var url = "/map/events" + (view.config.protect_reads && token ? "?token=" + encodeURIComponent(token) : "");
    var status = document.getElementById("connection");
    var source = new EventSource(url);
    var opened = false;
    source.addEventListener("hello", function () {
      status.className = "up";
      status.textContent = "live";
      if (opened) reload(); // reconnected: what happened meanwhile was not sent
      opened = true;
    });
    source.addEventListener("alert", function (event) { onAlert(JSON.parse(event.data)); });
    source.addEventListener("district", function (event) { onDistrict(JSON.parse(event.data)); });
    source.addEventListener("reset", function () { reload(); });
    source.onerror = function () {
      status.className = "down";
      status.textContent = "reconnecting…";
    };
    view.events = source;
  }

  // -- start --------------------------------------------------------------------------------------

  document.getElementById("slider").addEventListener("input", showMoment);
  document.getElementById("live").addEventListener("click", function () {
    var slider = document.getElementById("slider");
    slider.value = slider.max;
    showMoment();
  });
  document.getElementById("token").addEventListener("change", function () {
    if (view.selected) openHistory(view.selected);
  });

  Promise.all([getJSON("/map/config"), getJSON("/map/districts.geojson"), getJSON("/map/state"), getJSON("/map/timeline")])
    .then(function (answers) {
      view.config = answers[0];
      if (view.config.tile_url) {
        L.tileLayer(view.config.tile_url, { attribution: view.config.tile_attribution || "" }).addTo(map);
      }
      drawShapes(answers[1], answers[2].districts);
      drawLegend();
      drawEntries(answers[2].districts);
      setTimeline(answers[3]);
      drawLatest(null);
      connect();
      document.body.setAttribute("data-ready", "true");
    })
    .catch(function (error) {
      document.getElementById("moment").textContent = "could not load the map: " + error.message;
      document.body.setAttribute("data-ready", "error");
    });

  view.map = map;
  window.districtwatchMap = view; // for the browser tests and the curious
})();
