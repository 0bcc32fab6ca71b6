"""Layout (OpenCV): a deskewed page cut into text blocks, photos, QR codes, rules.

Pure functions, image in, data out. :func:`segment` works on the deskewed gray page:

1. :func:`binarize` finds the ink (``ink``). The analysis runs on a copy at most ~2600 px
   long (a 300 dpi page is halved); block boxes are measured on the full image.
2. QR codes (``qr``) are square blobs with many modules that ``cv2.QRCodeDetector`` (or
   the WeChat detector of opencv-contrib) finds and decodes. Photos (``photos``) are large
   areas where nearly every pixel is darker than the paper and many are gray (text, even
   a bold title, leaves paper between black strokes), not all of one tone (a banner of
   one tone with light lettering in it is a headline: text). Rules (``rules``) are
   long thin lines standing on their own, found by morphological opening in both
   directions.
3. The rest is text (the scan's dark border and stray dots of dirt left out), cut by a
   recursive XY-cut (``xycut``). A region is cut, in order of preference: at horizontal
   rules across it (dirt or a touching character beside the rule allowed); at
   vertical gutters (ruled, or white and wide with columns of several lines on both
   sides, or white and narrow where two or more lines a side end and start at it and
   it is wider than any white running down the text beside it and holds no mark on
   half of them or more (punctuation of a grid lining up); white of all but dots;
   never through a headline, see ``headlines``, or between words of a line); at long
   vertical rules that only dirt crosses; at the white rows just above and below
   whatever crosses an otherwise white gutter (a headline over several columns, a
   caption under a wide photo, an article's lines closer than a paragraph gap taken
   as one) when that lets a piece be cut into columns; at
   horizontal white gaps clearly wider than the line spacing, or between text and a
   photo; at the edges of a photo or QR code. The leaves, in order, are the reading
   order: top to bottom, and left to right across columns.
4. Each text leaf becomes a block tight around its ink (plus ``PAD`` pixels);
   ``Region.column`` is the grid column a block starts in, the grid (``columns``) being
   the regular pitch that best explains where the cuts between columns fell.

``segment`` (module ``segment``) runs these steps in order.
"""

from ocr.layout.ink import binarize, crop
from ocr.layout.segment import segment

__all__ = ["binarize", "crop", "segment"]
