#!/bin/sh
# Build .gpu/ (git-ignored via .git/info/exclude) for training on a lent GPU machine that has torch but no
# registry access: anny without its build-time data plus the compact cache of the cmu_mb body (~23 MB),
# and the wheels the image lacks (roma, trimesh, pydantic and its parts), for CPython 3.12.
# Run from the repository root after `make` (it reads .venv and ~/.cache/anny).
set -e
SITE=$(.venv/bin/python -c "import anny, pathlib; print(pathlib.Path(anny.__file__).parents[1])")
CACHE=${ANNY_CACHE_DIR:-$HOME/.cache/anny}
COMPACT=$(.venv/bin/python - <<'PY'
import logging, io, re
stream = io.StringIO()
logging.basicConfig(stream=stream, level=logging.INFO)
from gtrs.body.anny import AnnyBody
AnnyBody()
print(re.findall(r"(build_compact_model_data_\w+\.safetensors)", stream.getvalue())[-1])
PY
)
mkdir -p .gpu /tmp/gpu_bundle/pkg /tmp/gpu_bundle/cache/v14
rm -rf /tmp/gpu_bundle/pkg/anny && cp -r "$SITE/anny" /tmp/gpu_bundle/pkg/
rm -rf /tmp/gpu_bundle/pkg/anny/data/mpfb2 /tmp/gpu_bundle/pkg/anny/data/soma /tmp/gpu_bundle/pkg/anny/data/cached \
       /tmp/gpu_bundle/pkg/anny/examples
find /tmp/gpu_bundle/pkg -name __pycache__ -prune -exec rm -rf {} +
cp "$CACHE/v14/$COMPACT" /tmp/gpu_bundle/cache/v14/
tar cJf .gpu/anny_slim.tar.xz -C /tmp/gpu_bundle/pkg anny -C /tmp/gpu_bundle cache
tar cf .gpu/anny_distinfo.tar -C "$SITE" anny-0.6.2.dist-info
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .gpu \
    roma trimesh "pydantic>=2.6,<3" pydantic-core typing-inspection annotated-types "typing-extensions>=4.16"
cp tools/gpu-run/setup.sh tools/gpu-run/export.py .gpu/
du -sh .gpu
