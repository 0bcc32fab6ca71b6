"""Render synthetic pages of 张庙社区晨报 with known truth, for tests and benchmarks.

Every page is laid out on an upright canvas first: a masthead or running head, a grid of
``columns`` columns with gutters and rules, articles (headline, optional subhead, body
text flowed into columns), photos with captions, QR codes and an occasional banner ad.
Each rendered line of text becomes a :class:`TruthLine` whose ``box`` is the tight box of
its ink on that upright canvas. The "scan" effects come after: the canvas is rotated by
``skew_degrees`` about its centre (counter-clockwise positive, as seen on screen, on the
same canvas size), and each line's box corners are mapped by the same rotation to give
its ``poly`` in scan pixels. Coordinates follow ``ocr/model.py``: pixels, origin top-left,
``y`` down, pixel centres at ``i + 0.5``, boxes half-open.

The box of a line is in the *unskewed page*, which has the scan's size. ``ocr.model.Deskew``
puts the deskewed image on a larger canvas; ``box + deskewed_offset(page)`` is the box in
those deskewed pixels.

Everything is a function of ``seed`` (and the page number): same arguments, same pixels.

    python tests/synth.py --out scans/zhangmiao-2021-01-20.pdf --pages 8 --seed 75
"""

from __future__ import annotations

import argparse
import functools
import glob
import io
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

SEED_TEXT = Path(__file__).resolve().parent / "data" / "zhangmiao-2021-01-20.txt"

ISSUE_DATE = "2021年1月20日"
ISSUE_LINE = "本期 8 版 第 75 期"  # as printed on the real issue
NEXT_ISSUE = "下期出版：2月24日"
PUBLISHER = "张庙街道党工委、办事处 联合出版"
TITLE = "张 庙"
SUBTITLE = "社区晨报"
ENGLISH_TITLE = "SHANGHAI COMMUNITY NEWS"
QR_PAYLOADS = ("https://example.org/zhangmiao", "https://example.org/zhangmiao/weixin")
QR_CAPTION = "扫描二维码"
SLOGAN = "不忘初心同创文明城 继续前行共筑宝山梦"
JUMP_OUT = "（下转第2版）"
JUMP_IN = "（上接第1版）"
# Ways of printing a jump (out, in), for ``jump_plan``: {to} and {frm} are page numbers.
JUMP_STYLES = (
    ("（下转第{to}版）", "（上接第{frm}版）"),
    ("（转第{to}版）", "（接第{frm}版）"),
    ("（转{to}版）", "（接{frm}版）"),
    ("下转第{to}版", "上接第{frm}版"),
)

LINE_KINDS = ("headline", "subhead", "body", "caption", "masthead", "folio", "jump")
BLOCK_KINDS = ("text", "masthead", "folio", "photo", "qr", "ad", "rule")

PDF_JPEG_QUALITY = 80
MIN_MARGIN_MM = 10.0


@dataclass
class TruthLine:
    text: str  # exact text rendered on this line (no trailing spaces)
    poly: list[tuple[float, float]]  # 4 points in scan pixels, clockwise from the text's top-left
    box: tuple[float, float, float, float]  # tight ink box in the unskewed page
    kind: str  # one of LINE_KINDS
    block: int  # index into TruthPage.blocks
    article: int | None  # article index on the page; None for masthead, folio, QR, ad


@dataclass
class TruthBlock:
    box: tuple[float, float, float, float]  # unskewed page coordinates
    kind: str  # "text" (column blocks), "masthead", "folio", "photo", "qr", "ad", "rule"
    article: int | None
    column: int | None  # first grid column it occupies
    payload: str | None = None  # QR payload for kind "qr"


@dataclass
class TruthArticle:
    index: int  # TruthLine.article on this page
    title: str  # the headline as printed here (lines joined with a space)
    full_title: str  # the article's title (a continuation may print a shorter one)
    jump_to: int | None = None  # page it continues on
    jump_from: int | None = None  # page it continues from


@dataclass
class TruthPage:
    image: np.ndarray  # uint8, HxW (gray) or HxWx3 (RGB)
    lines: list[TruthLine]
    blocks: list[TruthBlock]
    skew_degrees: float  # rotation of the text in the scan, counter-clockwise positive
    dpi: int
    columns: int
    number: int  # 1-based page number
    articles: list[TruthArticle] = field(default_factory=list)  # titles and jumps


# ---------------------------------------------------------------------------- fonts

_BODY_PREFS = ("NotoSerifCJK-Regular", "NotoSansCJK-Regular", "wqy-zenhei", "wqy-microhei")
_HEAD_PREFS = ("NotoSansCJK-Bold", "NotoSerifCJK-Bold", "NotoSansCJK-Black", "NotoSerifCJK-Black")
_SANS_PREFS = ("NotoSansCJK-Regular", "wqy-microhei", "wqy-zenhei", "NotoSerifCJK-Regular")
_CJK_FILE = re.compile(r"cjk|wqy|droidsansfallback|uming|ukai|simsun|simhei|msyh|pingfang", re.I)


@functools.cache
def _font_files() -> tuple[str, ...]:
    found: set[str] = set()
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(
                ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=30
            ).stdout
            found.update(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    for root in ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts"):
        for path in glob.glob(os.path.join(os.path.expanduser(root), "**", "*.*"), recursive=True):
            if _CJK_FILE.search(os.path.basename(path)):
                found.add(path)
    ok = (".ttf", ".ttc", ".otf", ".otc")
    return tuple(sorted(p for p in found if p.lower().endswith(ok) and os.path.isfile(p)))


def fonts() -> list[str]:
    """The CJK font files available on this machine, sorted."""
    return list(_font_files())


def _pick_font(wanted: str | None, prefs: tuple[str, ...], fallback: str | None = None) -> str:
    available = _font_files()
    if wanted:
        if os.path.isfile(wanted):
            return wanted
        warnings.warn(f"font {wanted!r} not found; choosing one", stacklevel=3)
    for pref in prefs:
        for path in available:
            if pref.lower() in os.path.basename(path).lower():
                return path
    if fallback:
        return fallback
    if not available:
        raise RuntimeError("no CJK font found (install fonts-noto-cjk or fonts-wqy-zenhei)")
    return available[0]


@functools.cache
def _face_index(path: str) -> int:
    """The index of the simplified-Chinese face in a collection (0 for plain fonts)."""
    for i in range(32):
        try:
            name = ImageFont.truetype(path, 12, index=i).getname()[0] or ""
        except OSError:
            break
        if " SC" in name or name.endswith("SC"):
            return i
    return 0


@functools.cache
def _is_bold(path: str) -> bool:
    style = ImageFont.truetype(path, 12, index=_face_index(path)).getname()[1] or ""
    return any(w in style.lower() for w in ("bold", "black", "heavy"))


@functools.cache
def _truetype(path: str, px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, px, index=_face_index(path))


class _Face:
    """A font at one pixel size, with cached advance widths."""

    def __init__(self, path: str, px: float, stroke: int = 0):
        self.px = round(px * 4) / 4
        self.font = _truetype(path, self.px)
        self.stroke = stroke
        self._widths: dict[str, float] = {}

    def width(self, token: str) -> float:
        w = self._widths.get(token)
        if w is None:
            w = self._widths[token] = self.font.getlength(token)
        return w

    def measure(self, text: str) -> float:
        return sum(self.width(t) for t in _tokens(text))


# ---------------------------------------------------------------------------- text

_CJK = "\u3000-\u30ff\u3400-\u9fff\uff00-\uffef“”‘’"
_FULLWIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_ASCII_PUNCT = re.compile(rf"(?<=[{_CJK}])\s*([,:;?!()])|([,:;?!()])(?=\s*[{_CJK}])")
_SENTENCE_END = "。！？"
_PARA_END = "。！？；…”」』）)!?."
_NO_START = set("，。、；：！？）》」』”’〕】…·%,.;:!?)]}")
_NO_END = set("（《「『“‘〔【([{")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.'\-][A-Za-z0-9]+)*%?|\s|.")
_WEAK_START = set("是这那在对将以要其并从与和为由但而也就把被让使及或即的了着")
_NOT_HEADLINE = ("扫描", "关注", "本期", "下期", "出版", "晨报", "/", "COMMUNITY")


def _normalize(line: str) -> str:
    """Typeset punctuation: ASCII ,:;?!() next to Chinese become full-width."""
    line = re.sub(r"\s+", " ", line).strip()
    return _ASCII_PUNCT.sub(lambda m: _FULLWIDTH[m.group(1) or m.group(2)], line)


def _tokens(text: str) -> list[str]:
    """Break units: one CJK character, one ASCII word or number, or one space each."""
    return [" " if t.isspace() else t for t in _TOKEN.findall(text)]


def _cjk_count(s: str) -> int:
    return sum(1 for ch in s if "\u4e00" <= ch <= "\u9fff")


@dataclass
class _Source:
    headlines: list[str]
    subheads: list[str]
    paragraphs: list[str]
    clauses: list[str]


@functools.cache
def _source(text: str | None) -> _Source:
    if text is None:
        text = SEED_TEXT.read_text(encoding="utf-8")
    raw = [_normalize(line) for line in text.splitlines()]
    raw = [line for line in raw if line]
    paragraphs: list[str] = []
    titles: list[str] = []
    i = 0
    while i < len(raw):
        line = raw[i]
        if len(line) >= 26 or line.endswith(tuple(_SENTENCE_END)):
            # A paragraph cut by a column or page break continues on the next line.
            while not line.endswith(tuple(_PARA_END)) and i + 1 < len(raw):
                i += 1
                line += raw[i]
            paragraphs.append(line)
        elif (
            _cjk_count(line) >= 4
            and not line[0].isdigit()
            and not any(w in line for w in _NOT_HEADLINE)
            and line != SLOGAN
        ):
            titles.append(line)
        i += 1
    clauses = []
    for para in paragraphs:
        for clause in re.split(r"[，。；：！？、“”（）《》]", para):
            if (
                7 <= len(clause) <= 13
                and _cjk_count(clause) == len(clause)
                and clause[0] not in _WEAK_START
            ):
                clauses.append(clause)
    if not paragraphs:
        paragraphs = [line for line in raw if len(line) > 4] or ["张庙社区晨报。"]
    headlines = [t for t in titles if len(t) < 14 or " " in t]
    subheads = [t for t in titles if t not in headlines]
    for para in paragraphs:  # long clauses make fine subheads too
        for clause in re.split(r"[，。；：！？]", para):
            if 14 <= len(clause) <= 20 and clause[0] not in _WEAK_START and "“" not in clause:
                subheads.append(clause)
    if not headlines:
        headlines = clauses[:8] or [p[:8] for p in paragraphs]
    return _Source(headlines, subheads, paragraphs, sorted(set(clauses), key=clauses.index))


@dataclass
class _Line:
    tokens: list[str]
    indent: float = 0.0
    last: bool = False  # last line of a paragraph: not justified
    kind: str = "body"
    align: str | None = None


def _wrap(text: str, face: _Face, width: float, indent: float = 0.0) -> list[_Line]:
    """Greedy line breaking by measured width, with the usual CJK kinsoku rules."""
    toks = _tokens(text)
    lines: list[_Line] = []
    cur: list[str] = []
    cur_w = 0.0
    avail = width - indent
    i = 0
    while i < len(toks):
        t = toks[i]
        if not cur and t == " ":
            i += 1
            continue
        w = face.width(t)
        if cur_w + w <= avail + 0.01 or not cur:
            if not cur and w > avail and len(t) > 1:
                toks[i : i + 1] = list(t)
                continue
            cur.append(t)
            cur_w += w
            i += 1
            continue
        k = len(cur)
        while k > 1 and len(cur) - k < 3:
            start = cur[k] if k < len(cur) else t
            if start in _NO_START or cur[k - 1] in _NO_END:
                k -= 1
            else:
                break
        i -= len(cur) - k
        cur = cur[:k]
        while cur and cur[-1] == " ":
            cur.pop()
        lines.append(_Line(cur, indent))
        cur, cur_w, indent, avail = [], 0.0, 0.0, width
    while cur and cur[-1] == " ":
        cur.pop()
    if cur:
        lines.append(_Line(cur, indent, last=True))
    return lines


def _wrap_title(text: str, face: _Face, width: float, max_lines: int) -> list[str] | None:
    """Break a headline into at most ``max_lines`` lines, at spaces if it can."""
    if face.measure(text) <= width:
        return [text]
    parts = text.split()
    if 1 < len(parts) <= max_lines and all(face.measure(p) <= width for p in parts):
        return parts
    chars = text.replace(" ", "")
    for k in range(2, max_lines + 1):
        n = math.ceil(len(chars) / k)
        pieces = [chars[j : j + n] for j in range(0, len(chars), n)]
        if all(face.measure(p) <= width for p in pieces) and not any(
            p[0] in _NO_START for p in pieces
        ):
            return pieces
    return None


# ---------------------------------------------------------------------------- canvas


class _Canvas:
    """The upright page: gray pixels (255 paper, 0 ink) plus the truth drawn so far."""

    def __init__(self, width: int, height: int):
        self.img = np.full((height, width), 255, np.uint8)
        self.lines: list[TruthLine] = []
        self.blocks: list[TruthBlock] = []

    def block(self, kind: str, article: int | None, column: int | None, **kw) -> int:
        self.blocks.append(TruthBlock((0.0, 0.0, 0.0, 0.0), kind, article, column, **kw))
        return len(self.blocks) - 1

    def close(self, index: int, x0: float | None = None, x1: float | None = None) -> None:
        """Set a text block's box to the union of its lines (optionally a fixed x-range)."""
        boxes = [ln.box for ln in self.lines if ln.block == index]
        if not boxes:
            return
        bx0 = min(b[0] for b in boxes) if x0 is None else min(x0, *(b[0] for b in boxes))
        bx1 = max(b[2] for b in boxes) if x1 is None else max(x1, *(b[2] for b in boxes))
        y0 = min(b[1] for b in boxes)
        y1 = max(b[3] for b in boxes)
        self.blocks[index].box = (float(bx0), float(y0), float(bx1), float(y1))

    def stamp(self, ink: np.ndarray, ox: int, oy: int) -> None:
        """Darken the page by an ink mask (255 = full ink) placed at (ox, oy)."""
        h, w = ink.shape
        x0, y0 = max(ox, 0), max(oy, 0)
        x1, y1 = min(ox + w, self.img.shape[1]), min(oy + h, self.img.shape[0])
        if x1 <= x0 or y1 <= y0:
            return
        sub = ink[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
        region = self.img[y0:y1, x0:x1]
        np.minimum(region, 255 - sub, out=region)

    def text(
        self,
        tokens: list[str] | str,
        face: _Face,
        x: float,
        top: float,
        *,
        kind: str,
        block: int,
        article: int | None,
        width: float | None = None,
        align: str = "left",
        space: float | None = None,
    ) -> TruthLine | None:
        """Draw one line with its em box starting at ``top``; return its truth."""
        if isinstance(tokens, str):
            tokens = _tokens(tokens)
        widths = [space if (t == " " and space) else face.width(t) for t in tokens]
        natural = sum(widths)
        gap, offset = 0.0, 0.0
        if width is not None:
            spare = width - natural
            if align == "justify" and len(tokens) > 1 and 0 < spare < face.px * len(tokens) / 2:
                gap = spare / (len(tokens) - 1)
            elif align == "center":
                offset = spare / 2
            elif align == "right":
                offset = spare
        em = face.px
        pad = int(em * 0.4) + face.stroke + 2
        ox, oy = math.floor(x + offset) - pad, math.floor(top) - pad
        mw = int(math.ceil(natural + gap * len(tokens) + 2 * pad + em))
        mh = int(math.ceil(em * 1.3 + 2 * pad))
        mask = Image.new("L", (mw, mh), 0)
        draw = ImageDraw.Draw(mask)
        baseline = top + 0.88 * em - oy
        pos = x + offset - ox
        for t, w in zip(tokens, widths, strict=True):
            if t != " ":
                draw.text(
                    (pos, baseline),
                    t,
                    font=face.font,
                    fill=255,
                    anchor="ls",
                    stroke_width=face.stroke,
                    stroke_fill=255,
                )
            pos += w + gap
        bbox = mask.getbbox()
        if bbox is None:
            return None
        self.stamp(np.asarray(mask), ox, oy)
        box = (float(ox + bbox[0]), float(oy + bbox[1]), float(ox + bbox[2]), float(oy + bbox[3]))
        line = TruthLine("".join(tokens).strip(), [], box, kind, block, article)
        self.lines.append(line)
        return line

    def vtext(
        self,
        chars: str,
        face: _Face,
        cx: float,
        top: float,
        advance: float,
        *,
        kind: str,
        block: int,
        article: int | None,
    ) -> TruthLine | None:
        """Draw one vertical line: ``chars`` top to bottom, centred on ``cx``, one every
        ``advance`` pixels from ``top``; return its truth (text in reading order)."""
        em = face.px
        pad = int(em * 0.4) + face.stroke + 2
        ox, oy = math.floor(cx - em / 2) - pad, math.floor(top) - pad
        mw = int(math.ceil(em + 2 * pad)) + 1
        mh = int(math.ceil(advance * len(chars) + 2 * pad)) + 1
        mask = Image.new("L", (mw, mh), 0)
        draw = ImageDraw.Draw(mask)
        for i, ch in enumerate(chars):
            draw.text(
                (cx - ox, top + (i + 0.5) * advance - oy),
                ch,
                font=face.font,
                fill=255,
                anchor="mm",
                stroke_width=face.stroke,
                stroke_fill=255,
            )
        bbox = mask.getbbox()
        if bbox is None:
            return None
        self.stamp(np.asarray(mask), ox, oy)
        box = (float(ox + bbox[0]), float(oy + bbox[1]), float(ox + bbox[2]), float(oy + bbox[3]))
        line = TruthLine(chars, [], box, kind, block, article)
        self.lines.append(line)
        return line

    def rule(self, x0: float, y0: float, x1: float, y1: float) -> None:
        xi0, yi0 = round(x0), round(y0)
        xi1, yi1 = max(round(x1), xi0 + 1), max(round(y1), yi0 + 1)
        self.img[yi0:yi1, xi0:xi1] = 0
        self.blocks.append(TruthBlock(_fbox(xi0, yi0, xi1, yi1), "rule", None, None))

    def photo(self, box: tuple[float, float, float, float], article: int, column: int, rng):
        x0, y0, x1, y1 = (round(v) for v in box)
        self.img[y0:y1, x0:x1] = _photo_pixels(x1 - x0, y1 - y0, rng)
        self.blocks.append(TruthBlock(_fbox(x0, y0, x1, y1), "photo", article, column))

    def qr(self, x: float, y: float, size: float, payload: str, column: int | None) -> float:
        """Draw a QR code of at most ``size`` px at (x, y); return its actual size (0 if none)."""
        matrix = _qr_matrix(payload)
        if matrix is None:
            return 0.0
        n = matrix.shape[0]
        module = int(size // n)
        if module < 2:
            return 0.0
        pixels = np.kron(np.where(matrix, 0, 255).astype(np.uint8), np.ones((module, module)))
        xi, yi = round(x), round(y)
        side = n * module
        self.img[yi : yi + side, xi : xi + side] = pixels.astype(np.uint8)
        box = _fbox(xi, yi, xi + side, yi + side)
        self.blocks.append(TruthBlock(box, "qr", None, column, payload))
        return float(side)


def _fbox(*v: float) -> tuple[float, float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]), float(v[3]))


def _qr_matrix(payload: str) -> np.ndarray | None:
    """The QR modules (True = dark), without quiet zone; None if no QR library."""
    try:
        import qrcode

        q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        q.add_data(payload)
        q.make(fit=True)
        return np.array(q.get_matrix(), dtype=bool)
    except ImportError:
        pass
    try:
        import segno

        return np.array(segno.make(payload, error="m").matrix, dtype=bool)
    except ImportError:
        warnings.warn("neither qrcode nor segno is installed: no QR codes", stacklevel=3)
        return None


def _photo_pixels(w: int, h: int, rng: random.Random) -> np.ndarray:
    """A smooth, photo-like picture: a gradient sky, ground and a few soft shapes."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    g = xx * math.cos(angle) + yy * math.sin(angle)
    g = (g - g.min()) / max(float(np.ptp(g)), 1.0)
    a, b = rng.uniform(150, 220), rng.uniform(80, 150)
    img = (a + (b - a) * g).astype(np.float32)
    horizon = int(h * rng.uniform(0.55, 0.8))
    img[horizon:] *= 0.7
    for _ in range(rng.randint(3, 7)):
        level = rng.uniform(40, 200)
        cx, cy = rng.randint(0, w), rng.randint(h // 4, h)
        if rng.random() < 0.5:
            axes = (rng.randint(w // 12 + 1, w // 4 + 2), rng.randint(h // 10 + 1, h // 3 + 2))
            cv2.ellipse(img, (cx, cy), axes, rng.uniform(0, 180), 0, 360, level, -1)
        else:
            bw, bh = rng.randint(w // 10 + 1, w // 3 + 2), rng.randint(h // 5 + 1, h // 2 + 2)
            cv2.rectangle(img, (cx - bw // 2, cy - bh), (cx + bw // 2, horizon), level, -1)
    img = cv2.GaussianBlur(img, (0, 0), max(w, h) / 120 + 0.5)
    grain = cv2.GaussianBlur(nrng.normal(0, 8, (h, w)).astype(np.float32), (0, 0), 1.2)
    return np.clip(img + grain, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------- layout


@dataclass
class _Ctx:
    cv: _Canvas
    rng: random.Random
    dpi: int
    ppmm: float
    body_path: str
    head_path: str
    sans_path: str
    body_px: float
    head_px: float
    pitch: float
    src: _Source
    number: int
    jump_out: bool
    jump_in: bool
    jump_title: str
    order: list[int] = field(default_factory=list)
    next_para: int = 0
    articles: int = 0
    titles: set[str] = field(default_factory=set)
    # Jumps as planned by ``jump_plan`` (the defaults print the sample issue's jump).
    jump_out_text: str = JUMP_OUT
    jump_in_text: str = JUMP_IN
    jump_out_title: str | None = None
    jump_in_title: str | None = None  # the title printed on the continuation
    jump_in_scale: float = 1.0  # continuation headline size, relative
    jump_to: int = 2
    jump_from: int = 1
    ad_slots: float = 0.0
    ad_rng: random.Random | None = None
    truth: dict[int, TruthArticle] = field(default_factory=dict)
    vertical: float = 0.0  # chance that an article's headline is set vertically
    vertical_rng: random.Random | None = None
    module_cols: list[tuple[float, float]] | None = None  # the last module's columns

    faces: dict[tuple[str, float], _Face] = field(default_factory=dict)

    def face(self, role: str, px: float) -> _Face:
        """The body, headline ("head") or caption ("sans") font at ``px`` pixels."""
        key = (role, round(px * 4) / 4)
        if key not in self.faces:
            if role == "head":
                stroke = 0 if _is_bold(self.head_path) else max(1, round(px / 28))
                self.faces[key] = _Face(self.head_path, px, stroke)
            else:
                self.faces[key] = _Face(self.sans_path if role == "sans" else self.body_path, px)
        return self.faces[key]

    def paragraph(self) -> str:
        para = self.src.paragraphs[self.order[self.next_para % len(self.order)]]
        self.next_para += 1
        return para


def _margin_mm(width_mm: float, height_mm: float, skew_degrees: float) -> float:
    """A margin wide enough that rotating by the skew (or 3°, whichever is more) keeps
    every mark on the canvas; so layouts with |skew| <= 3° are identical."""
    radius = math.hypot(width_mm, height_mm) / 2
    turn = math.radians(max(abs(skew_degrees), 3.0))
    return max(MIN_MARGIN_MM, radius * math.sin(turn) + 2.0)


def _masthead(ctx: _Ctx, x0: float, x1: float, y0: float, mh: float, n_qr: int) -> float:
    """Draw the front-page masthead; return the y where the body may start."""
    cv, mm = ctx.cv, ctx.ppmm
    gap = 4 * mm
    right = x1
    cap = ctx.face("sans", ctx.body_px * 0.8)
    qr_size = min(mh * 0.62, 24 * mm)
    for k in range(n_qr):
        slot = max(qr_size, cap.measure(QR_CAPTION))
        sx = right - slot
        qy = y0 + (mh - qr_size - cap.px * 1.35) / 2
        side = cv.qr(sx + (slot - qr_size) / 2, qy, qr_size, QR_PAYLOADS[k % 2], None)
        if side:
            bi = cv.block("text", None, None)
            cv.text(
                QR_CAPTION,
                cap,
                sx,
                qy + side + cap.px * 0.35,
                kind="caption",
                block=bi,
                article=None,
                width=slot,
                align="center",
            )
            cv.close(bi)
            right = sx - gap
    info = ctx.face("body", ctx.body_px * 0.9)
    zone = min((right - x0) * 0.42, max(info.measure(t) for t in (ISSUE_DATE, ISSUE_LINE)) * 2.2)
    texts = [t for t in (ISSUE_DATE, ISSUE_LINE, NEXT_ISSUE, PUBLISHER) if info.measure(t) <= zone]
    texts = texts[: max(1, int(mh // (info.px * 1.5)))]
    top = y0 + (mh - len(texts) * info.px * 1.5) / 2
    bi = cv.block("masthead", None, None)
    for t in texts:
        cv.text(
            t,
            info,
            right - zone,
            top,
            kind="masthead",
            block=bi,
            article=None,
            width=zone,
            align="right",
        )
        top += info.px * 1.5
    cv.close(bi)
    right -= zone + gap
    # Title: 张 庙, with 社区晨报 and the English name stacked to its right.
    unit, eng_unit = ctx.face("head", 100), ctx.face("sans", 100)
    side_w = max(0.42 * unit.measure(SUBTITLE), 0.11 * eng_unit.measure(ENGLISH_TITLE))
    need = (unit.measure(TITLE) + side_w) / 100 + 0.15
    s1 = max(ctx.body_px, min(mh * 0.7, (right - x0) / need))
    title = ctx.face("head", s1)
    top = y0 + (mh - s1) / 2
    bi = cv.block("masthead", None, None)
    cv.text(TITLE, title, x0, top, kind="masthead", block=bi, article=None)
    sx = x0 + title.measure(TITLE) + 0.15 * s1
    sub = ctx.face("head", s1 * 0.42)
    cv.text(SUBTITLE, sub, sx, top + 0.06 * s1, kind="masthead", block=bi, article=None)
    eng = ctx.face("sans", s1 * 0.11)
    cv.text(
        ENGLISH_TITLE,
        eng,
        sx,
        top + 0.06 * s1 + sub.px * 1.4,
        kind="masthead",
        block=bi,
        article=None,
    )
    cv.close(bi)
    y = max(b.box[3] for b in cv.blocks) + 2.5 * mm
    cv.rule(x0, y, x1, y + 0.8 * mm)
    cv.rule(x0, y + 1.6 * mm, x1, y + 1.85 * mm)
    return y + 1.85 * mm + ctx.pitch


def _running_head(ctx: _Ctx, x0: float, x1: float, y0: float) -> float:
    face = ctx.face("sans", ctx.body_px * 0.85)
    text = f"{ISSUE_DATE}  张庙社区晨报  第{ctx.number}版"
    bi = ctx.cv.block("folio", None, None)
    align = "right" if ctx.number % 2 else "left"
    ctx.cv.text(
        text,
        face,
        x0,
        y0,
        kind="folio",
        block=bi,
        article=None,
        width=x1 - x0,
        align=align,
        space=face.px,
    )
    ctx.cv.close(bi)
    y = y0 + face.px * 1.35
    ctx.cv.rule(x0, y, x1, y + 0.3 * ctx.ppmm)
    return y + 0.3 * ctx.ppmm + ctx.pitch * 0.8


def _foot(ctx: _Ctx, x0: float, x1: float, y1: float) -> float:
    face = ctx.face("sans", ctx.body_px * 0.85)
    top = y1 - face.px
    bi = ctx.cv.block("folio", None, None)
    ctx.cv.text(
        f"- {ctx.number} -",
        face,
        x0,
        top,
        kind="folio",
        block=bi,
        article=None,
        width=x1 - x0,
        align="center",
    )
    ctx.cv.close(bi)
    return top - ctx.pitch


def _ad(ctx: _Ctx, x0: float, x1: float, y0: float, y1: float) -> None:
    """A public-service banner: a framed slogan across the page."""
    cv, mm = ctx.cv, ctx.ppmm
    bi = cv.block("ad", None, 0)
    cv.blocks[bi].box = _fbox(round(x0), round(y0), round(x1), round(y1))
    t = max(2, round(0.5 * mm))
    for box in (
        (x0, y0, x1, y0 + t),
        (x0, y1 - t, x1, y1),
        (x0, y0, x0 + t, y1),
        (x1 - t, y0, x1, y1),
    ):
        r = [round(v) for v in box]
        cv.img[r[1] : r[3], r[0] : r[2]] = 0
    px = min((y1 - y0) * 0.5, ctx.head_px)
    for _ in range(12):
        face = ctx.face("head", px)
        parts = _wrap_title(SLOGAN, face, (x1 - x0) * 0.9, 2)
        if parts and len(parts) * px * 1.3 <= (y1 - y0) * 0.85:
            break
        px *= 0.9
    else:
        return
    top = (y0 + y1) / 2 - len(parts) * px * 1.3 / 2 + 0.15 * px
    for p in parts:
        cv.text(
            p, face, x0, top, kind="headline", block=bi, article=None, width=x1 - x0, align="center"
        )
        top += px * 1.3


def _compose(columns: int, rng: random.Random, lead: bool) -> list[int]:
    """Column spans of the articles side by side in one band."""
    if lead and columns >= 3 and rng.random() < 0.55:
        return [columns]
    spans: list[int] = []
    left = columns
    while left:
        choices = [s for s in (1, 2, 3, 4) if s <= left]
        weights = [(2, 4, 3, 1)[s - 1] for s in choices]
        s = rng.choices(choices, weights)[0]
        spans.append(s)
        left -= s
    return spans


def _headline(ctx: _Ctx, text: str, width: float, px: float) -> tuple[_Face, list[str]]:
    floor = ctx.body_px * 1.15
    px = min(px, max(width / 5.2, floor))
    while True:
        face = ctx.face("head", px)
        lines = _wrap_title(text, face, width, 3)
        if lines:
            return face, lines
        if px <= floor:
            lines = _wrap_title(text, face, width, 6)
            if lines:
                return face, lines
            short = min(ctx.src.clauses or ctx.src.headlines, key=len)
            return face, _wrap_title(short, face, width, 6) or [short[: max(1, int(width // px))]]
        px = max(floor, px * 0.9)


def _caption_text(ctx: _Ctx, face: _Face, width: float) -> str:
    clause = ctx.rng.choice(ctx.src.clauses or ctx.src.headlines)
    text = "图为" + clause
    while len(text) > 3 and face.measure(text) > width:
        text = text[:-1]
    return text.rstrip("，、；：")


def _fill(ctx: _Ctx, face: _Face, width: float, capacity: int) -> list[_Line]:
    """Body lines for one article: whole paragraphs, the last cut at a sentence end."""
    out: list[_Line] = []
    if ctx.jump_in:
        out.append(_Line(_tokens(ctx.jump_in_text), last=True, kind="jump", align="left"))
        ctx.jump_in = False
    indent = 2 * face.px
    tries = 0
    while len(out) < capacity and tries < 4:
        para = ctx.paragraph()
        lines = _wrap(para, face, width, indent)
        room = capacity - len(out)
        if len(lines) <= room:
            out += lines
            continue
        tries += 1
        # Cut at the last sentence end that fits, else at a clause end made a full stop.
        cuts = [para[: m.end()] for m in re.finditer(rf"[{_SENTENCE_END}]”?", para)]
        cuts += [para[: m.start()] + "。" for m in re.finditer("[，；]", para) if m.start() > 15]
        for part in sorted(cuts, key=len, reverse=True):
            wrapped = _wrap(part, face, width, indent)
            if len(wrapped) <= room:
                out += wrapped
                break
    return out


def _fill_to_jump(ctx: _Ctx, face: _Face, width: float, capacity: int) -> list[_Line]:
    """Body lines that fill ``capacity`` exactly, the last one being the jump line."""
    out: list[_Line] = []
    while len(out) < capacity - 1:
        out += _wrap(ctx.paragraph(), face, width, 2 * face.px)
    out = out[: max(0, capacity - 1)]
    if out:
        out[-1].last = False
    out.append(_Line(_tokens(ctx.jump_out_text), last=True, kind="jump", align="right"))
    return out


def _module(
    ctx: _Ctx,
    cols: list[tuple[float, float]],
    c0: int,
    span: int,
    y0: float,
    y1: float,
    *,
    head_px: float,
    photo: bool,
    qrs: list[str],
    jump_out: bool,
    title: str | None,
    vertical: str | None = None,
) -> list[float]:
    """Lay out one article in columns c0..c0+span-1 between y0 and y1.

    ``vertical`` ("left" or "right") sets the headline top to bottom in a strip on that
    side, its body columns narrowed beside it (``ctx.module_cols``: the columns used).
    Returns, per column of the span, the y where its body text starts (for gutter rules).
    """
    cv, rng, mm = ctx.cv, ctx.rng, ctx.ppmm
    art = ctx.articles
    ctx.articles += 1
    mx0, mx1 = cols[c0][0], cols[c0 + span - 1][1]
    if not title:
        heads = [t for t in ctx.src.headlines if t not in ctx.titles]
        clauses = [t for t in ctx.src.clauses if t not in ctx.titles]
        pool = heads if heads and (rng.random() < 0.5 or not clauses) else clauses
        title = rng.choice(pool or ctx.src.headlines)
    ctx.titles.add(title)
    ctx.truth[art] = TruthArticle(art, title, title)
    narrowed = _vertical_headline(ctx, cols, c0, span, y0, y1, title, head_px, art, vertical)
    if narrowed is not None:
        cols, body_top = narrowed, y0
    else:
        face, parts = _headline(ctx, title, mx1 - mx0, head_px)
        align = rng.choice(("left", "center")) if span > 1 else "left"
        bi = cv.block("text", art, c0)
        top = y0
        for p in parts:
            cv.text(
                p,
                face,
                mx0,
                top,
                kind="headline",
                block=bi,
                article=art,
                width=mx1 - mx0,
                align=align,
            )
            top += face.px * 1.25
        if ctx.src.subheads and rng.random() < 0.35:
            sub = ctx.face("sans", ctx.body_px * 1.2)
            lines = _wrap_title(rng.choice(ctx.src.subheads), sub, mx1 - mx0, 2)
            for p in lines or []:
                top += sub.px * 0.1
                cv.text(
                    p,
                    sub,
                    mx0,
                    top,
                    kind="subhead",
                    block=bi,
                    article=art,
                    width=mx1 - mx0,
                    align=align,
                )
                top += sub.px * 1.35
        cv.close(bi)
        body_top = top + ctx.pitch * 0.45
    ctx.module_cols = cols
    tops = [body_top] * span
    bottoms = [y1] * span
    body = ctx.face("body", ctx.body_px)
    if photo:
        ps = span if span <= 2 else rng.choice((span - 1, span))
        pc = c0 if rng.random() < 0.6 else c0 + span - ps
        px0, px1 = cols[pc][0], cols[pc + ps - 1][1]
        ph = min((px1 - px0) * rng.uniform(0.55, 0.72), (y1 - body_top) * 0.45)
        cap = ctx.face("sans", ctx.body_px * 0.85)
        if ph >= 12 * mm:
            cv.photo((px0, body_top, px1, body_top + ph), art, pc, rng)
            cb = cv.block("text", art, pc)
            ctop = round(body_top + ph) + cap.px * 0.35
            cv.text(
                _caption_text(ctx, cap, px1 - px0),
                cap,
                px0,
                ctop,
                kind="caption",
                block=cb,
                article=art,
            )
            cv.close(cb)
            for c in range(pc, pc + ps):
                tops[c - c0] = ctop + cap.px + ctx.pitch * 0.55
    last = c0 + span - 1
    for payload in qrs:
        cx0, cx1 = cols[last]
        cap = ctx.face("sans", min(ctx.body_px * 0.8, (cx1 - cx0) / 5.5))
        size = min((cx1 - cx0) * 0.75, 22 * mm, (bottoms[-1] - tops[-1]) * 0.5)
        matrix = _qr_matrix(payload)
        if matrix is None or size < matrix.shape[0] * 2:
            continue
        side = (size // matrix.shape[0]) * matrix.shape[0]
        ctop = bottoms[-1] - cap.px
        qy = ctop - cap.px * 0.35 - side
        cv.qr(cx0 + (cx1 - cx0 - side) / 2, qy, side, payload, last)
        cb = cv.block("text", None, last)
        cv.text(
            QR_CAPTION,
            cap,
            cx0,
            ctop,
            kind="caption",
            block=cb,
            article=None,
            width=cx1 - cx0,
            align="center",
        )
        cv.close(cb)
        bottoms[-1] = qy - ctx.pitch * 0.6
    slots = []
    for k in range(span):
        room = bottoms[k] - tops[k]
        slots.append(int((room - body.px) // ctx.pitch) + 1 if room >= body.px else 0)
    width = cols[c0][1] - cols[c0][0]
    if jump_out:
        lines = _fill_to_jump(ctx, body, width, sum(slots))
    else:
        lines = _fill(ctx, body, width, sum(slots))
    for j, n in enumerate(slots):
        chunk, lines = lines[:n], lines[n:]
        if not chunk:
            continue
        c = c0 + j
        bi = cv.block("text", art, c)
        for i, ln in enumerate(chunk):
            align = ln.align or ("left" if ln.last else "justify")
            face = body
            natural = sum(body.width(t) for t in ln.tokens)
            if natural > width - ln.indent:  # a jump line in a narrow column: set it smaller
                face = ctx.face("body", body.px * (width - ln.indent) / natural * 0.98)
            cv.text(
                ln.tokens,
                face,
                cols[c][0] + ln.indent,
                tops[j] + i * ctx.pitch,
                kind=ln.kind,
                block=bi,
                article=art,
                width=width - ln.indent,
                align=align,
            )
        cv.close(bi, cols[c][0], cols[c][1])
    return tops


def _vertical_headline(
    ctx: _Ctx,
    cols: list[tuple[float, float]],
    c0: int,
    span: int,
    y0: float,
    y1: float,
    title: str,
    head_px: float,
    art: int,
    side: str | None,
) -> list[tuple[float, float]] | None:
    """Set ``title`` vertically in a strip on ``side`` of the module (words, or pieces of
    a long title, in columns read right to left); return the module's narrowed columns,
    None (nothing drawn) when there is no side or no room."""
    if side not in ("left", "right"):
        return None
    words = ["".join(ch for ch in w if "\u4e00" <= ch <= "\u9fff") for w in title.split()]
    words = [w for w in words if w]
    if not words:
        return None
    chars = "".join(words)
    room = (y1 - y0) * 0.8
    floor = ctx.body_px * 1.3
    mx0, mx1 = cols[c0][0], cols[c0 + span - 1][1]
    gutter = cols[c0 + 1][0] - cols[c0][1] if span > 1 else 0.0
    px = max(head_px, floor)
    while True:
        columns = None
        for k in range(1, 4):
            n = math.ceil(len(chars) / k)
            pieces = (
                words if k == len(words) else [chars[j : j + n] for j in range(0, len(chars), n)]
            )
            if all(len(p) * px * 1.08 <= room for p in pieces):
                columns = pieces
                break
        if columns is not None:
            pitch = px * 1.3
            strip = (len(columns) - 1) * pitch + px
            gap = 0.5 * px + ctx.body_px
            bx0, bx1 = (mx0, mx1 - strip - gap) if side == "right" else (mx0 + strip + gap, mx1)
            bw = (bx1 - bx0 - (span - 1) * gutter) / span
            if bw >= 6 * ctx.body_px:  # columns of a few characters read as vertical text
                break
        if px <= floor:
            return None
        px = max(floor, px * 0.9)
    face = ctx.face("head", px)
    sx1 = mx1 if side == "right" else mx0 + strip
    bi = ctx.cv.block("text", art, c0 + span - 1 if side == "right" else c0)
    for i, piece in enumerate(columns):  # the first column is the rightmost
        cx = sx1 - px / 2 - i * pitch
        ctx.cv.vtext(piece, face, cx, y0, px * 1.08, kind="headline", block=bi, article=art)
    ctx.cv.close(bi)
    if "".join(columns) != title.replace(" ", ""):  # punctuation left out
        ctx.truth[art].title = " ".join(words)
    out = list(cols)
    for k in range(span):
        a = bx0 + k * (bw + gutter)
        out[c0 + k] = (float(round(a)), float(round(a + bw)))
    return out


def _body(
    ctx: _Ctx,
    x0: float,
    x1: float,
    y0: float,
    y1: float,
    *,
    columns: int,
    rules: bool,
    photos: int,
    qr: int,
) -> None:
    cv, rng, mm = ctx.cv, ctx.rng, ctx.ppmm
    gutter = rng.uniform(4.0, 6.0) * mm
    col_w = (x1 - x0 - (columns - 1) * gutter) / columns
    cols = [(x0 + i * (col_w + gutter), x0 + i * (col_w + gutter) + col_w) for i in range(columns)]
    cols = [(float(round(a)), float(round(b))) for a, b in cols]
    rule_w = max(1.0, 0.2 * mm)
    head_min = ctx.head_px * 1.25 + ctx.pitch * 6
    if rng.random() < 0.3 and (y1 - y0) > 3 * head_min:
        ad_h = min(max(0.12 * (y1 - y0), 16 * mm), 28 * mm)
        _ad(ctx, x0, x1, y1 - ad_h, y1)
        y1 -= ad_h + ctx.pitch
    band_gap = ctx.pitch * 1.2
    n = max(1, min(4, round((y1 - y0) / (rng.uniform(70, 110) * mm))))
    while n > 1 and (y1 - y0 - (n - 1) * band_gap) / n < head_min:
        n -= 1
    weights = [rng.uniform(0.85, 1.25) for _ in range(n)]
    avail = y1 - y0 - (n - 1) * band_gap
    bands = []
    top = y0
    for w in weights:
        h = avail * w / sum(weights)
        bands.append((top, top + h))
        top += h + band_gap
    modules = []  # (band, first column, span)
    for b in range(n):
        c = 0
        for s in _compose(columns, rng, lead=b == 0):
            modules.append((b, c, s))
            c += s
    wide = [m for m in modules if m[2] > 1]
    narrow = [m for m in modules if m[2] == 1]
    rng.shuffle(wide)
    rng.shuffle(narrow)
    with_photo = set((wide + narrow)[: max(0, photos)])
    last_band = [m for m in modules if m[0] == n - 1][::-1]
    qr_for: dict[tuple[int, int, int], list[str]] = {}
    for k in range(max(0, qr)):
        qr_for.setdefault(last_band[k % len(last_band)], []).append(QR_PAYLOADS[k % 2])
    for i, (b, c, s) in enumerate(modules):
        by0, by1 = bands[b]
        jump_out = ctx.jump_out and i == len(modules) - 1
        jump_in = ctx.jump_in and i == 0
        title = ctx.jump_title if (jump_out or jump_in) else None
        if jump_out and ctx.jump_out_title:
            title = ctx.jump_out_title
        elif jump_in and ctx.jump_in_title:
            title = ctx.jump_in_title
        head_px = ctx.head_px if b == 0 else ctx.head_px * 0.8
        if jump_in and ctx.jump_in_scale != 1.0:
            head_px *= ctx.jump_in_scale
        art = ctx.articles
        ctx.module_cols = None
        if (
            ctx.ad_rng is not None
            and s == 1
            and b > 0
            and not (jump_out or jump_in or qr_for.get((b, c, s)))
            and ctx.ad_rng.random() < ctx.ad_slots
        ):
            # An ad in the gap where an article would be: a framed box in one column.
            ah = min(by1 - by0, max(0.4 * (by1 - by0), 30 * ctx.ppmm))
            _ad(ctx, cols[c][0], cols[c][1], by0, by0 + ah)
            tops = [by0]
        else:
            vertical = None
            vrng = None if jump_out or jump_in else ctx.vertical_rng
            if vrng is not None and vrng.random() < ctx.vertical:
                vertical = vrng.choice(("right", "left"))
            tops = _module(
                ctx,
                cols,
                c,
                s,
                by0,
                by1,
                head_px=head_px,
                photo=(b, c, s) in with_photo,
                qrs=qr_for.get((b, c, s), []),
                jump_out=jump_out,
                title=title,
                vertical=vertical,
            )
            if jump_out:
                ctx.truth[art].jump_to = ctx.jump_to
                ctx.truth[art].full_title = ctx.jump_out_title or ctx.jump_title
            if jump_in:
                ctx.truth[art].jump_from = ctx.jump_from
                ctx.truth[art].full_title = ctx.jump_title
        if not rules:
            continue
        mcols = ctx.module_cols or cols  # a vertical headline narrows its columns
        for g in range(c, c + s - 1):
            if rng.random() < 0.75:  # rules inside an article are sometimes left out
                gx = (mcols[g][1] + mcols[g + 1][0] - rule_w) / 2
                cv.rule(gx, max(tops[g - c], tops[g + 1 - c]) - ctx.pitch * 0.3, gx + rule_w, by1)
        if c + s < columns:
            gx = (cols[c + s - 1][1] + cols[c + s][0] - rule_w) / 2
            cv.rule(gx, by0, gx + rule_w, by1)
    if rules:
        for b in range(n - 1):
            ry = bands[b][1] + (band_gap - rule_w) / 2
            cv.rule(x0, ry, x1, ry + rule_w)


# ---------------------------------------------------------------------------- scan


def _rotation(width: int, height: int, skew_degrees: float) -> np.ndarray:
    """2x3 matrix rotating page pixels counter-clockwise (on screen) about the centre."""
    return cv2.getRotationMatrix2D((width / 2, height / 2), skew_degrees, 1.0)


def scan_polys(lines: list[TruthLine], width: int, height: int, skew_degrees: float) -> None:
    """Set each line's ``poly``: its box's corners turned by the scan's skew."""
    m = _rotation(width, height, skew_degrees)
    for ln in lines:
        bx0, by0, bx1, by1 = ln.box
        corners = np.array([[bx0, by0, 1], [bx1, by0, 1], [bx1, by1, 1], [bx0, by1, 1]])
        ln.poly = [(float(x), float(y)) for x, y in corners @ m.T]


def _scan(
    img: np.ndarray,
    *,
    skew: float,
    blur: float,
    noise: float,
    jpeg_quality: int | None,
    color: bool,
    seed: str,
) -> np.ndarray:
    h, w = img.shape
    rng = np.random.default_rng(zlib.crc32(seed.encode()))
    out = img.astype(np.float32)
    if skew:
        # OpenCV puts pixel centres at integers; ours are at i + 0.5.
        m = cv2.getRotationMatrix2D((w / 2 - 0.5, h / 2 - 0.5), skew, 1.0)
        out = cv2.warpAffine(out, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255.0)
    if blur > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur)
    if noise > 0 or color:
        # Off-white, slightly uneven paper and not quite black ink.
        paper = 255 - rng.uniform(6, 13)
        low = cv2.resize(rng.normal(0, 2.5, (6, 8)).astype(np.float32), (w, h), cv2.INTER_CUBIC)
        ink = rng.uniform(18, 34)
        out = ink + (paper + low - ink) * (out / 255.0)
    if color:
        tint = np.array([1.0, 0.975, 0.9], np.float32)  # yellowish paper
        ink_rgb = np.array([30, 28, 34], np.float32)
        frac = (out / 255.0)[..., None]
        out = ink_rgb + (255 * tint - ink_rgb) * frac
    if noise > 0:
        grain = rng.standard_normal(out.shape[:2], dtype=np.float32) * noise
        out = out + (grain[..., None] if color else grain)
    out = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    if jpeg_quality is not None:
        buf = io.BytesIO()
        Image.fromarray(out).save(buf, "JPEG", quality=int(jpeg_quality))
        out = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB" if color else "L"))
    return out


# ---------------------------------------------------------------------------- API


def render_page(
    *,
    number: int = 1,
    columns: int = 4,
    dpi: int = 300,
    width_mm: float = 180,
    height_mm: float = 250,
    font: str | None = None,
    headline_font: str | None = None,
    body_pt: float = 10.5,
    headline_pt: float = 22,
    rules: bool = True,
    photos: int = 1,
    qr: int = 0,
    masthead: bool = False,
    skew_degrees: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
    jpeg_quality: int | None = None,
    color: bool = False,
    seed: int = 0,
    text: str | None = None,
    jumps: list[dict] | None = None,
    ad_slots: float = 0.0,
    vertical_headlines: float = 0.0,
) -> TruthPage:
    """Render one page with known truth (see the module docstring).

    ``font``/``headline_font`` are font files (a missing one is replaced, with a warning,
    by an installed CJK font); ``photos`` and ``qr`` are counts (on a masthead page the
    first two QR codes go in the masthead); ``text`` replaces the seed issue's text.
    Layout is the same for any ``|skew_degrees| <= 3``: only the scan effects differ.
    ``blur`` is a Gaussian sigma in pixels, ``noise`` a standard deviation in gray
    levels (with it, the paper turns slightly off-white), ``jpeg_quality`` a JPEG round
    trip, ``color`` an RGB image on yellowish paper.

    ``jumps`` is an issue's jump plan (see :func:`jump_plan`): the page's last article
    continues on a later page, its first continues an article of an earlier page. When
    None, the sample issue's jump: page 1 continued on page 2, in 60% of issues.
    ``ad_slots`` is the chance that a one-column article below the top band is replaced
    by an ad box. ``TruthPage.articles`` records the titles and the jumps.

    ``vertical_headlines`` is the chance (``True``: always) that an article's headline is
    set top to bottom in a strip at its left or right, its columns narrowed beside it
    (not for jumping articles, nor where the strip would not fit): one truth line per
    vertical column, in reading order (columns right to left).
    """
    if columns < 1:
        raise ValueError("columns must be >= 1")
    ppmm = dpi / 25.4
    width, height = round(width_mm * ppmm), round(height_mm * ppmm)
    rng = random.Random(f"zhangmiao:{seed}:{number}")
    issue = random.Random(f"zhangmiao:{seed}:issue")
    body_path = _pick_font(font, _BODY_PREFS)
    src = _source(text)
    jump = issue.random() < 0.6
    out_j = next((j for j in jumps or [] if j["from"] == number), None)
    in_j = next((j for j in jumps or [] if j["to"] == number), None)
    ctx = _Ctx(
        cv=_Canvas(width, height),
        rng=rng,
        dpi=dpi,
        ppmm=ppmm,
        body_path=body_path,
        head_path=_pick_font(headline_font, _HEAD_PREFS, fallback=body_path),
        sans_path=_pick_font(None, _SANS_PREFS, fallback=body_path),
        body_px=body_pt * dpi / 72,
        head_px=headline_pt * dpi / 72,
        pitch=body_pt * dpi / 72 * rng.uniform(1.42, 1.6),
        src=src,
        number=number,
        jump_out=out_j is not None if jumps is not None else jump and number == 1,
        jump_in=in_j is not None if jumps is not None else jump and number == 2,
        jump_title=issue.choice(src.headlines),
    )
    if out_j is not None:
        ctx.jump_out_title = out_j["title"]
        ctx.jump_out_text = out_j["out"]
        ctx.jump_to = out_j["to"]
    if in_j is not None:
        ctx.jump_title = in_j["title"]
        ctx.jump_in_title = in_j["printed_title"]
        ctx.jump_in_text = in_j["in"]
        ctx.jump_in_scale = in_j["scale"]
        ctx.jump_from = in_j["from"]
    if ad_slots > 0:
        ctx.ad_slots = ad_slots
        ctx.ad_rng = random.Random(f"zhangmiao:{seed}:{number}:ads")
    if vertical_headlines:
        ctx.vertical = float(vertical_headlines)
        ctx.vertical_rng = random.Random(f"zhangmiao:{seed}:{number}:vertical")
    if ctx.jump_out or ctx.jump_in:
        ctx.titles.add(ctx.jump_title)
    for t in (ctx.jump_out_title, ctx.jump_in_title):
        if t:
            ctx.titles.add(t)
    ctx.order = list(range(len(src.paragraphs)))
    rng.shuffle(ctx.order)
    margin = _margin_mm(width_mm, height_mm, skew_degrees) * ppmm
    x0, x1 = round(margin), width - round(margin)
    y0, y1 = round(margin), height - round(margin)
    qr_left = max(0, qr)
    if masthead:
        mh = min(max(0.16 * (y1 - y0), 28 * ppmm), 48 * ppmm)
        top = _masthead(ctx, x0, x1, y0, mh, min(qr_left, 2))
        qr_left -= min(qr_left, 2)
        bottom = y1
    else:
        top = _running_head(ctx, x0, x1, y0)
        bottom = _foot(ctx, x0, x1, y1)
    _body(ctx, x0, x1, top, bottom, columns=columns, rules=rules, photos=photos, qr=qr_left)
    cv = ctx.cv
    _drop_empty_blocks(cv)
    image = _scan(
        cv.img,
        skew=skew_degrees,
        blur=blur,
        noise=noise,
        jpeg_quality=jpeg_quality,
        color=color,
        seed=f"zhangmiao:{seed}:{number}:scan",
    )
    scan_polys(cv.lines, width, height, skew_degrees)
    page = TruthPage(image, cv.lines, cv.blocks, float(skew_degrees), dpi, columns, number)
    used = {ln.article for ln in cv.lines}
    page.articles = [a for i, a in sorted(ctx.truth.items()) if i in used]
    return page


def _drop_empty_blocks(cv: _Canvas) -> None:
    """Remove text blocks that ended up without lines, renumbering the lines' blocks."""
    used = {ln.block for ln in cv.lines}
    keep = [
        i for i, b in enumerate(cv.blocks) if i in used or b.kind in ("photo", "qr", "ad", "rule")
    ]
    new = {old: k for k, old in enumerate(keep)}
    cv.blocks = [cv.blocks[i] for i in keep]
    for ln in cv.lines:
        ln.block = new[ln.block]


def _issue_args(pages: int, seed: int, kw: dict) -> list[dict]:
    """The render_page arguments of each page of an issue."""
    rng = random.Random(f"zhangmiao:{seed}:layout")
    out = []
    for n in range(1, pages + 1):
        args = dict(kw)
        columns, photos, rules = rng.choice((3, 4, 5, 6)), rng.choice((0, 1, 1, 2)), rng.random()
        args.setdefault("columns", columns)
        args.setdefault("photos", photos)
        args.setdefault("rules", rules > 0.15)
        args.setdefault("qr", 2 if n == 1 else 0)
        args["masthead"] = n == 1 and kw.get("masthead", True)
        args.update(number=n, seed=seed)
        out.append(args)
    return out


def render_issue(pages: int = 4, *, seed: int = 0, **kw) -> list[TruthPage]:
    """Render an issue: page 1 with the masthead, columns varying from 3 to 6 per page
    unless ``columns`` is given; other keywords go to :func:`render_page`
    (``jumps="varied"`` for the jumps of :func:`jump_plan`)."""
    if kw.get("jumps") == "varied":
        kw["jumps"] = jump_plan(pages, seed, kw.get("text"))
    return [render_page(**args) for args in _issue_args(pages, seed, kw)]


def jump_plan(pages: int, seed: int, text: str | None = None) -> list[dict]:
    """Articles of an issue that continue on a later page: one or two jumps, each from
    page ``from`` to a later page ``to`` (not always the next), printed in one of
    ``JUMP_STYLES``; the continuation repeats the title, or a shorter one, or a smaller
    one. No page both sends and receives a jump."""
    rng = random.Random(f"zhangmiao:{seed}:jumps")
    src = _source(text)
    plan: list[dict] = []
    used: set[int] = set()
    for _ in range(rng.choice((1, 1, 2)) if pages >= 4 else 1):
        sources = [p for p in range(1, pages) if p not in used]
        rng.shuffle(sources)
        for frm in sources:
            targets = [p for p in range(frm + 1, pages + 1) if p not in used]
            if targets:
                break
        else:
            break
        to = rng.choice(targets)
        used.update((frm, to))
        titles = [t for t in src.headlines if t not in {j["title"] for j in plan}]
        title = rng.choice(titles or src.headlines)
        out, inn = rng.choice(JUMP_STYLES)
        style = rng.choice(("same", "short", "small"))
        printed = title
        if style == "short":
            words = title.split()
            chars = title.replace(" ", "")
            printed = words[0] if len(words) > 1 else chars[: max(4, (len(chars) + 1) // 2)]
        plan.append(
            {
                "from": frm,
                "to": to,
                "title": title,
                "printed_title": printed,
                "scale": 0.7 if style == "small" else 1.0,
                "out": out.format(to=to),
                "in": inn.format(frm=frm),
            }
        )
    return plan


def save_pdf(pages: list[TruthPage], path) -> None:
    """Write the page images as one PDF (JPEG inside), each page at its dpi."""
    if not pages:
        raise ValueError("no pages")
    if len({p.dpi for p in pages}) != 1:
        raise ValueError("all pages of one PDF must share a dpi")
    images = [Image.fromarray(p.image) for p in pages]
    stamp = time.strptime("20210120", "%Y%m%d")
    images[0].save(
        path,
        "PDF",
        save_all=True,
        append_images=images[1:],
        resolution=float(pages[0].dpi),
        quality=PDF_JPEG_QUALITY,
        title=Path(path).stem,
        producer="tests/synth.py",
        creationDate=stamp,
        modDate=stamp,
    )


def deskewed_offset(page: TruthPage) -> tuple[float, float]:
    """Add this to a line's ``box`` to get it in ``ocr.model.Deskew`` deskewed pixels."""
    h, w = page.image.shape[:2]
    a = math.radians(page.skew_degrees)
    c, s = abs(math.cos(a)), abs(math.sin(a))
    dw = int(math.ceil(w * c + h * s - 1e-6))
    dh = int(math.ceil(w * s + h * c - 1e-6))
    return ((dw - w) / 2, (dh - h) / 2)


def _r(v: float) -> float:
    return round(float(v), 2)


def truth_dict(page: TruthPage) -> dict:
    """The truth of one page as plain JSON-able data (no image)."""
    h, w = page.image.shape[:2]
    return {
        "number": page.number,
        "width": w,
        "height": h,
        "dpi": page.dpi,
        "columns": page.columns,
        "skew_degrees": page.skew_degrees,
        "deskewed_offset": [_r(v) for v in deskewed_offset(page)],
        "lines": [
            {
                "text": ln.text,
                "kind": ln.kind,
                "block": ln.block,
                "article": ln.article,
                "box": [_r(v) for v in ln.box],
                "poly": [[_r(x), _r(y)] for x, y in ln.poly],
            }
            for ln in page.lines
        ],
        "blocks": [
            {
                "kind": b.kind,
                "article": b.article,
                "column": b.column,
                "payload": b.payload,
                "box": [_r(v) for v in b.box],
            }
            for b in page.blocks
        ],
    }


def save_truth(pages: list[TruthPage], path) -> None:
    """Write the truth of the pages as JSON, one line or block record per text line."""
    chunks = []
    for page in pages:
        d = truth_dict(page)
        head = {k: v for k, v in d.items() if k not in ("lines", "blocks")}
        body = json.dumps(head, ensure_ascii=False)[:-1]
        lines = ",\n".join("   " + json.dumps(x, ensure_ascii=False) for x in d["lines"])
        blocks = ",\n".join("   " + json.dumps(x, ensure_ascii=False) for x in d["blocks"])
        chunks.append(f'  {body}, "lines": [\n{lines}\n  ], "blocks": [\n{blocks}\n  ]}}')
    text = '{"generator": "tests/synth.py", "pages": [\n' + ",\n".join(chunks) + "\n]}\n"
    json.loads(text)  # never write a file that does not parse
    Path(path).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render a scanned-looking issue of 张庙社区晨报 with its truth.",
        epilog="example: python tests/synth.py --out scans/zhangmiao-2021-01-20.pdf "
        "--pages 8 --seed 75",
    )
    parser.add_argument("--out", required=True, help="PDF to write")
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--truth", help="truth JSON to write (default: OUT with .truth.json)")
    parser.add_argument("--width-mm", type=float, default=210)
    parser.add_argument("--height-mm", type=float, default=297)
    parser.add_argument("--png-dir", help="also write each page as PNG here (for a look)")
    args = parser.parse_args(argv)
    scan = random.Random(f"zhangmiao:{args.seed}:scan")
    pages = []
    kw = {"dpi": args.dpi, "width_mm": args.width_mm, "height_mm": args.height_mm}
    for page_args in _issue_args(args.pages, args.seed, kw):
        page_args.update(
            skew_degrees=round(scan.uniform(-1.5, 1.5), 2),
            blur=round(scan.uniform(0.6, 0.9), 2),
            noise=round(scan.uniform(1.2, 2.2), 2),
        )
        pages.append(render_page(**page_args))
        print(f"page {page_args['number']}: {len(pages[-1].lines)} lines", file=sys.stderr)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_pdf(pages, out)
    truth = Path(args.truth) if args.truth else out.with_suffix(".truth.json")
    save_truth(pages, truth)
    if args.png_dir:
        Path(args.png_dir).mkdir(parents=True, exist_ok=True)
        for p in pages:
            Image.fromarray(p.image).save(Path(args.png_dir) / f"page-{p.number}.png")
    print(f"wrote {out} and {truth}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
