"""QR codes: square blobs of many modules, found and decoded by OpenCV (or its WeChat detector)."""

from __future__ import annotations

import cv2
import numpy as np


def find_qr(
    gray_full: np.ndarray, ink: np.ndarray, ch: float, f: int
) -> list[tuple[tuple[int, int, int, int], str | None]]:
    """QR codes: square blobs of ink (work pixels) that OpenCV finds on the full image,
    with their content (None for a code found but unreadable)."""
    k = max(3, int(round(0.4 * ch)))
    closed = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    found = []
    hh, ww = gray_full.shape
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        # Square, or a square with its caption stuck to it.
        if bw < 1.5 * ch or bh < 1.5 * ch or not 0.6 <= bw / bh <= 1.67:
            continue
        if area < 0.45 * bw * bh or bw > 0.5 * min(ink.shape):
            continue
        # Modules: many changes from ink to paper along rows and columns (a big
        # character has a few strokes).
        blob = ink[y : y + bh, x : x + bw]
        changes = np.count_nonzero(blob[:, 1:] != blob[:, :-1])
        changes += np.count_nonzero(blob[1:] != blob[:-1])
        if changes < 4.5 * (bw + bh):
            continue
        pad = int(0.15 * max(bw, bh) * f) + 4
        fx0, fy0 = max(0, x * f - pad), max(0, y * f - pad)
        fx1, fy1 = min(ww, (x + bw) * f + pad), min(hh, (y + bh) * f + pad)
        patch = gray_full[fy0:fy1, fx0:fx1]
        patch = cv2.copyMakeBorder(patch, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
        decoded = _decode_qr(patch)
        if decoded is None:
            continue
        text, points = decoded
        pts = points - pad + np.array([fx0, fy0])
        qx0, qy0 = pts.min(axis=0) / f
        qx1, qy1 = pts.max(axis=0) / f
        qb = (
            max(int(x), int(np.floor(qx0)) - 1),
            max(int(y), int(np.floor(qy0)) - 1),
            min(int(x + bw), int(np.ceil(qx1)) + 1),
            min(int(y + bh), int(np.ceil(qy1)) + 1),
        )
        found.append((qb, text))
    return found


def _decode_qr(patch: np.ndarray) -> tuple[str | None, np.ndarray] | None:
    """(text, corner points in patch pixels) of a QR code in a small patch; text None
    for a code that is found but cannot be read; None if there is no code.

    Tries OpenCV's detector at two magnifications (small codes decode better larger),
    then, if it found a code it could not read, the WeChat detector of opencv-contrib
    (without its CNN models)."""
    zoom = 240 / max(patch.shape)
    zoom = float(np.ceil(zoom)) if zoom > 1 else max(zoom, 400 / max(patch.shape), 0.25)
    seen = None
    for z in (zoom, zoom * 2 if zoom < 1 else zoom + 1):
        big = cv2.resize(patch, None, fx=z, fy=z, interpolation=cv2.INTER_CUBIC)
        try:
            text, points, _ = cv2.QRCodeDetector().detectAndDecode(big)
        except cv2.error:
            continue
        if points is not None:
            if text:
                return text, points.reshape(-1, 2) / z
            seen = points.reshape(-1, 2) / z
    if seen is None:
        return None
    if hasattr(cv2, "wechat_qrcode_WeChatQRCode"):  # slower; only for a code seen
        big = cv2.resize(patch, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
        try:
            texts, points = cv2.wechat_qrcode_WeChatQRCode().detectAndDecode(big)
        except cv2.error:
            texts, points = (), ()
        if texts and texts[0] and len(points):
            return texts[0], np.asarray(points[0]).reshape(-1, 2) / zoom
    if _finder_patterns(patch, seen):
        return None, seen
    return None


def _finder_patterns(patch: np.ndarray, quad: np.ndarray) -> bool:
    """Whether three corners of ``quad`` (a found code's corners, in patch pixels) hold
    QR finder patterns: along the diagonal from the corner inwards, runs of dark,
    light, dark, light, dark in the proportions 1:1:3:1:1."""
    sides = np.linalg.norm(quad - np.roll(quad, 1, axis=0), axis=1)
    if len(quad) != 4 or sides.min() < 10 or sides.min() < 0.8 * sides.max():
        return False
    _, dark = cv2.threshold(patch, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    centre = quad.mean(axis=0)
    good = 0
    for corner in quad:
        n = int(np.linalg.norm(centre - corner))
        t = np.linspace(0, 1, max(n, 2))
        pts = corner + (centre - corner) * t[:, None]
        xs = np.clip(pts[:, 0].astype(int), 0, patch.shape[1] - 1)
        ys = np.clip(pts[:, 1].astype(int), 0, patch.shape[0] - 1)
        line = dark[ys, xs]
        first = int(np.argmax(line > 0)) if line.any() else len(line)
        flips = np.flatnonzero(np.diff(line[first:].astype(np.int8)) != 0)
        runs = np.diff(np.concatenate(([0], flips + 1)))[:5]
        if len(runs) == 5:
            unit = runs.sum() / 7
            want = np.array([1, 1, 3, 1, 1]) * unit
            if np.all(np.abs(runs - want) <= 0.6 * unit + 1):
                good += 1
    return good >= 3
