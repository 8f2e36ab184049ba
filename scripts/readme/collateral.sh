# The bank's collateral: the encumbrance register and a margin call.
GW=${QC_LISTEN:-localhost:8080}; DATA=${QC_DATA_DIR:-data}
key()  { jq -r --arg n "$1" '.users[] | select(.name == $n) | .apiKey' "$DATA/demo-credentials.json"; }
demo() { jq -r "$1" "$DATA/demo.json"; }
day()  { python3 -c 'import datetime as d,sys;print(d.datetime.now(d.timezone(d.timedelta(hours=8))).date()+d.timedelta(int(sys.argv[1])))' "$1"; }
TODAY=$(day 0); BANK=$(key bank)

# The encumbrance register: what backs which financing, and the demo's refused double financing
LOT=$(demo .doubleFinancing.lot)
curl -s "$GW/api/v1/lots/06901234500028/$LOT/encumbrances" -H "Authorization: Bearer $BANK" | jq .entries
demo .doubleFinancing

# A margin call: the chilled chicken pledge after an excursion in the cold room
MC=$(demo .marginCall.financing); MEAT=$(key meat-processor)
curl -s "$GW/api/v1/financings/$MC?asOf=$TODAY" -H "Authorization: Bearer $BANK" | jq '{status, marginCall, alerts, asOf}'
# The borrower repays the shortfall (after the interest accrued, which a repayment pays first)
TOPUP=$(curl -s "$GW/api/v1/financings/$MC?asOf=$TODAY" -H "Authorization: Bearer $MEAT" | jq -r '"\(.marginCall.shortfall) \(.asOf.interestAccrued)"' | awk '{printf "%.2f", $1 + $2}')
curl -s "$GW/api/v1/financings/$MC/repayments" -H "Authorization: Bearer $MEAT" --json '{"amount":"'$TOPUP'","valueDate":"'$TODAY'"}' | jq -er '.result.status | select(. == "ACTIVE")'
