// The page view: the page image with its blocks, articles and lines outlined (colour by
// confidence), a search hit's lines outlined, zoom / pan / fit to width, and the line
// editor beside it.
"use strict";

(async () => {
  const viewport = document.getElementById("viewport");
  const pageId = viewport.dataset.page;
  const result = await OCR.api("GET", `/api/pages/${pageId}`);
  if (!result.ok) { OCR.toast(OCR.explain(result), "error"); return; }
  const data = result.data;
  const W = Number(viewport.dataset.width), H = Number(viewport.dataset.height);
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.id = "page-svg";
  const image = document.createElementNS(NS, "image");
  image.setAttribute("href", `/pages/${pageId}/image`);
  image.setAttribute("width", W);
  image.setAttribute("height", H);
  svg.append(image);
  const rect = (cls, b) => {
    const r = document.createElementNS(NS, "rect");
    r.setAttribute("class", cls);
    r.setAttribute("x", b.x0); r.setAttribute("y", b.y0);
    r.setAttribute("width", Math.max(1, b.x1 - b.x0)); r.setAttribute("height", Math.max(1, b.y1 - b.y0));
    return r;
  };
  const regions = document.createElementNS(NS, "g");
  regions.id = "regions";
  for (const r of data.regions) if (r.x0 != null) regions.append(rect(`region kind-${r.kind}`, r));
  const articles = document.createElementNS(NS, "g");
  articles.id = "articles";
  const byId = new Map(data.lines.map((ln) => [ln.id, ln]));
  data.articles.forEach((a, k) => {
    const boxes = a.line_ids.map((i) => byId.get(i)).filter((ln) => ln && ln.x0 != null);
    if (!boxes.length) return;
    const u = { x0: Math.min(...boxes.map((b) => b.x0)) - 8, y0: Math.min(...boxes.map((b) => b.y0)) - 8,
                x1: Math.max(...boxes.map((b) => b.x1)) + 8, y1: Math.max(...boxes.map((b) => b.y1)) + 8 };
    const r = rect(`article art-${k % 6}`, u);
    const title = document.createElementNS(NS, "title");
    title.textContent = a.title || "(untitled)";
    r.append(title);
    articles.append(r);
  });
  const lineGroup = document.createElementNS(NS, "g");
  lineGroup.id = "lines";
  const lines = data.lines.filter((ln) => ln.x0 != null);
  const rects = new Map();
  const level = (ln) => (ln.corrected ? "corrected" : ln.checked ? "checked"
    : ln.confidence == null || ln.confidence < 0.6 ? "low" : ln.confidence < 0.8 ? "mid" : "high");
  const paint = (ln) => rects.get(ln.id).setAttribute("class", `line conf-${level(ln)}${editor && editor.lines[editor.index] === ln ? " current" : ""}`);
  let editor = null;
  lines.forEach((ln, i) => {
    const r = rect("line", ln);
    r.dataset.line = ln.id;
    r.addEventListener("click", () => editor.select(i));
    rects.set(ln.id, r);
    lineGroup.append(r);
  });
  // A search hit's lines (the page's URL names them: ?hits=ID,ID), outlined on top.
  const hitIds = new Set((viewport.dataset.hits || "").split(",").filter(Boolean).map(Number));
  const hitGroup = document.createElementNS(NS, "g");
  hitGroup.id = "hits-layer";
  for (const ln of lines) {
    if (!hitIds.has(ln.id)) continue;
    const pad = { x0: ln.x0 - 6, y0: ln.y0 - 6, x1: ln.x1 + 6, y1: ln.y1 + 6 };
    const r = rect("hit-line", pad);
    r.dataset.line = ln.id;
    hitGroup.append(r);
  }
  svg.append(regions, articles, lineGroup, hitGroup);
  viewport.append(svg);

  let zoom = 1;
  const setZoom = (z) => {
    zoom = Math.max(0.1, Math.min(8, z));
    svg.style.width = `${W * zoom}px`;
    svg.style.height = `${H * zoom}px`;
  };
  const fit = () => setZoom((viewport.clientWidth - 4) / W);
  fit();
  document.getElementById("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  document.getElementById("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
  document.getElementById("zoom-fit").addEventListener("click", fit);
  viewport.addEventListener("wheel", (e) => {
    if (!e.ctrlKey) return;
    e.preventDefault();
    setZoom(zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1));
  }, { passive: false });
  let drag = null;
  viewport.addEventListener("mousedown", (e) => {
    if (e.target.tagName === "rect" && e.target.classList.contains("line")) return;
    drag = { x: e.clientX, y: e.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
    viewport.classList.add("dragging");
  });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    viewport.scrollLeft = drag.left - (e.clientX - drag.x);
    viewport.scrollTop = drag.top - (e.clientY - drag.y);
  });
  window.addEventListener("mouseup", () => { drag = null; viewport.classList.remove("dragging"); });
  for (const [box, group] of [["show-regions", regions], ["show-articles", articles], ["show-hits", hitGroup]]) {
    const toggle = document.getElementById(box);
    if (toggle) toggle.addEventListener("change", (e) => { group.style.display = e.target.checked ? "" : "none"; });
  }

  let last = null;
  editor = new LineEditor(lines, {
    onSelect: (ln) => {
      if (last) paint(last);
      last = ln;
      paint(ln);
      const r = rects.get(ln.id).getBoundingClientRect(), v = viewport.getBoundingClientRect();
      if (r.top < v.top || r.bottom > v.bottom || r.left < v.left || r.right > v.right) {
        viewport.scrollTop += r.top - v.top - v.height / 3;
        viewport.scrollLeft += r.left - v.left - 40;
      }
      history.replaceState(null, "", `#line-${ln.id}`);
    },
    onSaved: (ln) => paint(ln),
  });
  lines.forEach(paint);
  const wanted = /^#line-(\d+)$/.exec(location.hash);
  const firstHit = lines.findIndex((ln) => hitIds.has(ln.id));
  const start = wanted ? lines.findIndex((ln) => ln.id === Number(wanted[1])) : firstHit;
  editor.select(Math.max(0, start));
  window.ocrEditor = editor;
})();
