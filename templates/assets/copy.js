// A "copy" button beside each address marked data-copy (a calendar's https address): the texts come
// from the element's data- attributes, so the script has no language. Without JavaScript, or without
// the Clipboard API, the address stays as text to select.
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("[data-copy]").forEach(function (box) {
    var code = box.querySelector("code");
    if (box.dataset.copyReady || !code) {
      return; // the script may be on a page twice
    }
    box.dataset.copyReady = "1";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary copy-button";
    button.textContent = box.dataset.copyLabel;
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(code.textContent.trim()).then(function () {
        status.textContent = box.dataset.copied;
      }, function () {
        status.textContent = box.dataset.copyFailed;
        window.getSelection().selectAllChildren(code);
      });
    });
    box.append(" ", button, " ", status);
  });
})();
