# sourced on the device machine: packages the image lacks, the slim anny + its compact cache, gtrs from src
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .gpu/*.whl || exit 1
mkdir -p /tmp/anny && tar xJf .gpu/anny_slim.tar.xz -C /tmp/anny || exit 1
tar xf .gpu/anny_distinfo.tar -C /tmp/anny && export PYTHONPATH=/tmp/anny:$PWD/src:/tmp/site ANNY_CACHE_DIR=/tmp/anny/cache PYTHONUNBUFFERED=1
