"""The review app's HTTP side, attacked: Starlette's TestClient on a real SQLite archive.
Each test tries something a reviewer must not be able to do (or an attacker) and proves
it fails: no session, wrong role, missing or wrong CSRF token, XSS in text and titles,
traversal in image URLs, ids from another page or issue, session fixation, brute force."""

from __future__ import annotations

import html
import re
import time

import pytest
import reviewdata
from markupsafe import escape
from starlette.testclient import TestClient

from ocr import archive
from ocr.review import create_app
from ocr.review.auth import COOKIE, LoginLimiter, hash_password

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review")
    data = reviewdata.build_archive(folder / "archive.db", issues=2, pages=2)
    db = data["db"]
    for name, role in (
        ("root", "admin"),
        ("ann", "reviewer"),
        ("bob", "reviewer"),
        ("vic", "viewer"),
    ):
        archive.add_user(db, name, role, hash_password(PASSWORD))
    app = create_app(folder / "archive.db", limiter=LoginLimiter(limit=10, delay=0.0))
    data.update(app=app, folder=folder)
    yield data
    db.conn.close()


def client(site, name=None, password=PASSWORD):
    c = TestClient(site["app"], follow_redirects=False)
    if name:
        r = login(c, name, password)
        assert r.status_code == 303, r.text
    return c


def login(c, name, password=PASSWORD, csrf=None):
    form = c.get("/login")
    token = csrf or re.search(r'id="login-csrf" value="([^"]+)"', form.text).group(1)
    return c.post("/login", data={"name": name, "password": password, "csrf": token, "next": "/"})


def csrf_of(c) -> str:
    return re.search(r'<meta name="csrf" content="([^"]+)"', c.get("/").text).group(1)


def lines(site, k=0):
    return archive.review_page(site["db"], site["pages"][k])["lines"]


def save(c, page, line, text, version=None, token=None):
    headers = {"X-CSRF-Token": token if token is not None else csrf_of(c)}
    body = {"text": text, "version": version if version is not None else line["version"]}
    return c.post(f"/api/pages/{page}/lines/{line['id']}", json=body, headers=headers)


def test_every_route_needs_a_session(site):
    c = client(site)
    page = site["pages"][0]
    assert c.get("/").status_code == 303 and c.get("/").headers["location"].startswith("/login")
    for url in (f"/api/pages/{page}", "/api/queue", "/api/conflicts"):
        assert c.get(url).status_code == 401, url
    image = c.get(f"/pages/{page}/image")  # a page URL: to the login page
    assert image.status_code == 303 and image.headers["location"].startswith("/login")
    line = lines(site)[0]
    r = c.post(f"/api/pages/{page}/lines/{line['id']}", json={"text": "x", "version": 1})
    assert r.status_code == 401
    assert lines(site)[0]["text"] == line["text"]
    assert c.get("/static/editor.js").status_code == 200  # static files need none


def test_login_sets_a_strict_httponly_cookie_and_logout_ends_it(site):
    c = client(site)
    r = login(c, "ann")
    cookie = r.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = c.cookies.get(COOKIE)
    assert c.get("/").status_code == 200
    c.post("/logout", data={"csrf": csrf_of(c)})
    assert c.get("/").status_code == 303
    c.cookies.set(COOKIE, token)  # the old token is dead on the server too
    assert c.get("/api/queue").status_code == 401


def test_login_needs_its_form_token(site):
    c = client(site)
    c.get("/login")
    r = c.post("/login", data={"name": "ann", "password": PASSWORD, "csrf": "forged"})
    assert r.status_code == 403 and COOKIE not in c.cookies


def test_a_planted_session_id_is_never_kept_at_login(site):
    attacker = client(site, "bob")
    planted = attacker.cookies.get(COOKIE)
    victim = client(site)
    victim.cookies.set(COOKIE, planted)
    r = login(victim, "ann")
    assert r.status_code == 303, r.text
    fresh = re.search(rf"{COOKIE}=([^;]+)", r.headers["set-cookie"]).group(1)
    assert fresh and fresh != planted
    assert attacker.get("/api/queue").status_code == 401  # the planted session ended


def test_sessions_expire(site):
    app = create_app(site["folder"] / "archive.db", session_seconds=1)
    c = TestClient(app, follow_redirects=False)
    login(c, "ann")
    assert c.get("/api/queue").status_code == 200
    time.sleep(2.1)
    assert c.get("/api/queue").status_code == 401


def test_changes_need_the_csrf_token(site):
    c = client(site, "ann")
    page, line = site["pages"][0], lines(site)[1]
    url = f"/api/pages/{page}/lines/{line['id']}"
    assert c.post(url, json={"text": "x", "version": line["version"]}).status_code == 403
    assert save(c, page, line, "x", token="wrong").status_code == 403
    assert c.post("/logout", data={}).status_code == 403  # forms too
    assert c.post(f"/pages/{page}/status", data={"status": "done"}).status_code == 403
    assert lines(site)[1]["text"] == line["text"]
    r = save(c, page, line, "有令牌的改正")
    assert r.status_code == 200 and r.json()["text"] == "有令牌的改正"


def test_viewers_read_but_cannot_change(site):
    c = client(site, "vic")
    page, line = site["pages"][0], lines(site)[2]
    assert c.get(f"/api/pages/{page}").status_code == 200
    r = save(c, page, line, "观众的改动")
    assert r.status_code == 403 and "viewer" in r.json()["error"]
    token = {"X-CSRF-Token": csrf_of(c)}
    assert (
        c.post(f"/api/pages/{page}/status", json={"status": "done"}, headers=token).status_code
        == 403
    )
    aid = archive.issue_articles(site["db"], site["issues"][0])[0]["id"]
    r = c.post(
        f"/api/issues/{site['issues'][0]}/articles/{aid}/title",
        json={"title": "x", "version": 1},
        headers=token,
    )
    assert r.status_code == 403
    assert lines(site)[2]["text"] == line["text"]


XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def test_text_and_titles_are_escaped_in_html_and_json(site):
    c = client(site, "ann")
    token = {"X-CSRF-Token": csrf_of(c)}
    page, issue = site["pages"][1], site["issues"][0]
    line = lines(site, 1)[3]
    assert save(c, page, line, XSS[0]).status_code == 200
    art = archive.issue_articles(site["db"], issue)[-1]
    r = c.post(
        f"/api/issues/{issue}/articles/{art['id']}/title",
        json={"title": XSS[1], "version": art["version"]},
        headers=token,
    )
    assert r.status_code == 200
    for url in (f"/articles/{art['id']}", f"/issues/{issue}", f"/articles/{line['article_id']}"):
        html = c.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in c.get(f"/articles/{line['article_id']}").text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in c.get(f"/articles/{art['id']}").text
    data = c.get(f"/api/pages/{page}")
    assert data.headers["content-type"].startswith("application/json")
    assert data.headers["x-content-type-options"] == "nosniff"
    assert XSS[0] in [ln["text"] for ln in data.json()["lines"]]  # data, shown as text


def test_images_come_only_from_the_page_folder_by_page_id(site, tmp_path):
    c = client(site, "ann")
    db, page = site["db"], site["pages"][0]
    good = c.get(f"/pages/{page}/image")
    assert good.status_code == 200 and good.headers["content-type"] == "image/png"
    for url in (
        f"/pages/{page}/image/../../../../etc/passwd",
        "/pages/..%2F..%2Fetc%2Fpasswd/image",
        f"/pages/{page}/image?path=/etc/passwd",
        "/static/../archive.db",
        "/static/%2e%2e/%2e%2e/archive.db",
    ):
        r = c.get(url)
        assert r.status_code in (200, 404) and b"root:" not in r.content, url
        assert r.content != good.content or url.endswith("passwd"), url
        assert b"SQLite format" not in r.content
    secret = site["folder"] / "secret.png"
    secret.write_bytes(good.content)
    (site["folder"] / "pages" / "link.png").symlink_to(secret)
    old = archive.page_image(db, page)["image_path"]
    try:
        for stored in (
            "/etc/passwd",
            str(secret),
            "../secret.png",
            str(site["folder"] / "pages" / "link.png"),
        ):
            db.execute("UPDATE pages SET image_path = ? WHERE id = ?", [stored, page])
            assert c.get(f"/pages/{page}/image").status_code == 404, stored
    finally:
        db.execute("UPDATE pages SET image_path = ? WHERE id = ?", [old, page])
    assert c.get("/pages/99999/image").status_code == 404


def test_ids_must_belong_to_what_the_url_says(site):
    c = client(site, "ann")
    token = {"X-CSRF-Token": csrf_of(c)}
    p1, p2 = site["pages"][0], site["pages"][1]
    line = lines(site, 0)[4]
    r = save(c, p2, line, "借道第二页")
    assert r.status_code == 404
    assert lines(site, 0)[4]["text"] == line["text"]
    assert c.get(f"/api/pages/{p2}/lines/{line['id']}/crop").status_code == 404
    assert c.get(f"/api/pages/{p1}/lines/{line['id']}/crop").status_code == 200
    i1, i2 = site["issues"]
    a1 = archive.issue_articles(site["db"], i1)[0]
    r = c.post(
        f"/api/issues/{i2}/articles/{a1['id']}/title",
        json={"title": "x", "version": a1["version"]},
        headers=token,
    )
    assert r.status_code == 404
    b2 = archive.issue_articles(site["db"], i2)[0]
    r = c.post(
        f"/api/issues/{i1}/articles/{a1['id']}/merge",
        json={"other": b2["id"], "versions": {a1["id"]: a1["version"], b2["id"]: b2["version"]}},
        headers=token,
    )
    assert r.status_code == 404
    foreign = archive.article_view(site["db"], b2["id"])["blocks"][1]["region"]
    a2 = archive.issue_articles(site["db"], i1)[1]
    r = c.post(
        f"/api/issues/{i1}/articles/{a1['id']}/move",
        json={
            "region": foreign,
            "target": a2["id"],
            "versions": {a1["id"]: a1["version"], a2["id"]: a2["version"]},
        },
        headers=token,
    )
    assert r.status_code == 404
    assert c.get("/api/pages/99999").status_code == 404
    assert c.get("/pages/99999").status_code == 404


def test_a_stale_save_is_a_conflict_with_both_versions(site):
    ann, bob = client(site, "ann"), client(site, "bob")
    page, line = site["pages"][0], lines(site)[6]
    assert save(ann, page, line, "安的改正").status_code == 200
    r = save(bob, page, line, "鲍勃的改正")  # based on the version ann changed
    assert r.status_code == 409
    body = r.json()
    assert (
        body["current"]["text"] == "安的改正" and body["current"]["version"] == line["version"] + 1
    )
    assert lines(site)[6]["text"] == "安的改正"
    r = save(bob, page, line, "鲍勃的改正", version=body["current"]["version"])
    assert r.status_code == 200 and r.json()["text"] == "鲍勃的改正"


def hit_ids(html_text):
    return [int(a) for a in re.findall(r'<li class="hit" data-article="(\d+)"', html_text)]


def test_search_answers_as_the_archive_does_for_a_viewer_too(site):
    db, c = site["db"], client(site, "vic")  # a viewer may search
    want = archive.search(db, "美好", limit=50)
    r = c.get("/search", params={"q": "美好"})
    assert r.status_code == 200 and want
    assert hit_ids(r.text) == [h["article"] for h in want]  # the same hits, the same order
    assert "<mark>美好</mark>" in r.text
    issue = site["issues"][1]
    narrow = hit_ids(c.get("/search", params={"q": "美好", "issue": issue}).text)
    assert narrow == [h["article"] for h in archive.search(db, "美好", issue_id=issue)]
    assert narrow and set(narrow) < set(hit_ids(r.text))
    # a hit opens its page with its lines named; the page view outlines those
    href = html.unescape(re.search(r'class="hit-page" href="([^"]+)"', r.text).group(1))
    first = want[0]
    on_page = [ln["id"] for ln in first["lines"] if ln["page"] == first["lines"][0]["page"]]
    assert f"hits={','.join(map(str, on_page))}" in href
    page = c.get(href)
    assert page.status_code == 200 and f'data-hits="{",".join(map(str, on_page))}"' in page.text
    page_id = int(re.match(r"/pages/(\d+)", href).group(1))
    assert {ln["id"] for ln in archive.review_page(db, page_id)["lines"]} >= set(on_page)


def test_the_search_box_is_on_every_page(site):
    c = client(site, "ann")
    issue, page = site["issues"][0], site["pages"][0]
    article = archive.issue_articles(site["db"], issue)[0]["id"]
    for url in ("/", f"/issues/{issue}", f"/pages/{page}", "/queue", "/conflicts",
                f"/articles/{article}", "/search", "/pages/99999"):  # fmt: skip
        text = c.get(url).text
        assert re.search(r'<form class="search-box" method="get" action="/search"', text), url
        assert 'name="q"' in text, url
    assert client(site).get("/search", params={"q": "美好"}).status_code == 303  # log in first


def test_search_escapes_xss_in_the_query_and_in_snippets(site):
    c = client(site, "ann")
    page, line = site["pages"][0], lines(site)[9]
    assert save(c, page, line, XSS[1] + "张庙" + XSS[0]).status_code == 200
    r = c.get("/search", params={"q": "张庙"})
    assert r.status_code == 200 and hit_ids(r.text) == [line["article_id"]]
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "alert(1)&gt;<mark>张庙</mark>&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    for q in XSS:
        r = c.get("/search", params={"q": q})
        assert r.status_code == 200, q
        assert "<script>alert" not in r.text and "<img src=x" not in r.text, q
        assert f'name="q" value="{escape(q)}"' in r.text, q  # the query shown, as text
    r = c.get(f"/pages/{page}", params={"q": XSS[1], "hits": str(line["id"])})
    assert r.status_code == 200 and "<img src=x" not in r.text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_empty_odd_or_too_long_searches_are_answered_plainly(site):
    c = client(site, "vic")
    odd = ["", "   ", "，。！", '"', "AND OR NOT *", "NEAR(张 庙)", "张*", "^张", "{title}:张"]
    for params in [{}, {"q": "美好", "limit": "-3"}, *({"q": q} for q in odd)]:
        r = c.get("/search", params=params)
        assert r.status_code == 200, params
    assert hit_ids(c.get("/search", params={"q": "，。！"}).text) == []
    assert len(hit_ids(c.get("/search", params={"q": "美好", "limit": "1"}).text)) == 1
    assert c.get("/search", params={"q": "张" * 200}).status_code == 200
    r = c.get("/search", params={"q": "张" * 201})
    assert r.status_code == 400 and "at most 200 characters" in r.text
    assert c.get("/search", params={"q": "美好", "issue": "x"}).status_code == 400
    assert c.get("/search", params={"q": "美好", "issue": "99999"}).status_code == 404
    assert c.get(f"/pages/{site['pages'][0]}", params={"hits": "1,x"}).status_code == 400


def test_brute_force_logins_are_limited(site):
    app = create_app(site["folder"] / "archive.db", limiter=LoginLimiter(limit=10, delay=0.0))
    c = TestClient(app, follow_redirects=False)
    codes = [login(c, "root", f"guess {k}").status_code for k in range(10)]
    assert codes == [401] * 10
    assert login(c, "root", PASSWORD).status_code == 429  # even the right password now
    assert COOKIE not in c.cookies
    assert login(c, "ann").status_code == 303  # another account from here still can


def test_the_login_limit_holds_across_app_instances_and_restarts(site):
    db = site["db"]
    archive.add_user(db, "eve", "reviewer", hash_password(PASSWORD))

    def instance():
        app = create_app(site["folder"] / "archive.db", limiter=LoginLimiter(limit=10, delay=0))
        return TestClient(app, follow_redirects=False)

    one, two = instance(), instance()  # two servers of one archive
    codes = [login((one, two)[k % 2], "eve", f"guess {k}").status_code for k in range(10)]
    assert codes == [401] * 10
    assert login(one, "eve").status_code == 429 and login(two, "eve").status_code == 429
    assert login(instance(), "eve").status_code == 429  # a restarted server knows too
    stored = [r["account"] for r in db.query("SELECT account FROM login_failures")]
    assert len(stored) >= 10 and "eve" not in stored  # kept by the name's hash only
    db.execute("UPDATE login_failures SET at = at - 61")  # a minute later
    assert login(instance(), "eve").status_code == 303
    assert db.execute("SELECT count(*) FROM login_failures").fetchone()[0] == 0


def test_logins_at_once_from_two_instances_do_not_slip_past_the_limit(site):
    from concurrent.futures import ThreadPoolExecutor

    archive.add_user(site["db"], "fay", "reviewer", hash_password(PASSWORD))
    apps = [
        create_app(site["folder"] / "archive.db", limiter=LoginLimiter(limit=10, delay=0.2))
        for _ in range(2)
    ]

    def attempt(k):
        c = TestClient(apps[k % 2], follow_redirects=False)
        return login(c, "fay", f"guess {k}").status_code

    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(attempt, range(16)))
    assert sorted(codes) == [401] * 10 + [429] * 6


def test_failed_logins_are_slowed_down(site):
    app = create_app(site["folder"] / "archive.db", limiter=LoginLimiter(limit=10, delay=0.3))
    c = TestClient(app, follow_redirects=False)
    t = time.perf_counter()
    assert login(c, "ann", "wrong").status_code == 401
    assert time.perf_counter() - t >= 0.3


def test_security_headers_on_every_kind_of_response(site):
    c = client(site, "ann")
    for url in (
        "/",
        "/login",
        "/api/queue",
        "/static/review.css",
        "/pages/99999",
        f"/pages/{site['pages'][0]}/image",
    ):
        h = c.get(url).headers
        csp = h["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url
        assert "frame-ancestors 'none'" in csp and h["x-content-type-options"] == "nosniff", url
    html = c.get(f"/pages/{site['pages'][0]}").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script at all
    assert not re.search(r"<[^>]+\son\w+=", html)  # no inline event handlers


def test_undo_queue_and_page_status_through_the_api(site):
    c = client(site, "ann")
    token = {"X-CSRF-Token": csrf_of(c)}
    page, line = site["pages"][1], lines(site, 1)[5]
    change = save(c, page, line, "要撤销的改正").json()["change"]
    r = c.post(f"/api/changes/{change}/undo", json={}, headers=token)
    assert r.status_code == 200 and r.json()["line"]["text"] == line["text"]
    assert c.post(f"/api/changes/{change}/undo", json={}, headers=token).status_code == 409
    q = c.get("/api/queue?threshold=0.9&limit=20").json()["lines"]
    assert q and [x["confidence"] for x in q] == sorted(x["confidence"] for x in q)
    assert all(not x["corrected"] and not x["checked"] for x in q)
    r = c.post(f"/api/pages/{page}/status", json={"status": "in_progress"}, headers=token)
    assert r.status_code == 200
    assert "in progress 1" in c.get("/?status=in_progress").text
    assert (
        c.post(f"/api/pages/{page}/status", json={"status": "bogus"}, headers=token).status_code
        == 404
    )
