/* The visit page on a phone (assistance/visit_form.html) and the cadre's list (visit_list.html).
 *
 * - The form's draft is kept on the phone (IndexedDB through idb-keyval) as it is typed, photos included (as
 *   Blobs), under the household; it comes back when the page is opened again.
 * - 保存走访 puts the visit in the phone's outbox first and then sends it; without a network it stays there and is
 *   sent when the network returns (the `online` event, a retry every 20 s, every page load of these pages).
 * - A visit is named by the UUID made on the phone when its draft starts (client_id): the server records a visit
 *   sent twice once, so a resend after a dropped connection is harmless.
 * - 人均纯收入 is worked out as it is typed: (Σ income − business expense) ÷ the household's members, to the fen.
 * - The service worker (sw.js, served at /assistance/sw.js) keeps these pages and their files at hand offline.
 */
(function () {
  "use strict";

  var kv = window.idbKeyval;
  var status = document.getElementById("visit-status");
  var form = document.getElementById("visit-form");
  var OUTBOX = "visit-outbox:";
  var DRAFT = "visit-draft:";
  var EXPENSE = "business_expense";
  var photos = [];
  var flushing = false;
  if (!status) return;
  var text = status.dataset;

  function say(message, kind) {
    status.hidden = false;
    status.className = "visit-status" + (kind ? " " + kind : "");
    status.textContent = message;
  }

  function uuid4() {
    // crypto.randomUUID needs a secure context; an intranet server over plain http has only getRandomValues
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* ---- the outbox: visits saved on the phone, sent when the network allows ---- */

  function outboxKeys() {
    if (!kv) return Promise.resolve([]);
    return kv.keys().then(function (keys) {
      return keys.filter(function (key) { return String(key).indexOf(OUTBOX) === 0; });
    });
  }

  function send(entry) {
    var body = new FormData();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.set("csrfmiddlewaretoken", csrfToken());
    (entry.photos || []).forEach(function (blob, index) {
      body.append("photos", blob, blob.name || "photo-" + (index + 1) + ".jpg");
    });
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) return { state: "login" };
      return response.json().then(function (answer) {
        if (response.ok) return { state: "sent", answer: answer };
        if (response.status >= 500) return { state: "later" };
        return { state: "refused", answer: answer };
      });
    }, function () {
      return { state: "later" }; // no network: it stays in the outbox
    });
  }

  function flush() {
    if (flushing || !kv) return Promise.resolve();
    flushing = true;
    return outboxKeys().then(function (keys) {
      var left = keys.length;
      var chain = Promise.resolve();
      keys.forEach(function (key) {
        chain = chain.then(function () {
          return kv.get(key).then(function (entry) {
            if (!entry) { left -= 1; return; }
            say(text.msgSending, "busy");
            return send(entry).then(function (result) {
              if (result.state === "sent") {
                left -= 1;
                return kv.del(key).then(function () { sent(result.answer); });
              }
              if (result.state === "refused") {
                left -= 1;
                return kv.del(key).then(function () { return refused(entry, result.answer); });
              }
              if (result.state === "login") say(text.msgLogin, "error");
            });
          });
        });
      });
      return chain.then(function () {
        if (left > 0 && status.className.indexOf("error") < 0) say(text.msgWaiting.replace("%s", left), "queued");
      });
    }).finally(function () { flushing = false; });
  }

  function sent(answer) {
    status.hidden = false;
    status.className = "visit-status done";
    status.textContent = text.msgSent + " ";
    if (answer && answer.url) {
      var link = document.createElement("a");
      link.href = answer.url;
      link.textContent = "›";
      status.appendChild(link);
    }
  }

  function refused(entry, answer) {
    // the server will not take it as it is: back to the household's draft, for the cadre to correct
    var message = text.msgRefused + ((answer && answer.message) || "");
    say(message, "error");
    var draft = { client_id: entry.client_id, fields: entry.fields, photos: entry.photos };
    return kv.set(DRAFT + entry.household, draft).then(function () {
      if (form && String(form.dataset.household) === String(entry.household)) restore(draft);
    });
  }

  /* ---- the form: its draft, the income worked out, the photos ---- */

  function fields() {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "file" || el.name === "csrfmiddlewaretoken") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      pairs.push([el.name, el.value]);
    });
    return pairs;
  }

  function restore(draft) {
    var values = {};
    draft.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") return;
      var given = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") el.checked = given.indexOf(el.value) >= 0;
      else if (given.length) el.value = given[0];
    });
    form.elements.client_id.value = draft.client_id;
    photos = (draft.photos || []).slice();
    showPhotos();
    update();
  }

  var saveTimer = null;
  function keepDraft() {
    if (!kv) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () {
      kv.set(DRAFT + form.dataset.household, { client_id: form.elements.client_id.value, fields: fields(), photos: photos })
        .then(function () { say(text.msgDraft, "draft"); });
    }, 300);
  }

  function cents(value) {
    var number = parseFloat(String(value || "").replace(/,/g, ""));
    return isFinite(number) && number > 0 ? Math.round(number * 100) : 0;
  }

  function yuan(amount) {
    var sign = amount < 0 ? "-" : "";
    amount = Math.abs(amount);
    return sign + Math.floor(amount / 100) + "." + String(amount % 100 + 100).slice(1);
  }

  function update() {
    var net = 0;
    form.querySelectorAll("fieldset.income input").forEach(function (input) {
      net += input.name === EXPENSE ? -cents(input.value) : cents(input.value);
    });
    var persons = Math.max(parseInt(form.dataset.persons, 10) || 1, 1);
    var perCapita = Math.sign(net) * Math.round(Math.abs(net) / persons); // half away from zero, as the registry
    document.getElementById("net-income").textContent = yuan(net);
    document.getElementById("per-capita").textContent = yuan(perCapita);
    var risk = form.elements.risk_found;
    document.getElementById("risk-types").hidden = !(risk && risk.checked);
  }

  function showPhotos() {
    var count = document.getElementById("photo-count");
    if (!count.dataset.help) count.dataset.help = count.textContent;
    count.textContent = photos.length ? text.msgPhotos.replace("%s", photos.length) : count.dataset.help;
  }

  function fresh() {
    form.reset();
    form.elements.client_id.value = uuid4();
    photos = [];
    showPhotos();
    update();
  }

  function submit(event) {
    event.preventDefault();
    if (!kv) { form.submit(); return; } // no IndexedDB: the plain form post
    var entry = {
      client_id: form.elements.client_id.value,
      household: form.dataset.household,
      url: form.action,
      fields: fields(),
      photos: photos,
      queued_at: new Date().toISOString(),
    };
    clearTimeout(saveTimer);
    kv.set(OUTBOX + entry.client_id, entry)
      .then(function () { return kv.del(DRAFT + entry.household); })
      .then(function () {
        fresh();
        say(text.msgQueued, "queued");
        return flush();
      });
  }

  if (form) {
    var picker = document.getElementById("visit-photos");
    picker.addEventListener("change", function () {
      Array.prototype.forEach.call(picker.files, function (file) { photos.push(file); });
      picker.value = "";
      showPhotos();
      keepDraft();
    });
    form.addEventListener("input", function () { update(); keepDraft(); });
    form.addEventListener("change", function () { update(); keepDraft(); });
    form.addEventListener("submit", submit);
    update();
    if (kv) {
      kv.get(DRAFT + form.dataset.household).then(function (draft) {
        if (draft) { restore(draft); say(text.msgRestored, "draft"); }
        else form.elements.client_id.value = uuid4(); // the visit's name, made on the phone as its draft starts
      });
    }
  }

  window.addEventListener("online", flush);
  setInterval(function () { if (navigator.onLine !== false) flush(); }, 20000);
  flush();

  if ("serviceWorker" in navigator && window.isSecureContext && text.sw) {
    navigator.serviceWorker.register(text.sw, { scope: text.sw.replace(/[^/]*$/, "") }).catch(function () {});
  }
})();
