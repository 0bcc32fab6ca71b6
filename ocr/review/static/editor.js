// The line editor: one box beside an enlarged crop of the line, driven by the keyboard.
// Enter saves and moves on, Shift+Enter saves and goes back, Tab / Shift+Tab move without
// saving (what was typed is kept as a draft), Esc cancels, Ctrl+Enter marks the line
// checked as it reads, Alt+Z undoes my last change. Saves do not block: the next line is
// ready at once, and a conflict brings its line back with both texts.
"use strict";

class LineEditor {
  constructor(lines, hooks) {
    this.lines = lines;
    this.hooks = hooks || {};
    this.index = -1;
    this.drafts = new Map();
    this.undoStack = [];
    this.caret = 0;
    this.input = document.getElementById("line-text");
    this.crop = document.getElementById("crop");
    this.prev = document.getElementById("prev-line");
    this.next = document.getElementById("next-line");
    this.info = document.getElementById("line-info");
    this.conflictBox = document.getElementById("conflict");
    this.prefetched = new Map();
    this.input.addEventListener("keydown", (e) => this.onKey(e));
    this.input.addEventListener("input", () => this.onInput());
    document.getElementById("undo-last").addEventListener("click", () => this.undoLast());
    document.getElementById("keep-mine").addEventListener("click", () => this.resolve(true));
    document.getElementById("take-theirs").addEventListener("click", () => this.resolve(false));
    document.getElementById("history").addEventListener("toggle", () => this.showHistory());
    this.crop.addEventListener("load", () => this.markReady());
  }

  cropUrl(line) {
    return `/api/pages/${line.page_id}/lines/${line.id}/crop`;
  }

  prefetch(from) {
    for (let k = from; k < Math.min(this.lines.length, from + 4); k++) {
      const url = this.cropUrl(this.lines[k]);
      if (!this.prefetched.has(url)) {
        const img = new Image();
        img.src = url;
        this.prefetched.set(url, img);
      }
    }
    if (this.hooks.more && this.lines.length - from < 8) this.hooks.more();
  }

  select(i) {
    if (i < 0 || i >= this.lines.length) return false;
    if (this.index >= 0 && this.index !== i) this.caret = this.input.selectionStart;
    this.index = i;
    const line = this.lines[i];
    const text = this.drafts.has(line.id) ? this.drafts.get(line.id) : line.text;
    this.input.value = text;
    this.input.dataset.line = line.id;
    const pos = Math.min(this.caret, text.length);
    this.input.setSelectionRange(pos, pos);
    this.input.classList.toggle("draft", this.drafts.has(line.id));
    this.prev.textContent = i > 0 ? this.lines[i - 1].text : "";
    this.next.textContent = i + 1 < this.lines.length ? this.lines[i + 1].text : "";
    this.showInfo(line);
    this.conflictBox.hidden = !line.conflict;
    if (line.conflict) this.showConflict(line);
    document.body.dataset.readyLine = "";
    const vertical = line.y1 - line.y0 > 1.5 * (line.x1 - line.x0);
    this.crop.classList.toggle("vertical", vertical);
    const url = this.cropUrl(line);
    if (this.crop.getAttribute("src") !== url) this.crop.src = url;
    if (this.crop.complete && this.crop.getAttribute("src") === url) this.markReady();
    this.input.focus();
    this.prefetch(i + 1);
    document.getElementById("history").open = false;
    if (this.hooks.onSelect) this.hooks.onSelect(line, i);
    return true;
  }

  markReady() {
    const line = this.lines[this.index];
    if (line && this.crop.getAttribute("src") === this.cropUrl(line)) {
      document.body.dataset.readyLine = String(line.id);
    }
  }

  showInfo(line) {
    const bits = [`confidence ${line.confidence == null ? "–" : line.confidence.toFixed(2)}`];
    if (line.page_number) bits.push(`page ${line.page_number}`);
    if (line.corrected) bits.push("corrected");
    if (line.checked) bits.push("checked");
    if (line.pending) bits.push("saving…");
    if (line.corrected && line.ocr_text !== line.text) bits.push(`OCR read: ${line.ocr_text}`);
    bits.push(`line ${this.index + 1} of ${this.lines.length}`);
    this.info.textContent = bits.join(" · ");
  }

  onInput() {
    const line = this.lines[this.index];
    if (!line) return;
    if (this.input.value === line.text) this.drafts.delete(line.id);
    else this.drafts.set(line.id, this.input.value);
    this.input.classList.toggle("draft", this.drafts.has(line.id));
  }

  onKey(e) {
    if (e.isComposing || e.keyCode === 229) return; // an input method is composing
    const i = this.index;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.check(i);
      this.select(i + 1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      this.save(i);
      this.select(e.shiftKey ? i - 1 : i + 1);
    } else if (e.key === "Tab") {
      e.preventDefault();
      this.select(e.shiftKey ? i - 1 : i + 1);
    } else if (e.key === "Escape") {
      e.preventDefault();
      this.drafts.delete(this.lines[i].id);
      this.lines[i].conflict = null;
      this.select(i);
    } else if (e.altKey && (e.key === "z" || e.key === "Z")) {
      e.preventDefault();
      this.undoLast();
    }
  }

  update(i, row) {
    const line = this.lines[i];
    Object.assign(line, row, { pending: false, conflict: null });
    if (this.hooks.onSaved) this.hooks.onSaved(line, i);
    if (i === this.index) this.showInfo(line);
  }

  async post(i, url, body, label) {
    const line = this.lines[i];
    line.pending = true;
    const result = await OCR.api("POST", url, body);
    line.pending = false;
    if (result.ok) {
      if (result.data.change) this.undoStack.push({ change: result.data.change, index: i });
      this.update(i, result.data);
      return true;
    }
    if (result.status === 409 && result.data.current) {
      line.conflict = { theirs: result.data.current, yours: this.drafts.get(line.id) ?? line.text, message: result.data.error };
      OCR.toast(`Line ${i + 1}: ${label} conflicts with someone else's save`, "error");
      this.select(i);
    } else {
      OCR.toast(`Line ${i + 1}: ${OCR.explain(result)} (your text is kept)`, "error");
    }
    if (i === this.index) this.showInfo(line);
    return false;
  }

  save(i) {
    const line = this.lines[i];
    if (!line || !this.drafts.has(line.id) || !OCR.canWrite) return;
    const text = this.drafts.get(line.id);
    const url = `/api/pages/${line.page_id}/lines/${line.id}`;
    this.post(i, url, { text, version: line.version }, "the save").then((saved) => {
      if (saved && this.drafts.get(line.id) === text) this.drafts.delete(line.id);
      if (i === this.index) this.input.classList.toggle("draft", this.drafts.has(line.id));
    });
  }

  check(i) {
    const line = this.lines[i];
    if (!line || !OCR.canWrite) return;
    this.post(i, `/api/pages/${line.page_id}/lines/${line.id}/check`, { version: line.version, checked: true }, "the check");
  }

  showConflict(line) {
    document.getElementById("conflict-message").textContent = line.conflict.message;
    document.getElementById("conflict-theirs").textContent = line.conflict.theirs.text;
    document.getElementById("conflict-yours").textContent = line.conflict.yours;
  }

  resolve(mine) {
    const i = this.index;
    const line = this.lines[i];
    if (!line || !line.conflict) return;
    const theirs = line.conflict.theirs;
    const yours = line.conflict.yours;
    Object.assign(line, theirs, { conflict: null });
    if (mine) {
      this.drafts.set(line.id, yours);
      this.save(i);
    } else {
      this.drafts.delete(line.id);
    }
    this.select(i);
  }

  async undoLast() {
    const last = this.undoStack.pop();
    if (!last) { OCR.toast("Nothing of yours to undo here"); return; }
    const result = await OCR.api("POST", `/api/changes/${last.change}/undo`, {});
    if (result.ok) {
      this.update(last.index, result.data.line);
      this.drafts.delete(this.lines[last.index].id);
      this.select(last.index);
      OCR.toast("Undone");
    } else {
      OCR.toast(OCR.explain(result), "error");
    }
  }

  async showHistory() {
    const box = document.getElementById("history");
    const list = document.getElementById("history-list");
    const line = this.lines[this.index];
    if (!box.open || !line) return;
    list.replaceChildren();
    const result = await OCR.api("GET", `/api/pages/${line.page_id}/lines/${line.id}/history`);
    if (!result.ok) { OCR.toast(OCR.explain(result), "error"); return; }
    for (const c of result.data.changes) {
      const li = document.createElement("li");
      const what = c.after.text !== c.before.text ? `“${c.before.text}” → “${c.after.text}”` : c.action;
      li.textContent = `${c.created_at} ${c.author || "?"}: ${c.action} ${what}${c.undone_by ? " (undone)" : ""} `;
      if (!c.undone_by && OCR.canWrite) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = "Undo";
        b.addEventListener("click", async () => {
          const r = await OCR.api("POST", `/api/changes/${c.id}/undo`, {});
          if (r.ok) { this.update(this.index, r.data.line); this.select(this.index); box.open = true; this.showHistory(); }
          else OCR.toast(OCR.explain(r), "error");
        });
        li.append(b);
      }
      list.append(li);
    }
    for (const t of result.data.texts) {
      const li = document.createElement("li");
      li.className = "text-version";
      li.textContent = `v${t.version} ${t.source} ${t.author || ""} ${t.created_at}: ${t.text}`;
      list.append(li);
    }
  }
}
