// The low-confidence queue: lines across the archive (or one issue), lowest confidence
// first, corrected one after another with the line editor; more are fetched ahead.
"use strict";

(async () => {
  const state = document.getElementById("queue-state");
  const issue = state.dataset.issue;
  const threshold = state.dataset.threshold;
  const lines = [];
  let loading = null, done = false;
  const url = () => {
    const q = new URLSearchParams({ threshold, limit: "50" });
    if (issue) q.set("issue", issue);
    const last = lines[lines.length - 1];
    if (last) { q.set("after_confidence", last.confidence); q.set("after_id", last.id); }
    return `/api/queue?${q}`;
  };
  const more = () => {
    if (loading || done) return loading;
    loading = OCR.api("GET", url()).then((r) => {
      loading = null;
      if (!r.ok) { OCR.toast(OCR.explain(r), "error"); return; }
      if (r.data.lines.length === 0) done = true;
      lines.push(...r.data.lines);
      show();
    });
    return loading;
  };
  const show = () => {
    const left = lines.filter((ln) => !ln.corrected && !ln.checked).length;
    state.textContent = `${left} lines to review loaded${done ? "" : " (more as you go)"}`;
  };
  await more();
  if (!lines.length) { state.textContent = "Nothing below the threshold: the queue is empty."; return; }
  const editor = new LineEditor(lines, { more, onSaved: show, onSelect: show });
  editor.select(0);
  window.ocrEditor = editor;
})();
