"""HW05 공개 테스트 / HW05 public tests.

실행 / Run (이 폴더에서 / inside this folder):

    pytest -q                      # 전체 / everything
    pytest -q -k ConvForward       # 한 문제만 / one question (클래스 이름 / class name)

문제 하나가 테스트 클래스 하나입니다 (클래스 설명에 문제 id가 있습니다). 기대값은 모두 손으로
계산할 수 있는 작은 예이며, 강의 슬라이드의 예를 그대로 쓴 것이 많습니다. 역전파는 gradcheck.py의
수치 기울기와 비교합니다. 공개 테스트를 통과해도 비공개 채점 테스트(PyTorch와 비교)가 더 많은
경우를 확인하므로, 만점이 보장되지는 않습니다.

One test class per question (the class docstring names the question id). Every expected value
is a small example you can check by hand, many taken straight from the lecture slides. The
backward passes are compared with gradcheck.py's numerical gradient. Passing these public tests
does not guarantee full marks: the hidden grading tests (compared with PyTorch) cover more cases.
"""

import traceback

import numpy as np
import pytest

from gradcheck import numerical_gradient, relative_error

try:
    import cnn_layers
    IMPORT_ERROR = None
except Exception:  # 문법 오류 등 / a syntax error and the like
    cnn_layers = None
    IMPORT_ERROR = traceback.format_exc(limit=-4)


# ===========================================================================
# 도우미: 모든 확인은 여기를 거쳐 한국어, 영어 순서로 설명을 출력합니다.
# Helpers: every check goes through these and explains a failure in Korean, then English.
# ===========================================================================

def fail(question, what, lines):
    """실패 메시지를 만들어 테스트를 실패시킵니다 / Fail the test with a teaching message."""
    header = f"[{question}] {what[0]}" + ("" if what[0] == what[1] else f" / {what[1]}")
    pytest.fail("\n".join([header] + ["  " + line for line in lines]), pytrace=False)


def bilingual(label, text):
    """('한국어', 'English') 쌍을 두 줄로 / a ('Korean', 'English') pair as two lines."""
    if not text:
        return []
    if text[0] == text[1]:  # 수식처럼 두 언어가 같으면 한 줄 / one line when both are the same (formulas)
        return [f"{label[0]} / {label[1]}: {text[0]}"]
    return [f"{label[0]}: {text[0]}", f"{label[1]}: {text[1]}"]


HINT = ("힌트", "hint")
DIAGNOSIS = ("진단", "diagnosis")


def describe(value):
    """값의 종류, 모양, dtype / the type, shape and dtype of a value."""
    if isinstance(value, np.ndarray):
        return f"numpy.ndarray, shape {value.shape}, dtype {value.dtype}"
    return f"{type(value).__name__}: {value!r}"


def show(value):
    """작은 배열은 값 전체를 보여 줍니다 / small arrays are shown in full."""
    if not isinstance(value, np.ndarray) or value.size > 64:
        return []
    shown = value.reshape(value.shape[-2:]) if value.ndim > 2 and value.size == np.prod(value.shape[-2:]) else value
    text = np.array2string(shown, precision=4, suppress_small=True, max_line_width=90)
    note = " (앞의 크기 1 차원은 생략 / leading size-1 axes dropped)" if shown is not value else ""
    return ["    " + line for line in text.splitlines()] + ([f"   {note}"] if note else [])


def student_code_frames(exc):
    """traceback 중 cnn_layers.py 안의 줄만 / the traceback lines inside cnn_layers.py."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename.endswith("cnn_layers.py")]
    return [f"    cnn_layers.py:{frame.lineno} in {frame.name}: {frame.line}" for frame in frames[-4:]]


def student(question, name):
    """학생 파일의 함수나 상수를 꺼냅니다 / fetch a function or constant from the student file."""
    if cnn_layers is None:
        fail(question, ("cnn_layers.py를 불러오지 못했습니다", "could not import cnn_layers.py"),
             ["문법 오류나 잘못된 import가 없는지 확인하세요 / check for syntax errors or bad imports:",
              *("    " + line for line in IMPORT_ERROR.splitlines())])
    if not hasattr(cnn_layers, name):
        fail(question, (f"cnn_layers.py에 {name}이(가) 없습니다", f"cnn_layers.py has no {name}"),
             ["이름과 철자를 템플릿과 똑같이 두세요 / keep the name exactly as in the template."])
    return getattr(cnn_layers, name)


def not_implemented(question, name, detail=""):
    fail(question, ("아직 구현하지 않았습니다", f"not implemented yet (question {question})"),
         [f"{name}: NotImplementedError{': ' + detail if detail else ''}",
          "템플릿의 raise NotImplementedError 줄을 여러분의 코드로 바꾸세요.",
          "Replace the template's raise NotImplementedError line with your code."])


def call(question, name, *args, **kwargs):
    """학생 함수를 부르고 예외를 설명합니다 / call a student function, explaining any exception."""
    function = student(question, name)
    try:
        return function(*args, **kwargs)
    except Exception as exc:  # NotImplementedError 포함 / including NotImplementedError
        error = exc
    # except 블록 밖에서 실패시켜 traceback을 짧게 / fail outside the except block to keep the report short
    if isinstance(error, NotImplementedError):
        not_implemented(question, name, str(error))
    fail(question, (f"{name}에서 예외가 발생했습니다", f"{name} raised an exception"),
         [f"{type(error).__name__}: {error}", *student_code_frames(error)])


def constant(question, name):
    value = student(question, name)
    if value is None:
        not_implemented(question, name, f"{name} = None")
    return value


def same_value(got, expected):
    """정수·튜플·리스트·문자열의 엄격한 비교 / strict comparison of ints, tuples, lists and strings."""
    if isinstance(expected, (tuple, list)):
        return (type(got) is type(expected) and len(got) == len(expected)
                and all(same_value(g, e) for g, e in zip(got, expected)))
    if isinstance(expected, int):
        return isinstance(got, (int, np.integer)) and not isinstance(got, (bool, np.bool_)) and got == expected
    return isinstance(got, type(expected)) and got == expected


def check_value(question, what, got, expected, hint=None):
    """크기, 개수처럼 정확히 같아야 하는 값 / values that must match exactly (sizes, counts)."""
    if same_value(got, expected):
        return
    lines = [f"기대값 / expected : {describe(expected)}", f"받은 값 / got    : {describe(got)}"]
    if isinstance(expected, (tuple, list)) and not isinstance(got, type(expected)) and got is not None:
        lines += bilingual(HINT, (f"{type(expected).__name__}(으)로 반환해야 합니다.",
                                  f"return a {type(expected).__name__}."))
    if isinstance(expected, int) and isinstance(got, float):
        lines += bilingual(HINT, ("크기와 개수는 정수여야 합니다: / 대신 // 를 쓰세요.",
                                  "sizes and counts must be ints: use // instead of /."))
    lines += bilingual(HINT, hint)
    fail(question, what, lines)


def matches(got, wrong):
    wrong = np.asarray(wrong, dtype=np.float64)
    return got.shape == wrong.shape and np.allclose(got, wrong, rtol=1e-6, atol=1e-8)


def check_array(question, what, got, expected, hint=None, mistakes=(), dtype=None, rtol=1e-7, atol=1e-9):
    """배열 비교: 종류, 모양, dtype, 값 순서로 확인합니다.
    Array comparison: type, then shape, then dtype, then values."""
    expected = np.asarray(expected)
    lines = [f"기대값 / expected : {describe(expected)}", *show(expected),
             f"받은 값 / got    : {describe(got)}", *show(got)]
    if not isinstance(got, np.ndarray):
        lines += bilingual(HINT, ("numpy 배열을 반환하세요 (예: np.asarray(result)).",
                                  "return a numpy array (e.g. np.asarray(result))."))
        fail(question, what, lines)
    diagnosis = [bilingual(DIAGNOSIS, why) for wrong, why in mistakes if matches(got, wrong)]
    diagnosis = [line for pair in diagnosis for line in pair]
    if got.shape != expected.shape:
        lines.append(f"모양이 다릅니다 / wrong shape: expected {expected.shape}, got {got.shape}")
        fail(question, what, lines + diagnosis + bilingual(HINT, hint))
    if dtype is not None and got.dtype != np.dtype(dtype):
        lines += bilingual(HINT, (f"입력의 dtype({np.dtype(dtype)})을 유지하세요; 중간에 float64로 바뀌지 않았나요?",
                                  f"keep the input's dtype ({np.dtype(dtype)}); did something upcast to float64?"))
        fail(question, what, lines)
    got64 = got.astype(np.float64)
    close = np.isclose(got64, expected, rtol=rtol, atol=atol)
    if close.all():
        return
    error = np.abs(got64 - expected)
    first = tuple(int(i) for i in np.argwhere(~close)[0])
    lines += [f"최대 절대 오차 / max abs error : {np.nanmax(error) if np.isfinite(error).any() else error.max():.6g}",
              f"처음 틀린 위치 / first wrong index : {first}: "
              f"기대 / expected {expected[first]:.6g}, 받음 / got {got64[first]:.6g}"]
    fail(question, what, lines + diagnosis + bilingual(HINT, hint))


def check_raises(question, what, name, args, kwargs, hint):
    """ValueError가 나야 하는 호출 / a call that must raise ValueError."""
    function = student(question, name)
    error = None
    try:
        result = function(*args, **kwargs)
    except ValueError:
        return
    except Exception as exc:
        error = exc
    if isinstance(error, NotImplementedError):
        not_implemented(question, name, str(error))
    if error is not None:
        fail(question, what, [f"ValueError가 아니라 {type(error).__name__}이(가) 발생했습니다: {error}",
                              f"raised {type(error).__name__} instead of ValueError: {error}",
                              *student_code_frames(error), *bilingual(HINT, hint)])
    fail(question, what, ["ValueError가 발생해야 하는데 값이 반환되었습니다 / expected a ValueError, got a result:",
                          f"    {describe(result)}", *bilingual(HINT, hint)])


def check_gradient(question, what, analytic, numeric, hint, tolerance=1e-6):
    """해석적 기울기와 수치 기울기 비교 / analytic gradient against the numerical one."""
    lines = [f"수치 기울기 / numerical gradient : {describe(numeric)}", *show(numeric),
             f"여러분의 기울기 / your gradient   : {describe(analytic)}", *show(analytic)]
    if not isinstance(analytic, np.ndarray) or analytic.shape != numeric.shape:
        lines += bilingual(HINT, ("기울기는 대응하는 입력과 같은 모양이어야 합니다.",
                                  "a gradient has the shape of the input it belongs to."))
        fail(question, what, lines + bilingual(HINT, hint))
    error = relative_error(analytic, numeric)
    if error < tolerance:
        return
    difference = np.abs(analytic.astype(np.float64) - numeric)
    scale = max(np.abs(numeric).max(), 1e-12)
    first = tuple(int(i) for i in np.argwhere(~(difference <= tolerance * scale))[0])
    lines += [f"상대 오차 / relative error : {error:.3g} (기준 / limit {tolerance:g})",
              f"최대 절대 오차 / max abs error : {np.max(difference):.6g}",
              f"처음 틀린 위치 / first wrong index : {first}: "
              f"수치 / numerical {numeric[first]:.6g}, 여러분 / yours {analytic[first]:.6g}",
              "수치 기울기는 여러분의 순전파로 계산하므로, 순전파 테스트부터 통과시키세요.",
              "The numerical gradient uses your own forward pass: make its tests pass first."]
    fail(question, what, lines + bilingual(HINT, hint))


def image(rows):
    """2차원 리스트를 (1, 1, H, W) float64 배열로 / a 2-D list as a (1, 1, H, W) float64 array."""
    return np.array(rows, dtype=np.float64)[None, None]


def arange_image(h, w):
    """0, 1, 2, ... 를 행 우선으로 채운 (1, 1, h, w) 영상 / (1, 1, h, w) image filled 0, 1, 2, ... row by row."""
    return np.arange(h * w, dtype=np.float64).reshape(1, 1, h, w)


# 강의의 4x4 풀링 예 / the 4x4 pooling example:
#   [[1, 3 | 2, 1],          2x2 최대 / max  -> [[4, 2],      2x2 평균 / average -> [[2.5, 1.0],
#    [4, 2 | 0, 1],                             [8, 4]]                             [6.5, 2.5]]
#    [5, 6 | 1, 2],
#    [7, 8 | 3, 4]]
X4 = image([[1, 3, 2, 1], [4, 2, 0, 1], [5, 6, 1, 2], [7, 8, 3, 4]])


# ===========================================================================
# output_size (10점 / points)
# ===========================================================================

class TestOutputSize:
    """question id: output_size — conv_output_size, pool_output_size.

    출력 영상의 크기 / output size: floor((I - F + 2P) / S + 1), 팽창 / dilation: floor((I + 2P - D(F-1) - 1) / S) + 1.
    """

    Q = "output_size"

    @pytest.mark.parametrize("args, kwargs, expected, hint", [
        # 강의: 3x3 커널을 반복 적용 / lecture: a 3x3 kernel applied again and again, 9x9 → 7x7 → 5x5 → 3x3 → 1x1
        ((9, 3), {}, 7, ("(9 - 3 + 0) / 1 + 1 = 7", "(9 - 3 + 0) / 1 + 1 = 7")),
        ((7, 3), {}, 5, ("9x9 → 7x7 → 5x5", "9x9 → 7x7 → 5x5")),
        ((5, 3), {}, 3, ("9x9 → 7x7 → 5x5 → 3x3", "9x9 → 7x7 → 5x5 → 3x3")),
        ((3, 3), {}, 1, ("... → 3x3 → 1x1", "... → 3x3 → 1x1")),
        ((32, 5), {}, 28, ("LeNet-5 conv1: 32 → 28", "LeNet-5 conv1: 32 → 28")),
        ((14, 5), {}, 10, ("LeNet-5 conv2: 14 → 10", "LeNet-5 conv2: 14 → 10")),
        ((5, 3), {"padding": 1}, 5, ("패딩은 양쪽에 붙으므로 2P를 더합니다.", "padding goes on both sides: add 2P.")),
        ((8, 3), {"stride": 2}, 3, ("(8 - 3) / 2 + 1 = 3.5 → floor → 3", "(8 - 3) / 2 + 1 = 3.5 → floor → 3")),
        ((7, 3), {"dilation": 2}, 3, ("팽창 D인 커널은 D*(F-1)+1 = 5칸을 덮습니다.", "a kernel with dilation D spans D*(F-1)+1 = 5 cells.")),
        (((32, 28), 5), {"padding": 2}, (32, 28), ("인자 중 하나라도 쌍이면 (h, w) 튜플을 반환합니다.", "if any argument is a pair, return an (h, w) tuple.")),
        (((9, 7), (3, 1)), {"stride": (2, 3)}, (4, 3), ("높이와 너비를 따로 계산합니다.", "compute height and width separately.")),
    ], ids=["9to7", "7to5", "5to3", "3to1", "lenet-conv1", "lenet-conv2", "padding", "stride-floor",
            "dilation", "pair", "non-square"])
    def test_conv_output_size(self, args, kwargs, expected, hint):
        got = call(self.Q, "conv_output_size", *args, **kwargs)
        what = f"conv_output_size{args} {kwargs}"
        check_value(self.Q, (what, what), got, expected, hint)

    @pytest.mark.parametrize("args, kwargs, expected, hint", [
        ((4, 2), {}, 2, ("강의의 2x2 풀링 커널, 스트라이드 2: stride=None이면 stride = kernel_size.",
                         "the lecture's 2x2 pooling kernel, stride 2: stride=None means stride = kernel_size.")),
        ((28, 2), {}, 14, ("LeNet-5: 28 → 14", "LeNet-5: 28 → 14")),
        ((10, 2), {}, 5, ("LeNet-5: 10 → 5", "LeNet-5: 10 → 5")),
        ((4, 3), {"stride": 1}, 2, ("겹치는 창 / overlapping windows: (4 - 3) / 1 + 1", "overlapping windows: (4 - 3) / 1 + 1")),
        ((5, 2), {}, 2, ("기본은 내림: (5 - 2) / 2 + 1 = 2.5 → 2", "floor by default: (5 - 2) / 2 + 1 = 2.5 → 2")),
        ((5, 2), {"ceil_mode": True}, 3, ("ceil_mode=True면 올림: 2.5 → 3", "ceil_mode=True rounds up: 2.5 → 3")),
        ((3, 2), {"stride": 2, "padding": 1, "ceil_mode": True}, 2,
         ("올림하면 3이지만 세 번째 창은 오른쪽 패딩 안에서 시작하므로 버립니다: (3-1)*2 >= 3+1.",
          "ceil gives 3, but the third window would start inside the right padding, so drop it: (3-1)*2 >= 3+1.")),
        (((6, 5), (2, 3)), {}, (3, 1), ("쌍이면 튜플, 스트라이드도 (2, 3).", "pairs give a tuple; the stride is (2, 3) too.")),
    ], ids=["slide-2x2", "lenet-pool1", "lenet-pool2", "overlap", "floor", "ceil", "ceil-drop-last", "pair"])
    def test_pool_output_size(self, args, kwargs, expected, hint):
        got = call(self.Q, "pool_output_size", *args, **kwargs)
        what = f"pool_output_size{args} {kwargs}"
        check_value(self.Q, (what, what), got, expected, hint)

    @pytest.mark.parametrize("name, args, kwargs, hint", [
        ("conv_output_size", (2, 3), {}, ("커널이 입력보다 크면 출력 크기가 0 이하입니다.", "a kernel larger than the input gives an output size < 1.")),
        ("conv_output_size", (5, 3), {"stride": 0}, ("스트라이드는 1 이상이어야 합니다.", "the stride must be >= 1.")),
        ("conv_output_size", (5, 3), {"padding": -1}, ("패딩은 0 이상이어야 합니다.", "padding must be >= 0.")),
        ("pool_output_size", (5, 2), {"padding": 2}, ("PyTorch 규칙: 패딩은 커널의 절반 이하 (2P <= F).", "PyTorch's rule: padding at most half the kernel (2P <= F).")),
        ("pool_output_size", (5, 0), {}, ("커널 크기는 1 이상이어야 합니다.", "the kernel size must be >= 1.")),
    ], ids=["conv-empty", "conv-stride0", "conv-negative-padding", "pool-padding-too-big", "pool-kernel0"])
    def test_invalid_arguments_raise_value_error(self, name, args, kwargs, hint):
        check_raises(self.Q, (f"{name}{args} {kwargs}는 ValueError여야 합니다", f"{name}{args} {kwargs} must raise ValueError"),
                     name, args, kwargs, hint)


# ===========================================================================
# param_count (10점 / points)
# ===========================================================================

LENET5_LAYERS = [
    ("conv2d", {"out_channels": 6, "kernel_size": 5}), ("relu", {}), ("maxpool2d", {"kernel_size": 2}),
    ("conv2d", {"out_channels": 16, "kernel_size": 5}), ("relu", {}), ("maxpool2d", {"kernel_size": 2}),
    ("flatten", {}),
    ("linear", {"out_features": 120}), ("relu", {}),
    ("linear", {"out_features": 84}), ("relu", {}),
    ("linear", {"out_features": 10}),
]

LENET5_SUMMARY = [  # 손으로 / by hand: (입력 채널 * 5*5 + 1) * 출력 채널 / (in_channels * 5*5 + 1) * out_channels, ...
    ("conv2d", (6, 28, 28), 156), ("relu", (6, 28, 28), 0), ("maxpool2d", (6, 14, 14), 0),
    ("conv2d", (16, 10, 10), 2416), ("relu", (16, 10, 10), 0), ("maxpool2d", (16, 5, 5), 0),
    ("flatten", (400,), 0),
    ("linear", (120,), 48120), ("relu", (120,), 0),
    ("linear", (84,), 10164), ("relu", (84,), 0),
    ("linear", (10,), 850),
]


class TestParamCount:
    """question id: param_count — conv2d_param_count, linear_param_count, cnn_summary ("파라미터 수는?")."""

    Q = "param_count"

    @pytest.mark.parametrize("name, args, kwargs, expected, hint", [
        ("conv2d_param_count", (3, 64, 3), {}, 1792, ("(3*3*3 + 1) * 64 = 1792: 출력 채널마다 편향 1개.",
                                                      "(3*3*3 + 1) * 64 = 1792: one bias per output channel.")),
        ("conv2d_param_count", (3, 64, 3), {"bias": False}, 1728, ("bias=False면 편향이 없습니다.", "bias=False means no biases.")),
        ("conv2d_param_count", (1, 6, 5), {}, 156, ("LeNet-5 conv1: (1*5*5 + 1) * 6", "LeNet-5 conv1: (1*5*5 + 1) * 6")),
        ("conv2d_param_count", (6, 16, 5), {}, 2416, ("LeNet-5 conv2: (6*5*5 + 1) * 16", "LeNet-5 conv2: (6*5*5 + 1) * 16")),
        ("conv2d_param_count", (4, 8, 3), {"groups": 2}, 152, ("groups=2: 각 필터는 4/2 = 2채널만 봅니다: (2*3*3 + 1) * 8.",
                                                               "groups=2: each filter sees 4/2 = 2 channels: (2*3*3 + 1) * 8.")),
        ("conv2d_param_count", (3, 2, (1, 3)), {}, 20, ("kernel_size가 쌍이면 kH*kW: (3*1*3 + 1) * 2.",
                                                        "a pair kernel_size means kH*kW: (3*1*3 + 1) * 2.")),
        ("linear_param_count", (400, 120), {}, 48120, ("400*120 + 120", "400*120 + 120")),
        ("linear_param_count", (84, 10), {}, 850, ("84*10 + 10", "84*10 + 10")),
        ("linear_param_count", (84, 10), {"bias": False}, 840, ("bias=False면 84*10.", "bias=False gives 84*10.")),
    ], ids=["conv-3-64-3", "conv-no-bias", "lenet-conv1", "lenet-conv2", "conv-groups", "conv-pair-kernel",
            "linear-400-120", "linear-84-10", "linear-no-bias"])
    def test_layer_param_count(self, name, args, kwargs, expected, hint):
        got = call(self.Q, name, *args, **kwargs)
        check_value(self.Q, (f"{name}{args} {kwargs}", f"{name}{args} {kwargs}"), got, expected, hint)

    def test_cnn_summary_lenet5(self):
        rows = call(self.Q, "cnn_summary", (1, 32, 32), [(kind, dict(kw)) for kind, kw in LENET5_LAYERS])
        what = ("cnn_summary((1, 32, 32), LeNet-5)", "cnn_summary((1, 32, 32), LeNet-5)")
        if not isinstance(rows, list) or len(rows) != len(LENET5_SUMMARY):
            check_value(self.Q, what, rows, LENET5_SUMMARY,
                        ("층마다 (kind, output_shape, n_params) 튜플 하나, 전체는 리스트.",
                         "one (kind, output_shape, n_params) tuple per layer, in a list."))
        for index, (row, expected) in enumerate(zip(rows, LENET5_SUMMARY)):
            check_value(self.Q, (f"cnn_summary LeNet-5 {index}번째 층", f"cnn_summary LeNet-5 layer {index}"), row, expected,
                        ("output_shape에는 배치 차원이 없습니다; 풀링 stride=None은 kernel_size; flatten 뒤 in_features = 16*5*5 = 400.",
                         "output_shape has no batch axis; pooling stride=None means kernel_size; after flatten in_features = 16*5*5 = 400."))
        total = sum(row[2] for row in rows)
        check_value(self.Q, ("LeNet-5 전체 파라미터 수", "LeNet-5 total parameter count"), total, 61706)

    @pytest.mark.parametrize("name, args, hint", [
        ("conv2d_param_count", (4, 6, 3, True, 4), ("groups=4는 6을 나누지 못합니다.", "groups=4 does not divide 6.")),
        ("cnn_summary", ((1, 8, 8), [("dropout", {})]), ("알 수 없는 kind는 ValueError.", "an unknown kind raises ValueError.")),
        ("cnn_summary", ((1, 8, 8), [("linear", {"out_features": 3})]),
         ("flatten 없이 linear를 쓰면 ValueError.", "linear without a flatten first raises ValueError.")),
        ("cnn_summary", ((1, 4, 4), [("conv2d", {"out_channels": 2, "kernel_size": 5})]),
         ("출력이 비는 층은 ValueError.", "a layer with an empty output raises ValueError.")),
    ], ids=["groups-not-dividing", "unknown-kind", "linear-before-flatten", "empty-output"])
    def test_invalid_arguments_raise_value_error(self, name, args, hint):
        check_raises(self.Q, (f"{name}는 ValueError여야 합니다", f"{name} must raise ValueError"), name, args, {}, hint)


# ===========================================================================
# filters (5점 / points)
# ===========================================================================

SLIDE_KERNELS = {
    "OUTLINE": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "EMBOSS": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "BLUR": [[1 / 16, 1 / 8, 1 / 16], [1 / 8, 1 / 4, 1 / 8], [1 / 16, 1 / 8, 1 / 16]],
}

# 비대칭 커널 (뒤집으면 답이 달라집니다) / an asymmetric kernel (flipping it changes the answer)
K_ASYM = [[1, 2], [0, -1]]
IMG_1_9 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]

CORRELATE_CASES = {
    # out[i, j] = x[i, j] + 2 x[i, j+1] - x[i+1, j+1]:  1+4-5 = 0,  2+6-6 = 2,  4+10-8 = 6,  5+12-9 = 8
    "asymmetric-kernel": dict(
        image=IMG_1_9, kernel=K_ASYM, kwargs={}, expected=[[0, 2], [6, 8]],
        mistakes=[([[12, 14], [18, 20]], ("커널을 뒤집었습니다 (진짜 합성곱). CNN의 합성곱은 교차상관입니다.",
                                          "the kernel is flipped (true convolution). A CNN 'convolution' is cross-correlation.")),
                  ([[4, 6], [10, 12]], ("커널을 전치했습니다: kernel[u, v]의 u는 행(높이), v는 열(너비)입니다.",
                                        "the kernel is transposed: in kernel[u, v], u is the row (height), v the column (width)."))],
        hint=("out[i, j] = sum_u sum_v x[i + u, j + v] * kernel[u, v] — 커널을 뒤집지 마세요.",
              "out[i, j] = sum_u sum_v x[i + u, j + v] * kernel[u, v] — do not flip the kernel.")),
    # 강의의 제로 패딩 예 / the lecture's zero-padding example: 모서리 / corner = (-1 + 1 + 1 + 1) / 9 = 0.2222
    "slide-zero-padding": dict(
        image=[[-1, 1, 1], [1, 1, 1], [1, 1, 1]], kernel=np.full((3, 3), 1 / 9), kwargs={"padding": 1},
        expected=np.array([[2, 4, 4], [4, 7, 6], [4, 6, 4]]) / 9, mistakes=[],
        hint=("모서리: 3x3 창 중 실제 칸은 4개, 나머지는 0 → (-1 + 1 + 1 + 1) / 9 = 0.2222.",
              "corner: 4 real cells in the 3x3 window, the rest are zeros → (-1 + 1 + 1 + 1) / 9 = 0.2222.")),
    # 5x5 영상 0..24, 3x3 합, 스트라이드 2: 각 창의 합 = 중심값 * 9 / sum of each window = centre value * 9
    "stride-2": dict(
        image=np.arange(25).reshape(5, 5), kernel=np.ones((3, 3)), kwargs={"stride": 2},
        expected=[[54, 72], [144, 162]],
        mistakes=[([[54, 63, 72], [99, 108, 117], [144, 153, 162]], ("스트라이드를 무시했습니다.", "the stride was ignored."))],
        hint=("창의 시작 위치는 (i*S, j*S)입니다.", "window (i, j) starts at (i*S, j*S).")),
    # 패딩 (0, 1): 위아래 0줄, 좌우 1칸 / no rows above/below, one column left and right: [0, 1, 2, 3, 0] with [1, -1]
    "pair-padding": dict(
        image=[[1, 2, 3]], kernel=[[1, -1]], kwargs={"padding": (0, 1)}, expected=[[-1, -1, -1, 3]], mistakes=[],
        hint=("padding=(위아래, 좌우) 순서입니다.", "padding is (top/bottom, left/right).")),
    # 외곽선 필터는 평평한 영역에서 0, 흐림 필터는 값을 유지 / outline gives 0 on a flat area, blur keeps the value
    "outline-flat": dict(
        image=np.full((4, 5), 3.0), kernel=SLIDE_KERNELS["OUTLINE"], kwargs={}, expected=np.zeros((2, 3)), mistakes=[],
        hint=("OUTLINE의 원소 합은 0이므로 평평한 영상에서는 0입니다.", "OUTLINE sums to 0, so a flat image gives 0.")),
    "blur-flat": dict(
        image=np.full((4, 5), 3.0), kernel=SLIDE_KERNELS["BLUR"], kwargs={}, expected=np.full((2, 3), 3.0), mistakes=[],
        hint=("BLUR의 원소 합은 1이므로 평평한 영상의 값이 유지됩니다.", "BLUR sums to 1, so a flat image keeps its value.")),
}


class TestFilters:
    """question id: filters — OUTLINE, EMBOSS, BLUR, correlate2d (다양한 고전적인 필터 / classic filters)."""

    Q = "filters"

    @pytest.mark.parametrize("name", list(SLIDE_KERNELS))
    def test_slide_kernel_values(self, name):
        got = constant(self.Q, name)
        check_array(self.Q, (f"슬라이드의 {name} 필터", f"the slide's {name} kernel"), got, SLIDE_KERNELS[name],
                    ("슬라이드의 3x3 값을 float 배열로 (예: np.array(..., dtype=float)). BLUR는 1/16, 1/8, 1/4.",
                     "the slide's 3x3 values as a float array (e.g. np.array(..., dtype=float)). BLUR uses 1/16, 1/8, 1/4."),
                    dtype=np.float64)

    @pytest.mark.parametrize("case", list(CORRELATE_CASES))
    def test_correlate2d(self, case):
        c = CORRELATE_CASES[case]
        img, kernel = np.array(c["image"], dtype=np.float64), np.array(c["kernel"], dtype=np.float64)
        img_before, kernel_before = img.copy(), kernel.copy()
        got = call(self.Q, "correlate2d", img, kernel, **c["kwargs"])
        check_array(self.Q, (f"correlate2d: {case}", f"correlate2d: {case}"), got, c["expected"], c["hint"], c["mistakes"])
        check_array(self.Q, ("correlate2d가 입력을 바꿨습니다", "correlate2d modified its inputs"),
                    np.concatenate([img.ravel(), kernel.ravel()]), np.concatenate([img_before.ravel(), kernel_before.ravel()]),
                    ("입력 배열에 쓰지 말고 복사본(np.pad는 새 배열)을 쓰세요.", "never write into an input; work on a copy (np.pad returns a new array)."))

    def test_kernel_larger_than_padded_image_raises(self):
        check_raises(self.Q, ("커널이 영상보다 큰 경우", "kernel larger than the image"), "correlate2d",
                     (np.ones((2, 2)), np.ones((3, 3))), {},
                     ("패딩된 영상보다 큰 커널은 ValueError.", "a kernel larger than the padded image raises ValueError."))


# ===========================================================================
# conv_forward (25점 / points)
# ===========================================================================

def channels_example():
    """배치 2, 입력 채널 2, 출력 채널 2, 2x2 커널 (출력 1x1) / batch 2, 2 in and 2 out channels, 2x2 kernels (1x1 output).

    영상 0: 채널 0 = [[1, 2], [3, 4]], 채널 1 = [[10, 20], [30, 40]]; 영상 1 = -영상 0.
    image 0: channel 0 = [[1, 2], [3, 4]], channel 1 = [[10, 20], [30, 40]]; image 1 = -image 0.
    필터 0은 채널 0의 왼쪽 위(1)와 채널 1의 오른쪽 아래(40)를 더함: 41 + b0(1) = 42 / -41 + 1 = -40.
    filter 0 adds channel 0's top-left (1) and channel 1's bottom-right (40): 41 + b0(1) = 42 / -41 + 1 = -40.
    필터 1은 채널 0의 합: 10 + b1(2) = 12 / -10 + 2 = -8.  filter 1 sums channel 0: 10 + b1(2) = 12 / -10 + 2 = -8.
    """
    x0 = np.array([[[1, 2], [3, 4]], [[10, 20], [30, 40]]], dtype=np.float64)
    x = np.stack([x0, -x0])
    w = np.zeros((2, 2, 2, 2))
    w[0, 0, 0, 0] = 1
    w[0, 1, 1, 1] = 1
    w[1, 0] = 1
    return x, w, np.array([1.0, 2.0]), np.array([42, 12, -40, -8], dtype=np.float64).reshape(2, 2, 1, 1)


def conv_cases():
    x_ch, w_ch, b_ch, expected_ch = channels_example()
    x9 = image(IMG_1_9)
    return {
        # 비대칭 커널 + 편향 10 / asymmetric kernel + bias 10: [[0, 2], [6, 8]] + 10
        "asymmetric-kernel-bias": dict(
            x=x9, w=image(K_ASYM), b=np.array([10.0]), kwargs={}, expected=image([[10, 12], [16, 18]]),
            mistakes=[(image([[22, 24], [28, 30]]), ("커널을 뒤집었습니다 (진짜 합성곱). 교차상관을 쓰세요.",
                                                     "the kernel is flipped (true convolution); use cross-correlation.")),
                      (image([[0, 2], [6, 8]]), ("편향을 더하지 않았습니다.", "the bias was not added."))],
            hint=("z[n, k, i, j] = b[k] + sum_u sum_v sum_k' x[n, k', i*S + u, j*S + v] * w[k, k', u, v]",
                  "z[n, k, i, j] = b[k] + sum_u sum_v sum_k' x[n, k', i*S + u, j*S + v] * w[k, k', u, v]")),
        "channels-and-batch": dict(
            x=x_ch, w=w_ch, b=b_ch, kwargs={}, expected=expected_ch, mistakes=[],
            hint=("weight는 (C_out, C_in, kH, kW): w[k, k']는 입력 채널 k'에서 출력 채널 k로 가는 커널; 입력 채널에 대해 합합니다.",
                  "weight is (C_out, C_in, kH, kW): w[k, k'] maps input channel k' to output channel k; sum over input channels.")),
        # 1로 채운 3x3 영상, 1로 채운 3x3 커널, 패딩 1: 각 출력 = 창 안의 실제 칸 수
        # ones image, ones kernel, padding 1: each output = number of real cells in the window
        "padding-1": dict(
            x=np.ones((1, 1, 3, 3)), w=np.ones((1, 1, 3, 3)), b=None, kwargs={"padding": 1},
            expected=image([[4, 6, 4], [6, 9, 6], [4, 6, 4]]), mistakes=[],
            hint=("패딩은 H와 W 축에만 (N, C 축에는 아님): np.pad(x, ((0, 0), (0, 0), (P, P), (P, P))).",
                  "pad only the H and W axes (not N or C): np.pad(x, ((0, 0), (0, 0), (P, P), (P, P))).")),
        "stride-2": dict(
            x=arange_image(5, 5), w=np.ones((1, 1, 3, 3)), b=None, kwargs={"stride": 2},
            expected=image([[54, 72], [144, 162]]),
            mistakes=[(image([[54, 63, 72], [99, 108, 117], [144, 153, 162]]), ("스트라이드를 무시했습니다.", "the stride was ignored."))],
            hint=("출력 (i, j)의 창은 (i*S_h, j*S_w)에서 시작합니다.", "output (i, j) reads the window starting at (i*S_h, j*S_w).")),
        "stride-(1,2)": dict(
            x=arange_image(5, 5), w=np.ones((1, 1, 3, 3)), b=None, kwargs={"stride": (1, 2)},
            expected=image([[54, 72], [99, 117], [144, 162]]),
            mistakes=[(image([[54, 63, 72], [144, 153, 162]]), ("스트라이드의 높이와 너비를 바꿔 썼습니다.",
                                                                 "the stride's height and width are swapped."))],
            hint=("stride=(S_h, S_w): S_h는 행(높이), S_w는 열(너비) 방향입니다.", "stride=(S_h, S_w): S_h moves along rows (height), S_w along columns.")),
        # 팽창 2: x[i, j] + x[i, j+2] + x[i+2, j] + x[i+2, j+2] = 20 i + 4 j + 24
        "dilation-2": dict(
            x=arange_image(5, 5), w=np.ones((1, 1, 2, 2)), b=None, kwargs={"dilation": 2},
            expected=image([[24, 28, 32], [44, 48, 52], [64, 68, 72]]), mistakes=[],
            hint=("팽창 D: 커널 원소 (u, v)는 x[i*S + u*D, j*S + v*D]를 읽습니다.", "dilation D: kernel element (u, v) reads x[i*S + u*D, j*S + v*D].")),
        # "same", 2x2 커널: 남는 한 줄은 아래/오른쪽 / the leftover row and column go bottom/right
        "same-even-kernel": dict(
            x=arange_image(3, 3), w=np.ones((1, 1, 2, 2)), b=None, kwargs={"padding": "same"},
            expected=image([[8, 12, 7], [20, 24, 13], [13, 15, 8]]),
            mistakes=[(image([[0, 1, 3], [3, 8, 12], [9, 20, 24]]), ("남는 패딩을 위/왼쪽에 붙였습니다; PyTorch는 아래/오른쪽입니다.",
                                                                     "the leftover padding went top/left; PyTorch puts it bottom/right."))],
            hint=("'same' 전체 패딩 = D*(k-1); 위/왼쪽 = 전체 // 2, 아래/오른쪽 = 나머지.",
                  "'same' total padding = D*(k-1); top/left = total // 2, bottom/right = the rest.")),
        # groups=2: 출력 채널 0은 입력 채널 0만, 출력 채널 1은 입력 채널 1만 / out 0 sees in 0 only, out 1 sees in 1 only
        "groups-2": dict(
            x=np.array([1.0, 2.0]).reshape(1, 2, 1, 1), w=np.array([3.0, 5.0]).reshape(2, 1, 1, 1), b=None,
            kwargs={"groups": 2}, expected=np.array([3.0, 10.0]).reshape(1, 2, 1, 1), mistakes=[],
            hint=("groups=G: 출력 채널 묶음 g는 입력 채널 묶음 g만 봅니다 (weight의 두 번째 축은 C_in/G).",
                  "groups=G: output block g sees input block g only (weight's second axis is C_in/G).")),
    }


CONV_CASES = conv_cases()


class TestConvForward:
    """question id: conv_forward — conv2d_forward (합성곱층 순전파 / convolution forward)."""

    Q = "conv_forward"

    @pytest.mark.parametrize("case", list(CONV_CASES))
    def test_hand_worked_examples(self, case):
        c = CONV_CASES[case]
        got = call(self.Q, "conv2d_forward", c["x"].copy(), c["w"].copy(), None if c["b"] is None else c["b"].copy(), **c["kwargs"])
        check_array(self.Q, (f"conv2d_forward 손 계산 예: {case} {c['kwargs']}", f"conv2d_forward hand-worked example: {case} {c['kwargs']}"),
                    got, c["expected"], c["hint"], c["mistakes"])

    def test_float32_kept_and_inputs_unchanged(self):
        rng = np.random.default_rng(5)
        x, w, b = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
        saved = [x.copy(), w.copy(), b.copy()]
        reference = call(self.Q, "conv2d_forward", x, w, b, stride=(2, 1), padding=1)
        for name, before, after in zip(["x", "weight", "bias"], saved, [x, w, b]):
            check_array(self.Q, (f"conv2d_forward가 {name}을(를) 바꿨습니다", f"conv2d_forward modified {name}"), after, before,
                        ("입력에 += 하지 말고 새 배열을 만드세요.", "do not += into an input; build a new array."))
        got = call(self.Q, "conv2d_forward", x.astype(np.float32), w.astype(np.float32), b.astype(np.float32),
                   stride=(2, 1), padding=1)
        check_array(self.Q, ("float32 입력 → float32 출력", "float32 in → float32 out"), got, reference,
                    ("np.zeros(..., dtype=x.dtype)처럼 입력의 dtype을 쓰세요.", "use the input's dtype, e.g. np.zeros(..., dtype=x.dtype)."),
                    dtype=np.float32, rtol=1e-4, atol=1e-4)

    @pytest.mark.parametrize("x_shape, w_shape, kwargs, hint", [
        ((1, 3, 5, 5), (2, 2, 3, 3), {}, ("x는 채널 3개인데 weight는 2개를 기대합니다.", "x has 3 channels but weight expects 2.")),
        ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": "same", "stride": 2}, ("'same'은 스트라이드 1에서만.", "'same' only with stride 1.")),
        ((1, 1, 2, 2), (1, 1, 3, 3), {}, ("커널이 (패딩된) 입력보다 큽니다.", "the kernel is larger than the (padded) input.")),
        ((1, 3, 5, 5), (2, 1, 3, 3), {"groups": 3}, ("groups=3은 출력 채널 2를 나누지 못합니다.", "groups=3 does not divide 2 output channels.")),
    ], ids=["channel-mismatch", "same-with-stride", "kernel-too-large", "bad-groups"])
    def test_invalid_arguments_raise_value_error(self, x_shape, w_shape, kwargs, hint):
        check_raises(self.Q, (f"conv2d_forward x{x_shape} w{w_shape} {kwargs}는 ValueError여야 합니다",
                              f"conv2d_forward x{x_shape} w{w_shape} {kwargs} must raise ValueError"),
                     "conv2d_forward", (np.ones(x_shape), np.ones(w_shape)), kwargs, hint)


# ===========================================================================
# conv_backward (20점 / points)
# ===========================================================================

# 손으로 / by hand: x = [0..8 (3x3), 1로 채운 3x3 / ones], w = [[1, 2], [0, -1]], dout = 1 (2, 1, 2, 2)
CONV_BACKWARD_HAND = {
    # dbias = dout의 N, H, W 전체 합 = 2 * 4 / the sum of dout over N, H, W = 2 * 4
    "dbias": (np.array([8.0]), [(np.array([4.0]), ("첫 번째 영상의 기울기만 더했습니다: 배치(N) 전체에 대해 합하세요.",
                                                   "only the first image was summed: sum over the whole batch (N) too.")),
                        (np.array([[4.0], [4.0]]), ("영상마다 따로 합했습니다 (모양 (N, C_out)): 배치 축 N도 합하세요.",
                                                    "summed per image (shape (N, C_out)): sum over the batch axis N too."))],
              ("dbias[k] = sum_{n,i,j} dout[n, k, i, j]; 모양은 항상 (C_out,).", "dbias[k] = sum_{n,i,j} dout[n, k, i, j]; its shape is always (C_out,).")),
    # dweight[u, v] = sum_n sum_{i,j} x[n, i+u, j+v]: 영상 0 [[8, 12], [20, 24]] + 영상 1 [[4, 4], [4, 4]]
    "dweight": (image([[12, 16], [24, 28]]), [(image([[8, 12], [20, 24]]), ("배치의 첫 영상만 썼습니다.", "only the first image of the batch was used.")),
                                               (image([[24, 28], [12, 16]]), ("dweight가 뒤집혔습니다.", "dweight is flipped.")),
                                               (image([[28, 24], [16, 12]]), ("dweight가 뒤집혔습니다.", "dweight is flipped."))],
                ("dweight[k, k', u, v] = sum_{n,i,j} dout[n, k, i, j] * x[n, k', i*S + u, j*S + v]",
                 "dweight[k, k', u, v] = sum_{n,i,j} dout[n, k, i, j] * x[n, k', i*S + u, j*S + v]")),
    # dx[a, b] = 수용장이 (a, b)를 덮는 커널 원소의 합 / the sum of kernel entries whose receptive field covers (a, b)
    "dx": (np.concatenate([image([[1, 3, 2], [1, 2, 1], [0, -1, -1]])] * 2),
           [(np.concatenate([image([[-1, -1, 0], [1, 2, 1], [2, 3, 1]])] * 2), ("dx에 커널을 뒤집은 채로 썼습니다.",
                                                                                "dx used a flipped kernel."))],
           ("겹치는 수용장의 기울기는 더합니다 (+=, 덮어쓰기 아님): dx_pad[..., i*S+u, j*S+v] += dout[n, k, i, j] * w[k, k', u, v].",
            "overlapping receptive fields add up (+=, never overwrite): dx_pad[..., i*S+u, j*S+v] += dout[n, k, i, j] * w[k, k', u, v].")),
}

def three_gradients(question, result):
    """conv2d_backward는 (dx, dweight, dbias)를 반환합니다 / conv2d_backward returns (dx, dweight, dbias)."""
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(question, ("conv2d_backward의 반환값", "conv2d_backward's return value"),
             [f"받은 값 / got: {describe(result)}",
              *bilingual(HINT, ("(dx, dweight, dbias) 튜플을 반환하세요.", "return a (dx, dweight, dbias) tuple."))])


CONV_GRAD_CASES = {
    "basic": ((2, 2, 5, 5), (3, 2, 3, 3), {}),
    "stride-2": ((2, 2, 5, 6), (3, 2, 3, 2), {"stride": 2}),
    "padding-1": ((1, 2, 4, 4), (2, 2, 3, 3), {"padding": 1}),
    "stride-(2,1)-padding-(1,0)": ((2, 1, 5, 4), (2, 1, 2, 3), {"stride": (2, 1), "padding": (1, 0)}),
    "dilation-2": ((1, 2, 6, 6), (2, 2, 2, 3), {"dilation": 2}),
    "same-even-kernel": ((1, 2, 4, 5), (2, 2, 2, 2), {"padding": "same"}),
    "groups-2": ((2, 4, 4, 4), (4, 2, 3, 3), {"groups": 2}),
}


class TestConvBackward:
    """question id: conv_backward — conv2d_backward (합성곱층 역전파 / convolution backward)."""

    Q = "conv_backward"

    @pytest.mark.parametrize("which", list(CONV_BACKWARD_HAND))
    def test_hand_worked_example(self, which):
        x = np.concatenate([arange_image(3, 3), np.ones((1, 1, 3, 3))])
        result = call(self.Q, "conv2d_backward", np.ones((2, 1, 2, 2)), x, image(K_ASYM))
        three_gradients(self.Q, result)
        got = dict(zip(["dx", "dweight", "dbias"], result))[which]
        expected, mistakes, hint = CONV_BACKWARD_HAND[which]
        check_array(self.Q, (f"conv2d_backward 손 계산 예의 {which} (배치 2)", f"conv2d_backward hand example: {which} (batch 2)"),
                    got, expected, hint, mistakes)

    @pytest.mark.parametrize("case", list(CONV_GRAD_CASES))
    def test_gradient_check(self, case):
        x_shape, w_shape, kwargs = CONV_GRAD_CASES[case]
        rng = np.random.default_rng(sum(map(ord, case)))
        x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
        out = call(self.Q, "conv2d_forward", x, w, b, **kwargs)
        dout = rng.standard_normal(np.shape(out))
        result = call(self.Q, "conv2d_backward", dout, x, w, **kwargs)
        three_gradients(self.Q, result)
        dx, dw, db = result
        inputs = {"x": x, "weight": w, "bias": b}

        def numeric(name):  # d sum(conv2d_forward(...) * dout) / d inputs[name], 나머지는 고정 / the others fixed
            def f(value):
                args = dict(inputs, **{name: value})
                return call(self.Q, "conv2d_forward", args["x"], args["weight"], args["bias"], **kwargs)
            return numerical_gradient(f, inputs[name], dout)

        what = lambda name: (f"conv2d_backward {name} 기울기 검사: {case}", f"conv2d_backward {name} gradient check: {case}")
        check_gradient(self.Q, what("dbias"), db, numeric("bias"),
                       ("dbias는 (C_out,) 모양이고 N, H, W 전체의 dout 합입니다.", "dbias has shape (C_out,) and sums dout over N, H and W."))
        check_gradient(self.Q, what("dweight"), dw, numeric("weight"),
                       ("스트라이드/팽창/패딩을 순전파와 똑같이 적용하고, 배치 전체에 대해 합하세요.",
                        "apply stride/dilation/padding exactly as in the forward pass and sum over the batch."))
        check_gradient(self.Q, what("dx"), dx, numeric("x"),
                       ("패딩된 배열에 += 로 모은 뒤 패딩 부분을 잘라내세요 (dx는 x와 같은 모양).",
                        "accumulate with += into a padded array, then crop the padding (dx is shaped like x)."))

    def test_float32_kept_and_inputs_unchanged(self):
        rng = np.random.default_rng(7)
        x, w = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
        dout = rng.standard_normal((2, 3, 3, 3))
        saved = [dout.copy(), x.copy(), w.copy()]
        reference = call(self.Q, "conv2d_backward", dout, x, w)
        for name, before, after in zip(["dout", "x", "weight"], saved, [dout, x, w]):
            check_array(self.Q, (f"conv2d_backward가 {name}을(를) 바꿨습니다", f"conv2d_backward modified {name}"), after, before,
                        ("입력에 쓰지 말고 np.zeros_like 등으로 새 배열을 만드세요.", "never write into an input; allocate with np.zeros_like etc."))
        got = call(self.Q, "conv2d_backward", dout.astype(np.float32), x.astype(np.float32), w.astype(np.float32))
        for name, g, r in zip(["dx", "dweight", "dbias"], got, reference):
            check_array(self.Q, (f"float32 입력 → float32 {name}", f"float32 in → float32 {name}"), g, r,
                        ("기울기도 입력의 dtype을 유지합니다.", "gradients keep the input's dtype too."),
                        dtype=np.float32, rtol=1e-4, atol=1e-4)


def pool_gradient_check(question, layer, case, x, kwargs, hint):
    """{layer}_backward 를 {layer}_forward 의 수치 기울기와 비교 / the backward pass against the
    numerical gradient of the student's own forward pass."""
    out = call(question, f"{layer}_forward", x, **kwargs)
    dout = np.random.default_rng(1).standard_normal(np.shape(out))
    dx = call(question, f"{layer}_backward", dout, x, **kwargs)
    numeric = numerical_gradient(lambda v: call(question, f"{layer}_forward", v, **kwargs), x, dout)
    check_gradient(question, (f"{layer}_backward 기울기 검사: {case}", f"{layer}_backward gradient check: {case}"),
                   dx, numeric, hint)


# ===========================================================================
# max_pool (10점 / points)
# ===========================================================================

MAX_FORWARD_CASES = {
    "slide-2x2-stride-2": (X4, {"kernel_size": 2}, image([[4, 2], [8, 4]]), [],
                           ("강의: 2x2 풀링 커널, 스트라이드 2 (stride=None → kernel_size), 패딩 없음.",
                            "lecture: 2x2 pooling kernel, stride 2 (stride=None → kernel_size), no padding.")),
    "overlapping-3x3-stride-1": (X4, {"kernel_size": 3, "stride": 1}, image([[6, 6], [8, 8]]), [],
                                 ("창 (i, j)는 (i*S, j*S)에서 시작합니다.", "window (i, j) starts at (i*S, j*S).")),
    "padding-is-minus-infinity": (image([[-1, -2], [-3, -4]]), {"kernel_size": 2, "padding": 1}, image([[-1, -2], [-3, -4]]),
                                  [(np.zeros((1, 1, 2, 2)), ("0으로 패딩했습니다; 최대 풀링의 패딩은 -inf입니다.",
                                                             "you padded with zeros; max pooling pads with -inf."))],
                                  ("np.pad(..., constant_values=-np.inf)", "np.pad(..., constant_values=-np.inf)")),
    "ceil-mode": (arange_image(3, 3), {"kernel_size": 2, "ceil_mode": True}, image([[4, 5], [7, 8]]),
                  [(image([[4]]), ("ceil_mode를 무시했습니다.", "ceil_mode was ignored."))],
                  ("ceil_mode=True: 마지막 창은 입력 밖으로 나가도 됩니다 (밖은 -inf).",
                   "ceil_mode=True: the last window may hang past the input (outside counts as -inf).")),
    "kernel-(1,2)": (X4, {"kernel_size": (1, 2)}, image([[3, 2], [4, 1], [6, 2], [8, 4]]), [],
                     ("kernel_size=(kH, kW) = (1, 2): 한 행 안의 두 칸씩.", "kernel_size=(kH, kW) = (1, 2): two cells within one row.")),
}

MAX_BACKWARD_CASES = {
    # 각 창의 최댓값 위치로: 4 → (1, 0), 2 → (0, 2), 8 → (3, 1), 4 → (3, 3)
    "slide-2x2": (X4, {"kernel_size": 2}, image([[1, 2], [3, 4]]), image([[0, 0, 2, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 3, 0, 4]]), [],
                  ("기울기는 각 창의 최댓값 위치로만 갑니다.", "the gradient goes only to the position of each window's maximum.")),
    "tie-goes-to-first": (np.ones((1, 1, 2, 2)), {"kernel_size": 2}, image([[5]]), image([[5, 0], [0, 0]]),
                          [(image([[5, 5], [5, 5]]), ("동점인 최댓값 모두에 기울기를 보냈습니다.", "the gradient went to every tied maximum.")),
                           (image([[0, 0], [0, 5]]), ("동점 중 마지막 위치로 보냈습니다.", "the gradient went to the last tied maximum."))],
                          ("동점이면 행 우선 순서로 첫 번째 최댓값 하나에만 (np.argmax가 그렇게 합니다).",
                           "on a tie only the first maximum in row-major order gets it (np.argmax does exactly that).")),
    "overlap-accumulates": (image([[0, 5, 1]]), {"kernel_size": (1, 2), "stride": 1}, image([[1, 1]]), image([[0, 2, 0]]),
                            [(image([[0, 1, 0]]), ("겹치는 창의 기울기를 덮어썼습니다; 더해야 합니다 (+=).",
                                                   "overlapping windows overwrote the gradient; add it (+=)."))],
                            ("두 창 모두 최댓값이 5이므로 dx[1] = 1 + 1.", "both windows have their maximum at 5, so dx[1] = 1 + 1.")),
    "overlapping-3x3": (X4, {"kernel_size": 3, "stride": 1}, np.ones((1, 1, 2, 2)),
                        image([[0, 0, 0, 0], [0, 0, 0, 0], [0, 2, 0, 0], [0, 2, 0, 0]]),
                        [(image([[0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0]]),
                          ("겹치는 창의 기울기를 덮어썼습니다; 더해야 합니다 (+=).", "overlapping windows overwrote the gradient; add it (+=)."))],
                        ("6은 위의 두 창, 8은 아래 두 창의 최댓값입니다.", "6 is the maximum of the two top windows, 8 of the two bottom ones.")),
}

POOL_GRAD_CASES = {
    "2x2": ((2, 2, 4, 6), {"kernel_size": 2}),
    "3x3-stride-1-padding-1": ((1, 2, 5, 5), {"kernel_size": 3, "stride": 1, "padding": 1}),
    "kernel-(2,3)-stride-(1,2)": ((2, 1, 5, 7), {"kernel_size": (2, 3), "stride": (1, 2)}),
}


def distinct_values(shape, seed):
    """동점이 없는 값 (수치 미분이 안전) / values without ties (safe for numerical differentiation)."""
    rng = np.random.default_rng(seed)
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 1.0


class TestMaxPool:
    """question id: max_pool — max_pool2d_forward, max_pool2d_backward (최대 풀링 / max pooling)."""

    Q = "max_pool"

    @pytest.mark.parametrize("case", list(MAX_FORWARD_CASES))
    def test_forward(self, case):
        x, kwargs, expected, mistakes, hint = MAX_FORWARD_CASES[case]
        got = call(self.Q, "max_pool2d_forward", x.copy(), **kwargs)
        check_array(self.Q, (f"max_pool2d_forward: {case} {kwargs}", f"max_pool2d_forward: {case} {kwargs}"),
                    got, expected, hint, mistakes)

    @pytest.mark.parametrize("case", list(MAX_BACKWARD_CASES))
    def test_backward_hand_worked(self, case):
        x, kwargs, dout, expected, mistakes, hint = MAX_BACKWARD_CASES[case]
        got = call(self.Q, "max_pool2d_backward", dout.copy(), x.copy(), **kwargs)
        check_array(self.Q, (f"max_pool2d_backward: {case} {kwargs}", f"max_pool2d_backward: {case} {kwargs}"),
                    got, expected, hint, mistakes)

    @pytest.mark.parametrize("case", list(POOL_GRAD_CASES) + ["3x3-stride-2-ceil-mode"])
    def test_gradient_check(self, case):
        shape, kwargs = POOL_GRAD_CASES.get(case, ((1, 2, 6, 6), {"kernel_size": 3, "stride": 2, "ceil_mode": True}))
        pool_gradient_check(self.Q, "max_pool2d", case, distinct_values(shape, sum(map(ord, case))), kwargs,
                            ("순전파와 같은 창, 패딩, ceil_mode를 쓰고, 각 창의 최댓값 위치에 dout을 더하세요.",
                             "use the same windows, padding and ceil_mode as the forward pass, and add dout at each "
                             "window's argmax."))


# ===========================================================================
# avg_pool (10점 / points)
# ===========================================================================

AVG_FORWARD_CASES = {
    "slide-2x2-stride-2": (X4, {"kernel_size": 2}, image([[2.5, 1.0], [6.5, 2.5]]), [],
                           ("(1 + 3 + 4 + 2) / 4 = 2.5: 창의 합을 kH*kW로 나눕니다.", "(1 + 3 + 4 + 2) / 4 = 2.5: the window sum divided by kH*kW.")),
    "overlapping-2x2-stride-1": (X4, {"kernel_size": 2, "stride": 1},
                                 image([[2.5, 1.75, 1.0], [4.25, 2.25, 1.0], [6.5, 4.5, 2.5]]), [],
                                 ("stride=1이면 창이 겹칩니다.", "with stride=1 the windows overlap.")),
    "padding-count-include-pad": (np.ones((1, 1, 3, 3)), {"kernel_size": 3, "stride": 1, "padding": 1},
                                  image([[4, 6, 4], [6, 9, 6], [4, 6, 4]]) / 9,
                                  [(np.ones((1, 1, 3, 3)), ("패딩 칸을 나눗수에서 뺐습니다; count_include_pad=True면 항상 kH*kW(=9)로 나눕니다.",
                                                            "padding cells were left out of the divisor; count_include_pad=True always divides by kH*kW (= 9)."))],
                                  ("모서리 창: 실제 칸 4개 → 4 / 9 (슬라이드의 제로 패딩 예처럼).",
                                   "corner window: 4 real cells → 4 / 9 (like the slide's zero-padding example).")),
    "padding-exclude-pad": (np.ones((1, 1, 3, 3)), {"kernel_size": 3, "stride": 1, "padding": 1, "count_include_pad": False},
                            np.ones((1, 1, 3, 3)),
                            [(image([[4, 6, 4], [6, 9, 6], [4, 6, 4]]) / 9, ("count_include_pad=False를 무시했습니다.",
                                                                             "count_include_pad=False was ignored."))],
                            ("count_include_pad=False: 창 안의 실제 입력 칸 수로 나눕니다.", "count_include_pad=False: divide by the number of real input cells in the window.")),
}


class TestAvgPool:
    """question id: avg_pool — avg_pool2d_forward, avg_pool2d_backward (평균 풀링 / average pooling)."""

    Q = "avg_pool"

    @pytest.mark.parametrize("case", list(AVG_FORWARD_CASES))
    def test_forward(self, case):
        x, kwargs, expected, mistakes, hint = AVG_FORWARD_CASES[case]
        got = call(self.Q, "avg_pool2d_forward", x.copy(), **kwargs)
        check_array(self.Q, (f"avg_pool2d_forward: {case} {kwargs}", f"avg_pool2d_forward: {case} {kwargs}"),
                    got, expected, hint, mistakes)

    @pytest.mark.parametrize("case, x, kwargs, dout, expected, hint", [
        ("slide-2x2", X4, {"kernel_size": 2}, image([[1, 2], [3, 4]]),
         image([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]) / 4,
         ("각 창의 dout을 창의 4칸에 똑같이 나눕니다: dout / 4.", "each window's dout is shared by its 4 cells: dout / 4.")),
        ("3x3-stride-1-padding-1", np.ones((1, 1, 3, 3)), {"kernel_size": 3, "stride": 1, "padding": 1}, np.ones((1, 1, 3, 3)),
         image([[4, 6, 4], [6, 9, 6], [4, 6, 4]]) / 9,
         ("칸 하나를 덮는 창의 수 / 9: 겹치는 창의 몫을 더하세요 (+=).", "number of windows covering a cell / 9: add up overlapping shares (+=).")),
    ], ids=["slide-2x2", "3x3-stride-1-padding-1"])
    def test_backward_hand_worked(self, case, x, kwargs, dout, expected, hint):
        got = call(self.Q, "avg_pool2d_backward", dout.copy(), x.copy(), **kwargs)
        check_array(self.Q, (f"avg_pool2d_backward: {case} {kwargs}", f"avg_pool2d_backward: {case} {kwargs}"), got, expected, hint)

    @pytest.mark.parametrize("case", list(POOL_GRAD_CASES) + ["3x3-padding-1-exclude-pad"])
    def test_gradient_check(self, case):
        shape, kwargs = POOL_GRAD_CASES.get(case, ((1, 2, 5, 5), {"kernel_size": 3, "stride": 1, "padding": 1,
                                                                   "count_include_pad": False}))
        pool_gradient_check(self.Q, "avg_pool2d", case, np.random.default_rng(sum(map(ord, case))).standard_normal(shape),
                            kwargs, ("각 창의 dout / 나눗수를 창의 모든 칸에 더하세요 (나눗수는 순전파와 같게).",
                                     "add dout / divisor to every cell of the window (the same divisor as in the "
                                     "forward pass)."))


# ===========================================================================
# lenet5 (10점 / points)
# ===========================================================================

LENET5_SHAPES = {
    "conv1.weight": (6, 1, 5, 5), "conv1.bias": (6,), "conv2.weight": (16, 6, 5, 5), "conv2.bias": (16,),
    "fc1.weight": (120, 400), "fc1.bias": (120,), "fc2.weight": (84, 120), "fc2.bias": (84,),
    "fc3.weight": (10, 84), "fc3.bias": (10,),
}


def hand_built_lenet5():
    """손으로 따라갈 수 있는 LeNet-5 가중치 / LeNet-5 weights you can follow by hand.

    입력이 상수 c인 영상이면 / for a constant image of value c:
      conv1: 각 필터 = 1/25 (평균) → c + b1, b1 = [0, -2, 0, 0, 0, 0] → ReLU → [c, 0, c, c, c, c] (c = 1, 2)
      pool: 상수 맵은 그대로 / constant maps stay the same
      conv2: 1/25 → 채널 합 5c + b2[k], b2[k] = -k → ReLU → max(5c - k, 0)
      flatten (NCHW): 특성 f = k*25 + 위치 / feature f = k*25 + position → max(5c - f // 25, 0)
      fc1: 단위 행렬 / the identity on features 0..119 (k = 0..3: 25개씩 / 25 each, k = 4: 20개 / 20)
           합 / sum S:  c = 1: 25 * (5+4+3+2) + 20 * 1 = 370,  c = 2: 25 * (10+9+8+7) + 20 * 6 = 970
      fc2: 0행 = 1, 1행 = -1 / row 0 = 1, row 1 = -1 → [S, -S] → ReLU → [S, 0]
      fc3: logits[k] = k * S + 1 * 0 + k / 10
    """
    p = {name: np.zeros(shape) for name, shape in LENET5_SHAPES.items()}
    p["conv1.weight"][:] = 1 / 25
    p["conv1.bias"][1] = -2
    p["conv2.weight"][:] = 1 / 25
    p["conv2.bias"][:] = -np.arange(16)
    p["fc1.weight"][:, :120] = np.eye(120)
    p["fc2.weight"][0] = 1
    p["fc2.weight"][1] = -1
    p["fc3.weight"][:, 0] = np.arange(10)
    p["fc3.weight"][:, 1] = 1
    p["fc3.bias"][:] = np.arange(10) / 10
    return p


class TestLenet5:
    """question id: lenet5 — lenet5_forward (CNN 기본 구조 / the basic CNN structure, 61,706 parameters)."""

    Q = "lenet5"

    def test_zero_weights_give_the_last_bias(self):
        params = {name: np.zeros(shape) for name, shape in LENET5_SHAPES.items()}
        params["fc3.bias"] = np.arange(10, dtype=np.float64)
        x = np.random.default_rng(3).standard_normal((2, 1, 32, 32))
        got = call(self.Q, "lenet5_forward", x, params)
        check_array(self.Q, ("가중치가 모두 0이면 로짓 = fc3.bias", "with all weights zero the logits are fc3.bias"), got,
                    np.tile(np.arange(10.0), (2, 1)),
                    ("(N, 10)을 반환하세요; 마지막 층(fc3) 뒤에는 ReLU가 없습니다.", "return (N, 10); there is no ReLU after the last layer (fc3)."))

    def test_hand_built_network(self):
        x = np.concatenate([np.ones((1, 1, 32, 32)), np.full((1, 1, 32, 32), 2.0)])
        k = np.arange(10)
        expected = np.stack([370 * k + k / 10, 970 * k + k / 10])
        got = call(self.Q, "lenet5_forward", x, hand_built_lenet5())
        check_array(self.Q, ("손으로 따라가는 LeNet-5 (test_public.py의 hand_built_lenet5 설명 참고)",
                             "hand-built LeNet-5 (see hand_built_lenet5 in test_public.py)"), got, expected,
                    ("순서: conv1 → ReLU → 최대 풀링 2 → conv2 → ReLU → 최대 풀링 2 → flatten(NCHW 순서, reshape(N, -1)) → "
                     "fc1 → ReLU → fc2 → ReLU → fc3. 완전 연결층은 x @ W.T + b.",
                     "order: conv1 → ReLU → max pool 2 → conv2 → ReLU → max pool 2 → flatten (NCHW order, reshape(N, -1)) → "
                     "fc1 → ReLU → fc2 → ReLU → fc3. A linear layer is x @ W.T + b."),
                    mistakes=[(np.stack([370 * k - 370 + k / 10, 970 * k - 970 + k / 10]),
                               ("fc2 뒤의 ReLU가 빠졌습니다.", "the ReLU after fc2 is missing."))],
                    rtol=1e-6)

    def test_float32_kept_and_inputs_unchanged(self):
        rng = np.random.default_rng(4)
        params = {name: rng.standard_normal(shape) * 0.1 for name, shape in LENET5_SHAPES.items()}
        x = rng.standard_normal((3, 1, 32, 32))
        saved = {name: value.copy() for name, value in params.items()}, x.copy()
        reference = call(self.Q, "lenet5_forward", x, params)
        check_array(self.Q, ("lenet5_forward가 x를 바꿨습니다", "lenet5_forward modified x"), x, saved[1],
                    ("입력에 쓰지 마세요 (np.maximum(h, 0)은 새 배열).", "never write into an input (np.maximum(h, 0) makes a new array)."))
        for name, value in params.items():
            check_array(self.Q, (f"lenet5_forward가 params['{name}']을(를) 바꿨습니다", f"lenet5_forward modified params['{name}']"),
                        value, saved[0][name], ("매개변수에 쓰지 마세요.", "never write into the parameters."))
        got = call(self.Q, "lenet5_forward", x.astype(np.float32),
                   {name: value.astype(np.float32) for name, value in params.items()})
        check_array(self.Q, ("float32 입력 → float32 로짓", "float32 in → float32 logits"), got, reference,
                    ("입력의 dtype을 끝까지 유지하세요.", "keep the input's dtype all the way through."),
                    dtype=np.float32, rtol=1e-3, atol=1e-4)
