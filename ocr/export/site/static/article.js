/* An article page: marks the terms of ?q= in its title and text, and carries the query
 * to the page links so the viewer outlines the same hits. */
(function () {
  'use strict';
  function init() {
    var q = new URLSearchParams(location.search).get('q');
    if (!q || !window.ZM) return;
    var terms = window.ZM.terms(q);
    document.querySelectorAll('.marked').forEach(function (el) {
      window.ZM.markInto(el, el.textContent, terms);
    });
    document.querySelectorAll('a.page-link').forEach(function (a) {
      a.href = a.getAttribute('href') + '&q=' + encodeURIComponent(q);
    });
  }
  document.addEventListener('DOMContentLoaded', init);
})();
