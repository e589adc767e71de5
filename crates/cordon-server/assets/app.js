// Cordon's only script: warn before the session times out. Everything works without it.
(function () {
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-session-idle-ms") || "0", 10);
  var banner = document.getElementById("session-warning");
  if (!idle || !banner) { return; }
  var warnAt = Math.max(idle - 120000, 1000);
  setTimeout(function () { banner.hidden = false; }, warnAt);
  banner.addEventListener("click", function () { window.location.reload(); });
})();

// Live notices: on the notices page, listen to the signed-in user's stream and list each
// notice as it is delivered, without a reload. The same delivery may come twice after a
// server restart (at least once): its event id is the delivery key, so a repeat is dropped.
// A "missed" event means the stream fell behind: reload the inbox.
(function () {
  var box = document.querySelector("[data-live-notices]");
  if (!box || !window.EventSource) { return; }
  var list = box.querySelector("ul");
  var seen = {};
  var source = new EventSource("/api/v1/notices/stream");
  source.addEventListener("notice", function (e) {
    if (seen[e.lastEventId]) { return; }
    seen[e.lastEventId] = true;
    var n;
    try { n = JSON.parse(e.data); } catch (err) { return; }
    var li = document.createElement("li");
    li.className = "live-notice";
    li.setAttribute("data-notice-id", n.notice_id);
    var a = document.createElement("a");
    a.href = "/notices/" + encodeURIComponent(n.notice_id);
    a.textContent = n.title;
    li.appendChild(a);
    li.appendChild(document.createTextNode(" · " + n.from_unit_id));
    list.insertBefore(li, list.firstChild);
    box.hidden = false;
    var none = document.getElementById("no-notices");
    if (none) { none.hidden = true; }
  });
  source.addEventListener("missed", function () { window.location.reload(); });
})();
