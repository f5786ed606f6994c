// naerpoliti serve: reload on a new build; show the errors of a failed build. Preview only.
(function () {
  "use strict";
  var me = document.currentScript;
  var loaded = me ? me.getAttribute("data-build") : null;
  function banner(status) {
    var old = document.getElementById("naerpoliti-live");
    if (old) { old.remove(); }
    if (status.ok) { return; }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = "/__naerpoliti/live.css";
    document.head.appendChild(link);
    var box = document.createElement("section");
    box.id = "naerpoliti-live";
    box.setAttribute("role", "alert");
    var h = document.createElement("h2");
    h.textContent = status.title;
    box.appendChild(h);
    var p = document.createElement("p");
    p.textContent = status.note;
    box.appendChild(p);
    var list = document.createElement("ul");
    status.diagnostics.forEach(function (d) {
      var li = document.createElement("li");
      li.className = d.severity;
      var where = document.createElement("code");
      // line 0: not a place in a file (the build itself failed, e.g. the disk is full)
      where.textContent = d.line ? d.path + ":" + d.line + ":" + d.column : d.path;
      li.appendChild(where);
      li.appendChild(document.createTextNode(" " + d.severity + ": " + d.message));
      list.appendChild(li);
    });
    box.appendChild(list);
    document.body.insertBefore(box, document.body.firstChild);
  }
  fetch("/__naerpoliti/status", {cache: "no-store"})
    .then(function (r) { return r.json(); })
    .then(banner)
    .catch(function () {});
  var events = new EventSource("/__naerpoliti/events");
  events.onmessage = function (e) {
    var build = JSON.parse(e.data).build;
    if (loaded !== null && String(build) !== loaded) {
      events.close();
      location.reload();
    }
  };
})();
