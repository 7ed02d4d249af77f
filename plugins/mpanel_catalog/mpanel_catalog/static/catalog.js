// Live price on the catalogue's product page: every change asks the server for a quote.
(function () {
  "use strict";
  var form = document.getElementById("catalog-order");
  if (!form) { return; }
  var body = document.querySelector("#catalog-price tbody");
  var total = document.getElementById("catalog-total");
  var error = document.getElementById("catalog-error");
  var pending = null;

  function cell(text, className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    td.textContent = text;
    return td;
  }

  function show(quote) {
    body.textContent = "";
    quote.lines.forEach(function (line) {
      var row = document.createElement("tr");
      var what = cell(line.description);
      var reason = document.createElement("small");
      reason.className = "text-muted";
      reason.textContent = line.reason;
      what.appendChild(document.createElement("br"));
      what.appendChild(reason);
      row.appendChild(what);
      row.appendChild(cell(line.amount_shown, "text-right"));
      body.appendChild(row);
    });
    total.textContent = quote.total_shown;
    error.textContent = "";
  }

  function messages(payload) {
    var message = payload && payload.message;
    if (!message || typeof message === "string") { return message || ""; }
    return Object.keys(message).map(function (field) { return message[field].join(" "); }).join(" ");
  }

  function update() {
    var query = new URLSearchParams(new FormData(form)).toString();
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.dataset.priceUrl + "?" + query, {credentials: "same-origin", signal: pending.signal})
      .then(function (response) {
        return response.json().then(function (payload) { return {ok: response.ok, payload: payload}; });
      })
      .then(function (answer) {
        if (answer.ok) { show(answer.payload.result); } else { error.textContent = messages(answer.payload); }
      })
      .catch(function (reason) { if (reason.name !== "AbortError") { error.textContent = String(reason); } });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  // With billing active the form orders (the billing cart); without, Enter only updates the price.
  form.addEventListener("submit", function (event) {
    if (!form.getAttribute("action")) { event.preventDefault(); update(); }
  });
}());
