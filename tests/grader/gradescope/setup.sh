#!/usr/bin/env bash
# setup.sh (in the Gradescope autograder zip; from tests/grader/gradescope/): install what the
# grader needs on Gradescope's Ubuntu image. Gradescope runs it once, as root, when it builds
# the image.
set -eux
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libcmocka-dev pkg-config libuv1-dev \
    binutils bubblewrap util-linux python3 zip
# The course as the grader sees it; readable by root only (see run_autograder).
mkdir -p /autograder/course
cp -r /autograder/source/course/. /autograder/course/
chmod -R go-rwx /autograder/course
chmod go+x /autograder/course /autograder/course/tests /autograder/course/tests/grader
# The one course file a box reads: the build script it runs (nothing secret in it).
chmod go+r /autograder/course/tests/grader/box-build.sh
