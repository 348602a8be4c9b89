// hookcast web UI: small enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // Copy buttons: <button data-copy="#input-id" data-copied="Copied">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.querySelector(button.getAttribute("data-copy"));
    if (!input) return;
    var label = button.textContent;
    var done = function () {
      button.textContent = button.getAttribute("data-copied") || label;
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    input.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    if (!copied && navigator.clipboard) navigator.clipboard.writeText(input.value).catch(function () {});
    done();
  });

  // Confirm destructive forms: <form data-confirm="Sure?">
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // After a failed save: bring the first field in error into view and put the cursor in it.
  var invalid = document.querySelector("form [aria-invalid=true]");
  if (invalid) {
    var field = invalid.matches("input, select, textarea") ? invalid : invalid.querySelector("input, select, textarea");
    invalid.scrollIntoView({ block: "center" });
    if (field) field.focus({ preventScroll: true });
  }

  // The rules editor's one-click rules: <button data-add-rule='{json}' data-rules="#rules">
  // puts the rule first in the JSON list (a skip rule decides only before the rules that deliver).
  // Without JavaScript the button sends the form, and the page comes back with the rule added.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-rule]");
    if (!button) return;
    var area = document.querySelector(button.getAttribute("data-rules"));
    if (!area) return;
    var listed;
    try { listed = area.value.trim() ? JSON.parse(area.value) : []; } catch (error) { return; }
    if (!Array.isArray(listed)) return;
    event.preventDefault();
    listed.unshift(JSON.parse(button.getAttribute("data-add-rule")));
    area.value = JSON.stringify(listed, null, 2);
    area.focus();
  });

  // Filters that apply on change.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // The integration form's preview: follows the event picker and the Language radio buttons.
  var previewForm = document.querySelector("[data-preview-form]");
  if (previewForm) {
    var target = document.getElementById("preview");
    var kind = previewForm.querySelector("select");
    var refresh = function () {
      var language = document.querySelector("input[data-preview-language]:checked");
      var keyword = document.querySelector("input[data-preview-keyword]");
      // The message mode, when the form has the field (a select or radio buttons).
      var mode = document.querySelector("select[name=message_mode], input[name=message_mode]:checked");
      var query = new URLSearchParams({
        platform: previewForm.getAttribute("data-platform"),
        kind: kind.value,
        language: language ? language.value : "",
        keyword: keyword ? keyword.value : "",
        message_mode: mode ? mode.value : ""
      });
      // The template being edited, for its kind: the preview shows what it makes.
      var edited = document.querySelector("#integration-form input[name=template_kind]");
      if (edited) {
        query.append("template_kind", edited.value);
        document.querySelectorAll("#integration-form [data-template]").forEach(function (field) {
          if (field.type === "checkbox") { if (field.checked) query.append(field.name, "on"); }
          else if (field.value) query.append(field.name, field.value);
        });
      }
      target.setAttribute("aria-busy", "true");
      fetch("/ui/preview?" + query.toString(), { credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.text() : Promise.reject(answer.status); })
        .then(function (html) { target.innerHTML = html; target.removeAttribute("aria-busy"); })
        .catch(function () { previewForm.submit(); });
    };
    kind.addEventListener("change", refresh);
    document.querySelectorAll("input[data-preview-language]").forEach(function (radio) {
      radio.addEventListener("change", refresh);
    });
    document.querySelectorAll("input[data-preview-keyword]").forEach(function (input) {
      input.addEventListener("change", refresh);
    });
    document.querySelectorAll("[name=message_mode], #integration-form [data-template]").forEach(function (field) {
      field.addEventListener("change", refresh);
    });
  }
})();
