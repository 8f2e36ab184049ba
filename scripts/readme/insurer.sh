# The insurer: a buyer credit limit, an insured shipment assigned to the
# bank, a claim filed, approved and paid, and the demo's paid claim.
GW=${QC_LISTEN:-localhost:8080}; DATA=${QC_DATA_DIR:-data}
key()  { jq -r --arg n "$1" '.users[] | select(.name == $n) | .apiKey' "$DATA/demo-credentials.json"; }
demo() { jq -r "$1" "$DATA/demo.json"; }
# Dates as the ledger counts them (Asia/Shanghai), with no GNU-only date flags
day()  { python3 -c 'import datetime as d,sys;print(d.datetime.now(d.timezone(d.timedelta(hours=8))).date()+d.timedelta(int(sys.argv[1])))' "$1"; }
INS=$(key insurer); EXP=$(key exporter); BANK=$(key bank)
EXPCODE=$(demo .enterprises.exporter.creditCode); BANKCODE=$(demo .enterprises.bank.creditCode)
POLICY=$(demo .insurance.policy)

# A buyer credit limit for the exporter on one overseas buyer
LIMIT=$(curl -s "$GW/api/v1/credit-limits" -H "Authorization: Bearer $INS" --json '{"exporter":"'$EXPCODE'","buyer":{"name":"Rotterdam Tea Imports B.V.","country":"NL","registrationId":"KVK-80012345"},"amount":"50000.00","currency":"USD","validFrom":"'$(day 0)'","validTo":"'$(day 364)'"}' | jq -r .result.id)
curl -s "$GW/api/v1/credit-limits/$LIMIT" -H "Authorization: Bearer $INS" | jq '{id, buyer: .buyer.name, amount, used, available}'
curl -s "$GW/api/v1/policies/$POLICY" -H "Authorization: Bearer $INS" | jq '{id, coverageRatio, premiumRate, waitingPeriodDays, maxCreditDays}'
# The exporter declares a shipment to that buyer (its lots must have shipping events); premium = amount x rate, half-up
SHIP=$(curl -s "$GW/api/v1/policies/$POLICY/shipments" -H "Authorization: Bearer $EXP" --json '{"limitId":"'$LIMIT'","invoiceNumber":"QYX-2026-0801","invoiceAmount":"8000.00","customsDeclarationNo":"516820261000000801","customsValue":"8000.00","shipmentDate":"'$(day 0)'","paymentDueDate":"'$(day 60)'","lots":[{"gtin":"06901234500028","lot":"BT-2026-06A"}]}' | jq -r .result.id)
curl -s "$GW/api/v1/shipments/$SHIP" -H "Authorization: Bearer $INS" | jq '{id, status, premium, paymentDueDate}'
curl -s "$GW/api/v1/credit-limits/$LIMIT" -H "Authorization: Bearer $INS" | jq .available   # 42000.00
# Claim proceeds assigned to the bank, accepted by the insurer
AS=$(curl -s "$GW/api/v1/policies/$POLICY/assignments" -H "Authorization: Bearer $EXP" --json '{"shipmentId":"'$SHIP'","bank":"'$BANKCODE'"}' | jq -r .result.id)
curl -s -X POST "$GW/api/v1/assignments/$AS/accept" -H "Authorization: Bearer $INS" | jq -er '.result.status | select(. == "ACCEPTED")'
# A default is reported only after the payment due date, a claim only after a default and the waiting period
curl -s -X POST "$GW/api/v1/shipments/$SHIP/default" -H "Authorization: Bearer $EXP" | jq .error.message   # expect 422
curl -s "$GW/api/v1/claims" -H "Authorization: Bearer $EXP" --json '{"shipmentId":"'$SHIP'","note":"buyer insolvent"}' | jq .error.message   # expect 409

# The demo's third shipment is past due, its buyer's default reported and the waiting period over:
# the exporter files the claim, the insurer approves and pays it: 6,000.00 x 0.90 = 5,400.00 to the exporter
DUE=$(demo .insurance.claimableShipment)
CLAIM3=$(curl -s "$GW/api/v1/claims" -H "Authorization: Bearer $EXP" --json '{"shipmentId":"'$DUE'","note":"buyer insolvent: Antwerp commercial court"}' | jq -r .result.id)
curl -s -X POST "$GW/api/v1/claims/$CLAIM3/approve" -H "Authorization: Bearer $INS" --json '{"note":"insolvency confirmed"}' | jq -er '.result | select(.status == "APPROVED") | .covered'
curl -s "$GW/api/v1/claims/$CLAIM3/pay" -H "Authorization: Bearer $INS" --json '{"paymentDate":"'$(day 0)'"}' | jq -er '.result | select(.status == "PAID") | .payment'

# The demo's first shipment went the whole way: due, buyer default reported, waiting period, claim filed, approved and paid
CLAIMED=$(demo .insurance.claimedShipment); CLAIM=$(demo .insurance.paidClaim)
curl -s "$GW/api/v1/shipments/$CLAIMED" -H "Authorization: Bearer $INS" | jq '{id, invoiceAmount, paymentDueDate, defaultDate, status, claimId}'
# 15,000.00 x 0.90 = 13,500.00, paid to the bank, which took its POLICY loan's interest and
# principal in the same transaction (the loan closed); the surplus went to the exporter
curl -s "$GW/api/v1/claims/$CLAIM" -H "Authorization: Bearer $INS" | jq -e '{status, covered, payment} | select(.status == "PAID")'
curl -s "$GW/api/v1/financings/$(demo .insurance.policyFinancing)" -H "Authorization: Bearer $BANK" | jq -er '.status | select(. == "CLOSED")'
# Grades and sanctions
curl -s "$GW/api/v1/enterprises/$EXPCODE/credit" -H "Authorization: Bearer $BANK" | jq .   # grade A-D, LTV factor, record
