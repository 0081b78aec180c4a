#!/usr/bin/env bash
# Uploads the built frontend (web/dist) to a deployed stack's site bucket and
# invalidates CloudFront:
#   infra/upload-site.sh --stack stva-prod [--region eu-west-3] [--dist web/dist]
#
# Build first: (cd web && npm ci && npm run build). Hashed files under
# assets/ are cached for a year (immutable); index.html is revalidated on
# every visit (no-cache); other files (favicon...) for 5 minutes. Files no
# longer in the build are deleted last, after the new index.html is live.
# Needs the AWS CLI v2 and credentials allowed cloudformation:DescribeStacks,
# s3:ListBucket/PutObject/DeleteObject on the site bucket and
# cloudfront:CreateInvalidation on the distribution.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

stack="" dist="$ROOT/web/dist" region=${AWS_REGION:-${AWS_DEFAULT_REGION:-eu-west-3}}
while [ $# -gt 0 ]; do
  case $1 in
    --stack) stack=${2:-}; shift 2 ;;
    --dist) dist=${2:-}; shift 2 ;;
    --region) region=${2:-}; shift 2 ;;
    -h|--help) usage ;;
    *) die "unknown argument $1" ;;
  esac
done
[ -n "$stack" ] || usage
command -v aws >/dev/null || die "the AWS CLI v2 is required"
[ -f "$dist/index.html" ] || die "no $dist/index.html: build the frontend first (cd web && npm ci && npm run build)"

output() {
  aws cloudformation describe-stacks --region "$region" --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
bucket=$(output SiteBucketName)
distribution=$(output DistributionId)
site=$(output SiteUrl)
[ -n "$bucket" ] && [ "$bucket" != None ] || die "stack $stack has no SiteBucketName output"
[ -n "$distribution" ] && [ "$distribution" != None ] || die "stack $stack has no DistributionId output"

echo "Uploading $dist to s3://$bucket" >&2
if [ -d "$dist/assets" ]; then
  aws s3 sync "$dist/assets" "s3://$bucket/assets" --region "$region" --no-progress \
    --cache-control "public, max-age=31536000, immutable"
fi
aws s3 sync "$dist" "s3://$bucket" --region "$region" --no-progress \
  --exclude "assets/*" --exclude "index.html" --cache-control "public, max-age=300"
aws s3 cp "$dist/index.html" "s3://$bucket/index.html" --region "$region" --no-progress \
  --cache-control "no-cache" --content-type "text/html; charset=utf-8"
# Only deletions are left to do: every file is already there.
aws s3 sync "$dist" "s3://$bucket" --region "$region" --no-progress --delete --exclude "index.html"

echo "Invalidating CloudFront $distribution" >&2
invalidation=$(aws cloudfront create-invalidation --distribution-id "$distribution" \
  --paths "/*" --query Invalidation.Id --output text)
aws cloudfront wait invalidation-completed --distribution-id "$distribution" --id "$invalidation"
echo "Live at $site" >&2
