// An article: edit its title, move a block up or down or to another article, split it at
// a block, merge it with another, link or unlink a continuation, undo from its history.
"use strict";

(async () => {
  const root = document.getElementById("article");
  const aid = Number(root.dataset.article), issue = root.dataset.issue;
  let version = Number(root.dataset.version);
  const base = `/api/issues/${issue}/articles/${aid}`;
  const done = (r, after) => {
    if (r.ok) { if (after) after(r.data); else location.reload(); return; }
    OCR.toast(OCR.explain(r) + (r.status === 409 ? " (reload to see it)" : ""), "error");
  };
  const selected = (sel) => { const o = sel.options[sel.selectedIndex]; return o ? { id: Number(o.value), version: Number(o.dataset.version) } : null; };

  const title = document.getElementById("article-title");
  title.addEventListener("keydown", async (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    const r = await OCR.api("POST", `${base}/title`, { title: title.value, version });
    done(r, (data) => { version = data.articles[0].version; OCR.toast("Title saved"); });
  });
  const pair = async (action, sel) => {
    const other = selected(sel);
    if (!other) return;
    done(await OCR.api("POST", `${base}/${action}`, { other: other.id, versions: { [aid]: version, [other.id]: other.version } }));
  };
  const mergeWith = document.getElementById("merge-with");
  document.getElementById("merge").addEventListener("click", () => pair("merge", mergeWith));
  document.getElementById("link").addEventListener("click", () => pair("link", mergeWith));
  const unlink = document.getElementById("unlink");
  if (unlink) unlink.addEventListener("click", async () => {
    const page = Number(document.getElementById("unlink-page").value);
    done(await OCR.api("POST", `${base}/unlink`, { page, version }));
  });
  const blocks = [...document.querySelectorAll("#blocks .block")];
  const order = blocks.map((b) => Number(b.dataset.index));
  blocks.forEach((b, k) => {
    const region = b.dataset.region === "" ? null : Number(b.dataset.region);
    const swap = async (d) => {
      const j = k + d;
      if (j < 0 || j >= order.length) return;
      const o = order.slice();
      [o[k], o[j]] = [o[j], o[k]];
      done(await OCR.api("POST", `${base}/reorder`, { order: o, version }));
    };
    b.querySelector(".up").addEventListener("click", () => swap(-1));
    b.querySelector(".down").addEventListener("click", () => swap(1));
    b.querySelector(".split").addEventListener("click", async () => done(await OCR.api("POST", `${base}/split`, { region, version })));
    b.querySelector(".move").addEventListener("click", async () => {
      const target = selected(b.querySelector(".move-target"));
      if (!target) return;
      done(await OCR.api("POST", `${base}/move`, { region, target: target.id, versions: { [aid]: version, [target.id]: target.version } }));
    });
  });

  const history = document.getElementById("article-history");
  const r = await OCR.api("GET", `/api/articles/${aid}`);
  if (!r.ok) return;
  for (const c of r.data.changes) {
    const li = document.createElement("li");
    li.textContent = `${c.created_at} ${c.author || "?"}: ${c.action}${c.undone_by ? " (undone)" : ""} `;
    if (!c.undone_by && OCR.canWrite) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = "Undo";
      b.className = "undo";
      b.addEventListener("click", async () => {
        const u = await OCR.api("POST", `/api/changes/${c.id}/undo`, {});
        done(u, () => {
          const back = u.data.articles.find((a) => a.id === aid) || u.data.articles[0];
          location.href = `/articles/${back.id}`;
        });
      });
      li.append(b);
    }
    history.append(li);
  }
})();
