"""Recognition: text lines detected and read in the layout's blocks.

``engine`` the OcrEngine base class (what an engine provides), ``paddle`` the PaddleOCR
adapter (the default engine), ``read`` the stage itself (``read_page``, against the
base class), ``strips`` the engines' bounded inputs (detection strips, recognition
batches), ``model_files`` the model folders, ``script`` the page's script (OpenCC).
"""
