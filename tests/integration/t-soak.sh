#!/bin/sh
# The soak figures at a tenth of their size (scripts/soak with
# SOAK_SCALE=0.1): 1,000 and 5,000 concurrent checked echoes, 50 reloads of
# four kinds under 50 streaming connections, descriptor exhaustion with 400
# clients, 500 connections each to a refusing, a black-holed and a
# resetting target, a slow reader, control API abuse while relaying, and
# 20,000 hostile connections against the sanitizer build when there is one.
# Every figure must pass; one that cannot run here (a limit) is skipped by
# the soak and shows in its output.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
SOAK_SCALE=${SOAK_SCALE:-0.1} sh "$top_srcdir/scripts/soak"
