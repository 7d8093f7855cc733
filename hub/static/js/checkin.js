// Check-in with the phone's camera: the browser's BarcodeDetector reads the QR code when it can; otherwise jsQR
// (served by the hub: hub/static/vendor/jsqr) reads frames of the video. A code read fills the field and sends the
// form, exactly as a scanner or typing would. Without a camera the page works as before (type the code, or the list).
(function () {
  "use strict";
  var box = document.getElementById("camera");
  var form = document.getElementById("checkin-form");
  if (!box || !form) { return; }
  var input = form.querySelector("input[name=code]");
  var start = document.getElementById("camera-start");
  var stopButton = document.getElementById("camera-stop");
  var video = document.getElementById("camera-video");
  var status = document.getElementById("camera-status");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var detector = null;
  var busy = false;

  function say(text) { status.textContent = text || ""; }

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    say(box.dataset.unsupported);
    return;
  }
  start.hidden = false;

  function loadJsQR() {
    if (window.jsQR) { return Promise.resolve(); }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = box.dataset.jsqr;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function chooseReader() {
    if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") >= 0) {
          detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          return;
        }
        return loadJsQR();
      }).catch(loadJsQR);
    }
    return loadJsQR();
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.hidden = true;
    stopButton.hidden = true;
    start.hidden = false;
  }

  function found(text) {
    stop();
    input.value = text;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  function readFrame() {
    if (detector) {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
    }
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || !height) { return Promise.resolve(null); }
    canvas.width = width;
    canvas.height = height;
    context.drawImage(video, 0, 0, width, height);
    var image = context.getImageData(0, 0, width, height);
    var result = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(result ? result.data : null);
  }

  function tick() {
    if (!stream) { return; }
    if (busy || video.readyState < 2) { window.setTimeout(tick, 150); return; }
    busy = true;
    readFrame().then(function (text) {
      busy = false;
      if (text) { found(text); } else { window.setTimeout(tick, 150); }
    }).catch(function () { busy = false; window.setTimeout(tick, 300); });
  }

  start.addEventListener("click", function () {
    say(box.dataset.starting);
    chooseReader().then(function () {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.hidden = false;
      start.hidden = true;
      stopButton.hidden = false;
      stopButton.focus();
      return video.play();
    }).then(function () {
      say(box.dataset.scanning);
      tick();
    }).catch(function () {
      stop();
      say(box.dataset.denied);
    });
  });
  stopButton.addEventListener("click", function () { stop(); say(""); start.focus(); });
})();
