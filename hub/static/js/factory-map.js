/* The factory map: Leaflet served by the hub, an offline base map of Tokyo's wards (their names at their centres,
   from /static/data/tokyo-places.json) unless a tile URL is configured (MAP_TILE_URL), and in the profile editor
   the pin that fills the hidden latitude/longitude fields: placed from the address (town or ward centre, marked
   approximate) or by a click / drag on the map (exact). Nobody types coordinates. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  var TOKYO = [35.68, 139.76];

  function loadPlaces(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.json() : {wards: [], towns: []}; })
      .catch(function () { return {wards: [], towns: []}; });
  }

  function baseMap(el, places) {
    var tiles = el.dataset.tiles;
    var map = L.map(el, {minZoom: 9, maxZoom: tiles ? 18 : 16, zoomSnap: 0.5, attributionControl: Boolean(tiles)})
      .setView(TOKYO, 11);  // a view first: layers added to a map without one cannot be placed
    if (tiles) {
      L.tileLayer(tiles, {attribution: el.dataset.attribution || "", maxZoom: 18}).addTo(map);
      return map;
    }
    var lang = el.dataset.lang === "en" ? "en" : "ja";
    var towns = L.layerGroup();
    places.wards.forEach(function (w) {
      L.circleMarker([w.lat, w.lon], {radius: 3, color: "#6c7a89", weight: 1, fillOpacity: 0.6, interactive: false})
        .bindTooltip(lang === "en" ? w.en : w.ja, {permanent: true, direction: "top", className: "ward-label"})
        .addTo(map);
    });
    places.towns.forEach(function (t) {
      L.circleMarker([t.lat, t.lon], {radius: 2, color: "#9aa7b4", weight: 1, fillOpacity: 0.5, interactive: false})
        .bindTooltip(t.name, {permanent: true, direction: "right", className: "town-label"}).addTo(towns);
    });
    function showTowns() {
      if (map.getZoom() >= 13) { towns.addTo(map); } else { towns.remove(); }
    }
    map.on("zoomend", showTowns);
    map.whenReady(showTowns);
    return map;
  }

  /* The place an address names: the longest town of its ward found in it, else the ward's centre. */
  function locate(places, address, wardKey) {
    var text = (address || "").normalize("NFKC").replace(/\s+/g, "");
    var lower = text.toLowerCase();
    var ward = null;
    places.wards.forEach(function (w) {
      if (!ward && (text.indexOf(w.ja) >= 0 || lower.indexOf(w.en.toLowerCase() + "-ku") >= 0 ||
                    lower.indexOf(w.en.toLowerCase() + " ku") >= 0)) { ward = w; }
    });
    if (!ward && wardKey) { ward = places.wards.filter(function (w) { return w.key === wardKey; })[0] || null; }
    if (!ward) { return null; }
    var rest = text.indexOf(ward.ja) >= 0 ? text.slice(text.indexOf(ward.ja) + ward.ja.length) : text;
    var best = null;
    places.towns.forEach(function (t) {
      if (t.ward === ward.key && rest.indexOf(t.name) === 0 && (!best || t.name.length > best.name.length)) { best = t; }
    });
    return best ? {ward: ward, lat: best.lat, lon: best.lon, town: best.name}
                : {ward: ward, lat: ward.lat, lon: ward.lon, town: null};
  }

  function showFactory(el) {
    var point = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    loadPlaces(el.dataset.places).then(function (places) {
      var map = baseMap(el, places);
      map.setView(point, 13, {animate: false});
      L.marker(point, {keyboard: false, title: el.dataset.label, alt: el.dataset.label}).addTo(map)
        .bindTooltip(el.dataset.label, {permanent: true, direction: "top", offset: [0, -38]});
    });
  }

  function editLocation(el) {
    var lat = document.getElementById(el.dataset.latField);
    var lon = document.getElementById(el.dataset.lonField);
    var approx = document.getElementById(el.dataset.approxField);
    var address = document.getElementById(el.dataset.addressField);
    var ward = document.getElementById(el.dataset.wardField);
    var status = document.getElementById(el.dataset.status);
    var button = document.getElementById(el.dataset.button);
    var placedByHand = lat.value !== "" && approx.value !== "1";
    loadPlaces(el.dataset.places).then(function (places) {
      var map = baseMap(el, places);
      var marker = null;
      function put(latlng, isApprox, message) {
        lat.value = latlng.lat.toFixed(6);
        lon.value = latlng.lng.toFixed(6);
        approx.value = isApprox ? "1" : "";
        if (!marker) {
          marker = L.marker(latlng, {draggable: true, title: el.dataset.pinTitle, alt: el.dataset.pinTitle}).addTo(map);
          marker.on("dragend", function () {
            placedByHand = true;
            put(marker.getLatLng(), false, el.dataset.msgClick);
          });
        } else {
          marker.setLatLng(latlng);
        }
        status.textContent = message;
      }
      function fromAddress(force) {
        if (placedByHand && !force) { return; }
        var found = locate(places, address.value, ward.value);
        if (!found) {
          status.textContent = el.dataset.msgUnknown;
          return;
        }
        if (ward && !ward.value) { ward.value = found.ward.key; }
        placedByHand = false;
        var name = (el.dataset.lang === "en" ? found.ward.en : found.ward.ja) + (found.town ? " " + found.town : "");
        put(L.latLng(found.lat, found.lon), true, el.dataset.msgAddress.replace("{place}", name));
        map.setView([found.lat, found.lon], found.town ? 14 : 13, {animate: false});
      }
      if (lat.value !== "" && lon.value !== "") {
        put(L.latLng(parseFloat(lat.value), parseFloat(lon.value)), approx.value === "1", "");
        map.setView([parseFloat(lat.value), parseFloat(lon.value)], 14, {animate: false});
      } else {
        map.setView(TOKYO, 11);
        fromAddress(false);
      }
      map.on("click", function (e) {
        placedByHand = true;
        put(e.latlng, false, el.dataset.msgClick);
      });
      address.addEventListener("change", function () { fromAddress(false); });
      ward.addEventListener("change", function () { fromAddress(false); });
      button.addEventListener("click", function () { fromAddress(true); });
      button.disabled = false;
    });
  }

  document.querySelectorAll(".factory-map[data-mode=view]").forEach(showFactory);
  document.querySelectorAll(".factory-map[data-mode=edit]").forEach(editLocation);
  window.hubFactoryMap = {locate: locate};
}());
