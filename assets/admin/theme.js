// Applies the saved light/dark choice before the page paints (loaded synchronously in <head>; no inline scripts under the CSP).
(function () {
  var saved = null;
  try { saved = localStorage.getItem('theme'); } catch (e) { /* storage disabled */ }
  var dark = saved ? saved === 'dark' : window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.classList.toggle('dark', dark);
})();
