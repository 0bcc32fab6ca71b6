"""Curl flattening: the page's text rows fitted as smooth curves and made straight.

A page that does not lie flat (a photo of a curled page, a book's page bowing towards
its spine) bends its rows of text. The rows are found in the ink: on a copy at most
``SMALL`` pixels long, the ink (against the local paper) is smeared sideways by less
than the gap between two columns, so each row of a column becomes one long, thin blob;
the centre of each blob is sampled every ``SAMPLE_EM`` of the body type along it.

The flattening is the ``unwarp`` :class:`~ocr.model.Step` (vertical moves only, undone
exactly): ``y' = y - P(u) - Q(u) (y - c)``, ``u = x / width``, ``c = height / 2``.
``P`` (degree ``DEGREE_P``) and ``Q`` (degree ``DEGREE_Q``) are fitted with one straight
height per row so that every sample of a row maps to its row's height: a linear least
squares problem (the rows' heights taken out by centring each row's equations), made
robust by dropping samples far from the fit and fitting again. The straight line that
fits ``P`` (and ``Q``) best across the rows is then taken out, so that the step only
bends and the page as a whole stays where it was: a straight part is a skew (or a
keystone), which moved vertically would make the rows level but shear the columns, their
gutters leaning (on a skewed page photographed with a slight curl, the layout then
merged columns); deskew, after this step, turns rows and columns alike.

A page is flattened only when its own rows say it is curled: enough rows
(``MIN_ROWS``) across most of the width, and the fitted displacement bends (departs
from the straight line through it, which deskew would handle) by at least ``MIN_BEND``
of the body type's height somewhere on the text; the bent fit must also explain the
rows clearly better than a straight one. A flat scan, a page set in vertical lines or
one with too few rows is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr.model import Step
from ocr.scan import resolution, spread
from ocr.scan import transform as tf
from ocr.scan.load import to_gray

SMALL = 1200  # rows are found on a copy with this long side (0.1 s a page)
SMEAR_EM = 0.8  # ink is smeared sideways by this much of the type (less than a gutter)
ROW_HEIGHT = (0.5, 2.2)  # a row's blob is this high, in ems of the body type ...
ROW_MIN_EMS = 3.0  # ... and at least this long
SAMPLE_EM = 1.0  # one sample of a row's centre every this many ems
DEGREE_P, DEGREE_Q = 4, 2
MIN_ROWS = 20  # fewer rows than this: nothing is fitted
MIN_SPAN = 0.5  # the rows cover at least this fraction of the width
MIN_BEND = 0.3  # the displacement bends by at least this many ems: the page is curled
BETTER = 0.8  # and the bent fit leaves at most this share of the straight fit's error
ROUNDS = 3  # fits, each dropping the samples far off the last


@dataclass
class Rows:
    """Samples of the rows' centres: ``u`` (x / width), ``y`` (pixels of the image the
    rows were found in, full size), ``row`` (which row), and the type size in pixels."""

    u: np.ndarray
    y: np.ndarray
    row: np.ndarray
    text_px: float
    width: int
    height: int

    @property
    def count(self) -> int:
        return int(len(np.unique(self.row))) if len(self.row) else 0


def text_rows(gray: np.ndarray) -> Rows | None:
    """The centres of the page's rows of horizontal text, sampled along each row."""
    h, w = gray.shape
    f = min(1.0, SMALL / max(h, w))
    small = gray if f == 1.0 else cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    text = resolution.text_height(small)
    if text is None or text < 4:
        return None
    block = int(max(15, 3 * text)) | 1
    ink = cv2.adaptiveThreshold(
        small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15
    )
    smear = max(3, int(round(SMEAR_EM * text)))
    blobs = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, smear), np.uint8))
    blobs = cv2.morphologyEx(
        blobs, cv2.MORPH_CLOSE, np.ones((max(1, int(0.2 * text)), 1), np.uint8)
    )
    n, labels, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    us, ys, rows = [], [], []
    step = max(2, int(round(SAMPLE_EM * text)))
    for i in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        if not (ROW_HEIGHT[0] * text <= bh <= ROW_HEIGHT[1] * text and bw >= ROW_MIN_EMS * text):
            continue
        mask = labels[y : y + bh, x : x + bw] == i
        has = mask.any(axis=0)
        top = np.argmax(mask, axis=0)
        bottom = bh - 1 - np.argmax(mask[::-1], axis=0)
        centre = (top + bottom + 1) / 2.0 + y
        for x0 in range(0, bw - step + 1, step):
            sl = slice(x0, x0 + step)
            if has[sl].sum() < step / 2:
                continue
            us.append((x + x0 + step / 2) / small.shape[1])
            ys.append(float(np.median(centre[sl][has[sl]])) / f)
            rows.append(i)
    if not rows:
        return None
    return Rows(np.array(us), np.array(ys), np.array(rows), text / f, w, h)


def _basis(u: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
    """The columns of the least-squares design: P's powers of u (less their mean over
    [0, 1]), then Q's times (y - c). (A constant in Q, a uniform stretch, is left out:
    the rows' own heights take it up.)"""
    p = [u**k - 1.0 / (k + 1) for k in range(1, DEGREE_P + 1)]
    q = [(u**k - 1.0 / (k + 1)) * (y - c) for k in range(1, DEGREE_Q + 1)]
    return np.stack(p + q, axis=1)


def _centred(a: np.ndarray, row: np.ndarray) -> np.ndarray:
    """``a`` (samples x k, or samples) less its mean over each row's samples."""
    _, inv, counts = np.unique(row, return_inverse=True, return_counts=True)
    sums = np.zeros((len(counts),) + a.shape[1:])
    np.add.at(sums, inv, a)
    return a - (sums / counts.reshape((-1,) + (1,) * (a.ndim - 1)))[inv]


def _fit(rows: Rows, keep: np.ndarray, columns: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (zero outside ``columns``) fitted on the ``keep`` samples, and every
    sample's residual."""
    c = rows.height / 2
    design = _basis(rows.u, rows.y, c)
    a = _centred(design[keep][:, columns], rows.row[keep])
    b = _centred(rows.y[keep], rows.row[keep])
    coef = np.zeros(design.shape[1])
    coef[columns] = np.linalg.lstsq(a, b, rcond=None)[0]
    resid = _centred(rows.y - design @ coef, rows.row)
    return coef, resid


def _robust_fit(rows: Rows, columns: list[int]) -> tuple[np.ndarray, float, np.ndarray]:
    keep = np.ones(len(rows.y), bool)
    for _ in range(ROUNDS):
        coef, resid = _fit(rows, keep, columns)
        spread = 1.4826 * float(np.median(np.abs(resid[keep]))) + 1e-6
        keep = np.abs(resid) <= max(3 * spread, 0.15 * rows.text_px)
    coef, resid = _fit(rows, keep, columns)
    return coef, float(np.sqrt(np.mean(resid[keep] ** 2))), keep


def _as_polys(coef: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The fitted coefficients as the unwarp step's P and Q (powers of u, lowest first)."""
    p_k, q_k = coef[:DEGREE_P], coef[DEGREE_P:]
    p = [-sum(p_k[k - 1] / (k + 1) for k in range(1, DEGREE_P + 1))] + list(p_k)
    q = [-sum(q_k[k - 1] / (k + 1) for k in range(1, DEGREE_Q + 1))] + list(q_k)
    return tuple(float(v) for v in p), tuple(float(v) for v in q)


def unwarp_step(gray: np.ndarray) -> tuple[Step | None, dict]:
    """The step that makes the page's text rows straight, or None (the page is flat, or
    its rows cannot say), and what was measured."""
    gray = to_gray(gray)
    h, w = gray.shape
    rows = text_rows(gray)
    if rows is None or rows.count < MIN_ROWS:
        return None, {"rows": 0 if rows is None else rows.count}
    record: dict = {"rows": rows.count, "text_px": round(rows.text_px, 1)}
    span = float(np.percentile(rows.u, 98) - np.percentile(rows.u, 2))
    if span < MIN_SPAN:
        return None, {**record, "span": round(span, 2)}
    bent_cols = list(range(DEGREE_P + DEGREE_Q))
    # Straight: P and Q linear in u (a skew, a keystone), which deskew and the outline
    # deal with.
    straight_cols = [0, DEGREE_P]
    coef, err, keep = _robust_fit(rows, bent_cols)
    _, err_straight, _ = _robust_fit(rows, straight_cols)
    p, q = (_bent_part(v, rows) for v in _as_polys(coef))
    bend = _bend(p, q, rows, keep)
    record.update(
        bend_em=round(bend / rows.text_px, 2),
        error_px=round(err, 2),
        straight_error_px=round(err_straight, 2),
    )
    uu = np.linspace(0.0, 1.0, 101)
    steep = float(np.max(np.abs(np.polynomial.polynomial.polyval(uu, q))))
    if bend < MIN_BEND * rows.text_px or err > BETTER * err_straight or steep > 0.5:
        return None, record
    step = Step("unwarp", w, h, w, h, bend=(p, q), params=record)
    # A page set in vertical lines, flattened, is still one: its "rows" were characters
    # of neighbouring lines side by side. (Asked of the flattened page: bent rows blur
    # a curled page's row profile, and it could pass for one.)
    if spread.vertical_text(tf.apply(gray, step)):
        return None, {**record, "vertical": True}
    return step, record


def _bent_part(poly: tuple[float, ...], rows: Rows) -> tuple[float, ...]:
    """``poly`` less the straight line that fits it best across the rows: the step only
    bends. (A straight part of the rows' displacement is a skew or a keystone: moving
    points vertically, as this step does, would make the rows level but shear the
    columns, whose gutters would then lean; deskew turns rows and columns alike.)"""
    u = np.linspace(np.percentile(rows.u, 2), np.percentile(rows.u, 98), 50)
    a0, a1 = np.polynomial.polynomial.polyfit(u, np.polynomial.polynomial.polyval(u, poly), 1)
    out = list(poly)
    out[0] -= float(a0)
    out[1] -= float(a1)
    return tuple(out)


def _bend(p, q, rows: Rows, keep: np.ndarray) -> float:
    """How far the displacement departs from a straight line across the page, at most,
    over the rows' heights (pixels)."""
    u = np.linspace(np.percentile(rows.u, 2), np.percentile(rows.u, 98), 50)
    c = rows.height / 2
    worst = 0.0
    for y in np.percentile(rows.y[keep], [5, 50, 95]):
        d = np.polynomial.polynomial.polyval(u, p) + np.polynomial.polynomial.polyval(u, q) * (
            y - c
        )
        line = np.polynomial.polynomial.polyval(u, np.polynomial.polynomial.polyfit(u, d, 1))
        worst = max(worst, float(np.max(np.abs(d - line))))
    return worst
