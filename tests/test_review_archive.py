"""The archive's side of review: versioned line saves, checks, undo, article edits pinned
through re-assembly, and corrections and articles kept when a page is read again."""

from __future__ import annotations

from dataclasses import replace

import pytest
import reviewdata

from ocr import archive
from ocr.batch.assemble import assemble_issue
from ocr.errors import Conflict, NotFound, StoreError
from ocr.model import Box, PageJob


@pytest.fixture
def store(tmp_path):
    data = reviewdata.build_archive(tmp_path / "archive.db", pages=2)
    yield data
    data["db"].conn.close()


def lines_of(db, page_id):
    return archive.review_page(db, page_id)["lines"]


def test_save_line_bumps_the_version_keeps_history_and_refuses_a_stale_one(store):
    db, page = store["db"], store["pages"][0]
    line = lines_of(db, page)[3]
    saved = archive.save_line(db, page, line["id"], "改正的文字", line["version"], "ann")
    assert (saved["text"], saved["version"], saved["corrected"]) == ("改正的文字", 2, 1)
    with pytest.raises(Conflict) as err:
        archive.save_line(db, page, line["id"], "另一人的文字", line["version"], "bob")
    assert err.value.current["text"] == "改正的文字" and err.value.current["version"] == 2
    assert [h["text"] for h in archive.line_texts(db, line["id"])] == ["改正的文字", line["text"]]
    (change,) = archive.line_changes(db, line["id"])
    assert change["before"]["text"] == line["text"] and change["after"]["text"] == "改正的文字"
    assert change["author"] == "ann"


def test_correct_line_is_recorded_in_the_reviewers_history_and_undoable(store):
    db, page = store["db"], store["pages"][0]
    line = lines_of(db, page)[7]
    assert archive.correct_line(db, line["id"], "库里的改正", author="cli", expected_version=1) == 2
    (change,) = archive.line_changes(db, line["id"])  # the same record as a save in the app
    assert (change["action"], change["author"]) == ("text", "cli")
    assert change["before"]["text"] == line["text"] and change["after"]["text"] == "库里的改正"
    assert archive.line_texts(db, line["id"])[0]["author"] == "cli"
    undone = archive.undo_line_change(db, archive.change_row(db, change["id"]), "ann")
    assert (undone["text"], undone["version"], undone["corrected"]) == (line["text"], 3, 0)
    assert [c["action"] for c in archive.line_changes(db, line["id"])] == ["undo", "text"]
    assert archive.correct_line(db, line["id"], "再改", expected_version=3) == 4
    assert archive.line_changes(db, line["id"])[0]["author"] is None  # no author given
    with pytest.raises(StoreError):
        archive.correct_line(db, line["id"], "过时", expected_version=3)
    assert len(archive.line_changes(db, line["id"])) == 3


def test_a_line_of_another_page_is_not_found_there(store):
    db, p1, p2 = store["db"], *store["pages"]
    line = lines_of(db, p1)[0]
    with pytest.raises(NotFound):
        archive.save_line(db, p2, line["id"], "x", line["version"], "ann")
    assert lines_of(db, p1)[0]["text"] == line["text"]


def test_check_is_its_own_flag_and_counts_as_reviewed(store):
    db, page = store["db"], store["pages"][0]
    line = lines_of(db, page)[2]
    row = archive.check_line(db, page, line["id"], line["version"], "ann")
    assert (row["checked"], row["corrected"], row["text"]) == (1, 0, line["text"])
    (overview,) = archive.issue_overviews(db, 0.8)
    assert overview["reviewed"] == 1
    queue = archive.low_confidence_queue(db, 1.0, limit=1000)
    assert line["id"] not in [q["id"] for q in queue]
    assert [q["confidence"] for q in queue] == sorted(q["confidence"] for q in queue)


def test_undo_is_a_recorded_change_and_refuses_when_the_line_moved_on(store):
    db, page = store["db"], store["pages"][0]
    line = lines_of(db, page)[4]
    first = archive.save_line(db, page, line["id"], "一改", 1, "ann")
    second = archive.save_line(db, page, line["id"], "二改", 2, "ann")
    with pytest.raises(Conflict):  # the first change is not the last one any more
        archive.undo_line_change(db, archive.change_row(db, first["change"]), "ann")
    undone = archive.undo_line_change(db, archive.change_row(db, second["change"]), "bob")
    assert (undone["text"], undone["version"]) == ("一改", 4)
    changes = archive.line_changes(db, line["id"])
    assert [c["action"] for c in changes] == ["undo", "text", "text"]
    assert changes[1]["undone_by"] == changes[0]["id"] and changes[0]["author"] == "bob"
    with pytest.raises(Conflict):
        archive.undo_line_change(db, archive.change_row(db, second["change"]), "ann")


def test_conflicts_resolved_either_way(store):
    db, page = store["db"], store["pages"][0]
    a, b = lines_of(db, page)[5:7]
    archive.save_line(db, page, a["id"], "审校甲", 1, "ann")
    archive.save_line(db, page, b["id"], "审校乙", 1, "ann")
    assert archive.conflict_queue(db) != [] and archive.count_conflicts(db) == (2, 2)
    archive.resolve_conflict(db, page, a["id"], 2, "correction", "ann")
    took = archive.resolve_conflict(db, page, b["id"], 2, "ocr", "ann")
    assert took["text"] == b["ocr_text"]
    assert archive.conflict_queue(db) == [] and archive.count_conflicts(db)[1] == 0
    assert lines_of(db, page)[5]["text"] == "审校甲"


def article(db, aid):
    return archive.article_view(db, aid)


def test_merge_split_move_reorder_and_undo_a_merge(store):
    db, issue = store["db"], store["issues"][0]
    arts = archive.issue_articles(db, issue)
    a, b = arts[0]["id"], arts[1]["id"]
    merged = archive.merge_articles(db, issue, a, b, {a: 1, b: 1}, "ann")
    assert [x["id"] for x in merged["articles"]] == [a]
    assert b not in [x["id"] for x in archive.issue_articles(db, issue)]
    view = article(db, a)
    assert len(view["blocks"]) == 4 and view["article"]["pinned"] == 1
    b_head = view["blocks"][2]["region"]
    split = archive.split_article(db, issue, a, b_head, 2, "ann")
    new = split["articles"][1]
    assert new["title"] == "第1版标题2"  # the block split at is a headline: the title
    assert article(db, new["id"])["article"]["text"].startswith("区居民")
    # move the body block of the new article back to the first one, then reorder
    body = article(db, new["id"])["blocks"][1]["region"]
    archive.move_block(db, issue, new["id"], body, a, {new["id"]: 1, a: 3}, "ann")
    assert len(article(db, a)["blocks"]) == 3
    archive.reorder_blocks(db, issue, a, [0, 2, 1], 4, "ann")
    assert [b["region"] for b in article(db, a)["blocks"]][1] == body
    with pytest.raises(Conflict):
        archive.retitle(db, issue, a, "旧版本", 4, "ann")
    # undo the whole chain: each undo is the newest change of the article
    for change in archive.article_changes(db, a)[:4]:
        archive.undo_article_change(db, archive.change_row(db, change["id"]), "ann")
    ids = [x["id"] for x in archive.issue_articles(db, issue)]
    assert a in ids and b in ids  # the merged-away article is back under its own id
    assert article(db, b)["article"]["text"] == arts[1]["start"]


def test_ids_are_checked_against_their_issue(store, tmp_path):
    db = store["db"]
    other = archive.upsert_issue(db, "other", "scans/o.pdf", "x", None)
    aid = archive.issue_articles(db, store["issues"][0])[0]["id"]
    with pytest.raises(NotFound):
        archive.retitle(db, other, aid, "标题", 1, "ann")


def test_pinned_articles_survive_reassembly_with_corrected_text(store):
    db, issue, page = store["db"], store["issues"][0], store["pages"][0]
    arts = archive.issue_articles(db, issue)
    a, b = arts[0]["id"], arts[1]["id"]
    archive.merge_articles(db, issue, a, b, {a: 1, b: 1}, "ann")
    archive.retitle(db, issue, a, "审校的标题", 2, "ann")
    line = article(db, a)["blocks"][3]["lines"][-1]
    archive.save_line(db, page, line["id"], "审校后的最后一行", line["version"], "ann")
    assert assemble_issue(db, issue) == len(arts) - 1
    view = article(db, a)
    assert view["article"]["title"] == "审校的标题"
    assert view["article"]["text"].endswith("审校后的最后一行")
    assert len(view["blocks"]) == 4
    assert b not in [x["id"] for x in archive.issue_articles(db, issue)]
    assert {x["id"] for x in archive.issue_articles(db, issue)} == {x["id"] for x in arts} - {b}


def reread(db, page_id, number, result):
    job = PageJob("scans/0.pdf", number - 1, number, "issue-0", f"{0:064d}")
    archive.save_page(db, page_id, result(job), "h2", None)


def test_corrections_survive_a_reread_that_moves_splits_and_merges_boxes(store):
    db, page = store["db"], store["pages"][0]
    lines = lines_of(db, page)
    moved, split, m1, m2 = lines[3], lines[5], lines[7], lines[8]
    for ln, text in ((moved, "移动"), (split, "拆分"), (m1, "合并一"), (m2, "合并二")):
        archive.save_line(db, page, ln["id"], text, 1, "ann")
    img = archive.page_image(db, page)["image_path"]

    def result(job):
        res = reviewdata.page_result(job, 1, image_path=img, shift=6.0)  # every box moved
        out = []
        for ln in res.lines:
            b = ln.box
            if abs(b.y0 - 6 - split["y0"]) < 1 and b.x0 == split["x0"]:  # split in two
                mid = (b.x0 + b.x1) / 2
                left, right = Box(b.x0, b.y0, mid, b.y1), Box(mid, b.y0, b.x1, b.y1)
                out += [replace(ln, text="左半", box=left), replace(ln, text="右半", box=right)]
            elif abs(b.y0 - 6 - m2["y0"]) < 1 and b.x0 == m2["x0"]:
                continue  # merged into the line above
            elif abs(b.y0 - 6 - m1["y0"]) < 1 and b.x0 == m1["x0"]:
                both = Box(b.x0, b.y0, b.x1, b.y1 + 44)
                out.append(replace(ln, text="合并读出", box=both))
            else:
                out.append(ln)
        return replace(res, lines=out)

    reread(db, page, 1, result)
    after = {ln["id"]: ln for ln in lines_of(db, page)}
    assert after[moved["id"]]["text"] == "移动"
    assert (after[split["id"]]["text"], after[split["id"]]["ocr_text"]) == ("拆分", "左半右半")
    assert after[m1["id"]]["text"] == "合并一" and after[m2["id"]]["text"] == "合并二"
    texts = [ln["text"] for ln in after.values()]
    assert "左半" not in texts and "合并读出" not in texts  # no duplicate of a corrected line
    assert len(texts) == len(lines)


def test_article_ids_and_checks_stay_over_a_reread_with_new_line_ids(store):
    db, issue, page = store["db"], store["issues"][0], store["pages"][0]
    before = {a["id"]: a["title"] for a in archive.issue_articles(db, issue)}
    line = lines_of(db, page)[2]
    archive.check_line(db, page, line["id"], 1, "ann")
    old_ids = {ln["id"] for ln in lines_of(db, page)}
    img = archive.page_image(db, page)["image_path"]
    reread(db, page, 1, lambda job: reviewdata.page_result(job, 1, image_path=img, shift=4.0))
    new_lines = lines_of(db, page)
    assert not old_ids & {ln["id"] for ln in new_lines}  # every line has a new id
    assert sum(ln["checked"] for ln in new_lines) == 1
    assemble_issue(db, issue)
    assert {a["id"]: a["title"] for a in archive.issue_articles(db, issue)} == before


def test_users_and_sessions(store):
    db = store["db"]
    uid = archive.add_user(db, "ann", "reviewer", "hash")
    with pytest.raises(Exception, match="already"):
        archive.add_user(db, "ann", "viewer", "hash")
    archive.start_session(db, uid, "tok", "csrf", 60)
    archive.start_session(db, uid, "old", "csrf", -1)  # expired at once
    assert archive.session_user(db, "tok")["name"] == "ann"
    assert archive.session_user(db, "old") is None
    archive.set_password(db, "ann", "hash2")  # ends every session
    assert archive.session_user(db, "tok") is None
    archive.remove_user(db, "ann")
    assert archive.users(db) == []


def test_an_edited_article_survives_a_reread_of_its_page(store):
    db, issue, page = store["db"], store["issues"][0], store["pages"][0]
    arts = archive.issue_articles(db, issue)
    a, b = arts[0]["id"], arts[1]["id"]
    archive.merge_articles(db, issue, a, b, {a: 1, b: 1}, "ann")
    archive.retitle(db, issue, a, "合并后的标题", 2, "ann")
    n_lines = len(archive.article_snapshot(db, issue, a)["lines"])
    img = archive.page_image(db, page)["image_path"]
    reread(db, page, 1, lambda job: reviewdata.page_result(job, 1, image_path=img, shift=3.0))
    assemble_issue(db, issue)
    view = article(db, a)
    assert view["article"]["title"] == "合并后的标题" and view["article"]["pinned"] == 1
    assert sum(len(bl["lines"]) for bl in view["blocks"]) == n_lines  # the new lines, carried
    assert b not in [x["id"] for x in archive.issue_articles(db, issue)]


def test_review_edits_reach_the_search_index_at_once(store):
    db, issue, page = store["db"], store["issues"][0], store["pages"][0]
    a = archive.issue_articles(db, issue)[0]["id"]
    archive.retitle(db, issue, a, "审校标题锦绣", 1, "ann")
    line = article(db, a)["blocks"][1]["lines"][0]
    archive.save_line(db, page, line["id"], "纠正之后的行", line["version"], "ann")
    assert [h["article"] for h in archive.search(db, "锦绣")] == [a]
    assert [h["article"] for h in archive.search(db, "纠正之后")] == [a]
