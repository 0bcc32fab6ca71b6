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
      if (hits.length > 1) stepper(status, hits);
    }
    var first = hits[0] || document.querySelector('polygon.in-article');
    if (first && first.scrollIntoView) first.scrollIntoView({ block: 'center' });
  }

  /* Buttons (and the n / p keys) that bring the next or previous hit into view. */
  function stepper(status, hits) {
    var at = 0;
    function go(step) {
      hits[at].classList.remove('current');
      at = (at + step + hits.length) % hits.length;
      hits[at].classList.add('current');
      if (hits[at].scrollIntoView) hits[at].scrollIntoView({ block: 'center' });
    }
    [['上一处', -1, 'prev-hit'], ['下一处', 1, 'next-hit']].forEach(function (b) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = b[2];
      button.textContent = b[0];
      button.addEventListener('click', function () { go(b[1]); });
      status.appendChild(document.createTextNode(' '));
      status.appendChild(button);
    });
    hits[0].classList.add('current');
    document.addEventListener('keydown', function (e) {
      if (e.target.tagName === 'INPUT') return;
      if (e.key === 'n') go(1);
      if (e.key === 'p') go(-1);
    });
  }
  document.addEventListener('DOMContentLoaded', init);
})();
