"""실습 노트북의 흑백 영상(scene.png)을 만듭니다 / Generates the lab notebook's grayscale image (scene.png).

NumPy만으로 그린 합성 장면입니다: 하늘 그라데이션, 해와 고리, 집(지붕·창문·문), 체크무늬, 줄무늬 밭,
"CNN" 글자. 내려받은 것이 없으므로 자유롭게 쓸 수 있습니다 (프로젝트와 같은 MIT 라이선스).
A synthetic scene drawn with NumPy only: a sky gradient, a sun with a ring, a house (roof, windows,
door), a checkerboard, a striped field and the letters "CNN". Nothing is downloaded, so it is free
to use (MIT, like the project).

실행 / Run (이 폴더에서 / in this folder):  ``python make_scene.py``  → scene.png (128 x 160, 8-bit).
"""

import struct
import zlib
from pathlib import Path

import numpy as np

HEIGHT, WIDTH = 128, 160
SUPERSAMPLE = 4  # 4x4 부분 표본의 평균으로 가장자리를 부드럽게 / average 4x4 sub-samples: anti-aliased edges

FONT = {  # 5x7 비트맵 글꼴 / 5x7 bitmap font
    "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
    "N": ["#...#", "##..#", "##..#", "#.#.#", "#..##", "#..##", "#...#"],
}


def _draw(y, x):
    """밝기 0..1의 장면, 좌표는 픽셀 단위 실수 / the scene in 0..1, coordinates in (fractional) pixels."""
    # 하늘: 위가 밝은 그라데이션 / sky: a gradient, bright at the top
    img = 0.85 - 0.35 * (y / HEIGHT) + 0.05 * (x / WIDTH)
    # 밭: 아래쪽 줄무늬 / field: stripes at the bottom
    field = y >= 96
    img = np.where(field, 0.30 + 0.12 * np.sin(2 * np.pi * (x + 0.6 * y) / 9.0), img)
    # 해와 고리 / sun and ring
    r = np.hypot(y - 26, x - 128)
    img = np.where(r < 13, 0.98, img)
    img = np.where((r >= 17) & (r < 20), 0.65, img)
    # 집 / house
    body = (y >= 60) & (y < 96) & (x >= 52) & (x < 108)
    img = np.where(body, 0.55, img)
    roof = (y >= 34) & (y < 60) & (np.abs(x - 80) <= (y - 34) * 34 / 26)
    img = np.where(roof, 0.18, img)
    for x0 in (58, 88):  # 창문 / windows (with a cross bar)
        window = (y >= 66) & (y < 80) & (x >= x0) & (x < x0 + 14)
        bar = (np.abs(y - 73) < 1) | (np.abs(x - (x0 + 7)) < 1)
        img = np.where(window, np.where(bar, 0.25, 0.92), img)
    door = (y >= 80) & (y < 96) & (x >= 76) & (x < 86)
    img = np.where(door, 0.08, img)
    # 체크무늬 / checkerboard
    checker = (y >= 100) & (y < 124) & (x >= 120) & (x < 156)
    squares = ((np.floor((y - 100) / 4) + np.floor((x - 120) / 4)) % 2) == 0
    img = np.where(checker, np.where(squares, 0.95, 0.05), img)
    # "CNN" 글자 (한 점 = 3x3 픽셀) / letters "CNN" (one dot = 3x3 pixels)
    for k, letter in enumerate("CNN"):
        for row, line in enumerate(FONT[letter]):
            for col, dot in enumerate(line):
                if dot == "#":
                    y0, x0 = 8 + 3 * row, 8 + 18 * k + 3 * col
                    img = np.where((y >= y0) & (y < y0 + 3) & (x >= x0) & (x < x0 + 3), 0.05, img)
    return img


def make_scene():
    """(128, 160) float64 배열, 값 0..1 / a (128, 160) float64 array in 0..1."""
    step = 1.0 / SUPERSAMPLE
    offsets = (np.arange(SUPERSAMPLE) + 0.5) * step
    y = (np.arange(HEIGHT)[:, None] + offsets[None, :]).reshape(-1)
    x = (np.arange(WIDTH)[:, None] + offsets[None, :]).reshape(-1)
    fine = _draw(y[:, None], x[None, :])
    return fine.reshape(HEIGHT, SUPERSAMPLE, WIDTH, SUPERSAMPLE).mean(axis=(1, 3)).clip(0, 1)


def write_png(path, image):
    """8비트 흑백 PNG를 표준 라이브러리로 씁니다 / Writes an 8-bit grayscale PNG with the standard library."""
    pixels = np.round(np.asarray(image) * 255).astype(np.uint8)
    height, width = pixels.shape

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))
    Path(path).write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    target = Path(__file__).with_name("scene.png")
    write_png(target, make_scene())
    print(f"wrote {target}")
