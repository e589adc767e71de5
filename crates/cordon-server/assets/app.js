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
