# The bank: due diligence, then a pledge financing from application to payoff.
GW=${QC_LISTEN:-localhost:8080}; DATA=${QC_DATA_DIR:-data}
key()  { jq -r --arg n "$1" '.users[] | select(.name == $n) | .apiKey' "$DATA/demo-credentials.json"; }
demo() { jq -r "$1" "$DATA/demo.json"; }
# Dates as the ledger counts them (Asia/Shanghai), with no GNU-only date flags
day()  { python3 -c 'import datetime as d,sys;print(d.datetime.now(d.timezone(d.timedelta(hours=8))).date()+d.timedelta(int(sys.argv[1])))' "$1"; }
TODAY=$(day 0)
BANK=$(key bank); COOP=$(key tea-coop)
RCPT=$(demo .finance.unpledgedReceipt); BANKCODE=$(demo .enterprises.bank.creditCode)

# Due diligence: custody chain at the warehouse, history, pledge, certificates, recall status
curl -s "$GW/api/v1/receipts/$RCPT/verification" -H "Authorization: Bearer $BANK" | jq '.receipt | {id, lot, quantity, valuation, status}'
# The cooperative applies (this does not lock the receipt; several banks may be asked).
# A retry with the same Idempotency-Key returns the first answer and writes nothing.
IK=$(python3 -c 'import uuid;print(uuid.uuid4())')
APPLY='{"type":"WAREHOUSE_RECEIPT_PLEDGE","bank":"'$BANKCODE'","collateral":["'$RCPT'"],"requestedPrincipal":"120000.00","currency":"CNY","purpose":"working capital"}'
F=$(curl -s "$GW/api/v1/financings" -H "Authorization: Bearer $COOP" -H "Idempotency-Key: $IK" --json "$APPLY" | jq -r .result.id)
curl -s "$GW/api/v1/financings" -H "Authorization: Bearer $COOP" -H "Idempotency-Key: $IK" --json "$APPLY" | jq -r .result.id   # the same id
echo "financing $F"
# Approval pledges the receipt in the same transaction: 409 ALREADY_PLEDGED if it is pledged, 422 LTV_EXCEEDED above maxLtv
curl -s "$GW/api/v1/financings/$F/approve" -H "Authorization: Bearer $BANK" --json '{"principal":"120000.00","annualRate":"0.0435","termDays":180,"maxLtv":"0.70"}' | jq '.result | {status, terms}'
# The bank's private term sheet: Fabric private data of its and the cooperative's organisations only (another bank: 403); the financing keeps its hash
TERMS='{"internalNotes":"internal grade B+","covenants":["monthly stock report"]}'
curl -s "$GW/api/v1/financings/$F/private-terms" -H "Authorization: Bearer $BANK" --json "$TERMS" | jq .result.privateTermsHash
curl -s "$GW/api/v1/financings/$F/private-terms/check" -H "Authorization: Bearer $COOP" --json "$TERMS" | jq -e .matches   # anyone shown it checks it
curl -s "$GW/api/v1/financings/$F/disburse" -H "Authorization: Bearer $BANK" --json '{"valueDate":"'$TODAY'"}' | jq .result.status
curl -s "$GW/api/v1/financings/$F/repayments" -H "Authorization: Bearer $COOP" --json '{"amount":"20000.00","valueDate":"'$TODAY'"}' | jq .result.principalOutstanding
curl -s "$GW/api/v1/financings/$F?asOf=$(day 30)" -H "Authorization: Bearer $BANK" | jq .asOf   # outstanding, accrued interest, payoff in 30 days
# /close is only for an approved, never-disbursed financing; this one still owes principal
curl -s -X POST "$GW/api/v1/financings/$F/close" -H "Authorization: Bearer $BANK" | jq .error.code   # expect 422
# Paying off closes the financing and releases the receipt in the same transaction
PAYOFF=$(curl -s "$GW/api/v1/financings/$F?asOf=$TODAY" -H "Authorization: Bearer $BANK" | jq -r .asOf.payoff)
curl -s "$GW/api/v1/financings/$F/repayments" -H "Authorization: Bearer $COOP" --json '{"amount":"'$PAYOFF'","valueDate":"'$TODAY'"}' | jq -er '.result.status | select(. == "CLOSED")'
curl -s "$GW/api/v1/receipts/$RCPT" -H "Authorization: Bearer $BANK" | jq -er '.status | select(. == "ISSUED")'   # free to pledge again
