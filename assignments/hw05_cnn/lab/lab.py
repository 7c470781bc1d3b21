# ---
# jupyter:
#   # 이 파일(lab.py, jupytext percent 형식)이 원본입니다. 고친 뒤 이 폴더에서 lab.ipynb를 다시 만드세요:
#   # This file (lab.py, jupytext percent format) is the source. After editing, regenerate lab.ipynb here:
#   #     jupytext --update --to ipynb lab.py
#   # (--update는 셀 id를 유지해 diff를 작게 합니다 / --update keeps the cell ids, so diffs stay small;
#   #  tests/test_lab_notebook.py가 둘이 같은지 확인합니다 / checks that the two agree)
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # HW05 합성곱 신경망 실습 노트북
# # HW05 Convolutional neural networks — lab notebook
#
# 이 노트북은 강의 "05 합성곱 신경망"의 순서를 따라갑니다. 모든 그림과 숫자는 여러분이 `cnn_layers.py`에
# 직접 구현한 함수로 만듭니다. 그래서 이 노트북은 자기 점검 도구이기도 합니다: 각 절의 마지막 셀은 그 절의
# 함수를 강의의 예제로 확인하고 ✓ 또는 ✗ 한 줄을 출력합니다.
#
# This notebook follows the lecture "05 Convolutional neural networks". Every picture and number is made
# with the functions you implemented yourself in `cnn_layers.py`, so the notebook is also a self-check: the
# last cell of each section tests that section's functions on the lecture's worked example and prints one
# ✓ or ✗ line.
#
# **사용법**
# - `cnn_layers.py`가 이 노트북과 같은 폴더나 `student_template/`에 있으면 자동으로 찾습니다. 다른 곳에
#   있으면 환경 변수 `CNN_LAYERS_DIR`에 그 폴더를 지정하세요.
# - 아직 구현하지 않은 함수를 부르는 셀은 `NotImplementedError`를 냅니다. 그 절은 건너뛰고 나중에 다시
#   실행하세요.
# - `cnn_layers.py`를 고친 뒤에는 처음부터 다시 실행하세요 (Kernel → Restart & Run All).
# - PyTorch는 선택 사항입니다. 없으면 PyTorch와 비교하는 셀은 안내문만 출력합니다.
# - 자기 점검은 공개 테스트(`pytest`)와 채점을 대신하지 않습니다.
#
# **How to use it**
# - `cnn_layers.py` is found automatically next to this notebook or in `student_template/`. If it lives
#   elsewhere, set the environment variable `CNN_LAYERS_DIR` to its folder.
# - A cell that calls a function you have not implemented yet raises `NotImplementedError`. Skip that
#   section and come back later.
# - After editing `cnn_layers.py`, run everything again (Kernel → Restart & Run All).
# - PyTorch is optional. Without it, the cells that compare with PyTorch only print a note.
# - The self-checks do not replace the public tests (`pytest`) or the grader.
#
# **차례 / Contents**
# 1. 수용장 / Receptive field
# 2. 합성곱: 스트라이드, 패딩, 출력 크기 / Convolution: stride, padding, output size
# 3. 제로 패딩 예제 / The zero padding example
# 4. 고전적인 필터 / Classic filters
# 5. 합성곱층의 특성 맵 / Feature maps of a convolution layer
# 6. 풀링층 / Pooling layers
# 7. 파라미터 수 / Parameter counts
# 8. 역전파와 수치 기울기 검사 / Backward pass and numerical gradient check
# 9. LeNet-5 순전파 / LeNet-5 forward pass
# 10. 요약 / Summary

# %% [markdown]
# ## 0. 준비 / Set-up
#
# 다음 셀은 여러분의 `cnn_layers.py`를 찾아 `cnn`이라는 이름으로 불러오고, 실습 영상 `scene.png`를 읽습니다.
# `scene.png`는 NumPy로 그린 128×160 흑백 장면입니다 (`make_scene.py`로 다시 만들 수 있습니다).
#
# The next cell finds your `cnn_layers.py`, imports it as `cnn`, and reads the lab image `scene.png`, a
# 128×160 grayscale scene drawn with NumPy (`make_scene.py` regenerates it).

# %% tags=["setup"]
# %matplotlib inline
import importlib.util
import os
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

np.set_printoptions(precision=4, suppress=True)

HERE = Path.cwd()
# 기본 검색 위치: 노트북 폴더, 그 안의 student_template/, 상위 폴더들의 student_template/
# Default search: the notebook's folder, its student_template/, and student_template/ of every parent.
SEARCH = [HERE, HERE / "student_template", *(parent / "student_template" for parent in HERE.parents)]
NO_TORCH = ("PyTorch가 설치되어 있지 않아 비교를 건너뜁니다 (PyTorch는 선택 사항입니다).\n"
            "PyTorch is not installed: the comparison is skipped (PyTorch is optional).")


def find_file(name, folders):
    """folders에서 name을 처음 찾은 경로, 없으면 None / the first folder holding name, else None."""
    for folder in folders:
        candidate = Path(folder).expanduser() / name
        if candidate.is_file():
            return candidate.resolve()
    return None


def load_module(name, path):
    """path의 파이썬 파일을 name으로 (다시) 불러옵니다 / (re)imports the Python file at path as name."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


LAYERS_FOLDERS = [Path(os.environ["CNN_LAYERS_DIR"])] if os.environ.get("CNN_LAYERS_DIR") else SEARCH
CNN_LAYERS_PATH = find_file("cnn_layers.py", LAYERS_FOLDERS)
if CNN_LAYERS_PATH is None:
    raise FileNotFoundError(
        "cnn_layers.py를 찾지 못했습니다. 노트북 옆에 두거나 CNN_LAYERS_DIR을 지정하세요.\n"
        "cnn_layers.py not found. Put it next to this notebook or set CNN_LAYERS_DIR.\n"
        f"searched / 찾아본 곳: {[str(folder) for folder in LAYERS_FOLDERS]}"
    )
cnn = load_module("cnn_layers", CNN_LAYERS_PATH)
print(f"cnn_layers: {CNN_LAYERS_PATH}")

SCENE_PATH = find_file("scene.png", [HERE, *(p / "assignments" / "hw05_cnn" / "lab" for p in (HERE, *HERE.parents))])
if SCENE_PATH is None:
    raise FileNotFoundError("scene.png를 노트북 옆에 두세요 / put scene.png next to this notebook "
                            "(python make_scene.py makes it)")
scene = plt.imread(SCENE_PATH).astype(np.float64)  # (128, 160), 값 / values 0..1
print(f"scene: {SCENE_PATH.name} {scene.shape} {scene.dtype}, min {scene.min():.2f}, max {scene.max():.2f}")

# %% [markdown]
# ### 자기 점검 도우미 / The self-check helper
#
# `check(제목_ko, title_en, test)`는 인자가 없는 함수 `test`를 실행합니다. `test` 안의 `assert`가 모두
# 통과하면 ✓, 실패하거나 예외가 나면 ✗와 이유를 출력합니다. 결과는 마지막 요약에 모입니다.
#
# `check(title_ko, title_en, test)` runs the no-argument function `test`. If every `assert` inside passes
# it prints ✓; on a failure or an exception it prints ✗ and the reason. The results are collected for the
# summary at the end.

# %% tags=["setup"]
CHECKS = {}


def check(title_ko, title_en, test):
    """자기 점검 한 줄 / one self-check line (✓ or ✗)."""
    try:
        test()
    except NotImplementedError as error:
        reason = f"아직 구현하지 않았습니다 / not implemented yet: {error}"
    except AssertionError as error:
        reason = str(error) or "assert 실패 / an assertion failed"
    except Exception as error:  # noqa: BLE001 - 학생 코드의 어떤 오류든 보고합니다 / report any error
        reason = f"{type(error).__name__}: {error}"
    else:
        reason = None
    CHECKS[title_en] = reason is None
    if reason is None:
        print(f"✓ {title_ko} / {title_en}")
    else:
        print(f"✗ {title_ko} / {title_en}\n    → {reason}")
    return reason is None


def close(actual, expected, tol=1e-8):
    """모양과 값이 같은지 / same shape and values (within tol)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    return actual.shape == expected.shape and np.allclose(actual, expected, rtol=tol, atol=tol)


def summary():
    passed = sum(CHECKS.values())
    print(f"자기 점검 / self-checks: {passed}/{len(CHECKS)} ✓")
    for title, ok in CHECKS.items():
        print(f"  {'✓' if ok else '✗'} {title}")
    if CHECKS and passed == len(CHECKS):
        print("모두 통과했습니다. 이제 pytest로 공개 테스트를 돌려 보세요.\n"
              "All passed. Now run the public tests with pytest.")


# %% [markdown]
# ## 1. 수용장 / Receptive field
#
# 허블(Hubel)과 비셀(Wiesel)은 고양이 실험에서 시각 피질의 뉴런이 시야의 일부 범위 안에 있는 자극에만
# 반응한다는 것을 발견했습니다. 이 범위가 **국부 수용장**(local receptive field)입니다. 어떤 뉴런은 단순한
# 형태에 반응하고, 어떤 뉴런은 이웃한 저수준 뉴런의 출력을 조합한 더 복잡한 패턴에 반응합니다.
#
# In their cat experiments Hubel and Wiesel found that neurons of the visual cortex respond only to stimuli
# in a limited region of the visual field: their **local receptive field**. Some neurons react to simple
# shapes, others to more complex patterns that combine the outputs of neighbouring low-level neurons.
#
# **합성곱층**도 같습니다. 한 유닛은 수용장 안의 입력만 봅니다. 강의의 합성곱 식에서 출력 $(i, j)$는
# $i' = i \times s_h + u$, $j' = j \times s_w + v$ ($0 \le u < f_h$, $0 \le v < f_w$) 위치의 입력만
# 씁니다. 층을 쌓으면 수용장이 넓어집니다: 3×3 커널(스트라이드 1)을 하나 지날 때마다 한 변이 2씩 늘어서,
# 9×9 입력에 3×3 커널을 네 번 적용한 마지막 1×1 유닛은 입력 전체를 봅니다. 첫 번째 층은 저수준 특성에,
# 다음 층들은 그것을 조합한 고수준 특성에 집중합니다.
#
# A **convolution layer** works the same way: a unit sees only the inputs inside its receptive field. In
# the lecture's formula the output $(i, j)$ uses only the inputs at $i' = i \times s_h + u$,
# $j' = j \times s_w + v$ ($0 \le u < f_h$, $0 \le v < f_w$). Stacking layers widens the receptive field:
# each 3×3 kernel with stride 1 adds 2 to its side, so the final 1×1 unit after four 3×3 kernels on a 9×9
# input sees the whole input. The first layer focuses on low-level features, the next ones combine them
# into high-level features.

# %%
# 강의(brohrer)의 9x9 "X" 영상: 배경 -1, 대각선 +1 / the lecture's 9x9 "X" image: -1 background, +1 diagonals
X = -np.ones((9, 9))
for k in range(1, 8):
    X[k, k] = X[k, 8 - k] = 1.0
DIAGONAL = np.where(np.eye(3) == 1, 1.0, -1.0)  # 대각선 필터 / the diagonal filter


def receptive_field(index, layers):
    """출력 유닛 index가 보는 입력 구간 [first, last] (한 축) / the input span one output unit sees (one axis).

    layers: 입력에서 출력 순서의 (F, S, P) 목록 / (F, S, P) per layer, input first.
    한 층을 거꾸로 지날 때 / going back through one layer:  i' = i*S - P + u,  0 <= u < F.
    """
    first = last = index
    for kernel, stride, padding in reversed(layers):
        first, last = first * stride - padding, last * stride - padding + kernel - 1
    return first, last


fig, axes = plt.subplots(1, 4, figsize=(13, 3.8), layout="constrained")
size = 9
for layer, ax in enumerate(axes, start=1):
    size = cnn.conv_output_size(size, 3)
    first, last = receptive_field((size - 1) // 2, [(3, 1, 0)] * layer)
    ax.imshow(X, cmap="gray", vmin=-1.5, vmax=1.5)
    ax.add_patch(plt.Rectangle((first - 0.5, first - 0.5), last - first + 1, last - first + 1,
                               fill=False, edgecolor="red", linewidth=3))
    ax.set_title(f"after {layer} conv 3x3: output {size}x{size}\n"
                 f"centre unit sees {last - first + 1}x{last - first + 1}")
    ax.set_xticks(range(9))
    ax.set_yticks(range(9))
    ax.set_xlim(-0.8, 8.8)
    ax.set_ylim(8.8, -0.8)
plt.show()
print("스트라이드 2인 3x3 층 두 개 뒤 한 유닛의 수용장 / receptive field after two 3x3 layers with stride 2:",
      receptive_field(0, [(3, 2, 0), (3, 2, 0)]))

# %% tags=["check"]
def check_receptive_field():
    sizes = [9]
    for _ in range(4):
        sizes.append(cnn.conv_output_size(sizes[-1], 3))
    assert sizes == [9, 7, 5, 3, 1], (
        f"9x9에 3x3 커널을 네 번 적용하면 9→7→5→3→1이어야 하는데 {sizes}입니다 / "
        f"four 3x3 kernels on 9x9 should give 9→7→5→3→1, got {sizes}")
    assert receptive_field(0, [(3, 1, 0)] * 4) == (0, 8), "마지막 유닛은 9x9 전체를 봅니다 / the last unit sees all 9x9"


check("1. 수용장", "1. Receptive field", check_receptive_field)

# %% [markdown]
# ## 2. 합성곱: 스트라이드, 패딩, 출력 크기 / Convolution: stride, padding, output size
#
# 합성곱 연산은 **커널**(필터)을 입력 위에서 옮기며 겹치는 부분의 곱을 더합니다. **스트라이드**는 커널의
# 이동 보폭이고, **패딩**은 출력 크기를 조정하기 위해 입력 가장자리에 셀을 추가하는 것입니다. 딥러닝의
# 합성곱(PyTorch의 `conv2d`)은 커널을 뒤집지 않는 교차상관입니다.
#
# A convolution slides a **kernel** (filter) over the input and sums the products where they overlap. The
# **stride** is the step of the kernel; **padding** adds cells around the input border to adjust the
# output size. Deep learning's convolution (PyTorch's `conv2d`) is a cross-correlation: the kernel is not
# flipped.
#
# 출력 영상의 크기 (I: 입력 크기, F: 커널 크기, S: 스트라이드, P: 패딩으로 추가된 공간의 크기):
#
# Output size (I: input size, F: kernel size, S: stride, P: padding added on each side):
#
# $$\text{floor}\left(\frac{I - F}{S} + 1\right) \qquad\Longrightarrow\qquad \text{floor}\left(\frac{I - F + 2P}{S} + 1\right)$$
#
# 아래 표의 결과 열은 여러분의 `conv_output_size(I, F, stride=S, padding=P)`가 계산합니다.
#
# The result column of the table below is computed by your `conv_output_size(I, F, stride=S, padding=P)`.

# %%
EXAMPLES = [  # (I, F, S, P, 기댓값 / expected, 설명 / note)
    (9, 3, 1, 0, 7, "슬라이드 / slide: 9x9 → 7x7"),
    (7, 3, 1, 0, 5, "→ 5x5"),
    (5, 3, 1, 0, 3, "→ 3x3"),
    (3, 3, 1, 0, 1, "→ 1x1"),
    (9, 3, 1, 1, 9, "제로 패딩 1은 크기를 유지 / zero padding 1 keeps the size"),
    (9, 3, 2, 0, 4, "스트라이드 2로 축소 / stride 2 shrinks"),
    (9, 3, 2, 1, 5, "스트라이드 2 + 패딩 1 / stride 2 + padding 1"),
    (7, 3, 3, 0, 2, "floor: 남는 칸은 버림 / the leftover is dropped"),
    (32, 5, 1, 0, 28, "LeNet-5 conv1"),
    (14, 5, 1, 0, 10, "LeNet-5 conv2"),
]
print(f"{'I':>3} {'F':>2} {'S':>2} {'P':>2}   {'formula':<22} {'yours':>5} {'expected':>8}")
for I, F, S, P, expected, note in EXAMPLES:
    yours = cnn.conv_output_size(I, F, stride=S, padding=P)
    formula = f"floor(({I}-{F}+2*{P})/{S}+1)"
    mark = "✓" if yours == expected else "✗"
    print(f"{I:>3} {F:>2} {S:>2} {P:>2}   {formula:<22} {yours:>5} {expected:>8} {mark}  {note}")

# %% [markdown]
# 같은 사슬을 실제 합성곱으로 확인합니다: 무작위 9×9 영상에 무작위 3×3 커널을 네 번 `conv2d_forward`로
# 적용합니다 (배열은 NCHW: 배치, 채널, 높이, 너비).
#
# The same chain with real convolutions: four random 3×3 kernels applied with `conv2d_forward` to a random
# 9×9 image (arrays are NCHW: batch, channels, height, width).

# %%
rng = np.random.default_rng(0)
h = rng.standard_normal((1, 1, 9, 9))
shapes = [h.shape[2:]]
for _ in range(4):
    h = cnn.conv2d_forward(h, rng.standard_normal((1, 1, 3, 3)))
    shapes.append(h.shape[2:])
print(" → ".join(f"{height}x{width}" for height, width in shapes))

# %% tags=["check"]
def check_output_size():
    for I, F, S, P, expected, note in EXAMPLES:
        got = cnn.conv_output_size(I, F, stride=S, padding=P)
        assert got == expected, (f"conv_output_size({I}, {F}, stride={S}, padding={P}) = {got}, "
                                 f"기댓값 / expected {expected} ({note})")
    rng = np.random.default_rng(0)
    h = rng.standard_normal((1, 1, 9, 9))
    for size in (7, 5, 3, 1):
        h = cnn.conv2d_forward(h, rng.standard_normal((1, 1, 3, 3)))
        assert h.shape == (1, 1, size, size), (
            f"conv2d_forward의 출력 모양 {h.shape}, 기댓값 / expected (1, 1, {size}, {size})")


check("2. 출력 크기", "2. Output size", check_output_size)

# %% [markdown]
# ## 3. 제로 패딩 예제 / The zero padding example
#
# **패딩**은 가장자리에 공간을 추가하여 크기를 조절하고, **제로 패딩**은 추가된 공간을 0으로 채웁니다.
# 슬라이드의 예제는 픽셀이 +1과 −1인 "X" 영상에 대각선 필터를 적용하고, 아홉 개 곱의 합을 9로 나눕니다
# (완전히 일치하면 1). 왼쪽 위 모서리에서는 창의 다섯 칸이 0(패딩)이고 네 칸만 영상 위에 있습니다:
#
# **Padding** adds space around the border to adjust the size; **zero padding** fills that space with 0.
# The slide's example applies the diagonal filter to the "X" image of +1 and −1 pixels and divides the sum
# of the nine products by 9 (a perfect match gives 1). At the top-left corner five cells of the window are
# 0 (padding) and only four lie on the image:
#
# $$(-1 + 1 + 1 + 1) / 9 = 0.2222$$

# %%
window = np.pad(X, 1)[0:3, 0:3]  # 왼쪽 위 창 / the top-left window of the padded image
print("패딩된 X의 왼쪽 위 3x3 창 / top-left 3x3 window of the padded X:\n", window)
print("대각선 필터 / diagonal filter:\n", DIAGONAL)
print("곱 / products:\n", window * DIAGONAL + 0.0)  # + 0.0: -0 → 0

matched = cnn.correlate2d(X, DIAGONAL, padding=1) / 9
print(f"\ncorrelate2d(X, DIAGONAL, padding=1) / 9: 모양 / shape {matched.shape}")
print(f"모서리 / corner [0, 0] = {matched[0, 0]:.4f}   (-1 + 1 + 1 + 1) / 9 = {(-1 + 1 + 1 + 1) / 9:.4f}")

fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), layout="constrained")
panels = [(X, "input X (9x9), +1 / -1"), (DIAGONAL, "diagonal filter (3x3)"),
          (matched, "correlate2d(X, filter, padding=1) / 9")]
for ax, (image, title) in zip(axes, panels):
    shown = ax.imshow(image, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_title(title)
    ax.set_xticks(range(image.shape[1]))
    ax.set_yticks(range(image.shape[0]))
for ax, image, fontsize in ((axes[1], DIAGONAL, 16), (axes[2], matched, 8)):
    for (row, col), value in np.ndenumerate(image):
        ax.text(col, row, f"{value:.2f}" if image is matched else f"{value:+.0f}", ha="center", va="center",
                fontsize=fontsize, color="white" if abs(value) > 0.6 else "black")
axes[2].add_patch(plt.Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor="black", linewidth=2.5))
fig.colorbar(shown, ax=axes, shrink=0.85)
plt.show()

# %% tags=["check"]
def check_zero_padding():
    padded = cnn.correlate2d(X, DIAGONAL, padding=1) / 9
    assert padded.shape == (9, 9), f"패딩 1이면 9x9가 유지되어야 합니다 / padding 1 keeps 9x9, got {padded.shape}"
    assert abs(padded[0, 0] - 2 / 9) < 1e-12, (
        f"모서리 값 {padded[0, 0]:.4f}, 슬라이드는 0.2222 / corner value {padded[0, 0]:.4f}, the slide says 0.2222")
    assert abs(padded[2, 2] - 1) < 1e-12, "완전히 일치하는 위치는 1 / a perfect match gives 1"
    valid = cnn.correlate2d(X, DIAGONAL)
    assert valid.shape == (7, 7), f"패딩 없이 9x9 → 7x7 / without padding 9x9 → 7x7, got {valid.shape}"


check("3. 제로 패딩", "3. Zero padding", check_zero_padding)

# %% [markdown]
# ## 4. 고전적인 필터 / Classic filters
#
# 하나의 영상에 여러 종류의 필터를 적용할 수 있습니다. 슬라이드의 세 고전적인 필터를 여러분의
# `cnn.OUTLINE`, `cnn.EMBOSS`, `cnn.BLUR`와 `correlate2d`로 실습 영상에 적용합니다. 패딩 1을 주면
# 출력이 입력과 같은 크기입니다.
#
# One image can go through many kinds of filters. The slide's three classic filters — your `cnn.OUTLINE`,
# `cnn.EMBOSS` and `cnn.BLUR` — are applied to the lab image with your `correlate2d`. With padding 1 the
# output has the size of the input.
#
# | Outline 필터 | Emboss 필터 | Blur 필터 |
# |:---:|:---:|:---:|
# | −1 −1 −1 | −2 −1 0 | 1/16 1/8 1/16 |
# | −1 8 −1 | −1 1 1 | 1/8 1/4 1/8 |
# | −1 −1 −1 | 0 1 2 | 1/16 1/8 1/16 |
#
# 윤곽(Outline) 필터는 평평한 곳에서 0이고 밝기가 바뀌는 경계에서 커집니다. 양각(Emboss) 필터는 한쪽에서
# 빛을 비춘 듯한 입체감을 만들고, 흐림(Blur) 필터는 이웃의 가중 평균입니다. 화면에는 영상 편집기처럼
# 0..1 범위로 잘라서 보여 줍니다.
#
# The Outline filter is 0 on flat regions and large on edges where the brightness changes. Emboss makes a
# relief lit from one side, and Blur is a weighted average of the neighbours. As in an image editor, the
# results are shown clipped to 0..1.
#
# 영상 테두리의 선은 제로 패딩 때문입니다: 바깥의 0과 밝은 영상 사이도 경계이기 때문입니다.
#
# The lines along the image border come from zero padding: the 0s outside and the bright image also make
# an edge.

# %% tags=["fig-filters"]
filtered = {"input (128x160)": scene}
for name in ("OUTLINE", "EMBOSS", "BLUR"):
    filtered[name.title()] = cnn.correlate2d(scene, getattr(cnn, name), padding=1)

fig, axes = plt.subplots(1, 4, figsize=(16, 4.2), layout="constrained")
for ax, (title, image) in zip(axes, filtered.items()):
    ax.imshow(np.clip(image, 0, 1), cmap="gray", vmin=0, vmax=1)
    ax.set_title(title if title.startswith("input") else f"{title}\ncorrelate2d(scene, {title.upper()}, padding=1)",
                 fontsize=11)
    ax.axis("off")
fig.suptitle("Classic filters of the lecture, applied with correlate2d (shown clipped to 0..1)", fontsize=13)
plt.show()

# %% tags=["check"]
def check_filters():
    slide = {"OUTLINE": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
             "EMBOSS": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
             "BLUR": [[1 / 16, 1 / 8, 1 / 16], [1 / 8, 1 / 4, 1 / 8], [1 / 16, 1 / 8, 1 / 16]]}
    for name, values in slide.items():
        kernel = getattr(cnn, name)
        assert kernel is not None, f"cnn.{name}이 아직 None입니다 / cnn.{name} is still None"
        assert close(kernel, values, 1e-12), f"cnn.{name}이 슬라이드와 다릅니다 / cnn.{name} differs from the slide"
    image = np.random.default_rng(4).standard_normal((6, 7))
    corner = np.zeros((3, 3))
    corner[2, 2] = 1.0  # 오른쪽 아래의 1 / a 1 at the bottom-right
    assert close(cnn.correlate2d(image, corner), image[2:, 2:]), (
        "오른쪽 아래가 1인 커널은 out[i, j] = x[i+2, j+2]를 주어야 합니다. 커널을 뒤집었나요? / "
        "a kernel with a 1 at the bottom-right must give out[i, j] = x[i+2, j+2]. Did you flip the kernel?")
    flat = np.full((5, 5), 0.7)
    assert close(cnn.correlate2d(flat, cnn.BLUR), np.full((3, 3), 0.7)), "흐림은 평평한 영상을 바꾸지 않습니다 / blur keeps a flat image"
    assert close(cnn.correlate2d(flat, cnn.OUTLINE), np.zeros((3, 3))), "평평한 곳의 윤곽은 0 / outline is 0 on flat regions"
    assert cnn.correlate2d(scene, cnn.OUTLINE, padding=1).shape == scene.shape, "패딩 1이면 같은 크기 / padding 1 keeps the size"
    assert cnn.correlate2d(image, corner, stride=2).shape == (2, 3), "스트라이드 2 / stride 2: (6, 7) → (2, 3)"


check("4. 고전적인 필터", "4. Classic filters", check_filters)

# %% [markdown]
# ## 5. 합성곱층의 특성 맵 / Feature maps of a convolution layer
#
# 합성곱층은 여러 커널을 한꺼번에 적용해 커널마다 하나의 **특성 맵**(feature map)을 만듭니다. 가중치의
# 모양은 `(C_out, C_in, kH, kW)`이고, 강의의 유닛 출력 식은
#
# A convolution layer applies many kernels at once and makes one **feature map** per kernel. The weights
# have the shape `(C_out, C_in, kH, kW)` and the lecture's unit formula is
#
# $$z_{i,j,k} = b_k + \sum_{u=0}^{f_h-1} \sum_{v=0}^{f_w-1} \sum_{k'=0}^{f_{n'}-1} x_{i',j',k'} \times w_{u,v,k',k},
# \quad i' = i \times s_h + u,\; j' = j \times s_w + v$$
#
# 입니다 (NCHW로는 `z[n, k, i, j]`). 아래에서는 손으로 설계한 커널 다섯 개와 무작위 커널 하나로
# `conv2d_forward`를 한 번 호출하고, 그 뒤에 ReLU를 적용합니다.
#
# (in NCHW, `z[n, k, i, j]`). Below, five hand-designed kernels and one random kernel go through a single
# `conv2d_forward` call, followed by a ReLU.

# %% tags=["fig-feature-maps"]
KERNELS = {
    "vertical edge": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "horizontal edge": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "diagonal edge": [[-2, -1, 0], [-1, 0, 1], [0, 1, 2]],
    "anti-diagonal edge": [[0, -1, -2], [1, 0, -1], [2, 1, 0]],
    "centre-surround": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "random": np.random.default_rng(7).standard_normal((3, 3)),
}
weight = np.stack([np.asarray(kernel, dtype=np.float64) for kernel in KERNELS.values()])[:, None]  # (6, 1, 3, 3)
bias = np.zeros(len(KERNELS))
feature_maps = np.maximum(cnn.conv2d_forward(scene[None, None], weight, bias, padding=1), 0)  # ReLU
print(f"입력 / input {scene[None, None].shape} * weight {weight.shape} → feature maps {feature_maps.shape}")

fig, axes = plt.subplots(2, len(KERNELS), figsize=(16, 5.4), gridspec_kw={"height_ratios": [1, 2.2]},
                         layout="constrained")
for k, (title, kernel) in enumerate(KERNELS.items()):
    kernel = np.asarray(kernel, dtype=np.float64)
    axes[0, k].imshow(kernel, cmap="RdBu_r", vmin=-np.abs(kernel).max(), vmax=np.abs(kernel).max())
    for (row, col), value in np.ndenumerate(kernel):
        axes[0, k].text(col, row, f"{value:.2g}", ha="center", va="center", fontsize=8)
    axes[0, k].set_title(f"kernel {k}: {title}", fontsize=10)
    axes[1, k].imshow(feature_maps[0, k], cmap="magma")
    axes[1, k].set_title(f"feature map {k} (ReLU)", fontsize=10)
    for ax in axes[:, k]:
        ax.axis("off")
fig.suptitle("One conv2d_forward call: 6 kernels → 6 feature maps", fontsize=13)
plt.show()

strided = cnn.conv2d_forward(scene[None, None], weight, bias, stride=2, padding=1)
print(f"스트라이드 2로 특성 맵 크기 축소 / stride 2 shrinks the feature maps: {strided.shape}, "
      f"conv_output_size = {cnn.conv_output_size(scene.shape, 3, stride=2, padding=1)}")

# %% tags=["check"]
def check_feature_maps():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 2, 8, 9))
    w = rng.standard_normal((3, 2, 3, 3))
    b = rng.standard_normal(3)
    out = cnn.conv2d_forward(x, w, b, padding=1)
    assert out.shape == (1, 3, 8, 9), f"출력 모양 / output shape {out.shape}, expected (1, 3, 8, 9)"
    for k in range(3):  # 강의 식: 입력 채널에 대한 합 + 편향 / lecture formula: sum over input channels + bias
        expected = sum(cnn.correlate2d(x[0, c], w[k, c], padding=1) for c in range(2)) + b[k]
        assert close(out[0, k], expected), (
            f"출력 채널 {k}의 값이 sum_c correlate2d(x[c], w[{k}, c]) + b[{k}]와 다릅니다: 채널 합, 편향, "
            f"또는 correlate2d를 확인하세요 / output channel {k} differs from sum_c correlate2d(x[c], w[{k}, c]) + "
            f"b[{k}]: check the channel sum, the bias, or correlate2d")
    strided = cnn.conv2d_forward(x, w, b, stride=2, padding=1)
    assert close(strided, out[:, :, ::2, ::2]), (
        "스트라이드 2의 출력은 스트라이드 1 출력의 [::2, ::2]입니다 / the stride-2 output is the stride-1 output [::2, ::2]")
    assert out.dtype == np.float64 and cnn.conv2d_forward(x.astype(np.float32), w, b).dtype == np.float32, (
        "입력의 dtype을 유지하세요 / keep the input's dtype")


check("5. 특성 맵", "5. Feature maps", check_feature_maps)

# %% [markdown]
# ## 6. 풀링층 / Pooling layers
#
# **풀링**(부표본, subsampling)은 정보를 압축하고 축소해서, 중요한 정보 또는 평균 정보만 전달합니다. 보통
# 입력 채널 수와 출력 채널 수가 같습니다.
# - **최대 풀링**(max pooling): 강한 자극만 기억합니다.
# - **평균 풀링**(average pooling): 평균 자극을 기억합니다.
#
# 목적: 계산량과 메모리 사용량 감소, 파라미터 수 감소(과적합 방지), 위치 불변성(location invariance).
#
# **Pooling** (subsampling) compresses and shrinks the information, passing on only the important or the
# average information. Usually the number of output channels equals the number of input channels.
# - **Max pooling** remembers only the strongest response.
# - **Average pooling** remembers the average response.
#
# Purpose: less computation and memory, fewer parameters (against overfitting), location invariance.
#
# 먼저 작은 예: 2×2 풀링 커널, 스트라이드 2, 패딩 없음 (슬라이드의 설정).
#
# First a small example: a 2×2 pooling kernel, stride 2, no padding (the slide's setting).

# %%
small = np.array([[1, 1, 2, 4],
                  [5, 6, 7, 8],
                  [3, 2, 1, 0],
                  [1, 2, 3, 4]], dtype=np.float64)[None, None]
print("입력 / input (4x4):\n", small[0, 0])
print("최대 풀링 / max pooling 2x2, stride 2:\n", cnn.max_pool2d_forward(small, 2)[0, 0])
print("평균 풀링 / average pooling 2x2, stride 2:\n", cnn.avg_pool2d_forward(small, 2)[0, 0])

# %% [markdown]
# 이제 같은 특성 맵(5절의 세로 경계, ReLU 뒤)에 최대 풀링과 평균 풀링을 적용합니다. 최대 풀링은 가는
# 경계선도 밝게 남기지만, 평균 풀링은 창이 커질수록 경계를 흐리게 만듭니다. 모든 그림은 같은 색 범위를
# 씁니다.
#
# Now max and average pooling of the same feature map (the vertical edges of section 5, after ReLU). Max
# pooling keeps even thin edges bright; average pooling fades them as the window grows. All panels share
# one colour range.

# %% tags=["fig-pooling"]
edges = feature_maps[:, :1]  # (1, 1, 128, 160)
pooled = {"feature map (vertical edges)": edges}
for size in (2, 4):
    pooled[f"max pool {size}x{size}, stride {size}"] = cnn.max_pool2d_forward(edges, size)
    pooled[f"avg pool {size}x{size}, stride {size}"] = cnn.avg_pool2d_forward(edges, size)

fig, axes = plt.subplots(1, len(pooled), figsize=(17, 3.7), layout="constrained")
for ax, (title, image) in zip(axes, pooled.items()):
    ax.imshow(image[0, 0], cmap="magma", vmin=0, vmax=edges.max())
    ax.set_title(f"{title}\n{image.shape[2]}x{image.shape[3]}", fontsize=10)
    ax.axis("off")
fig.suptitle("Max vs average pooling of the same feature map (one colour range)", fontsize=13)
plt.show()

# %% [markdown]
# 위치 불변성: 2×2 창 안에서 밝은 점이 조금 움직여도 최대 풀링의 출력은 같습니다.
#
# Location invariance: when a bright dot moves inside a 2×2 window, the max pooling output stays the same.

# %%
dot_a, dot_b = np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 4, 4))
dot_a[0, 0, 0, 0] = dot_b[0, 0, 1, 1] = 1.0
print("점 (0,0) / dot at (0,0):\n", cnn.max_pool2d_forward(dot_a, 2)[0, 0])
print("점 (1,1) / dot at (1,1):\n", cnn.max_pool2d_forward(dot_b, 2)[0, 0])

# %% tags=["check"]
def check_pooling():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=np.float64)[None, None]
    assert close(cnn.max_pool2d_forward(x, 2), [[[[6, 8], [3, 4]]]]), "최대 풀링 예제 / the max pooling example: [[6, 8], [3, 4]]"
    assert close(cnn.avg_pool2d_forward(x, 2), [[[[3.25, 5.25], [2, 2]]]]), (
        "평균 풀링 예제 / the average pooling example: [[3.25, 5.25], [2, 2]]")
    rng = np.random.default_rng(6)
    many = rng.standard_normal((2, 3, 9, 10))
    for pool in (cnn.max_pool2d_forward, cnn.avg_pool2d_forward):
        out = pool(many, 2)
        expected = (2, 3) + tuple(cnn.pool_output_size((9, 10), 2))
        assert out.shape == expected, f"{pool.__name__}: 모양 / shape {out.shape}, expected {expected} (채널 수 유지 / channels kept)"
    assert cnn.pool_output_size(28, 2) == 14, "pool_output_size(28, 2) == 14"


check("6. 풀링층", "6. Pooling layers", check_pooling)

# %% [markdown]
# ## 7. 파라미터 수 / Parameter counts
#
# "이 convolution layer의 파라미터 수는?" 커널 하나는 $F_h \times F_w \times C_{in}$개의 가중치와 편향
# 하나를 가집니다. 커널이 $C_{out}$개이면
#
# "How many parameters does this convolution layer have?" One kernel has $F_h \times F_w \times C_{in}$
# weights and one bias. With $C_{out}$ kernels:
#
# $$(F_h \cdot F_w \cdot C_{in} + 1) \cdot C_{out}$$
#
# 완전 연결층은 $(\text{in} + 1) \cdot \text{out}$개이고, 풀링층과 ReLU에는 파라미터가 없습니다.
#
# A fully connected layer has $(\text{in} + 1) \cdot \text{out}$; pooling and ReLU have no parameters.

# %%
print(f"nn.Conv2d(3, 64, kernel_size=3): conv2d_param_count → {cnn.conv2d_param_count(3, 64, 3)}")
print(f"nn.Conv2d(1, 6, kernel_size=5):  conv2d_param_count → {cnn.conv2d_param_count(1, 6, 5)}")
print(f"nn.Linear(400, 120):             linear_param_count → {cnn.linear_param_count(400, 120)}")

# %%
try:
    import torch
    from torch import nn
except ImportError:
    print(NO_TORCH)
else:
    for layer in (nn.Conv2d(3, 64, kernel_size=3), nn.Conv2d(1, 6, kernel_size=5), nn.Linear(400, 120)):
        theirs = sum(parameter.numel() for parameter in layer.parameters())
        if isinstance(layer, nn.Conv2d):
            ours = cnn.conv2d_param_count(layer.in_channels, layer.out_channels, layer.kernel_size)
        else:
            ours = cnn.linear_param_count(layer.in_features, layer.out_features)
        print(f"{str(layer):<55} PyTorch {theirs:>6}   yours {ours:>6}   {'✓' if ours == theirs else '✗'}")

# %% [markdown]
# "파라미터 수는?" 이번에는 네트워크 전체입니다. LeNet-5(LeCun 1998, 수표의 손글씨 숫자 인식)를 이 과제의
# 형태(ReLU, 최대 풀링)로 `cnn_summary`에 넘기면 층마다 출력 모양과 파라미터 수가 나옵니다.
#
# "How many parameters?" — now for a whole network. LeNet-5 (LeCun 1998, handwritten digits on cheques),
# in this assignment's form (ReLU, max pooling), goes to `cnn_summary`, which reports each layer's output
# shape and parameter count.

# %%
LENET5 = [
    ("conv2d", dict(out_channels=6, kernel_size=5)), ("relu", {}), ("maxpool2d", dict(kernel_size=2)),
    ("conv2d", dict(out_channels=16, kernel_size=5)), ("relu", {}), ("maxpool2d", dict(kernel_size=2)),
    ("flatten", {}),
    ("linear", dict(out_features=120)), ("relu", {}),
    ("linear", dict(out_features=84)), ("relu", {}),
    ("linear", dict(out_features=10)),
]
rows = cnn.cnn_summary((1, 32, 32), LENET5)
print(f"{'layer':<10} {'output shape':<14} {'params':>7}")
for kind, shape, n_params in rows:
    print(f"{kind:<10} {str(shape):<14} {n_params:>7,}")
print(f"{'total':<25} {sum(n for _, _, n in rows):>7,}")

# %%
try:
    import torch
    from torch import nn
except ImportError:
    print(NO_TORCH)
else:
    from collections import OrderedDict

    def make_torch_lenet5():
        """cnn.lenet5_forward와 같은 구조, 같은 state_dict 이름 / same architecture and state_dict names."""
        return nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 6, 5)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(400, 120)), ("relu3", nn.ReLU()),
            ("fc2", nn.Linear(120, 84)), ("relu4", nn.ReLU()),
            ("fc3", nn.Linear(84, 10)),
        ]))

    model = make_torch_lenet5()
    h = torch.zeros(1, 1, 32, 32)
    print(f"{'layer':<10} {'yours':<14} {'PyTorch':<14} {'yours':>7} {'PyTorch':>8}")
    for (kind, shape, n_params), (name, module) in zip(cnn.cnn_summary((1, 32, 32), LENET5), model.named_children()):
        h = module(h)
        theirs = sum(parameter.numel() for parameter in module.parameters())
        same = shape == tuple(h.shape[1:]) and n_params == theirs
        print(f"{kind:<10} {str(shape):<14} {str(tuple(h.shape[1:])):<14} {n_params:>7,} {theirs:>8,} {'✓' if same else '✗'}")
    ours_total = sum(n for _, _, n in cnn.cnn_summary((1, 32, 32), LENET5))
    torch_total = sum(parameter.numel() for parameter in model.parameters())
    print(f"{'total':<40} {ours_total:>7,} {torch_total:>8,} {'✓' if ours_total == torch_total else '✗'}")

# %% tags=["check"]
def check_param_counts():
    assert cnn.conv2d_param_count(3, 64, 3) == 1792, "nn.Conv2d(3, 64, 3): (3*3*3 + 1) * 64 = 1792"
    assert cnn.conv2d_param_count(1, 6, 5) == 156, "nn.Conv2d(1, 6, 5): (5*5*1 + 1) * 6 = 156"
    assert cnn.linear_param_count(400, 120) == 48120, "nn.Linear(400, 120): (400 + 1) * 120 = 48120"
    expected = [("conv2d", (6, 28, 28), 156), ("relu", (6, 28, 28), 0), ("maxpool2d", (6, 14, 14), 0),
                ("conv2d", (16, 10, 10), 2416), ("relu", (16, 10, 10), 0), ("maxpool2d", (16, 5, 5), 0),
                ("flatten", (400,), 0), ("linear", (120,), 48120), ("relu", (120,), 0),
                ("linear", (84,), 10164), ("relu", (84,), 0), ("linear", (10,), 850)]
    rows = [(kind, tuple(shape), int(n)) for kind, shape, n in cnn.cnn_summary((1, 32, 32), LENET5)]
    for got, want in zip(rows, expected):
        assert got == want, f"cnn_summary 층 / layer {want[0]}: {got}, 기댓값 / expected {want}"
    assert len(rows) == len(expected), f"층 {len(rows)}개, 기댓값 {len(expected)}개 / {len(rows)} rows, expected {len(expected)}"
    assert sum(n for _, _, n in rows) == 61706, "LeNet-5의 파라미터는 61,706개 / LeNet-5 has 61,706 parameters"


check("7. 파라미터 수", "7. Parameter counts", check_param_counts)

# %% [markdown]
# ## 8. 역전파와 수치 기울기 검사 / Backward pass and numerical gradient check
#
# 역전파가 맞는지 확인하는 가장 확실한 방법은 **수치 기울기**와 비교하는 것입니다. 손실을
# $L = \sum (\text{out} \odot \text{dout})$로 두면 `conv2d_backward(dout, ...)`는 $\partial L / \partial x$,
# $\partial L / \partial w$, $\partial L / \partial b$를 돌려줍니다. `gradcheck.numerical_gradient`는 원소마다
# 중심 차분으로 같은 값을 근사합니다:
#
# The surest way to check a backward pass is to compare it with a **numerical gradient**. With the loss
# $L = \sum (\text{out} \odot \text{dout})$, `conv2d_backward(dout, ...)` returns $\partial L / \partial x$,
# $\partial L / \partial w$ and $\partial L / \partial b$. `gradcheck.numerical_gradient` approximates the same
# values element by element with centred differences:
#
# $$\frac{\partial L}{\partial x_i} \approx \frac{L(x + h e_i) - L(x - h e_i)}{2h}, \qquad h = 10^{-6}$$
#
# 상대 오차가 $10^{-7}$보다 작으면 맞고, $10^{-3}$보다 크면 거의 확실히 버그입니다. 스트라이드 2와 패딩
# 1을 써서 겹치는 수용장과 잘려 나가는 패딩까지 확인합니다.
#
# A relative error below $10^{-7}$ means correct; above $10^{-3}$ it is almost surely a bug. Stride 2 and
# padding 1 exercise overlapping receptive fields and the cropped padding too.

# %%
GRADCHECK_PATH = find_file("gradcheck.py", [CNN_LAYERS_PATH.parent, *SEARCH])
if GRADCHECK_PATH is not None:
    gradcheck = load_module("gradcheck", GRADCHECK_PATH)
    numerical_gradient = gradcheck.numerical_gradient
    print(f"gradcheck: {GRADCHECK_PATH}")
else:
    print("gradcheck.py를 찾지 못해 같은 공식의 짧은 버전을 씁니다 / gradcheck.py not found: "
          "using a short version of the same formula.")

    def numerical_gradient(f, x, dout=None, h=1e-6):
        """d sum(f(x) * dout) / dx, 중심 차분 / centred differences."""
        x = np.array(x, dtype=np.float64)
        dout = np.ones_like(f(x.copy())) if dout is None else dout
        grad = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            original = x[idx]
            x[idx] = original + h
            plus = np.sum(f(x.copy()) * dout)
            x[idx] = original - h
            minus = np.sum(f(x.copy()) * dout)
            x[idx] = original
            grad[idx] = (plus - minus) / (2 * h)
        return grad


def relative_error(a, b):
    """max|a - b| / max(max|a|, max|b|) — gradcheck.relative_error와 같음 / as in gradcheck.relative_error."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"모양이 다릅니다 / shapes differ: {a.shape} vs {b.shape}"
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12))


# %%
rng = np.random.default_rng(1)
x = rng.standard_normal((2, 3, 7, 7))
w = rng.standard_normal((4, 3, 3, 3))
b = rng.standard_normal(4)
conv = dict(stride=2, padding=1)
dout = rng.standard_normal(cnn.conv2d_forward(x, w, b, **conv).shape)

dx, dw, db = cnn.conv2d_backward(dout, x, w, **conv)
numeric = {
    "dx": numerical_gradient(lambda v: cnn.conv2d_forward(v, w, b, **conv), x, dout),
    "dweight": numerical_gradient(lambda v: cnn.conv2d_forward(x, v, b, **conv), w, dout),
    "dbias": numerical_gradient(lambda v: cnn.conv2d_forward(x, w, v, **conv), b, dout),
}
for (name, approx), analytic in zip(numeric.items(), (dx, dw, db)):
    print(f"conv2d_backward {name:<8} shape {str(analytic.shape):<14} relative error {relative_error(analytic, approx):.2e}")

# 흔한 버그는 이렇게 보입니다: 편향 기울기를 배치의 첫 샘플에서만 합한 경우
# What a classic bug looks like: the bias gradient summed over the first sample only.
db_one_sample = dout[0].sum(axis=(1, 2))
print(f"\n버그 예 / bug example, dbias from one sample: relative error {relative_error(db_one_sample, numeric['dbias']):.2e}")

# %% [markdown]
# 풀링층의 역전파도 같은 방법으로 확인합니다 (3×3 창, 스트라이드 2, 패딩 1: 창이 겹칩니다).
#
# The pooling backward passes are checked the same way (3×3 windows, stride 2, padding 1: the windows
# overlap).

# %%
xp = rng.standard_normal((2, 2, 6, 6))
pool = dict(kernel_size=3, stride=2, padding=1)
dpool = rng.standard_normal(cnn.max_pool2d_forward(xp, **pool).shape)
for forward, backward in ((cnn.max_pool2d_forward, cnn.max_pool2d_backward),
                          (cnn.avg_pool2d_forward, cnn.avg_pool2d_backward)):
    analytic = backward(dpool, xp, **pool)
    approx = numerical_gradient(lambda v: forward(v, **pool), xp, dpool)
    print(f"{backward.__name__:<20} relative error {relative_error(analytic, approx):.2e}")

# %% tags=["check"]
def check_backward():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 6, 5))
    w = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(4)
    conv = dict(stride=2, padding=1)
    dout = rng.standard_normal(cnn.conv2d_forward(x, w, b, **conv).shape)
    grads = cnn.conv2d_backward(dout, x, w, **conv)
    wrt = {"dx": lambda v: cnn.conv2d_forward(v, w, b, **conv),
           "dweight": lambda v: cnn.conv2d_forward(x, v, b, **conv),
           "dbias": lambda v: cnn.conv2d_forward(x, w, v, **conv)}
    for (name, f), point, analytic in zip(wrt.items(), (x, w, b), grads):
        error = relative_error(analytic, numerical_gradient(f, point, dout))
        assert error < 1e-6, f"conv2d_backward {name}: 상대 오차 / relative error {error:.1e} (> 1e-6)"
    xp = rng.standard_normal((1, 2, 5, 6))
    pool = dict(kernel_size=3, stride=2, padding=1)
    dpool = rng.standard_normal(cnn.max_pool2d_forward(xp, **pool).shape)
    for forward, backward in ((cnn.max_pool2d_forward, cnn.max_pool2d_backward),
                              (cnn.avg_pool2d_forward, cnn.avg_pool2d_backward)):
        error = relative_error(backward(dpool, xp, **pool), numerical_gradient(lambda v: forward(v, **pool), xp, dpool))
        assert error < 1e-6, f"{backward.__name__}: 상대 오차 / relative error {error:.1e} (> 1e-6)"


check("8. 역전파", "8. Backward passes", check_backward)

# %% [markdown]
# ## 9. LeNet-5 순전파 / LeNet-5 forward pass
#
# CNN의 기본 구조는 합성곱층 → ReLU → 풀링층을 반복한 뒤 완전 연결층으로 분류합니다. 여러분의
# `lenet5_forward`는 직접 만든 층으로 LeNet-5 전체를 계산합니다. 입력은 실습 영상의 가운데 128×128을
# 여러분의 `avg_pool2d_forward`(4×4)로 32×32로 줄인 것, 그 좌우 반전, 그리고 무작위 잡음입니다. PyTorch가
# 있으면 같은 가중치의 `nn.Sequential` 모델과 로짓을 비교합니다 (학습하지 않은 가중치이므로 로짓 값 자체에는
# 의미가 없습니다).
#
# The basic CNN structure repeats convolution → ReLU → pooling, then classifies with fully connected
# layers. Your `lenet5_forward` computes the whole LeNet-5 with your own layers. The inputs are the centre
# 128×128 of the lab image reduced to 32×32 by your `avg_pool2d_forward` (4×4), its mirror image, and random
# noise. With PyTorch, the logits are compared with an `nn.Sequential` model holding the same weights (the
# weights are untrained, so the logit values themselves mean nothing).

# %% tags=["fig-lenet-input"]
def lenet5_inputs():
    small = cnn.avg_pool2d_forward(scene[None, None, :, 16:144], 4)  # (1, 1, 32, 32)
    noise = np.random.default_rng(8).random((1, 1, 32, 32))
    return np.concatenate([small, small[..., ::-1], noise])          # (3, 1, 32, 32)


def numpy_lenet5_params(seed=0):
    """PyTorch가 없을 때의 무작위 가중치 / random weights for when PyTorch is missing."""
    rng = np.random.default_rng(seed)
    shapes = {"conv1": (6, 1, 5, 5), "conv2": (16, 6, 5, 5), "fc1": (120, 400), "fc2": (84, 120), "fc3": (10, 84)}
    params = {}
    for name, shape in shapes.items():
        bound = 1 / np.sqrt(np.prod(shape[1:]))
        params[f"{name}.weight"] = rng.uniform(-bound, bound, shape)
        params[f"{name}.bias"] = rng.uniform(-bound, bound, shape[0])
    return params


batch = lenet5_inputs()
fig, axes = plt.subplots(1, 3, figsize=(8, 3), layout="constrained")
for ax, image, title in zip(axes, batch[:, 0], ("scene, avg pool 4x4", "mirrored", "noise")):
    ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"{title} (32x32)", fontsize=10)
    ax.axis("off")
plt.show()

# %%
try:
    import torch
except ImportError:
    print(NO_TORCH)
    params, torch_logits = numpy_lenet5_params(), None
else:
    torch.manual_seed(0)
    torch_model = make_torch_lenet5().double().eval()
    params = {name: tensor.detach().numpy().copy() for name, tensor in torch_model.state_dict().items()}
    with torch.no_grad():
        torch_logits = torch_model(torch.from_numpy(batch.copy())).numpy()

logits = cnn.lenet5_forward(batch, params)
print(f"lenet5_forward: {batch.shape} → {logits.shape} {logits.dtype}")
print("여러분의 로짓 / your logits:\n", logits)
if torch_logits is not None:
    print("PyTorch 로짓 / PyTorch logits:\n", torch_logits)
    print(f"최대 절대 오차 / max abs difference: {np.max(np.abs(logits - torch_logits)):.2e}")

# %% tags=["check"]
def check_lenet5():
    batch = lenet5_inputs()
    params = numpy_lenet5_params(seed=3)
    logits = cnn.lenet5_forward(batch, params)
    assert logits.shape == (3, 10), f"로짓 모양 / logits shape {logits.shape}, expected (3, 10)"
    for n in range(3):
        assert close(cnn.lenet5_forward(batch[n:n + 1], params), logits[n:n + 1]), (
            "샘플을 하나씩 넣어도 같은 로짓이어야 합니다 (배치 차원을 섞었나요? flatten은 NCHW 순서) / "
            "one sample at a time must give the same logits (batch mixed up? flatten in NCHW order)")
    assert cnn.lenet5_forward(batch.astype(np.float32), params).dtype == np.float32, "dtype 유지 / keep the dtype"
    try:
        import torch
    except ImportError:
        return
    model = make_torch_lenet5().double()
    model.load_state_dict({name: torch.from_numpy(value) for name, value in params.items()})
    with torch.no_grad():
        expected = model(torch.from_numpy(batch.copy())).numpy()
    assert close(logits, expected), (
        f"PyTorch와 다릅니다, 최대 오차 / differs from PyTorch, max error {np.max(np.abs(logits - expected)):.2e}")


check("9. LeNet-5 순전파", "9. LeNet-5 forward", check_lenet5)

# %% [markdown]
# ## 10. 요약 / Summary
#
# 모든 절이 ✓이면 이 폴더에서 `pytest`로 공개 테스트를 돌려 보세요. 채점은 더 많은 숨은 입력(스트라이드,
# 팽창, groups, "same" 패딩, ceil_mode 등)을 씁니다.
#
# If every section shows ✓, run the public tests with `pytest` in this folder. The grader uses many more
# hidden inputs (strides, dilation, groups, "same" padding, ceil_mode, ...).

# %% tags=["summary"]
summary()
