#!/usr/bin/env bash
# After a change to the HTTP API: writes the document the silo serves to docs/openapi/v1.json, the document the
# generated client (tests/ApiClient) is built from and tests/EndToEnd.Tests holds equal to what is served.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/EndToEnd.Tests -c Release -nologo -clp:ErrorsOnly
SSE_UPDATE_OPENAPI=1 dotnet test tests/EndToEnd.Tests -c Release --no-build \
  --filter "FullyQualifiedName~GeneratedClientTests.The_committed_document_is_the_one_the_silo_serves"
echo "docs/openapi/v1.json updated; rebuild to regenerate the client."
