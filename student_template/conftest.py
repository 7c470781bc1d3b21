"""pytest 설정: 이 폴더의 cnn_layers.py와 gradcheck.py를 불러올 수 있게 합니다.
pytest set-up: makes this folder's cnn_layers.py and gradcheck.py importable, whatever the
import mode or the folder pytest is started from."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
