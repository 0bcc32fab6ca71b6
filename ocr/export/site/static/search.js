/* The archive's full-text search, in the browser, from the static index (search/*.js).
 * A term of 1-2 characters is answered from its gram's postings (exact); a longer one
 * from the intersection of its bigrams' postings, each candidate checked by exact
 * substring against the article's text. Text and query are folded alike (full-width,
 * case, traditional -> simplified) with the map that search/fold.js ships. */
(function () {
  'use strict';
  var ZM = (window.ZM = window.ZM || {});
  var FOLD = {};
  var DOCS = [];
  var SHARDS = 1;
  var shards = {};
  var texts = {};
  var loading = {};
  var me = document.currentScript;
  var base = me ? me.src.replace(/assets\/search\.js(\?.*)?$/, '') : '';
  var PAGE = 20;

  ZM.fold_map = function (m) { FOLD = m; };
  ZM.docs = function (n, d) { SHARDS = n; DOCS = d; };
  ZM.shard = function (n, d) { shards[n] = d; };
  ZM.texts = function (issue, d) { texts[issue] = d; };
  ZM.doc = function (k) { return DOCS[k]; };

  ZM.fold = function (s) {
    var out = '';
    for (var c of s) out += FOLD[c] || c;
    return out;
  };
  ZM.terms = function (q) {
    return ZM.fold(q || '').split(/\s+/).filter(Boolean);
  };

  function load(src) {
    if (!loading[src]) {
      loading[src] = new Promise(function (ok, fail) {
        var s = document.createElement('script');
        s.src = base + src;
        s.onload = function () { ok(); };
        s.onerror = function () { fail(new Error('cannot load ' + src)); };
        document.head.appendChild(s);
      });
    }
    return loading[src];
  }
  function unique(xs) { return xs.filter(function (x, i) { return xs.indexOf(x) === i; }); }
  function gramsOf(term) {
    var cs = Array.from(term);
    if (cs.length === 1) return [term];
    var out = [];
    for (var i = 0; i + 1 < cs.length; i++) out.push(cs[i] + cs[i + 1]);
    return unique(out);
  }
  function shardOf(g) {
    var cs = Array.from(g);
    return (cs[0].codePointAt(0) * 31 + (cs.length > 1 ? cs[1].codePointAt(0) : 0)) % SHARDS;
  }
  function undelta(ds) {
    var out = [], at = 0;
    for (var i = 0; i < ds.length; i++) { at += ds[i]; out.push(at); }
    return out;
  }
  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }
  function docText(k) { return texts[DOCS[k][0]][k][0]; }
  function loadTexts(ks) {
    return Promise.all(unique(ks.map(function (k) { return DOCS[k][0]; })).map(function (i) {
      return load('search/t' + i + '.js');
    }));
  }

  /* Every match [start, end) of any of the terms in folded text, in order. */
  ZM.matches = function (folded, terms) {
    var out = [];
    terms.forEach(function (t) {
      for (var at = folded.indexOf(t); at >= 0; at = folded.indexOf(t, at + 1)) out.push([at, at + t.length]);
    });
    return out.sort(function (a, b) { return a[0] - b[0]; });
  };

  /* The articles (indexes into docs.js) holding every term of q, ranked: a term in the
   * title first, then the newest issue first, then the order in the issue. */
  ZM.query = async function (q) {
    var terms = ZM.terms(q);
    if (!terms.length) return [];
    var grams = [];
    terms.forEach(function (t) { grams = grams.concat(gramsOf(t)); });
    await Promise.all(unique(grams.map(shardOf)).map(function (n) {
      return load('search/g' + n + '.js').catch(function () { shards[n] = shards[n] || {}; });
    }));
    var cand = null;
    for (var g of unique(grams)) {
      var p = undelta((shards[shardOf(g)] || {})[g] || []);
      cand = cand === null ? p.slice() : intersect(cand, p);
      if (!cand.length) return [];
    }
    if (terms.some(function (t) { return Array.from(t).length > 2; })) {
      await loadTexts(cand);
      cand = cand.filter(function (k) {
        var f = ZM.fold(docText(k));
        return terms.every(function (t) { return f.indexOf(t) >= 0; });
      });
    }
    return rank(cand, terms);
  };

  function rank(ks, terms) {
    function inTitle(k) {
      var f = ZM.fold(DOCS[k][2]);
      return terms.some(function (t) { return f.indexOf(t) >= 0; }) ? 0 : 1;
    }
    return ks.map(function (k) { return [inTitle(k), DOCS[k][3] || '', k]; }).sort(function (a, b) {
      if (a[0] !== b[0]) return a[0] - b[0];
      if (a[1] !== b[1]) return a[1] < b[1] ? 1 : -1;
      return a[2] - b[2];
    }).map(function (x) { return x[2]; });
  }

  /* The ids of the article's lines that a match touches, by page number. */
  ZM.hitLines = function (k, terms) {
    var entry = texts[DOCS[k][0]][k];
    var ms = ZM.matches(ZM.fold(entry[0]), terms);
    var out = {};
    entry[1].forEach(function (ln) {
      if (ms.some(function (m) { return m[0] < ln[3] && m[1] > ln[2]; })) {
        (out[ln[1]] = out[ln[1]] || []).push(ln[0]);
      }
    });
    return out;
  };

  /* Text into el with each match marked (DOM nodes, never HTML strings). */
  ZM.markInto = function (el, text, terms) {
    var ms = ZM.matches(ZM.fold(text), terms), at = 0;
    el.textContent = '';
    ms.forEach(function (m) {
      if (m[0] < at) return;
      el.appendChild(document.createTextNode(text.slice(at, m[0])));
      var mark = document.createElement('mark');
      mark.textContent = text.slice(m[0], m[1]);
      el.appendChild(mark);
      at = m[1];
    });
    el.appendChild(document.createTextNode(text.slice(at)));
    return ms.length;
  };

  function snippet(text, terms, from) {
    var ms = ZM.matches(ZM.fold(text), terms).filter(function (m) { return m[0] >= from; });
    var at = ms.length ? ms[0][0] : from;
    var s = Math.max(from, at - 40), e = Math.min(text.length, at + 80);
    return (s > from ? '…' : '') + text.slice(s, e).replace(/\n/g, ' ') + (e < text.length ? '…' : '');
  }

  function link(href, text, cls) {
    var a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    if (cls) a.className = cls;
    return a;
  }

  function renderHit(k, q, terms) {
    var d = DOCS[k], text = docText(k), enc = encodeURIComponent(q);
    var li = document.createElement('li');
    li.className = 'hit';
    var title = link(d[5] + '?q=' + enc, '', 'title');
    ZM.markInto(title, d[2] || '无题', terms);
    li.appendChild(title);
    var meta = document.createElement('div');
    meta.className = 'meta';
    meta.appendChild(document.createTextNode((d[3] || '日期不详') + ' · '));
    var hits = ZM.hitLines(k, terms);
    d[4].forEach(function (n) {
      var href = 'issues/' + d[0] + '/page-' + n + '.html?q=' + enc;
      if (hits[n]) href += '&lines=' + hits[n].join(',');
      meta.appendChild(link(href, '第' + n + '版', hits[n] ? 'page-link has-hit' : 'page-link'));
      meta.appendChild(document.createTextNode(' '));
    });
    li.appendChild(meta);
    var p = document.createElement('p');
    p.className = 'snippet';
    ZM.markInto(p, snippet(text, terms, (d[2] || '').length + 1), terms);
    li.appendChild(p);
    return li;
  }

  async function showPage(all, shown, q, terms, list, more) {
    var ks = all.slice(shown, shown + PAGE);
    await loadTexts(ks);
    ks.forEach(function (k) { list.appendChild(renderHit(k, q, terms)); });
    more.hidden = shown + ks.length >= all.length;
    return shown + ks.length;
  }

  async function init() {
    var q = new URLSearchParams(location.search).get('q') || '';
    var box = document.getElementById('q');
    if (box) box.value = q;
    var list = document.getElementById('results');
    if (!list || !q.trim()) return;
    var status = document.getElementById('search-status');
    var more = document.getElementById('more');
    status.textContent = '正在搜索…';
    try {
      var all = await ZM.query(q), terms = ZM.terms(q);
      status.textContent = all.length ? '找到 ' + all.length + ' 篇文章含有「' + q.trim() + '」' : '没有文章含有「' + q.trim() + '」';
      status.dataset.count = String(all.length);
      var shown = await showPage(all, 0, q, terms, list, more);
      more.addEventListener('click', async function () { shown = await showPage(all, shown, q, terms, list, more); });
    } catch (err) {
      status.textContent = '搜索索引无法读取：' + err.message;
    }
  }
  document.addEventListener('DOMContentLoaded', init);
})();
