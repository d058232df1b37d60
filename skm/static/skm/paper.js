/* Paper entry keys (docs/paper-entry.md). The page works without this script: it only adds
 * single-key entry with auto-advance, and saves without reloading the page.
 *
 *   answers     1-4 fill and advance; 0 or - marks a blank and advances
 *   L / P       jenis kelamin; 0 or - blank
 *   usia        digits; advances after two digits from 13, after three, or on Space
 *   pendidikan, pekerjaan   the number keys shown on screen; 0 or - blank
 *   Backspace   clears the field, or on an empty field goes back and clears that one
 *   Enter       saves (Shift+Enter: a new line in saran)
 */
(function () {
  "use strict";

  function fields(form) {
    return Array.prototype.slice.call(form.querySelectorAll("[data-paper]"));
  }

  function move(input, step) {
    var list = fields(input.form);
    var next = list[list.indexOf(input) + step];
    if (next) {
      next.focus();
      if (next.select) next.select();
    }
    return next;
  }

  function accepts(input, ch) {
    var kind = input.dataset.paper;
    if (ch === "0" || ch === "-") return "-";
    if (kind === "answer") return /^[1-4]$/.test(ch) ? ch : null;
    if (kind === "gender") return /^[lp]$/i.test(ch) ? ch.toUpperCase() : null;
    if (kind === "choice") {
      var n = parseInt(ch, 10);
      return n >= 1 && n <= parseInt(input.dataset.max, 10) ? ch : null;
    }
    return null;
  }

  function set(input, value) {
    input.value = value;
    input.removeAttribute("aria-invalid");
  }

  function ageComplete(value) {
    return value.length >= 3 || (value.length === 2 && parseInt(value, 10) >= 13);
  }

  function onKeydown(event) {
    var input = event.target;
    if (!input.dataset || !input.dataset.paper || !input.form) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var kind = input.dataset.paper;
    var key = event.key;

    if (key === "Enter") {
      if (kind === "saran" && event.shiftKey) return;
      event.preventDefault();
      input.form.requestSubmit();
      return;
    }
    if (key === "Backspace") {
      if (kind === "saran" || kind === "age") {
        if (input.value !== "") return; // ordinary editing
      } else if (input.value !== "") {
        event.preventDefault();
        set(input, "");
        return;
      }
      event.preventDefault();
      var previous = move(input, -1);
      if (previous && previous.dataset.paper !== "saran") set(previous, "");
      return;
    }
    if (kind === "saran") return;
    if (key === "ArrowRight" || key === "ArrowLeft") {
      if (kind === "age") return;
      event.preventDefault();
      move(input, key === "ArrowRight" ? 1 : -1);
      return;
    }
    if (key.length !== 1) return; // Tab, arrows up/down, Home...: as usual
    if (kind === "age") {
      if (key === " " || ((key === "-" || key === "0") && input.value === "")) {
        event.preventDefault();
        if (key !== " ") set(input, "");
        move(input, 1);
      } else if (!/^[0-9]$/.test(key)) {
        event.preventDefault();
      }
      return; // digits: typed as usual; see onInput
    }
    event.preventDefault();
    var value = accepts(input, key);
    if (value === null) return; // a key with no meaning here: ignored
    set(input, value);
    move(input, 1);
  }

  // Touch keyboards often send no usable key in keydown: read what arrived instead.
  function onInput(event) {
    var input = event.target;
    if (!input.dataset || !input.dataset.paper || input.dataset.paper === "saran") return;
    if (input.dataset.paper === "age") {
      input.value = input.value.replace(/[^0-9]/g, "").slice(0, 3);
      if (ageComplete(input.value)) move(input, 1);
      return;
    }
    var ch = input.value.slice(-1);
    var value = ch ? accepts(input, ch) : "";
    set(input, value === null ? "" : value);
    if (value) move(input, 1);
  }

  function replaceFrom(doc, id) {
    var fresh = doc.getElementById(id);
    var current = document.getElementById(id);
    if (fresh && current) current.innerHTML = fresh.innerHTML;
  }

  function focusAfterSave() {
    var form = document.getElementById("paper-form");
    if (!form) return;
    var target = form.querySelector("[aria-invalid=true]") || fields(form)[0];
    if (target) target.focus();
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-paper-entry]")) return;
    if (form.hasAttribute("data-paper-plain") || !window.fetch || !window.DOMParser) return;
    event.preventDefault();
    if (form.dataset.busy) return; // Enter pressed twice: one response
    form.dataset.busy = "1";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    }).then(function (response) {
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (!doc.getElementById("paper-form-area")) throw new Error("unexpected page");
        replaceFrom(doc, "paper-status");
        replaceFrom(doc, "paper-form-area");
        replaceFrom(doc, "paper-today");
        if (response.ok && response.redirected) history.replaceState(null, "", response.url);
        focusAfterSave();
      });
    }).catch(function () {
      delete form.dataset.busy;
      form.submit(); // let the browser do it the plain way
    });
  }

  document.addEventListener("keydown", onKeydown);
  document.addEventListener("input", onInput);
  document.addEventListener("submit", onSubmit);
})();
