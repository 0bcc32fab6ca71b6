// The conflicts queue: corrected lines the latest OCR reads differently. One key keeps
// the correction, one takes the OCR reading; arrows move.
"use strict";

(async () => {
  const list = document.getElementById("conflicts");
  const q = list.dataset.issue ? `?issue=${list.dataset.issue}` : "";
  const result = await OCR.api("GET", `/api/conflicts${q}`);
  if (!result.ok) { OCR.toast(OCR.explain(result), "error"); return; }
  const items = result.data.lines;
  let current = 0;
  const render = () => {
    list.replaceChildren();
    if (!items.length) { const li = document.createElement("li"); li.textContent = "No conflicts left."; list.append(li); return; }
    items.forEach((ln, i) => {
      const li = document.createElement("li");
      li.className = i === current ? "current" : "";
      li.dataset.line = ln.id;
      const img = document.createElement("img");
      img.src = `/api/pages/${ln.page_id}/lines/${ln.id}/crop`;
      img.alt = "";
      const mine = document.createElement("p");
      mine.textContent = `Correction: ${ln.text}`;
      const ocr = document.createElement("p");
      ocr.textContent = `OCR now reads: ${ln.ocr_text}`;
      const link = document.createElement("a");
      link.href = `/pages/${ln.page_id}#line-${ln.id}`;
      link.textContent = `page ${ln.page_number}`;
      li.append(img, mine, ocr, link);
      li.addEventListener("click", () => { current = i; render(); });
      list.append(li);
    });
    const el = list.children[current];
    if (el) el.scrollIntoView({ block: "nearest" });
  };
  const resolve = async (take) => {
    const ln = items[current];
    if (!ln || !OCR.canWrite) return;
    const r = await OCR.api("POST", `/api/pages/${ln.page_id}/lines/${ln.id}/resolve`, { version: ln.version, take });
    if (r.ok) { items.splice(current, 1); current = Math.min(current, items.length - 1); render(); }
    else OCR.toast(OCR.explain(r), "error");
  };
  document.addEventListener("keydown", (e) => {
    if (e.target.closest && e.target.closest("input, textarea, select")) return; // the search box
    if (e.key === "ArrowDown") { current = Math.min(items.length - 1, current + 1); render(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { current = Math.max(0, current - 1); render(); e.preventDefault(); }
    else if (e.key === "1" || e.key === "c") resolve("correction");
    else if (e.key === "2" || e.key === "o") resolve("ocr");
  });
  render();
})();
