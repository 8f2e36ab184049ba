# The operator: identities, API keys and the chain's verification, with the
# gateway running. Run from the directory that holds bin/ and data/.
GW=${QC_LISTEN:-localhost:8080}; DATA=${QC_DATA_DIR:-data}
key()  { jq -r --arg n "$1" '.users[] | select(.name == $n) | .apiKey' "$DATA/demo-credentials.json"; }
QG=bin/qingchain-gateway
$QG identities list                                        # who the wallet can act as
$QG identities enroll --org BankMSP --name loan-officer-2  # a new identity from the bank's CA
ADDED=$($QG keys add loan-officer-2)                       # prints the key once
KID=$(echo "$ADDED" | sed -n 's/^key id: //p'); OFFICER=$(echo "$ADDED" | sed -n 's/^api key (shown once): //p')
$QG keys list
# The bank's admin binds the new identity to the bank (its own organisation's CA issued it)
ID=$(curl -s "$GW/api/v1/me" -H "Authorization: Bearer $OFFICER" | jq -r .id)
curl -s "$GW/api/v1/enterprises/$(jq -r .enterprises.bank.creditCode "$DATA/demo.json")/members" -H "Authorization: Bearer $(key bank-admin)" --json '{"id":"'$ID'"}' | jq .result.creditCode
curl -s "$GW/api/v1/me" -H "Authorization: Bearer $OFFICER" | jq -er '.enterprise.nameEn'
$QG keys revoke "$KID"                                     # prints the key id and identity, nothing else
curl -s "$GW/api/v1/me" -H "Authorization: Bearer $OFFICER" | jq .error.code   # expect 401
$QG verify                                                 # recompute the whole chain
$QG identities list --data-dir no-such-dir || echo "refused: not a data directory"
