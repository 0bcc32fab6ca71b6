/* The page viewer: outlines the lines a search hit (?lines=ID,ID or, without ids, the
 * lines holding the terms of ?q=) and an article's lines (?article=ID); a click on a
 * line opens its article. */
(function () {
  'use strict';
  function init() {
    var params = new URLSearchParams(location.search);
    var ids = (params.get('lines') || '').split(',').filter(Boolean);
    var article = params.get('article');
    var terms = window.ZM && params.get('q') ? window.ZM.terms(params.get('q')) : [];
    var lines = Array.prototype.slice.call(document.querySelectorAll('polygon.line'));
    var hits = [];
    lines.forEach(function (p) {
      var hit = ids.length ? ids.indexOf(p.dataset.line) >= 0
        : terms.length && terms.some(function (t) { return window.ZM.fold(p.textContent).indexOf(t) >= 0; });
      if (hit) { p.classList.add('hit'); hits.push(p); }
      if (article && p.dataset.article === article) p.classList.add('in-article');
      if (p.dataset.article) {
        p.addEventListener('click', function () { location.href = 'article-' + p.dataset.article + '.html'; });
      }
    });
    var status = document.getElementById('viewer-status');
    if (status && hits.length) {
      status.textContent = '已标出 ' + hits.length + ' 行命中「' + (params.get('q') || '') + '」';
      status.dataset.hits = String(hits.length);
    }
    var first = hits[0] || document.querySelector('polygon.in-article');
    if (first && first.scrollIntoView) first.scrollIntoView({ block: 'center' });
  }
  document.addEventListener('DOMContentLoaded', init);
})();
