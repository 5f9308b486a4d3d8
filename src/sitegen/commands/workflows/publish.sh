#!/bin/sh
# publish.sh: builds this site with sitegen, checks it, and copies it to a web server
# (rsync over ssh) or an S3 bucket, from any CI job or by hand. Written by
# `sitegen init --ci shell` (sitegen {version}); sitegen's docs/deploying.md explains it.
#
#   PUBLISH_TO=deploy@example.org:/var/www/archive/ ./publish.sh   # rsync
#   PUBLISH_TO=s3://archive-bucket/ ./publish.sh                    # aws s3 sync
#
# Needs sitegen on PATH (and rsync, or the AWS CLI with its credentials). Let the CI keep
# .sitegen-cache/ between runs (without .sitegen-cache/check/): the build then parses only
# the articles that changed.
set -eu
cd "$(dirname "$0")"
: "${PUBLISH_TO:?set PUBLISH_TO to user@host:/path/ or s3://bucket/prefix/}"

sitegen build --strict --stats  # exit 1 on any problem: nothing below runs
sitegen check --strict          # links and images that lead nowhere

case "$PUBLISH_TO" in
    s3://*) aws s3 sync build/ "$PUBLISH_TO" --delete --exclude .sitegen-output ;;
    *) rsync -a --delete --delay-updates --exclude .sitegen-output build/ "$PUBLISH_TO" ;;
esac
