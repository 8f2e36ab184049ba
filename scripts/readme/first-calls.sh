# First calls: who am I, the enterprises, the API description.
GW=${QC_LISTEN:-localhost:8080}; DATA=${QC_DATA_DIR:-data}
key()  { jq -r --arg n "$1" '.users[] | select(.name == $n) | .apiKey' "$DATA/demo-credentials.json"; }
KEY=$(key bank)
curl -s "$GW/api/v1/me" -H "Authorization: Bearer $KEY" | jq .
curl -s "$GW/api/v1/enterprises" -H "Authorization: Bearer $KEY" | jq -r '.[] | "\(.creditCode)  \(.kinds | join(","))  \(.name)"'
curl -s "$GW/api/v1/openapi.json" | jq -r '.info.title, (.paths | length | "\(.) paths")'   # the whole API, OpenAPI 3
curl -s "$GW/api/docs" | grep -o '<title>[^<]*</title>'   # its reference page, for a browser
curl -s "$GW/api/v1/me" | jq .error.code   # expect 401
