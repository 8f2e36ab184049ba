# Lists, statistics and events, from the read model.
GW=${QC_LISTEN:-localhost:8080}; DATA=${QC_DATA_DIR:-data}
key()  { jq -r --arg n "$1" '.users[] | select(.name == $n) | .apiKey' "$DATA/demo-credentials.json"; }
BANK=$(key bank); REG=$(key regulator)
# The bank's financings, two a page, newest first; the next page from the cursor
PAGE=$(curl -s "$GW/api/v1/lists/financings?limit=2&order=desc" -H "Authorization: Bearer $BANK")
echo "$PAGE" | jq -r '.items[] | "\(.id)  \(.status)  \(.currency) \(.principalOutstanding)"'
curl -s "$GW/api/v1/lists/financings?limit=2&order=desc&cursor=$(echo "$PAGE" | jq -r .nextCursor)" -H "Authorization: Bearer $BANK" | jq -r '.items[].id'
curl -s "$GW/api/v1/lists/financings?status=ACTIVE&from=2026-01-01" -H "Authorization: Bearer $BANK" | jq '.items | length'
curl -s "$GW/api/v1/lists/financings?limit=0" -H "Authorization: Bearer $BANK" | jq .error.code   # expect 400
# The zone regulator sees every receivable, claim and shipment of the zone
curl -s "$GW/api/v1/lists/receivables" -H "Authorization: Bearer $REG" | jq -r '.items[] | "\(.id)  \(.status)  \(.seller)"'
# The zone's statistics, exact decimals per currency
curl -s "$GW/api/v1/stats" -H "Authorization: Bearer $REG" | jq -c '.financing.disbursed[], .lossRatio[]'
# Follow the events the bank may see: from the fifth-last on, then live
# (curl -N keeps the stream open; here it stops after 2 s)
LAST=$(curl -s "$GW/api/v1/stats" -H "Authorization: Bearer $BANK" | jq .through)
curl -sN --max-time 2 "$GW/api/v1/events" -H "Authorization: Bearer $BANK" -H "Last-Event-ID: $((LAST - 5))" || true
