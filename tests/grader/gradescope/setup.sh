#!/usr/bin/env bash
# setup.sh (in the Gradescope autograder zip; from tests/grader/gradescope/): install what the
# grader needs on Gradescope's Ubuntu image. Gradescope runs it once, as root, when it builds
# the image.
# AUTOGRADER_ROOT (default /autograder) and GRADESCOPE_NO_APT=1 exist for the course's own
# test of the zip (tests/readme-commands.sh), which unpacks it into a folder shaped the same.
set -eux
ag=${AUTOGRADER_ROOT:-/autograder}
if [ "${GRADESCOPE_NO_APT:-0}" != 1 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libcmocka-dev pkg-config \
        libuv1-dev binutils bubblewrap util-linux python3 zip
fi
# The course as the grader sees it; readable by root only (see run_autograder). The boxes
# get what they need from the grader's work folder, never from here.
mkdir -p "$ag/course"
cp -r "$ag/source/course/." "$ag/course/"
chmod -R go-rwx "$ag/course"
