"""Real Docker for the container test and the grading benchmark: a dockerd of our own, a base image
made locally, and a grading image laid out like otter 7's, built from the zip's own files.

Why it is built this way (facts of machines like CI's, see README "otter-grader and Gradescope"):
Docker Hub and GitHub are unreachable, so the base image comes from ``debootstrap bookworm`` and
``docker import``. The zip's own ``setup.sh`` runs where otter's Dockerfile runs it (before
``otter_config.json`` is added), with apt from Debian; only its download of Miniforge gets a stand-in,
whose ``mamba env create`` makes the ``environment.yml`` environment as a venv, by pip from the registry. ``docker buildx`` is not packaged in Debian, so the image is built with the classic
builder, and the real ``otter grade`` runs with only ``otter.grade.containers.build_image`` replaced
(:func:`otter_grade`). Everything is cached under ``CACHE`` (the rootfs, the daemon's images and its
build cache), so a second run builds nothing but the layers of the zip's changed files.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from conftest import environment

CACHE = Path(os.environ.get("CNNGRADE_CONTAINER_CACHE", "/var/cache/cnngrade-container"))
BASE_IMAGE = "cnngrade-base:bookworm"
GRADING_IMAGE = "cnngrade-otter-grade"
# What the image needs beyond debootstrap's minimal base: a python3 for the environment (bookworm's
# is 3.11, like the zip's environment.yml) and the CA bundle. Changing the list rebuilds the rootfs.
DEBIAN_PACKAGES = ("python3", "python3-venv", "ca-certificates")
CA_BUNDLE = Path(os.environ.get("PIP_CERT") or "/etc/ssl/certs/ca-certificates.crt")
START_SECONDS = 90


class Unavailable(Exception):
    """Real containers cannot be had here; the message says why."""


def required():
    """True where a missing Docker must fail the test run instead of skipping it."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("CNNGRADE_REQUIRE_DOCKER") == "1"


def _log(name):
    CACHE.mkdir(parents=True, exist_ok=True)
    return open(CACHE / name, "ab")


def ensure_tools():
    """docker, dockerd and debootstrap, installed from Debian's packages when missing (root only)."""
    if sys.platform != "linux":
        raise Unavailable(f"real containers need Linux, this is {sys.platform}")
    if os.geteuid() != 0:
        raise Unavailable("real containers need root (this test starts its own dockerd)")
    missing = [tool for tool in ("docker", "dockerd", "debootstrap") if shutil.which(tool) is None]
    if not missing:
        return
    if shutil.which("apt-get") is None:
        raise Unavailable(f"{', '.join(missing)} missing and no apt-get to install them")
    with _log("apt.log") as log:
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "docker.io", "debootstrap"]):
            if subprocess.run(command, stdout=log, stderr=subprocess.STDOUT,
                              env=dict(os.environ, DEBIAN_FRONTEND="noninteractive")).returncode != 0:
                raise Unavailable(f"`{' '.join(command)}` failed, see {CACHE / 'apt.log'}")


class Docker:
    """A dockerd started by us (own socket, data root under CACHE), stopped by its PID in stop()."""

    def __init__(self):
        self.run_dir = Path("/run/cnngrade-docker")
        self.socket = self.run_dir / "docker.sock"
        self.env = dict(os.environ, DOCKER_HOST=f"unix://{self.socket}", DOCKER_BUILDKIT="0")
        self.process = None

    def start(self):
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.socket.exists() and self.docker("version", check=False).returncode == 0:
            # one daemon per data root: a second one would corrupt it
            raise RuntimeError(f"a dockerd already serves {self.socket} (another container test or benchmark "
                               "is running); wait for it to end")
        with _log("dockerd.log") as log:
            self.process = subprocess.Popen(
                ["dockerd", f"--host=unix://{self.socket}", f"--data-root={CACHE / 'docker'}",
                 f"--exec-root={self.run_dir / 'exec'}", f"--pidfile={self.run_dir / 'dockerd.pid'}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_SECONDS
        while self.docker("version", check=False).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"dockerd did not start, see {CACHE / 'dockerd.log'}")
            time.sleep(0.5)
        return self

    def stop(self):
        """Remove every container of this daemon (it is ours alone), then end dockerd by its PID."""
        if self.process is None:
            return
        if self.process.poll() is None:
            containers = self.docker("ps", "-aq", check=False).stdout.split()
            if containers:
                self.docker("rm", "-f", *containers, check=False)
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def docker(self, *args, check=True, timeout=900, **kwargs):
        kwargs.setdefault("capture_output", True)
        completed = subprocess.run(["docker", *args], env=self.env, text=kwargs.pop("text", True), timeout=timeout,
                                   **kwargs)
        if check and completed.returncode != 0:
            raise RuntimeError(f"docker {' '.join(args[:3])} failed ({completed.returncode}):\n"
                               f"{(completed.stdout or '')[-3000:]}\n{(completed.stderr or '')[-3000:]}")
        return completed

    def has_image(self, tag):
        return self.docker("image", "inspect", tag, check=False).returncode == 0

    def host_env(self):
        """DOCKER_HOST and the classic builder for code in this process (otter's python_on_whales)."""
        return environment(DOCKER_HOST=self.env["DOCKER_HOST"], DOCKER_BUILDKIT="0")


# --------------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------------

def ensure_base_image(docker):
    """Debian bookworm, debootstrapped once into CACHE and imported (Docker Hub is unreachable)."""
    if docker.has_image(BASE_IMAGE):
        return BASE_IMAGE
    rootfs = CACHE / ("rootfs-bookworm-" + hashlib.sha256(" ".join(DEBIAN_PACKAGES).encode()).hexdigest()[:8])
    if not rootfs.is_dir():
        partial = rootfs.with_name(rootfs.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        with _log("debootstrap.log") as log:
            completed = subprocess.run(["debootstrap", "--variant=minbase", "--include=" + ",".join(DEBIAN_PACKAGES),
                                        "bookworm", str(partial)], stdout=log, stderr=subprocess.STDOUT)
        if completed.returncode != 0:
            raise RuntimeError(f"debootstrap failed, see {CACHE / 'debootstrap.log'}")
        partial.rename(rootfs)
    with subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE) as tar:
        docker.docker("import", "-", BASE_IMAGE, stdin=tar.stdout)
    return BASE_IMAGE


# Otter 7's Dockerfile (site-packages/otter/grade/Dockerfile), step for step, except where marked.
DOCKERFILE = """\
FROM {base}
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update && \\
    apt-get install -y curl unzip dos2unix wget && \\
    apt-get clean && \\
    rm -rf /var/lib/apt/lists/* /var/tmp/*
RUN mkdir -p /autograder/source && mkdir -p /autograder/submission && mkdir -p /autograder/results
ADD run_autograder /autograder/run_autograder
ADD setup.sh environment.yml requirements.* /autograder/source/
# here: GitHub and conda-forge are unreachable, so the Miniforge that setup.sh downloads is a stand-in
# (cnngrade-image/, see STANDIN_*); the rest of setup.sh runs as it is, before otter_config.json exists
COPY cnngrade-image /tmp/cnngrade-image
RUN dos2unix /autograder/run_autograder /autograder/source/setup.sh && \\
    chmod +x /autograder/run_autograder && \\
    install -m 755 /tmp/cnngrade-image/wget /usr/local/bin/wget && \\
    apt-get update && bash /autograder/source/setup.sh && \\
    rm /usr/local/bin/wget && \\
    apt-get clean && \\
    rm -rf /var/lib/apt/lists/* /tmp/* /var/tmp/*
RUN touch /autograder/submission_metadata.json
ADD otter_config.json run_otter.py /autograder/source/
ADD files* /autograder/source/files/
ADD tests /autograder/source/tests/
"""

# On PATH before /usr/bin while setup.sh runs: its download of Miniforge's installer gets the stand-in.
STANDIN_WGET = """\
#!/bin/sh
case "$*" in
    *github.com/conda-forge/miniforge/*)
        while [ $# -gt 0 ]; do
            if [ "$1" = "-O" ]; then cp /tmp/cnngrade-image/miniforge-installer.sh "$2"; exit 0; fi
            shift
        done
        echo "wget stand-in: a Miniforge download without -O" >&2
        exit 1 ;;
esac
exec /usr/bin/wget "$@"
"""

# What setup.sh runs as Miniforge's installer (`-b`): it puts the stand-in mamba in place.
STANDIN_INSTALLER = """\
#!/bin/sh
set -eu
[ "$*" = "-b" ] || { echo "Miniforge stand-in: expected -b, got: $*" >&2; exit 1; }
mkdir -p /root/miniforge3/bin /root/miniforge3/envs
install -m 755 /tmp/cnngrade-image/mamba /root/miniforge3/bin/mamba
"""

# The mamba commands that setup.sh and run_autograder use, and no other.
STANDIN_MAMBA = """\
#!/bin/sh
set -eu
case "$*" in
    "env create -f "*) exec python3 /tmp/cnngrade-image/env_create.py "$4" ;;
    "shell hook --shell bash")
        echo 'mamba() { if [ "$1" = activate ]; then . /root/miniforge3/envs/"$2"/bin/activate; fi; }' ;;
    "shell init --shell bash") ;;
    *) echo "mamba stand-in: not supported: $*" >&2; exit 1 ;;
esac
"""

# `mamba env create -f environment.yml`: the environment it names, as a venv of the image's python3,
# with the conda packages besides python and pip and the pip section installed by pip from the
# registry; when the pip section names torch, the CPU torch wheel of the build context first (else pip
# would pull the CUDA build). The zip of `cnn-grade build-otter` names no torch.
STANDIN_ENV_CREATE = r'''
import glob
import os
import subprocess
import sys


def read(path):
    """name, conda packages and pip packages of otter's environment.yml (yaml.dump of a small dict)."""
    name, section, conda, pip, pip_indent = None, None, [], [], None
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            stripped, indent = line.strip(), len(line) - len(line.lstrip())
            item = stripped[2:].strip("'\"") if stripped.startswith("- ") else None
            if not stripped:
                continue
            if indent == 0 and stripped.endswith(":"):
                section, pip_indent = stripped[:-1], None
            elif indent == 0 and stripped.startswith("name:"):
                name = stripped.split(":", 1)[1].strip()
            elif section == "channels" and item:
                continue  # conda's channels; pip uses the registry
            elif section == "dependencies" and item == "pip:":
                pip_indent = indent
            elif section == "dependencies" and item and pip_indent is not None and indent > pip_indent:
                pip.append(item)
            elif section == "dependencies" and item:
                conda.append(item)
            else:
                sys.exit(f"env_create stand-in: cannot read {line!r} of {path}")
    return name, conda, pip


name, conda, pip = read(sys.argv[1])
wanted = [package for package in conda if package.startswith("python=")]
if wanted != ["python=%d.%d" % sys.version_info[:2]]:
    sys.exit(f"env_create stand-in: {sys.argv[1]} wants {wanted}, the image has {sys.version.split()[0]}")
conda = [package for package in conda if package not in (wanted[0], "pip")]
prefix = f"/root/miniforge3/envs/{name}"
os.environ.update(PIP_CERT="/tmp/cnngrade-image/ca-certificates.crt", PIP_DISABLE_PIP_VERSION_CHECK="1",
                  PIP_DEFAULT_TIMEOUT="180")
subprocess.run([sys.executable, "-m", "venv", prefix], check=True)
install = [f"{prefix}/bin/pip", "install", "--no-cache-dir"]
if any(package.split("=")[0].split(">")[0].split("<")[0].strip() == "torch" for package in pip):
    subprocess.run(install + glob.glob("/tmp/cnngrade-image/torch-*.whl"), check=True)
subprocess.run(install + conda + pip, check=True)
'''


def torch_wheel():
    """The CPU torch wheel of $PIP_FIND_LINKS for the image's Python 3.11 (else pip pulls CUDA)."""
    for folder in filter(None, os.environ.get("PIP_FIND_LINKS", "/opt/wheels").split()):
        wheels = sorted(Path(folder).glob("torch-*+cpu-cp311-cp311-*linux*x86_64.whl"))
        if wheels:
            return wheels[-1]
    raise Unavailable("no CPU torch wheel for cp311 in $PIP_FIND_LINKS")


def prepare_context(zip_path, context):
    """The zip extracted as otter's build_image does it (otter_config.json updated through otter's
    AutograderConfig, as `otter grade` without --pdfs and --debug does), plus the image's own files."""
    from otter.run import AutograderConfig

    context = Path(context)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(context)
    config_path = context / "otter_config.json"
    config = AutograderConfig(json.loads(config_path.read_text("utf-8")))
    config.update(AutograderConfig({"zips": False, "pdf": False, "debug": False}).get_user_config())
    config_path.write_text(json.dumps(config.get_user_config()), encoding="utf-8")
    for name in ("run_autograder", "setup.sh"):
        (context / name).chmod(0o755)
    extra = context / "cnngrade-image"
    extra.mkdir()
    if "torch" in (context / "environment.yml").read_text(encoding="utf-8"):
        wheel = torch_wheel()
        shutil.copyfile(wheel, extra / wheel.name)
    shutil.copyfile(CA_BUNDLE, extra / "ca-certificates.crt")
    for name, text in (("wget", STANDIN_WGET), ("miniforge-installer.sh", STANDIN_INSTALLER),
                       ("mamba", STANDIN_MAMBA), ("env_create.py", STANDIN_ENV_CREATE)):
        (extra / name).write_text(text, encoding="utf-8")
    (context / "Dockerfile").write_text(DOCKERFILE.format(base=BASE_IMAGE), encoding="utf-8")


def build_grading_image(docker, zip_path):
    """The grading image for ``zip_path``; tagged by the zip's content, so an unchanged zip is not rebuilt."""
    ensure_base_image(docker)
    tag = f"{GRADING_IMAGE}:{hashlib.sha256(Path(zip_path).read_bytes()).hexdigest()[:16]}"
    if docker.has_image(tag):
        return tag
    with tempfile.TemporaryDirectory(prefix="cnngrade-image-") as context:
        prepare_context(zip_path, context)
        with _log("build.log") as log:
            # host network for pip only; the grading containers get otter's own network settings
            completed = subprocess.run(["docker", "build", "--network", "host", "-t", tag, context], env=docker.env,
                                       stdout=log, stderr=subprocess.STDOUT, timeout=1800)
    if completed.returncode != 0:
        raise RuntimeError(f"the grading image did not build, see {CACHE / 'build.log'}")
    return tag


# --------------------------------------------------------------------------------------------------
# Grading: the real `otter grade`, and Gradescope's way of running run_autograder
# --------------------------------------------------------------------------------------------------

def otter_grade(docker, image, zip_path, paths, output_dir, containers=2, ext="py", timeout=900):
    """otter's own `otter grade` (its Python API, as the CLI calls it) with only the image build
    replaced by our prebuilt image; returns final_grades.csv as a list of dicts."""
    import csv

    import otter.grade
    import otter.grade.containers as containers_module

    original = containers_module.build_image
    containers_module.build_image = lambda *args, **kwargs: image
    try:
        with docker.host_env():
            otter.grade.main(name="hw05", autograder=str(zip_path), paths=[str(path) for path in paths],
                             output_dir=str(output_dir), ext=ext, containers=containers, timeout=timeout,
                             no_network=True)
    finally:
        containers_module.build_image = original
    with open(Path(output_dir) / "final_grades.csv", newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


# Run after run_autograder in the Gradescope-style container: every process still alive (pid, uid,
# command line), and the digest of the grading files, one line each, for the test to check.
_AFTER_GRADING = r"""
/autograder/run_autograder > /tmp/run_autograder.log 2>&1
status=$?
for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = "$$" ] && continue
    [ -r "$p/cmdline" ] || continue
    echo "ALIVE $pid $(stat -c %u "$p") $(tr '\0' ' ' < "$p/cmdline")"
done
echo "GRADING-FILES $(cd /autograder && find run_autograder source/run_otter.py source/otter_config.json source/tests source/files -type f -exec sha256sum {} + | sort | sha256sum)"
cat /tmp/run_autograder.log
exit $status
"""
def gradescope_run(docker, image, submission, out_dir, timeout=900):
    """Gradescope's way: docker create, docker cp the submission into /autograder/submission/,
    docker start -a, docker cp /autograder/results out. Returns (results.json dict or None, log,
    processes alive after grading, digest of the grading files after grading). otter itself
    rewrites otter_config.json while it runs, so compare the digest with a clean run's."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    container = docker.docker("create", "--network", "none", image, "bash", "-c", _AFTER_GRADING).stdout.strip()
    try:
        docker.docker("cp", str(submission), f"{container}:/autograder/submission/{Path(submission).name}")
        started = docker.docker("start", "-a", container, check=False, timeout=timeout)
        docker.docker("cp", f"{container}:/autograder/results", str(out_dir))
    finally:
        docker.docker("rm", "-f", container, check=False)
    log = started.stdout + started.stderr
    alive = [line for line in log.splitlines() if line.startswith("ALIVE ")]
    grading_files = next((line.split(" ", 1)[1] for line in log.splitlines() if line.startswith("GRADING-FILES ")),
                         None)
    results_path = out_dir / "results" / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.is_file() else None
    return results, log, alive, grading_files
