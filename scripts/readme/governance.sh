# Onboarding an enterprise: the platform's admin registers a customs broker;
# the zone regulator approves its trust kind.
GW=${QC_LISTEN:-localhost:8080}; DATA=${QC_DATA_DIR:-data}
key()  { jq -r --arg n "$1" '.users[] | select(.name == $n) | .apiKey' "$DATA/demo-credentials.json"; }
ADMIN=$(key platform-admin); REG=$(key regulator)
CODE=91441800QC00000125   # an 18-character unified social credit code, check character included
curl -s "$GW/api/v1/governance" -H "Authorization: Bearer $ADMIN" | jq '{version, regulatorMsp, trustKinds}'
# PlatformMSP may not grant the bank kind
curl -s "$GW/api/v1/enterprises" -H "Authorization: Bearer $ADMIN" --json '{"creditCode":"'$CODE'","name":"清远北江报关有限公司","kinds":["bank"]}' | jq .error.code   # expect 403
# customs_broker is a trust kind: it waits in pendingKinds for the regulator
curl -s "$GW/api/v1/enterprises" -H "Authorization: Bearer $ADMIN" --json '{"creditCode":"'$CODE'","name":"清远北江报关有限公司","kinds":["customs_broker"]}' | jq '.result | {kinds, pendingKinds}'
curl -s -X POST "$GW/api/v1/enterprises/$CODE/kinds/customs_broker/approve" -H "Authorization: Bearer $REG" | jq -e '.result | {kinds, pendingKinds} | select(.kinds == ["customs_broker"])'
# A kind the organisation may grant that carries no public trust is in effect at once
curl -s "$GW/api/v1/enterprises/$CODE/kinds" -H "Authorization: Bearer $ADMIN" --json '{"kind":"logistics"}' | jq .result.kinds
curl -s "$GW/api/v1/enterprises/$CODE/history" -H "Authorization: Bearer $REG" | jq -r '.[] | "\(.timestamp)  \(.enterprise.lastChange.action) \(.enterprise.lastChange.kind // "")  by \(.enterprise.lastChange.by)"'
